/**
 * Grades a printer agent's connection from its heartbeat: the smoothed round-trip time of pongs and
 * the pongs missed in a row. The four grades are the ones the restaurant printing platform's
 * dashboards use (excellent/good/fair/poor; they alert when over 30% of connections are poor).
 *
 * The thresholds are for a receipt printer on a branch network: a print job is a few KB, so the RTT
 * matters only as a sign of a struggling link (Wi-Fi at the far end of a kitchen, a 4G backup line).
 */
export const CONNECTION_QUALITIES = ['excellent', 'good', 'fair', 'poor'] as const;
export type ConnectionQuality = (typeof CONNECTION_QUALITIES)[number];

/** Upper RTT bounds (ms, exclusive) of each grade; above the last one the link is poor. */
const QUALITY_RTT_MS = { excellent: 100, good: 300, fair: 1000 } as const;

/** Weight of the newest sample in the smoothed RTT (an EWMA, as TCP's SRTT in RFC 6298 uses 1/8). */
const RTT_SMOOTHING = 0.3;

export interface Heartbeat {
  /** Smoothed RTT in ms; undefined before the first pong. */
  readonly rttMs: number | undefined;
  /** Pings in a row that got no pong before the next ping was due. */
  readonly missedPongs: number;
}

/** The next smoothed RTT after a new sample. */
export function smoothRtt(previousMs: number | undefined, sampleMs: number): number {
  return previousMs === undefined ? sampleMs : previousMs + RTT_SMOOTHING * (sampleMs - previousMs);
}

/**
 * The grade of a connection. A missed pong outweighs any RTT: one is fair, two or more poor.
 * Before the first pong nothing is known yet; the connection just succeeded, so it is "good".
 */
export function gradeConnection(h: Heartbeat): ConnectionQuality {
  if (h.missedPongs >= 2) return 'poor';
  if (h.rttMs === undefined) return h.missedPongs === 1 ? 'fair' : 'good';
  let byRtt: ConnectionQuality = 'poor';
  if (h.rttMs < QUALITY_RTT_MS.excellent) byRtt = 'excellent';
  else if (h.rttMs < QUALITY_RTT_MS.good) byRtt = 'good';
  else if (h.rttMs < QUALITY_RTT_MS.fair) byRtt = 'fair';
  if (h.missedPongs === 1 && (byRtt === 'excellent' || byRtt === 'good')) return 'fair';
  return byRtt;
}

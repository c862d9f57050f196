/**
 * A local stand-in for the PagerDuty Events API v2 (https://developer.pagerduty.com/docs/events-api-v2/trigger-events/),
 * for Alertmanager's real `pagerduty_configs` client: `POST /v2/enqueue` with a JSON event. It checks what PagerDuty
 * checks (the routing key, `event_action`, and for a trigger `payload.summary`, `payload.source` and a known
 * `payload.severity`), answers `202 { status: 'success', message: 'Event processed', dedup_key }` like the real
 * endpoint, and `400 { status: 'invalid event', errors }` otherwise. It records both.
 */
import { startJsonServer } from './http-receiver.ts';

export type PagerDutyAction = 'trigger' | 'acknowledge' | 'resolve';

export interface PagerDutyEvent {
  readonly routing_key: string;
  readonly event_action: PagerDutyAction;
  readonly dedup_key?: string;
  readonly payload?: {
    readonly summary: string;
    readonly source: string;
    readonly severity: 'critical' | 'error' | 'warning' | 'info';
    readonly custom_details?: Record<string, unknown>;
    readonly [k: string]: unknown;
  };
  readonly [k: string]: unknown;
}

export interface ReceivedPagerDutyEvent {
  /** Date.now() when it arrived. */
  readonly at: number;
  readonly event: PagerDutyEvent;
  /** The alert name: the summary's prefix (`{{ .CommonLabels.alertname }}: ...`), or the `alertname = X` of the details. */
  readonly alertname: string;
}

export interface PagerDutyReceiver {
  /** The events endpoint, for the receiver's `url`. */
  readonly enqueueUrl: string;
  readonly events: ReceivedPagerDutyEvent[];
  /** Requests refused with 400 and why. */
  readonly rejected: string[];
  close(): Promise<void>;
}

const ACTIONS = new Set(['trigger', 'acknowledge', 'resolve']);
const SEVERITIES = new Set(['critical', 'error', 'warning', 'info']);

function alertnameOf(e: PagerDutyEvent): string {
  const fromSummary = /^([A-Za-z_][A-Za-z0-9_]*):/.exec(e.payload?.summary ?? '');
  if (fromSummary) return fromSummary[1] as string;
  const details = JSON.stringify(e.payload?.custom_details ?? {});
  return /alertname = ([A-Za-z0-9_]+)/.exec(details)?.[1] ?? '';
}

/** Starts the receiver on a free loopback port; it accepts only `routingKey` (or one of them: one per PagerDuty service). */
export async function startPagerDutyReceiver(routingKey: string | readonly string[]): Promise<PagerDutyReceiver> {
  const keys = new Set(typeof routingKey === 'string' ? [routingKey] : routingKey);
  const events: ReceivedPagerDutyEvent[] = [];
  const rejected: string[] = [];
  const server = await startJsonServer((req) => {
    if (req.path !== '/v2/enqueue') return { status: 404, body: { status: 'not found' } };
    if (req.method !== 'POST') return { status: 405, body: { status: 'method not allowed' } };
    const e = req.json as Partial<PagerDutyEvent> | undefined;
    const errors: string[] = [];
    if (typeof e !== 'object' || e === null) errors.push('the body is not a JSON object');
    else {
      if (!keys.has(e.routing_key ?? '')) errors.push(`unknown routing_key ${JSON.stringify(e.routing_key)}`);
      if (!ACTIONS.has(e.event_action as string)) errors.push(`event_action must be trigger, acknowledge or resolve, got ${JSON.stringify(e.event_action)}`);
      if (e.event_action !== 'trigger' && typeof e.dedup_key !== 'string') errors.push('dedup_key is required to acknowledge or resolve');
      if (e.event_action === 'trigger') {
        const p = e.payload;
        if (typeof p?.summary !== 'string' || p.summary === '' || p.summary.length > 1024) errors.push('payload.summary must be 1-1024 characters');
        if (typeof p?.source !== 'string' || p.source === '') errors.push('payload.source is required');
        if (!SEVERITIES.has(p?.severity as string)) errors.push(`payload.severity must be critical, error, warning or info, got ${JSON.stringify(p?.severity)}`);
      }
    }
    if (errors.length > 0) {
      rejected.push(`${errors.join('; ')}: ${req.text.slice(0, 500)}`);
      return { status: 400, body: { status: 'invalid event', message: 'Event object is invalid', errors } };
    }
    const event = e as PagerDutyEvent;
    events.push({ at: Date.now(), event, alertname: alertnameOf(event) });
    return { status: 202, body: { status: 'success', message: 'Event processed', dedup_key: event.dedup_key ?? '' } };
  });
  return { enqueueUrl: `${server.url}/v2/enqueue`, events, rejected, close: () => server.close() };
}

/** What a probe answers, and the fixed answers several probes share. */

/** An HTTP status and a JSON-able body. */
export interface ProbeResponse {
  httpStatus: 200 | 503;
  body: Record<string, unknown>;
}

/** `status` of the readiness and summary bodies. */
export type ReadyStatus = 'ok' | 'degraded' | 'fail' | 'starting' | 'shutting_down';

/** Shared responses are handed to every caller: frozen so one caller cannot change another's answer. */
export function freezeResponse(response: ProbeResponse): ProbeResponse {
  Object.freeze(response.body);
  return Object.freeze(response);
}

export const STARTING_READY: ProbeResponse = freezeResponse({ httpStatus: 503, body: { status: 'starting' } });
export const SHUTTING_DOWN_READY: ProbeResponse = freezeResponse({ httpStatus: 503, body: { status: 'shutting_down' } });
export const STARTUP_OK: ProbeResponse = freezeResponse({ httpStatus: 200, body: { status: 'ok' } });
export const STARTUP_PENDING: ProbeResponse = freezeResponse({ httpStatus: 503, body: { status: 'starting' } });

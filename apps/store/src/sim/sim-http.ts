/** The small JSON-over-HTTP helpers every local simulator (payment, SMS, warehouse) uses. */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The request body parsed as JSON; undefined when it is larger than `maxBytes` or not JSON.
 * An empty body yields `empty` (undefined unless given).
 */
export async function readJson(req: IncomingMessage, maxBytes: number, empty?: unknown): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) return undefined;
    chunks.push(chunk);
  }
  if (size === 0 && empty !== undefined) return empty;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

export function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** The fault knobs the SMS provider and warehouse simulators share; `F` names their on/off switches (outage, reject, stall). */
export type FaultConfig<F extends string> = { failureRate: number; latencyMs: number } & Record<F, boolean>;

/**
 * Parses an admin config patch (snake_case or camelCase): failure_rate in [0, 1], latency_ms in [0, 60000]
 * and the boolean switches `flags`. Undefined when any given value is invalid, so nothing is half-applied.
 */
export function parseFaultPatch<F extends string>(body: Record<string, unknown>, flags: F | readonly F[]): Partial<FaultConfig<F>> | undefined {
  const patch: Record<string, unknown> = {};
  const failureRate = body.failure_rate ?? body.failureRate;
  if (failureRate !== undefined) {
    if (typeof failureRate !== 'number' || !(failureRate >= 0 && failureRate <= 1)) return undefined;
    patch.failureRate = failureRate;
  }
  for (const flag of typeof flags === 'string' ? [flags] : flags) {
    if (body[flag] !== undefined) {
      if (typeof body[flag] !== 'boolean') return undefined;
      patch[flag] = body[flag];
    }
  }
  const latencyMs = body.latency_ms ?? body.latencyMs;
  if (latencyMs !== undefined) {
    if (typeof latencyMs !== 'number' || !(latencyMs >= 0 && latencyMs <= 60_000)) return undefined;
    patch.latencyMs = latencyMs;
  }
  return patch as Partial<FaultConfig<F>>;
}

/** The config as the admin endpoint shows it (snake_case). */
export function wireFaults<F extends string>(c: FaultConfig<F>, flags: F | readonly F[]): Record<string, unknown> {
  const switches = Object.fromEntries((typeof flags === 'string' ? [flags] : flags).map((f) => [f, c[f]]));
  return { failure_rate: c.failureRate, ...switches, latency_ms: c.latencyMs };
}

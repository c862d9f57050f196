/**
 * A local, simulated SMS/WhatsApp provider: the far end of the store's receipt notifications.
 * Failures are injectable (a failure rate, a full outage, latency) so tests and `npm run simulate`
 * can make the notification failure series move without a real provider.
 *
 * Wire protocol (the shape of common messaging APIs, kept small):
 *
 * | method | path            | body / answer |
 * | ------ | --------------- | ------------- |
 * | POST   | /v1/messages    | `{ to, channel: 'sms'\|'whatsapp', body, idempotency_key }` → 202 `{ id, status: 'queued' }` (the first answer again for a repeated key, with `duplicate: true`); 400 `{ error: 'invalid_recipient' }`; 429/500/503 on injected failures |
 * | GET    | /admin/stats    | counts only: accepted, failed, rejected, duplicates |
 * | GET/PUT | /admin/config  | `{ failure_rate?, outage?, reject?, latency_ms? }` → the config (snake_case, as the payment provider's) |
 *
 * The idempotency keys it accepted are its ledger (`keys()`, in process only): the fault tests compare it
 * with the store's messages to prove every receipt went out exactly once.
 *
 * The provider keeps no phone number and logs nothing: the store's redaction tests read every
 * output of the process, and a simulator that echoed numbers would hide a leak in the store.
 */
import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isRecord, listen, parseFaultPatch, readJson, send, wireFaults } from './sim-http.ts';

export interface SmsProviderConfig {
  /** Share of valid messages answered with an error (0..1). Default 0. */
  failureRate: number;
  /** Every message is answered 503 while true. Default false. */
  outage: boolean;
  /** Every message is refused 400 `invalid_recipient` while true (a permanent failure). Default false. */
  reject: boolean;
  /** Added before every answer. Default 0. */
  latencyMs: number;
}

export interface SmsProviderStats {
  readonly accepted: number;
  readonly failed: number;
  readonly rejected: number;
  readonly duplicates: number;
}

export interface SmsProviderOptions extends Partial<SmsProviderConfig> {
  /** Default 0 (any free port). */
  readonly port?: number;
  /** Loopback only by default. */
  readonly host?: string;
  /** Injectable randomness for deterministic tests. Default Math.random. */
  readonly random?: () => number;
}

/** What the provider knows about one idempotency key it accepted. */
export interface AcceptedKey {
  readonly id: string;
  /** Requests with this key after the first: retries the key caught. */
  readonly repeats: number;
}

export interface SmsProvider {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly config: Readonly<SmsProviderConfig>;
  configure(patch: Partial<SmsProviderConfig>): void;
  stats(): SmsProviderStats;
  /** The idempotency keys accepted so far (at most the last 10 000). */
  keys(): ReadonlyMap<string, AcceptedKey>;
  close(): Promise<void>;
}

/** E.164: a plus, then 8 to 15 digits. */
const E164 = /^\+[1-9]\d{7,14}$/;
const MAX_BODY_BYTES = 16 * 1024;
/** Idempotency keys remembered; older ones are forgotten first (a provider's dedupe window). */
const MAX_REMEMBERED_KEYS = 10_000;

/**
 * Starts the simulated provider.
 * @example
 * ```ts
 * const sms = await startSmsProvider({ failureRate: 0.1 });
 * sms.configure({ outage: true });
 * await sms.close();
 * ```
 */
export async function startSmsProvider(options: SmsProviderOptions = {}): Promise<SmsProvider> {
  const random = options.random ?? Math.random;
  const config: SmsProviderConfig = {
    failureRate: options.failureRate ?? 0,
    outage: options.outage ?? false,
    reject: options.reject ?? false,
    latencyMs: options.latencyMs ?? 0,
  };
  const FLAGS = ['outage', 'reject'] as const;
  const counts = { accepted: 0, failed: 0, rejected: 0, duplicates: 0 };
  const seen = new Map<string, AcceptedKey>();
  let nextId = 1;
  const timers = new Set<NodeJS.Timeout>();

  const delay = (ms: number): Promise<void> =>
    ms <= 0
      ? Promise.resolve()
      : new Promise((resolve) => {
          const t = setTimeout(() => {
            timers.delete(t);
            resolve();
          }, ms);
          timers.add(t);
        });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/admin/stats') return send(res, 200, { ...counts });
    if (req.method === 'GET' && path === '/admin/config') return send(res, 200, wireFaults(config, FLAGS));
    if ((req.method === 'PUT' || req.method === 'POST') && path === '/admin/config') {
      const body = await readJson(req, MAX_BODY_BYTES);
      if (!isRecord(body)) return send(res, 400, { error: 'invalid_json' });
      const patch = parseFaultPatch(body, FLAGS);
      if (patch === undefined) return send(res, 400, { error: 'invalid_config' });
      Object.assign(config, patch);
      return send(res, 200, wireFaults(config, FLAGS));
    }
    if (req.method === 'POST' && path === '/v1/messages') {
      const body = await readJson(req, MAX_BODY_BYTES);
      await delay(config.latencyMs);
      if (config.outage) {
        counts.failed++;
        return send(res, 503, { error: 'service_unavailable' });
      }
      if (!isRecord(body) || typeof body.body !== 'string' || (body.channel !== 'sms' && body.channel !== 'whatsapp')) {
        counts.rejected++;
        return send(res, 400, { error: 'invalid_request' });
      }
      if (typeof body.to !== 'string' || !E164.test(body.to) || config.reject) {
        counts.rejected++;
        return send(res, 400, { error: 'invalid_recipient' });
      }
      const key = typeof body.idempotency_key === 'string' ? body.idempotency_key : undefined;
      const earlier = key === undefined ? undefined : seen.get(key);
      if (earlier !== undefined && key !== undefined) {
        counts.duplicates++;
        seen.set(key, { id: earlier.id, repeats: earlier.repeats + 1 });
        return send(res, 202, { id: earlier.id, status: 'queued', duplicate: true });
      }
      if (config.failureRate > 0 && random() < config.failureRate) {
        counts.failed++;
        // Alternate between the two failures real providers answer most: throttling and a 5xx.
        return random() < 0.3 ? send(res, 429, { error: 'rate_limited' }) : send(res, 500, { error: 'internal_error' });
      }
      const id = `msg_${nextId++}`;
      if (key !== undefined) {
        seen.set(key, { id, repeats: 0 });
        if (seen.size > MAX_REMEMBERED_KEYS) {
          const oldest = seen.keys().next().value;
          if (oldest !== undefined) seen.delete(oldest);
        }
      }
      counts.accepted++;
      return send(res, 202, { id, status: 'queued' });
    }
    return send(res, 404, { error: 'not_found' });
  };

  const server: Server = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, { error: 'internal_error' });
      else res.destroy();
    });
  });
  await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
  const addr = server.address() as AddressInfo;

  return {
    url: `http://${addr.address}:${addr.port}`,
    config,
    configure(patch) {
      Object.assign(config, parseFaultPatch(patch, FLAGS) ?? {});
    },
    stats: () => ({ ...counts }),
    keys: () => new Map(seen),
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

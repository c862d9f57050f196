/**
 * `tillwatch receiver`: the webhook receiver of a local stack, standing in for PagerDuty, Slack and e-mail. The
 * local stack's Alertmanager posts every notification of every receiver here (Alertmanager's webhook format,
 * https://prometheus.io/docs/alerting/latest/configuration/#webhook_config); each is printed readably, one block per
 * notification, and kept (the newest {@link MAX_KEPT}) for:
 *
 * - `GET /`: the notifications as text, newest first;
 * - `GET /notifications`: the same as JSON (`?alertname=X` keeps those carrying alert X).
 *
 * Hand-written on node:http: a few dozen lines, and it must start in a bare Node image (the compose file runs it).
 * Notifications hold only what the generated rules put in labels and annotations (no request data), and what is
 * printed is redacted with the shared redactor like every other sink.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRedactor } from '@tillwatch/redact';
import { RECEIVER_WEBHOOK_PATH } from '../render/local-stack.ts';

/** Notifications kept for GET / and GET /notifications. */
export const MAX_KEPT = 500;
const MAX_BODY_BYTES = 1024 * 1024;
const redactor = createRedactor();

/** One alert of a notification (Alertmanager webhook payload, version 4). */
export interface ReceivedAlert {
  readonly status: 'firing' | 'resolved';
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAt: string;
  readonly endsAt: string;
}

/** One notification as the receiver keeps it. */
export interface ReceivedNotification {
  /** When it arrived (ISO 8601). */
  readonly receivedAt: string;
  /** The Alertmanager receiver it was sent to: the real receiver it stands in for (pagerduty-critical, ...). */
  readonly receiver: string;
  readonly status: 'firing' | 'resolved';
  readonly groupLabels: Readonly<Record<string, string>>;
  readonly commonLabels: Readonly<Record<string, string>>;
  readonly alerts: readonly ReceivedAlert[];
}

export interface AlertReceiver {
  /** http://host:port */
  readonly url: string;
  readonly notifications: readonly ReceivedNotification[];
  close(): Promise<void>;
}

/** What the real receiver would be: PagerDuty, Slack or e-mail, by the generated receiver's name. */
function standsInFor(receiver: string): string {
  if (receiver.startsWith('pagerduty')) return 'PagerDuty';
  if (receiver.startsWith('slack')) return 'Slack';
  if (receiver.startsWith('email')) return 'e-mail';
  return receiver;
}

/** A notification as a few readable lines. */
export function formatNotification(n: ReceivedNotification): string {
  const time = n.receivedAt.slice(11, 19);
  const head = `[${time}] ${n.status.toUpperCase()} -> ${n.receiver} (${standsInFor(n.receiver)}): ${n.commonLabels.alertname ?? n.groupLabels.alertname ?? '(several alerts)'}`;
  const lines = [head];
  for (const a of n.alerts) {
    const l = a.labels;
    const where = ['severity', 'team', 'service', 'slo', 'location'].filter((k) => l[k] !== undefined).map((k) => `${k}=${l[k]}`).join(' ');
    lines.push(`    ${a.status === 'firing' ? '*' : '-'} ${l.alertname ?? ''} ${where}`.trimEnd());
    if (a.annotations.summary !== undefined) lines.push(`      ${a.annotations.summary}`);
    if (a.annotations.runbook_url !== undefined) lines.push(`      runbook: ${a.annotations.runbook_url}`);
  }
  return `${lines.join('\n')}\n`;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const strings = (v: unknown): Record<string, string> =>
  Object.fromEntries(Object.entries(typeof v === 'object' && v !== null ? v : {}).filter((e): e is [string, string] => typeof e[1] === 'string'));

/** Parses an Alertmanager webhook body; undefined when it is not one. */
export function parseNotification(body: string, receivedAt = new Date()): ReceivedNotification | undefined {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null || typeof raw.receiver !== 'string' || !Array.isArray(raw.alerts)) return undefined;
  const status = raw.status === 'resolved' ? 'resolved' : 'firing';
  const alerts = (raw.alerts as Record<string, unknown>[]).map((a) => ({
    status: a.status === 'resolved' ? ('resolved' as const) : ('firing' as const),
    labels: strings(a.labels),
    annotations: strings(a.annotations),
    startsAt: String(a.startsAt ?? ''),
    endsAt: String(a.endsAt ?? ''),
  }));
  // Redacted before it is kept or printed: the receiver is a sink like any other.
  return redactor.value({ receivedAt: receivedAt.toISOString(), receiver: raw.receiver, status, groupLabels: strings(raw.groupLabels), commonLabels: strings(raw.commonLabels), alerts }) as ReceivedNotification;
}

/** Starts the receiver; `print` gets every notification formatted (default: stdout). */
export async function startAlertReceiver(o: { host?: string; port?: number; print?: (text: string) => void } = {}): Promise<AlertReceiver> {
  const print = o.print ?? ((s: string) => process.stdout.write(s));
  const kept: ReceivedNotification[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://receiver');
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (req.method === 'POST' && url.pathname === RECEIVER_WEBHOOK_PATH) {
      readBody(req).then(
        (body) => {
          const n = parseNotification(body);
          if (n === undefined) return send(400, 'text/plain', 'expected an Alertmanager webhook notification (JSON)\n');
          kept.push(n);
          if (kept.length > MAX_KEPT) kept.shift();
          print(formatNotification(n));
          send(200, 'text/plain', 'ok\n');
        },
        () => send(413, 'text/plain', 'body too large\n'),
      );
      return;
    }
    if (req.method === 'GET' && url.pathname === '/notifications') {
      const name = url.searchParams.get('alertname');
      const list = name === null ? kept : kept.filter((n) => n.alerts.some((a) => a.labels.alertname === name));
      return send(200, 'application/json', JSON.stringify(list));
    }
    if (req.method === 'GET' && url.pathname === '/') {
      const text = kept.length === 0 ? 'No notification yet.\n' : [...kept].reverse().map(formatNotification).join('\n');
      return send(200, 'text/plain; charset=utf-8', `tillwatch local receiver: ${kept.length} notification(s), newest first (JSON: /notifications)\n\n${text}`);
    }
    send(404, 'text/plain', `POST ${RECEIVER_WEBHOOK_PATH}, GET / or GET /notifications\n`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    notifications: kept,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

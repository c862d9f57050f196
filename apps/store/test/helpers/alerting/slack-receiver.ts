/**
 * A local stand-in for a Slack incoming webhook (https://api.slack.com/messaging/webhooks), for Alertmanager's
 * real `slack_configs` client: `POST <webhook path>` with a JSON message (`text` and/or `attachments`), answered
 * `200 ok` like Slack; anything else is answered 400 `invalid_payload` and recorded as rejected.
 */
import { startJsonServer } from './http-receiver.ts';

export interface SlackAttachment {
  readonly title?: string;
  readonly text?: string;
  readonly fallback?: string;
  readonly [k: string]: unknown;
}

export interface SlackMessage {
  readonly channel?: string;
  readonly text?: string;
  readonly attachments?: readonly SlackAttachment[];
  readonly [k: string]: unknown;
}

export interface ReceivedSlackMessage {
  readonly at: number;
  readonly message: SlackMessage;
  /** From the title `[FIRING] <alertname> (...)` that the generated config renders; '' when there is none. */
  readonly alertname: string;
  readonly status: 'firing' | 'resolved' | '';
}

export interface SlackReceiver {
  /** The webhook URL (the credential Alertmanager reads from its `api_url_file`). */
  readonly webhookUrl: string;
  readonly messages: ReceivedSlackMessage[];
  readonly rejected: string[];
  close(): Promise<void>;
}

const WEBHOOK_PATH = '/services/T00000000/B00000000/e2e-test-webhook';

/** Starts the receiver on a free loopback port. */
export async function startSlackReceiver(): Promise<SlackReceiver> {
  const messages: ReceivedSlackMessage[] = [];
  const rejected: string[] = [];
  const server = await startJsonServer((req) => {
    if (req.path !== WEBHOOK_PATH) return { status: 404, body: 'no_service' };
    if (req.method !== 'POST') return { status: 405, body: 'invalid_method' };
    const m = req.json as SlackMessage | undefined;
    const hasContent = typeof m === 'object' && m !== null && (typeof m.text === 'string' || (Array.isArray(m.attachments) && m.attachments.length > 0));
    if (!hasContent) {
      rejected.push(req.text.slice(0, 500));
      return { status: 400, body: 'invalid_payload' };
    }
    const title = m.attachments?.[0]?.title ?? m.text ?? '';
    const t = /^\[(FIRING|RESOLVED)[^\]]*\]\s+([A-Za-z0-9_]+)/.exec(title);
    messages.push({ at: Date.now(), message: m, alertname: t?.[2] ?? '', status: t ? (t[1] === 'FIRING' ? 'firing' : 'resolved') : '' });
    return { status: 200, body: 'ok' };
  });
  return { webhookUrl: server.url + WEBHOOK_PATH, messages, rejected, close: () => server.close() };
}

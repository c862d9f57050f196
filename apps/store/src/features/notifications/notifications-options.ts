/**
 * Notifications' own settings, read from the store's environment (`deps.config.env`).
 *
 * | variable                    | default                | meaning |
 * | --------------------------- | ---------------------- | ------- |
 * | SMS_PROVIDER_URL            | http://127.0.0.1:3101  | base URL of the SMS/WhatsApp provider (`npm start` runs the simulated one there) |
 * | SMS_TIMEOUT_MS              | 5000                   | per-message timeout of the provider call |
 * | RECEIPT_DEFAULT_CHANNEL     | sms                    | channel of automatic receipts: sms or whatsapp |
 * | RECEIPT_AUTO_SEND           | true                   | send a receipt on completion when the customer has a phone number on file |
 */
import { StoreConfigError, type ConfigIssue, type Env } from '../../config.ts';
import { MESSAGE_CHANNELS, type MessageChannel } from './outbound-sender.ts';

export interface NotificationsOptions {
  readonly providerUrl: string;
  readonly timeoutMs: number;
  readonly defaultChannel: MessageChannel;
  readonly autoSend: boolean;
}

const DEFAULT_SMS_PROVIDER_URL = 'http://127.0.0.1:3101';

/** @throws StoreConfigError naming every invalid variable. */
export function readNotificationsOptions(env: Env): NotificationsOptions {
  const issues: ConfigIssue[] = [];
  const get = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  let providerUrl = DEFAULT_SMS_PROVIDER_URL;
  const rawUrl = get('SMS_PROVIDER_URL');
  if (rawUrl !== undefined) {
    try {
      const u = new URL(rawUrl);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
      providerUrl = rawUrl;
    } catch {
      // the URL may carry an API key in its query: never echo it
      issues.push({ variable: 'SMS_PROVIDER_URL', expected: 'an http:// or https:// URL', got: `a value of ${rawUrl.length} characters` });
    }
  }
  let timeoutMs = 5000;
  const rawTimeout = get('SMS_TIMEOUT_MS');
  if (rawTimeout !== undefined) {
    const n = /^\d+$/.test(rawTimeout) ? Number(rawTimeout) : Number.NaN;
    if (n >= 1 && n <= 120_000) timeoutMs = n;
    else issues.push({ variable: 'SMS_TIMEOUT_MS', expected: 'an integer between 1 and 120000', got: JSON.stringify(rawTimeout.slice(0, 40)) });
  }
  let defaultChannel: MessageChannel = 'sms';
  const rawChannel = get('RECEIPT_DEFAULT_CHANNEL');
  if (rawChannel !== undefined) {
    if ((MESSAGE_CHANNELS as readonly string[]).includes(rawChannel)) defaultChannel = rawChannel as MessageChannel;
    else issues.push({ variable: 'RECEIPT_DEFAULT_CHANNEL', expected: `one of ${MESSAGE_CHANNELS.join(', ')}`, got: JSON.stringify(rawChannel.slice(0, 40)) });
  }
  let autoSend = true;
  const rawAuto = get('RECEIPT_AUTO_SEND');
  if (rawAuto !== undefined) {
    if (rawAuto === 'true' || rawAuto === 'false') autoSend = rawAuto === 'true';
    else issues.push({ variable: 'RECEIPT_AUTO_SEND', expected: 'true or false', got: JSON.stringify(rawAuto.slice(0, 40)) });
  }
  if (issues.length > 0) throw new StoreConfigError(issues);
  return Object.freeze({ providerUrl, timeoutMs, defaultChannel, autoSend });
}

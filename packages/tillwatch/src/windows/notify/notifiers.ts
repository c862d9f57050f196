/**
 * Where in-process alerts go when no Prometheus and Alertmanager are deployed: the receivers the generated
 * alertmanager.yml routes to, speaking the same wire formats (an Alertmanager webhook, a Slack incoming webhook,
 * PagerDuty Events API v2, and e-mail through a transport the service provides), routed by severity the way the
 * generated routing does (critical -> PagerDuty, warning -> Slack, info -> e-mail).
 *
 * A notifier never throws into the evaluation loop: `deliver()` catches, and the failure goes to `onError`.
 */

export interface AlertNotification {
  readonly status: 'firing' | 'resolved';
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** RFC 3339. */
  readonly startsAt: string;
  /** RFC 3339, when resolved. */
  readonly endsAt?: string;
  readonly value: number;
}

export interface AlertNotifier {
  readonly name: string;
  /** Sends one batch; rejects on a delivery failure. */
  notify(batch: readonly AlertNotification[]): Promise<void>;
}

const TIMEOUT_MS = 10_000;

async function post(url: string, body: unknown, headers: Readonly<Record<string, string>> = {}): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`POST ${new URL(url).origin}${new URL(url).pathname}: HTTP ${res.status}`);
}

function fingerprint(labels: Readonly<Record<string, string>>): string {
  // FNV-1a over the sorted labels: stable across restarts, like Alertmanager's fingerprint.
  let h = 0x811c9dc5;
  const text = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** POSTs the Alertmanager webhook payload (version 4), so receivers written for Alertmanager accept it. */
export function webhookNotifier(opts: { readonly url: string; readonly headers?: Readonly<Record<string, string>>; readonly receiver?: string }): AlertNotifier {
  return {
    name: 'webhook',
    async notify(batch) {
      const status = batch.some((a) => a.status === 'firing') ? 'firing' : 'resolved';
      await post(
        opts.url,
        {
          version: '4',
          status,
          receiver: opts.receiver ?? 'tillwatch-in-process',
          groupKey: `{}:{alertname="${batch[0]?.labels.alertname ?? ''}"}`,
          truncatedAlerts: 0,
          groupLabels: { alertname: batch[0]?.labels.alertname ?? '' },
          commonLabels: {},
          commonAnnotations: {},
          externalURL: '',
          alerts: batch.map((a) => ({
            status: a.status,
            labels: a.labels,
            annotations: a.annotations,
            startsAt: a.startsAt,
            endsAt: a.endsAt ?? '0001-01-01T00:00:00Z',
            generatorURL: '',
            fingerprint: fingerprint(a.labels),
          })),
        },
        opts.headers,
      );
    },
  };
}

/** Slack incoming webhook: one message per batch, like Alertmanager's default Slack title and text. */
export function slackNotifier(opts: { readonly url: string; readonly channel: string }): AlertNotifier {
  return {
    name: 'slack',
    async notify(batch) {
      const firing = batch.filter((a) => a.status === 'firing').length;
      const name = batch[0]?.labels.alertname ?? '';
      const title = firing > 0 ? `[FIRING:${firing}] ${name}` : `[RESOLVED] ${name}`;
      await post(opts.url, {
        channel: opts.channel,
        username: 'tillwatch',
        text: title,
        attachments: batch.map((a) => ({
          color: a.status === 'firing' ? 'danger' : 'good',
          title: a.annotations.summary ?? a.labels.alertname,
          text: a.annotations.description ?? '',
        })),
      });
    },
  };
}

/** PagerDuty Events API v2: a trigger or resolve event per alert, deduplicated by the alert's fingerprint. */
export function pagerDutyNotifier(opts: { readonly routingKey: string; readonly url?: string }): AlertNotifier {
  const url = opts.url ?? 'https://events.pagerduty.com/v2/enqueue';
  return {
    name: 'pagerduty',
    async notify(batch) {
      for (const a of batch) {
        await post(url, {
          routing_key: opts.routingKey,
          event_action: a.status === 'firing' ? 'trigger' : 'resolve',
          dedup_key: fingerprint(a.labels),
          payload: {
            // `<alertname>: <summary>`, like the generated Alertmanager PagerDuty description.
            summary: `${a.labels.alertname ?? 'alert'}: ${a.annotations.summary ?? ''}`.slice(0, 1024),
            source: a.labels.service ?? 'tillwatch',
            severity: a.labels.severity === 'critical' ? 'critical' : a.labels.severity === 'warning' ? 'warning' : 'info',
            custom_details: { ...a.labels, description: a.annotations.description ?? '' },
          },
        });
      }
    },
  };
}

/** An e-mail message; the service's transport sends it (e.g. nodemailer's `transporter.sendMail`). */
export interface AlertEmail {
  readonly to: string;
  readonly from: string;
  readonly subject: string;
  readonly text: string;
}

/** E-mail through a transport the service provides, so the runtime depends on no SMTP client. */
export function emailNotifier(opts: { readonly to: string; readonly from: string; readonly send: (mail: AlertEmail) => Promise<unknown> }): AlertNotifier {
  return {
    name: 'email',
    async notify(batch) {
      const firing = batch.filter((a) => a.status === 'firing').length;
      const name = batch[0]?.labels.alertname ?? '';
      await opts.send({
        to: opts.to,
        from: opts.from,
        subject: firing > 0 ? `[FIRING:${firing}] ${name}` : `[RESOLVED] ${name}`,
        text: batch.map((a) => `${a.status.toUpperCase()} ${a.annotations.summary ?? ''}\n${a.annotations.description ?? ''}\nlabels: ${JSON.stringify(a.labels)}`).join('\n\n'),
      });
    },
  };
}

/** Routes each alert by its `severity` label, like the generated Alertmanager routing; `default` takes the rest. */
export function severityRouter(routes: { readonly critical?: AlertNotifier; readonly warning?: AlertNotifier; readonly info?: AlertNotifier; readonly default?: AlertNotifier }): AlertNotifier {
  return {
    name: 'severity-router',
    async notify(batch) {
      const bySeverity = new Map<AlertNotifier, AlertNotification[]>();
      for (const a of batch) {
        const sev = a.labels.severity;
        const n = (sev === 'critical' || sev === 'warning' || sev === 'info' ? routes[sev] : undefined) ?? routes.default;
        if (n === undefined) continue;
        const list = bySeverity.get(n) ?? [];
        list.push(a);
        bySeverity.set(n, list);
      }
      const results = await Promise.allSettled([...bySeverity].map(([n, list]) => n.notify(list)));
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed.length > 0) throw new AggregateError(failed.map((f) => f.reason as unknown), `${failed.length} receiver(s) failed`);
    },
  };
}

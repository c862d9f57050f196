import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { emailNotifier, severityRouter, slackNotifier, webhookNotifier, type AlertEmail, type AlertNotification } from 'tillwatch/windows';

async function receiver(t: test.TestContext, status = 200): Promise<{ url: string; bodies: Record<string, unknown>[] }> {
  const bodies: Record<string, unknown>[] = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (d: Buffer) => (text += d.toString()));
    req.on('end', () => {
      bodies.push(JSON.parse(text) as Record<string, unknown>);
      res.writeHead(status).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, bodies };
}

const alert = (severity: string, status: 'firing' | 'resolved' = 'firing'): AlertNotification => ({
  status,
  labels: { alertname: `Test${severity}`, severity, service: 'store' },
  annotations: { summary: `${severity} summary`, description: 'what happened' },
  startsAt: '2026-12-07T00:00:00.000Z',
  ...(status === 'resolved' ? { endsAt: '2026-12-07T00:05:00.000Z' } : {}),
  value: 0.5,
});

test('the severity router sends warning to Slack, info by e-mail and the rest to the Alertmanager-format webhook', async (t) => {
  const slack = await receiver(t);
  const hook = await receiver(t);
  const mails: AlertEmail[] = [];
  const router = severityRouter({
    warning: slackNotifier({ url: slack.url, channel: '#store-alerts' }),
    info: emailNotifier({ to: 'ops@example.com', from: 'tw@example.com', send: async (m) => void mails.push(m) }),
    default: webhookNotifier({ url: hook.url }),
  });
  await router.notify([alert('warning'), alert('info'), alert('critical', 'resolved')]);
  assert.equal(slack.bodies.length, 1);
  assert.equal(slack.bodies[0]!.channel, '#store-alerts');
  assert.equal(slack.bodies[0]!.text, '[FIRING:1] Testwarning');
  assert.equal(mails.length, 1);
  assert.equal(mails[0]!.subject, '[FIRING:1] Testinfo');
  assert.match(mails[0]!.text, /info summary/);
  assert.equal(hook.bodies.length, 1);
  const payload = hook.bodies[0] as { version: string; status: string; alerts: { status: string; labels: Record<string, string>; endsAt: string; fingerprint: string }[] };
  assert.equal(payload.version, '4');
  assert.equal(payload.status, 'resolved');
  assert.equal(payload.alerts[0]!.labels.alertname, 'Testcritical');
  assert.equal(payload.alerts[0]!.endsAt, '2026-12-07T00:05:00.000Z');
  assert.match(payload.alerts[0]!.fingerprint, /^[0-9a-f]{8}$/);
});

test('a receiver answering an error rejects the batch, naming how many receivers failed', async (t) => {
  const broken = await receiver(t, 500);
  const router = severityRouter({ default: webhookNotifier({ url: broken.url }) });
  await assert.rejects(router.notify([alert('critical')]), /1 receiver\(s\) failed/);
});

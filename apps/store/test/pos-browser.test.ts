/**
 * The cashier page in real headless Chromium (playwright-core driving /usr/bin/chromium, never a
 * downloaded browser): it rings up and pays an order against the real store, then a forced render
 * error reaches a local Sentry envelope receiver exactly once, tagged with the correlation id of the
 * store's access-log line for the API call before it, and nothing in any envelope holds the card
 * number, CVV, bearer token or cookie the page had in hand.
 *
 * The page is built first when its build is missing or older than its sources (helpers/pos-build.ts).
 * POS_TEST_TRACE=1 prints step timings and every envelope received.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { chromium, type BrowserContext, type Response as PwResponse } from 'playwright-core';
import { sentryReceiver, type SentryEvent, type SentryReceiver } from 'tillwatch/testing';
import { requireReal } from '../../../packages/tillwatch/test/helpers/real-parts.ts';
import { ensurePosBuilt } from './helpers/pos-build.ts';
import { startHarness, type Harness } from './helpers/store-harness.ts';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const CARD = '4111 1111 1111 1111';
const CVV = '737';
const COOKIE_SECRET = 'pos-session-0f3c9b7e2a';
const UUIDV7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

function breadcrumbsOf(e: SentryEvent): Record<string, unknown>[] {
  const b = e.breadcrumbs;
  return Array.isArray(b) ? b : (b?.values ?? []);
}

const T0 = Date.now();
const mark = (what: string): void => {
  if (process.env.POS_TEST_TRACE) process.stderr.write(`[pos-browser +${Date.now() - T0} ms] ${what}\n`);
};

test('the cashier page rings up an order, and a forced UI error reaches Sentry once, correlated and scrubbed', async (t) => {
  if (!requireReal(t, 'chromium', existsSync(CHROMIUM), 'apt-get install chromium, or run bash .ci/run')) return;
  ensurePosBuilt();

  mark('built');
  const sentry = await sentryReceiver();
  t.after(async () => {
    await sentry.close();
    mark('receiver closed');
  });
  const h = await startHarness(t, 'pglite', { env: { POS_SENTRY_DSN: sentry.dsn, POS_RELEASE: 'pos@test', POS_ENVIRONMENT: 'test' } });
  if (!h) return;
  t.after(() => mark('store closed'));

  mark('store up');
  const userDataDir = mkdtempSync(join(tmpdir(), 'tillwatch-pos-chromium-'));
  t.after(() => rmSync(userDataDir, { recursive: true, force: true }));
  const browser = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, timeout: 30_000 });
  t.after(() => browser.close()); // safety net; the body closes it first (see the finally below)
  try {
    await ringUpAndForceError(h, browser, sentry);
  } finally {
    // Before the store closes: Chromium's keep-alive connections would hold the store's graceful drain.
    await browser.close();
    mark('chromium closed');
  }
});

async function ringUpAndForceError(h: Harness, browser: BrowserContext, sentry: SentryReceiver): Promise<void> {
  browser.setDefaultTimeout(15_000);
  browser.setDefaultNavigationTimeout(15_000);
  await browser.addCookies([{ name: 'pos_session', value: COOKIE_SECRET, url: h.url }]);
  mark('chromium up');
  const page = browser.pages()[0] ?? (await browser.newPage());
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));

  const api = (method: string, path: RegExp) => (r: PwResponse) => r.request().method() === method && path.test(new URL(r.url()).pathname);

  // --- sign in ---
  await page.goto(`${h.url}/pos/`);
  await page.fill('input[name=username]', 'cashier');
  await page.fill('input[name=password]', 'demo-cashier-pw');
  const [loginRes] = await Promise.all([page.waitForResponse(api('POST', /^\/auth\/login$/)), page.click('button[type=submit]')]);
  assert.equal(loginRes.status(), 200);
  const token = ((await loginRes.json()) as { token: string }).token;
  assert.ok(token.length > 20);

  mark('signed in');
  // --- ring up two bags of chips ---
  await page.click('button[data-sku="SNACK-CHIPS-SALT"]');
  await page.click('button[data-sku="SNACK-CHIPS-SALT"]');
  await page.fill('input[name=note]', `customer read out card ${CARD} cvv=${CVV}`);
  const [createRes] = await Promise.all([page.waitForResponse(api('POST', /^\/orders$/)), page.getByRole('button', { name: 'Ring up' }).click()]);
  assert.equal(createRes.status(), 201);
  const created = (await createRes.json()) as { id: string; total: number; status: string };
  assert.equal(created.status, 'open');
  assert.equal(created.total, 2 * 399);

  mark('rung up');
  // --- pay cash, complete ---
  const payWait = page.waitForResponse(api('POST', /^\/orders\/[^/]+\/pay$/));
  const completeWait = page.waitForResponse(api('POST', /^\/orders\/[^/]+\/complete$/));
  await page.getByRole('button', { name: 'Pay cash' }).click();
  const [payRes, completeRes] = await Promise.all([payWait, completeWait]);
  assert.equal(payRes.status(), 200);
  assert.equal(((await payRes.json()) as { status: string }).status, 'paid');
  assert.equal(completeRes.status(), 200);
  await page.waitForSelector(`[data-testid=order][data-order-id="${created.id}"][data-status=completed]`);

  mark('completed');
  // The browser sent its own correlation id and a traceparent; the store kept and echoed the id.
  const sent = completeRes.request().headers();
  const cid = sent['x-correlation-id'] ?? '';
  assert.match(cid, UUIDV7);
  assert.equal(completeRes.headers()['x-correlation-id'], cid);
  const traceId = TRACEPARENT.exec(sent.traceparent ?? '')?.[1];
  assert.ok(traceId, `traceparent ${sent.traceparent}`);

  // The store's access-log line of that call (the last API request before the error) has that id.
  const until = Date.now() + 3000;
  while (h.accessLines(cid).length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  const [line] = h.accessLines(cid);
  assert.ok(line, 'access-log line of POST /orders/:id/complete');
  assert.equal(line.route, '/orders/:id/complete');
  const apiLines = h.sink.lines.filter((l) => l.msg === 'request completed' && typeof l.route === 'string' && !String(l.route).startsWith('/pos'));
  assert.equal(apiLines.at(-1)?.correlation_id, cid);

  // The order exists on the server, completed, as the page showed (checked after the access-log
  // assertions: these calls write access lines of their own).
  const stored = await h.api<{ status: string; total: number; payments: { method: string; amount: number }[] }>('GET', `/orders/${created.id}`, { token: await h.token('manager') });
  assert.equal(stored.status, 200);
  assert.equal(stored.body.status, 'completed');
  assert.equal(stored.body.total, 798);
  assert.deepEqual(stored.body.payments.map((p) => [p.method, p.amount]), [['cash', 798]]);

  mark('server checked');
  // --- force a render error ---
  assert.equal(sentry.events.length, 0, 'no error was reported while ringing up');
  await page.click('[data-testid=force-ui-error]');
  await page.waitForSelector('[data-testid=ui-error]');
  await sentry.waitFor((r) => r.events.length >= 1, 15_000);
  // Give a duplicate (window.onerror, a console capture) time to arrive: a bounded wait for nothing.
  await page.evaluate(() => new Promise((r) => setTimeout(r, 1500)));
  assert.equal(sentry.events.length, 1, `exactly one event; got ${sentry.events.map((e) => e.exception?.values?.[0]?.value).join(' | ')}`);
  const event = sentry.events[0] as SentryEvent;
  assert.equal(event.tags?.correlation_id, cid);
  assert.equal(event.tags?.trace_id, traceId);
  assert.equal(event.contexts?.trace?.trace_id, traceId, 'the event is in the trace of the call before it');
  assert.equal(event.tags?.error_boundary, 'true');
  assert.equal(event.release, 'pos@test');
  assert.equal(event.environment, 'test');
  const ex = event.exception?.values?.at(-1);
  assert.match(ex?.value ?? '', /^forced UI error while rendering the receipt; note: customer read out card 411111\*{6}1111 cvv=\[REDACTED\]$/);
  const crumbs = breadcrumbsOf(event);
  assert.ok(
    crumbs.some((c) => c.category === 'api' && (c.data as Record<string, unknown> | undefined)?.correlation_id === cid),
    'a breadcrumb of the complete call, with its correlation id',
  );
  assert.ok(crumbs.some((c) => c.message === 'session diagnostics'), 'the diagnostics breadcrumb arrived (scrubbed)');
  assert.deepEqual(pageErrors, []);

  mark('event checked');
  // --- nothing secret in any envelope, in any placement ---
  const all = sentry.text();
  if (process.env.POS_TEST_TRACE) process.stderr.write(`${all}\n`);
  assert.ok(sentry.envelopes.length >= 1);
  assert.doesNotMatch(all, /4111[ -]?1111[ -]?1111[ -]?1111/, 'card number');
  assert.doesNotMatch(all, new RegExp(`cvv\\W{0,4}${CVV}`, 'i'), 'CVV');
  assert.ok(!all.includes(token), 'bearer token');
  assert.doesNotMatch(all, /bearer\s+(?!\[REDACTED\])[A-Za-z0-9]/i, 'Authorization value');
  assert.doesNotMatch(all, /"(authorization|cookie)"\s*:/i, 'Authorization or Cookie field');
  assert.ok(!all.includes(COOKIE_SECRET), 'cookie');
  assert.ok(!all.includes('demo-cashier-pw'), 'password');
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeliveryError, classifyError, parseRetryAfter, reasonOfHttpStatus, retryPolicy, isDeliveryError } from '../src/delivery/index.ts';
import { isTillwatchConfigError } from '../src/index.ts';

const retryable = { retryable: true, reason: 'unavailable' } as const;

test('the wait after the n-th failure is drawn uniformly from [0, min(cap, base * 2^(n-1))) (full jitter)', () => {
  const now = 1_000_000;
  const draw = (r: number, attempt: number) =>
    retryPolicy({ baseDelayMs: 100, maxDelayMs: 1000, maxAttempts: 20, retryBudgetMs: 86_400_000 }, 'retry', { random: () => r, now: () => now }).decide({ attempt, failure: retryable, enqueuedAtMs: now });
  assert.deepEqual(draw(0, 1), { action: 'retry', delayMs: 0 }, 'the bottom of the window is zero, not half the step');
  assert.deepEqual(draw(0.5, 1), { action: 'retry', delayMs: 50 });
  assert.deepEqual(draw(0.5, 3), { action: 'retry', delayMs: 200 }, 'the window doubles per attempt: 100 * 2^2 = 400, half of it');
  assert.deepEqual(draw(0.999, 4), { action: 'retry', delayMs: 799 });
  assert.deepEqual(draw(0.999, 5), { action: 'retry', delayMs: 999 }, 'capped: 100 * 2^4 = 1600 > 1000');
  assert.deepEqual(draw(0.999, 19), { action: 'retry', delayMs: 999 }, 'the cap holds for large attempts (no overflow)');
  const p = retryPolicy({ baseDelayMs: 100, maxDelayMs: 1000 });
  assert.deepEqual([1, 2, 3, 4, 5, 60].map((a) => p.ceilingMs(a)), [100, 200, 400, 800, 1000, 1000]);
});

test('jitter spreads a burst: 10 000 draws for one attempt fill the window evenly', () => {
  const p = retryPolicy({ baseDelayMs: 1000, maxDelayMs: 60_000, maxAttempts: 10 });
  const buckets = new Array<number>(10).fill(0);
  for (let i = 0; i < 10_000; i++) {
    const d = p.decide({ attempt: 3, failure: retryable, enqueuedAtMs: Date.now() });
    assert.equal(d.action, 'retry');
    if (d.action === 'retry') {
      assert.ok(d.delayMs >= 0 && d.delayMs < 4000, `${d.delayMs} within [0, 4000)`);
      buckets[Math.floor(d.delayMs / 400)]!++;
    }
  }
  // Each tenth of the window expects 1000 draws; 800..1200 is more than 6 standard deviations wide.
  for (const b of buckets) assert.ok(b > 800 && b < 1200, `bucket counts ${buckets.join(', ')}`);
});

test('the last attempt, a permanent error, an unreadable payload and a spent budget are dead-lettered with their reason', () => {
  const now = 10_000_000;
  const p = retryPolicy({ maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 10_000, retryBudgetMs: 60_000 }, 'retry', { random: () => 0.5, now: () => now });
  assert.deepEqual(p.decide({ attempt: 3, failure: retryable, enqueuedAtMs: now }), { action: 'dead_letter', reason: 'max_retries' });
  assert.equal(p.decide({ attempt: 2, failure: retryable, enqueuedAtMs: now }).action, 'retry');
  assert.deepEqual(p.decide({ attempt: 1, failure: { retryable: false, reason: 'invalid_request' }, enqueuedAtMs: now }), { action: 'dead_letter', reason: 'non_retryable' });
  assert.deepEqual(p.decide({ attempt: 1, failure: { retryable: false, reason: 'invalid_payload' }, enqueuedAtMs: now }), { action: 'dead_letter', reason: 'poison_message' });
  // Enqueued 59.6 s ago: a 500 ms wait would start after the 60 s budget.
  assert.deepEqual(p.decide({ attempt: 1, failure: retryable, enqueuedAtMs: now - 59_600 }), { action: 'dead_letter', reason: 'expired' });
  assert.equal(p.decide({ attempt: 1, failure: retryable, enqueuedAtMs: now - 59_400 }).action, 'retry');
});

test("a provider's Retry-After is honoured as a floor, and still capped", () => {
  const p = retryPolicy({ baseDelayMs: 100, maxDelayMs: 5000 }, 'retry', { random: () => 0 });
  assert.deepEqual(p.decide({ attempt: 1, failure: { ...retryable, retryAfterMs: 3000 }, enqueuedAtMs: Date.now() }), { action: 'retry', delayMs: 3000 });
  assert.deepEqual(p.decide({ attempt: 1, failure: { ...retryable, retryAfterMs: 600_000 }, enqueuedAtMs: Date.now() }), { action: 'retry', delayMs: 5000 });
});

test('invalid retry options throw at start-up, naming every option, the expectation and what was given', () => {
  assert.throws(
    () => retryPolicy({ maxAttempts: 0, baseDelayMs: 1.5, maxDelayMs: -1, retryBudgetMs: '1h' as unknown as number, jitter: 'full' } as never),
    (e: unknown) => {
      assert.ok(isTillwatchConfigError(e));
      assert.equal(e.code, 'TW_ERR_DELIVERY_INVALID_OPTIONS');
      const options = e.issues.map((i) => i.option).sort();
      assert.deepEqual(options, ['retry.baseDelayMs', 'retry.jitter', 'retry.maxAttempts', 'retry.maxDelayMs', 'retry.retryBudgetMs']);
      assert.match(e.message, /retry\.maxAttempts: expected an integer between 1 and 1000, got number 0/);
      return true;
    },
  );
  assert.throws(() => retryPolicy({ baseDelayMs: 10_000, maxDelayMs: 1000 }), /retry\.baseDelayMs: expected at most retry\.maxDelayMs \(1000\), got number 10000/);
  // Only one side explicit: the cap follows the base instead of throwing on a default.
  assert.equal(retryPolicy({ baseDelayMs: 600_000 }).options.maxDelayMs, 600_000);
});

test('HTTP statuses classify as the retry policy expects: 4xx permanent except 408, 425 and 429', () => {
  const cases: [number, string, boolean][] = [
    [400, 'invalid_request', false],
    [401, 'unauthorized', false],
    [403, 'unauthorized', false],
    [404, 'rejected', false],
    [409, 'conflict', false],
    [410, 'rejected', false],
    [422, 'invalid_request', false],
    [408, 'timeout', true],
    [425, 'rate_limited', true],
    [429, 'rate_limited', true],
    [500, 'server_error', true],
    [502, 'server_error', true],
    [503, 'unavailable', true],
    [504, 'timeout', true],
  ];
  for (const [status, reason, retry] of cases) {
    assert.equal(reasonOfHttpStatus(status), reason, `${status}`);
    const e = DeliveryError.fromHttpStatus(status);
    assert.equal(e.retryable, retry, `${status} retryable`);
    assert.equal(e.code, `http_${status}`);
  }
});

test('Retry-After is read as seconds or as an HTTP date, and garbage is ignored', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(parseRetryAfter('120', now), 120_000);
  assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now), 30_000);
  assert.equal(parseRetryAfter('soon', now), undefined);
  assert.equal(parseRetryAfter(null, now), undefined);
  assert.equal(parseRetryAfter('999999999', now), 86_400_000, 'capped at a day');
  assert.equal(DeliveryError.fromHttpStatus(429, { retryAfter: '7', nowMs: now }).retryAfterMs, 7000);
});

test('anything a handler throws is classified: timeouts, broken connections, bad payloads, and the unknown (retryable)', () => {
  const timeout = Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' });
  assert.deepEqual([classifyError(timeout).reason, classifyError(timeout).retryable], ['timeout', true]);
  const reset = new TypeError('fetch failed', { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) });
  assert.deepEqual([classifyError(reset).reason, classifyError(reset).code], ['network', 'ECONNRESET']);
  assert.equal(classifyError(Object.assign(new Error('x'), { code: 'ETIMEDOUT' })).reason, 'timeout');
  assert.deepEqual([classifyError(new SyntaxError('Unexpected token')).reason, classifyError(new SyntaxError('x')).retryable], ['invalid_payload', false]);
  const unknown = classifyError(new RangeError('boom'));
  assert.deepEqual([unknown.reason, unknown.retryable, unknown.code], ['internal', true, 'RangeError']);
  assert.equal(classifyError('a string').message, 'a string');
  const own = new DeliveryError('rejected', 'the provider refused it', { code: 'blocked_number' });
  assert.ok(isDeliveryError(own));
  assert.deepEqual(classifyError(own), { reason: 'rejected', retryable: false, message: 'the provider refused it', code: 'blocked_number' });
});

test('the classified message passes the scrubber before it is kept', () => {
  const f = classifyError(new Error('POST https://user:hunter2@sms.example/v1 failed for card 4111 1111 1111 1111'), (s) => s.replace('hunter2', '[Redacted]').replace(/4111 1111 1111 1111/, '[card]'));
  assert.ok(!f.message.includes('hunter2') && !f.message.includes('4111 1111'), f.message);
});

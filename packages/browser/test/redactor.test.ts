import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DEFAULT_MAX_ARRAY_LENGTH,
  DEFAULT_MAX_DEPTH,
  DEFAULT_MAX_KEYS,
  DEFAULT_MAX_STRING_LENGTH,
  DEFAULT_MAX_TOTAL_VALUES,
  createRedactor,
} from '@tillwatch/redact';
import { BROWSER_REDACTOR_DEFAULTS, createBrowserRedactor } from '../src/redactor.ts';

/** Values a front end could put in a report, each with something to scrub (or not). */
function corpus(): [string, unknown][] {
  const cyclic: Record<string, unknown> = { name: 'cart' };
  cyclic.self = cyclic;
  const err = new TypeError('payment for card 4111 1111 1111 1111 failed', { cause: new Error('gateway said cvv=123') });
  (err as unknown as Record<string, unknown>).password = 'hunter2';
  (err as unknown as Record<string, unknown>).orderId = 'ord_1';
  return [
    ['a card number in free text', 'customer card 4111-1111-1111-1111 exp 12/29'],
    ['a card number as a number', { amount: 1250, pan: 4111111111111111, ref: 4111111111111111 }],
    ['sensitive keys at any depth', { headers: { Authorization: 'Bearer abc.def.ghi', Cookie: 'sid=1', 'X-Api-Key': 'k' }, card: { cvv: '123', number: '4242424242424242', expiry: '12/29' } }],
    ['URL credentials and query secrets', 'https://admin:s3cret@pos.example/pay?token=abc123&amount=5#access_token=xyz'],
    ['JSON text holding secrets', '{"user":"cashier","password":"demo-cashier-pw","note":"ok"}'],
    ['a Bearer token in text', 'sent Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjYXNoaWVyIn0.sig'],
    ['timestamps and order ids stay', { at: 1732406400000, micros: 1732406400000000, id: '1234567890123456789', qty: 2 }],
    ['password-like keys', { password_confirmation: 'x', passwordHash: 'y', refresh_token: 'z', pin: '1234', note: 'pin pad ok' }],
    ['arrays, nulls, booleans', [1, null, true, 'cvv=999', ['nested 5555 5555 5555 4444']]],
    ['a cycle', cyclic],
    ['an error with a cause and own fields', err],
    ['a Date and a URL', { when: new Date(0), where: new URL('https://x.example/a?secret=1&b=2') }],
    ['a long string', 'x'.repeat(20_000) + ' 4111111111111111'],
  ];
}

test('the browser redactor uses the server redactor defaults', () => {
  assert.deepEqual(BROWSER_REDACTOR_DEFAULTS, {
    maxDepth: DEFAULT_MAX_DEPTH,
    maxStringLength: DEFAULT_MAX_STRING_LENGTH,
    maxArrayLength: DEFAULT_MAX_ARRAY_LENGTH,
    maxKeys: DEFAULT_MAX_KEYS,
    maxTotalValues: DEFAULT_MAX_TOTAL_VALUES,
  });
});

for (const [name, value] of corpus()) {
  test(`the browser redactor scrubs ${name} exactly as the server redactor does`, () => {
    const server = createRedactor({ extraKeys: ['loyaltyPin'] });
    const browser = createBrowserRedactor({ extraKeys: ['loyaltyPin'] });
    assert.deepEqual(browser.value(value), server.value(value));
  });
}

test('the browser redactor masks card numbers and drops secrets (spot check of the shared rules)', () => {
  const r = createBrowserRedactor({ extraKeys: ['loyaltyPin'] });
  const out = r.value({ note: 'card 4111 1111 1111 1111', cvv: '123', loyaltyPin: '9876', url: '/pay?cvv=123&amount=5', total: 12.5 });
  assert.deepEqual(out, { note: 'card 411111******1111', url: '/pay?cvv=[REDACTED]&amount=5', total: 12.5 });
  assert.equal(r.string('Bearer abcdefgh12345'), 'Bearer [REDACTED]');
  assert.equal(r.isSensitiveKey('X-Auth-Token'), true);
});

test('the browser redactor never throws on hostile input', () => {
  const r = createBrowserRedactor();
  const hostile = new Proxy({}, { ownKeys() { throw new Error('no'); } });
  const getter = Object.defineProperty({}, 'boom', { enumerable: true, get() { throw new Error('no'); } });
  assert.doesNotThrow(() => r.value(hostile));
  assert.deepEqual(r.value(getter), { boom: '[Thrown]' });
  assert.equal(r.value(() => 1), undefined);
  assert.equal(r.error(Symbol('s')).type, 'symbol');
});

/**
 * The correlation-id rule: which caller ids the server reuses verbatim (logs, headers, error bodies).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { containsCardNumberRun, isValidCorrelationId } from '../src/correlation-id.ts';
import { isCardNumber } from '../src/card-number.ts';

const PANS = ['4111111111111111', '5555555555554444', '378282246310005', '6011111111111117', '4222222222222', '4111111111111111110'];

test('an id holding a card number is refused, however its digits are grouped', () => {
  for (const pan of PANS) {
    const groups = pan.match(/.{1,4}/g)!;
    for (const v of [pan, `req-${pan}`, `${pan}-a`, `x${pan}y`, groups.join('-'), groups.join('.'), groups.join(':'), groups.join('_'), `till:${groups.join('_')}:1`]) {
      assert.ok(!isValidCorrelationId(v), v);
      assert.ok(containsCardNumberRun(v), v);
    }
  }
});

test('a card number inside a longer digit run is found on any 13..19-digit window', () => {
  assert.ok(containsCardNumberRun(`99${PANS[0]}7`), 'padded on both sides');
  assert.ok(containsCardNumberRun(`12-34-${PANS[1]}`), 'after short groups');
  assert.ok(!isValidCorrelationId(`order-0000${PANS[2]}0000`));
});

test('the window scan agrees with isCardNumber on every window', () => {
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  for (let n = 0; n < 5000; n++) {
    const len = 10 + Math.floor(rnd() * 20);
    let s = '';
    for (let i = 0; i < len; i++) s += '0123456789.-x'[Math.floor(rnd() * 13)];
    let expected = false;
    for (const run of s.match(/[0-9](?:[._: -]?[0-9])*/g) ?? []) {
      const d = run.replace(/[^0-9]/g, '');
      for (let a = 0; a < d.length && !expected; a++) for (let b = a + 13; b <= Math.min(d.length, a + 19); b++) if (isCardNumber(d.slice(a, b))) expected = true;
    }
    assert.equal(containsCardNumberRun(s), expected, s);
  }
});

test('JSON Web Tokens are refused as ids', () => {
  assert.ok(!isValidCorrelationId('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjYXNoaWVyIn0.c2lnbmF0dXJl'));
  assert.ok(!isValidCorrelationId('eyJhbGciOiJIUzI1NiJ9'));
});

test('ordinary ids are kept: UUIDs, hex request ids, terminal and order numbers, timestamps', () => {
  for (const v of [
    '0190f5e2-7c1a-7b3e-9f00-1c2d3e4f5a6b',
    'f47ac10b-58cc-4372-a567-0e02b2c3d479',
    '5f2b1c9e8d7a6b5c4d3e2f1a0b9c8d7e',
    'till-7:txn.0042',
    'order-1733539200123', // a millisecond timestamp
    'a'.repeat(128),
    'x.y:z-1_2',
  ]) {
    assert.ok(isValidCorrelationId(v), v);
  }
});

test('ids outside the id characters or length are refused', () => {
  for (const v of ['', 'a'.repeat(129), 'a b', 'a\nb', 'é', 'a=b', 'Bearer x', '{"a":1}', 'a/b', 'a@b']) assert.ok(!isValidCorrelationId(v), JSON.stringify(v));
  for (const v of [42, undefined, null, ['abc']]) assert.ok(!isValidCorrelationId(v), String(v));
});

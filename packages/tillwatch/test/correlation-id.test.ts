import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isValidCorrelationId } from '@tillwatch/redact';
import { correlationIdFrom, uuidv7 } from '../src/context/correlation-id.ts';

const UUIDV7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('minted ids are RFC 9562 UUIDv7s carrying the millisecond they were made in', () => {
  const now = Date.UTC(2026, 11, 7, 9, 30, 0, 123);
  const id = uuidv7(now);
  assert.match(id, UUIDV7);
  assert.equal(Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16), now);
});

test('ids made in one millisecond count upwards, so they sort in the order they were made', () => {
  const now = Date.UTC(2026, 11, 7, 9, 30, 1, 0);
  const ids = Array.from({ length: 200 }, () => uuidv7(now));
  for (let i = 1; i < ids.length; i++) assert.ok((ids[i - 1] as string) < (ids[i] as string), `${ids[i - 1]} < ${ids[i]}`);
});

test('ids are unique, well formed and never hold a card-number digit run, across many refills of the random pool', () => {
  const seen = new Set<string>();
  const variants = new Set<string>();
  for (let i = 0; i < 50_000; i++) {
    const id = uuidv7(Date.UTC(2026, 11, 7) + Math.floor(i / 7));
    assert.match(id, UUIDV7);
    assert.ok(isValidCorrelationId(id), id);
    seen.add(id);
    variants.add(id.charAt(19));
  }
  assert.equal(seen.size, 50_000);
  // all four variant digits occur: the variant bits are drawn, not fixed
  assert.deepEqual([...variants].sort(), ['8', '9', 'a', 'b']);
});

test('a valid caller id is reused; a card number, a JWT or a repeated header is replaced by a fresh UUIDv7', () => {
  assert.equal(correlationIdFrom({ 'x-correlation-id': 'pos-12:till-3' }), 'pos-12:till-3');
  assert.equal(correlationIdFrom({ 'x-request-id': 'abc-123' }), 'abc-123');
  assert.match(correlationIdFrom({ 'x-correlation-id': '4111-1111-1111-1111' }), UUIDV7);
  assert.match(correlationIdFrom({ 'x-request-id': 'eyJhbGciOiJIUzI1NiJ9.e30.x' }), UUIDV7);
  assert.match(correlationIdFrom({ 'x-request-id': ['a', 'b'] }), UUIDV7);
  assert.match(correlationIdFrom({}), UUIDV7);
});

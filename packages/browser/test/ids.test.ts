import assert from 'node:assert/strict';
import { test } from 'node:test';
import { correlationIdFrom } from '../../tillwatch/src/context/correlation-id.ts';
import { isValidCorrelationId, newTraceContext, parseTraceparent, uuidv7 } from '../src/ids.ts';

const UUIDV7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('uuidv7 makes RFC 9562 version 7 ids, unique, that the server reuses as correlation ids', () => {
  const ids = new Set<string>();
  for (let i = 0; i < 1000; i++) {
    const id = uuidv7();
    assert.match(id, UUIDV7);
    assert.equal(correlationIdFrom({ 'x-correlation-id': id }), id);
    assert.ok(isValidCorrelationId(id));
    ids.add(id);
  }
  assert.equal(ids.size, 1000);
});

test('uuidv7 encodes the timestamp in the first 48 bits, so ids sort by time', () => {
  const ms = Date.UTC(2026, 10, 24, 1, 2, 3, 456);
  const id = uuidv7(ms);
  assert.equal(parseInt(id.replace(/-/g, '').slice(0, 12), 16), ms);
  assert.ok(uuidv7(ms) < uuidv7(ms + 1));
});

test('isValidCorrelationId says which ids the server reuses rather than replaces', () => {
  for (const v of ['abc', 'a'.repeat(128), 'x.y:z-1_2']) {
    assert.ok(isValidCorrelationId(v), v);
    assert.equal(correlationIdFrom({ 'x-correlation-id': v }), v);
  }
  for (const v of ['', 'a'.repeat(129), 'a b', 'a\nb', 'é']) {
    assert.ok(!isValidCorrelationId(v), v);
    assert.notEqual(correlationIdFrom({ 'x-correlation-id': v }), v);
  }
  for (const v of [42, undefined]) assert.ok(!isValidCorrelationId(v), String(v));
});

test('newTraceContext makes a valid W3C traceparent with non-zero ids', () => {
  for (let i = 0; i < 200; i++) {
    const t = newTraceContext();
    assert.match(t.traceparent, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    assert.equal(t.traceparent, `00-${t.traceId}-${t.spanId}-01`);
    assert.deepEqual(parseTraceparent(t.traceparent), { traceId: t.traceId, spanId: t.spanId, sampled: true });
  }
  assert.match(newTraceContext(false).traceparent, /-00$/);
});

test('parseTraceparent refuses malformed and all-zero values', () => {
  assert.equal(parseTraceparent(`00-${'0'.repeat(32)}-${'1'.repeat(16)}-01`), undefined);
  assert.equal(parseTraceparent(`00-${'1'.repeat(32)}-${'0'.repeat(16)}-01`), undefined);
  assert.equal(parseTraceparent('00-abc-def-01'), undefined);
  assert.equal(parseTraceparent(`01-${'1'.repeat(32)}-${'1'.repeat(16)}-01`), undefined);
  assert.equal(parseTraceparent(`00-${'A'.repeat(32)}-${'1'.repeat(16)}-01`), undefined);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '../src/logger.ts';
import type { HubBreadcrumb, ReportingHub } from '../src/reporting-hub.ts';

function recorder() {
  const crumbs: HubBreadcrumb[] = [];
  const exceptions: [unknown, unknown][] = [];
  const messages: [string, unknown][] = [];
  const hub: ReportingHub = {
    addBreadcrumb: (c) => void crumbs.push(c),
    captureException: (e, h) => (exceptions.push([e, h]), 'ev1'),
    captureMessage: (m, h) => (messages.push([m, h]), 'ev2'),
    setTag: () => {},
    setContext: () => {},
  };
  return { hub, crumbs, exceptions, messages };
}

test('debug, info and warn become breadcrumbs; error reports an event with the message and fields', () => {
  const r = recorder();
  const log = createLogger(r.hub, 'pos');
  log.info('cart updated', { lines: 2 });
  log.warn('printer slow');
  const err = new Error('print failed');
  assert.equal(log.error('could not print', err, { order_id: 'ord_1' }), 'ev1');
  assert.equal(log.error('no drawer'), 'ev2');
  assert.deepEqual(r.crumbs, [
    { category: 'pos', level: 'info', message: 'cart updated', data: { lines: 2 } },
    { category: 'pos', level: 'warning', message: 'printer slow' },
  ]);
  assert.deepEqual(r.exceptions, [[err, { extra: { log_message: 'could not print', order_id: 'ord_1' }, tags: { logger: 'pos' } }]]);
  assert.deepEqual(r.messages, [['no drawer', { level: 'error', extra: { log_message: 'no drawer' } }]]);
});

test('the logger never throws when reporting fails', () => {
  const broken: ReportingHub = {
    addBreadcrumb: () => { throw new Error('x'); },
    captureException: () => { throw new Error('x'); },
    captureMessage: () => { throw new Error('x'); },
    setTag: () => {},
    setContext: () => {},
  };
  const log = createLogger(broken);
  assert.doesNotThrow(() => log.info('a'));
  assert.equal(log.error('b', new Error('c')), undefined);
});

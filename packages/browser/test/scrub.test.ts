import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSentryScrubbers } from '../src/scrub.ts';

const CARD = '4111 1111 1111 1111';

/** A browser error event shaped as @sentry/browser builds it, with secrets in every placement. */
function browserEvent(): Record<string, unknown> {
  return {
    event_id: 'e1',
    exception: { values: [{ type: 'Error', value: `render failed; note: card ${CARD} cvv=737`, stacktrace: { frames: [{ filename: 'https://pos.example/assets/app.js?token=abc123', lineno: 1 }] } }] },
    request: { url: 'https://pos.example/pos/?session=s1&access_token=abc', headers: { 'User-Agent': 'Chrome', Referer: 'https://pos.example/login?password=pw1', Authorization: 'Bearer xyz.abc.def', Cookie: 'sid=123' }, query_string: [['api_key', 'k1'], ['lane', '3']] },
    user: { id: 'cashier', email: 'c@example.com', ip_address: '10.0.0.1', username: 'cashier' },
    tags: { correlation_id: '01a20b24-587e-7758-8d6a-d65ff1aa7ef1', trace_id: '4bf92f3577b34da6a3ce929d0e0e4736' },
    extra: { card: { number: CARD, cvv: '737' }, diagnostics: { headers: { authorization: 'Bearer xyz' } } },
    breadcrumbs: [
      { category: 'fetch', data: { method: 'POST', url: 'https://pos.example/orders?token=abc', status_code: 201 } },
      { category: 'console', message: `Error: note: card ${CARD}`, data: { arguments: [{ cvv: '737', pan: 4111111111111111 }] } },
    ],
    contexts: { web_vitals: { LCP: { value: 1264, rating: 'good', unit: 'millisecond' } } },
  };
}

test('beforeSend removes card numbers, CVV, Authorization, cookies and query secrets from a browser event', () => {
  const s = createSentryScrubbers();
  const out = s.beforeSend(browserEvent());
  assert.ok(out);
  const text = JSON.stringify(out);
  assert.doesNotMatch(text, /4111[ -]?1111[ -]?1111[ -]?1111/);
  assert.doesNotMatch(text, /737/);
  assert.doesNotMatch(text, /xyz|sid=123|abc123|k1|pw1|"access_token=abc/);
  assert.doesNotMatch(text, /"(authorization|cookie|cvv)"/i);
  assert.match(text, /411111\*{6}1111/);
});

test('beforeSend keeps what links and describes the error: tags, user id, vitals, statuses', () => {
  const out = createSentryScrubbers().beforeSend(browserEvent()) as Record<string, any>;
  assert.deepEqual(out.tags, { correlation_id: '01a20b24-587e-7758-8d6a-d65ff1aa7ef1', trace_id: '4bf92f3577b34da6a3ce929d0e0e4736' });
  assert.deepEqual(out.user, { id: 'cashier' });
  assert.equal(out.contexts.web_vitals.LCP.value, 1264);
  assert.equal(out.breadcrumbs[0].data.status_code, 201);
  assert.equal(out.request.query_string, 'api_key=[REDACTED]&lane=3');
  assert.equal(out.request.headers['User-Agent'], 'Chrome');
});

test('beforeBreadcrumb scrubs a breadcrumb and keeps its shape', () => {
  const s = createSentryScrubbers({ extraKeys: ['loyaltyPin'] });
  const out = s.beforeBreadcrumb({ category: 'log', message: `note: ${CARD}`, data: { loyaltyPin: '1234', url: '/x?secret=1&y=2' } });
  assert.deepEqual(out, { category: 'log', message: 'note: 411111******1111', data: { url: '/x?secret=[REDACTED]&y=2' } });
});

test('an event that cannot be copied is dropped rather than sent unscrubbed', () => {
  const s = createSentryScrubbers({ redactor: { value: () => 'not an object', string: (x) => x, error: () => ({ type: 'Error', message: '' }), isSensitiveKey: () => false } });
  assert.equal(s.beforeSend({ message: CARD }), null);
});

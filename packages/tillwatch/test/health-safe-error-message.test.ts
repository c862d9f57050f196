import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_MESSAGE_LENGTH, safeErrorMessage, scrubCredentials } from '../src/health/safe-error-message.ts';

test('URL user-info and query strings are removed from any scheme', () => {
  assert.equal(scrubCredentials('redis://default:pa55@cache:6379/0'), 'redis://***@cache:6379/0');
  assert.equal(scrubCredentials('see https://api.example.com/v1/ping?key=abc&x=1 now'), 'see https://api.example.com/v1/ping?*** now');
  assert.equal(scrubCredentials('postgresql://u:p@ss@db/pos'), 'postgresql://***@db/pos', 'an unescaped @ in the password is covered');
});

test('password=, token: and bearer values are removed', () => {
  assert.equal(scrubCredentials('host=db user=app password=hunter2 dbname=pos'), 'host=db user=app password=*** dbname=pos');
  assert.equal(scrubCredentials('{"token":"abc123"}'), '{"token":***}');
  assert.equal(scrubCredentials('client_secret=abc&db-password=def'), 'client_secret=***&db-password=***');
  assert.equal(scrubCredentials('Authorization: Bearer eyJhbGciOi.x.y'), 'Authorization: Bearer ***');
  assert.equal(scrubCredentials('password authentication failed for user "app"'), 'password authentication failed for user "app"', 'prose is kept');
});

test('only the first line of a message is kept, so no stack trace reaches a probe body', () => {
  const e = new Error('relation "orders" does not exist\n    at Parser.parseErrorMessage (parser.js:1:1)');
  assert.equal(safeErrorMessage(e), 'relation "orders" does not exist');
});

test('an AggregateError with an empty message is described by its first error', () => {
  const e = new AggregateError([Object.assign(new Error('connect ECONNREFUSED ::1:5432'), { code: 'ECONNREFUSED' })], '');
  assert.equal(safeErrorMessage(e), 'connect ECONNREFUSED ::1:5432');
});

test('causes are followed, so a wrapped network error keeps its useful part', () => {
  const e = new TypeError('fetch failed', { cause: new Error('getaddrinfo ENOTFOUND tax.internal') });
  assert.equal(safeErrorMessage(new Error('GET http://tax.internal/health failed', { cause: e })), 'GET http://tax.internal/health failed: fetch failed: getaddrinfo ENOTFOUND tax.internal');
});

test('non-Error throws, throwing scrubbers and huge messages are handled', () => {
  assert.equal(safeErrorMessage('plain string'), 'plain string');
  assert.equal(safeErrorMessage({ any: 'object' }), 'a non-Error object was thrown');
  assert.equal(safeErrorMessage(42), 'number thrown: 42');
  assert.equal(
    safeErrorMessage(new Error('x'), () => {
      throw new Error('bad scrub');
    }),
    'error message withheld: the scrub function threw',
  );
  const long = safeErrorMessage(new Error(`${'word '.repeat(1000)}postgres://u:secretpw@db/x`));
  assert.ok(long.length <= MAX_MESSAGE_LENGTH);
  assert.doesNotMatch(long, /secretpw/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveOptions } from '../src/config/options.ts';
import { isTillwatchConfigError, isTillwatchError } from '@tillwatch/spec';

test('defaults resolve without any options or env', () => {
  const { options } = resolveOptions(undefined, {});
  assert.equal(options.service.name, 'app');
  assert.equal(options.log.level, 'info');
  assert.equal(options.lifecycle.drainDelayMs, 0);
  assert.equal(options.lifecycle.unhandledRejection, 'log');
  assert.ok(Object.isFrozen(options.metrics.httpBuckets));
});

test('production defaults: drain delay 5 s and crash on unhandled rejection', () => {
  const { options } = resolveOptions({}, { NODE_ENV: 'production' });
  assert.equal(options.service.environment, 'production');
  assert.equal(options.lifecycle.drainDelayMs, 5000);
  assert.equal(options.lifecycle.unhandledRejection, 'crash');
});

test('an invalid option throws a coded error naming the option, the expectation and the value', () => {
  assert.throws(
    () => resolveOptions({ lifecycle: { shutdownTimeoutMs: -5 } }, {}),
    (e: unknown) => {
      assert.ok(isTillwatchConfigError(e));
      assert.ok(isTillwatchError(e));
      assert.equal(e.code, 'TW_ERR_CONFIG_INVALID');
      assert.match(e.message, /lifecycle\.shutdownTimeoutMs: expected an integer between 1 and 600000, got number -5/);
      return true;
    },
  );
});

test('every problem is reported, not just the first', () => {
  assert.throws(
    () => resolveOptions({ log: { level: 'loud' as never }, metrics: { httpBuckets: [1, 0.5] } }, {}),
    (e: unknown) => {
      assert.ok(isTillwatchConfigError(e));
      assert.deepEqual(e.issues.map((i) => i.option), ['log.level', 'metrics.httpBuckets']);
      return true;
    },
  );
});

test('a misspelt option is an error, not silently ignored', () => {
  assert.throws(
    () => resolveOptions({ lifecycle: { shutdownTimoutMs: 1 } as never }, {}),
    (e: unknown) => isTillwatchConfigError(e) && e.code === 'TW_ERR_CONFIG_UNKNOWN_OPTION' && /lifecycle\.shutdownTimoutMs/.test(e.message),
  );
});

test('explicitly conflicting options throw TW_ERR_CONFIG_CONFLICT', () => {
  assert.throws(
    () => resolveOptions({ lifecycle: { drainDelayMs: 20_000, shutdownTimeoutMs: 10_000 } }, {}),
    (e: unknown) => isTillwatchConfigError(e) && e.code === 'TW_ERR_CONFIG_CONFLICT',
  );
});

test('env overrides the options object; empty env values count as unset', () => {
  const { options } = resolveOptions({ log: { level: 'info' }, metrics: { token: undefined } }, { LOG_LEVEL: 'debug', METRICS_TOKEN: '', MANAGEMENT_PORT: '9464' });
  assert.equal(options.log.level, 'debug');
  assert.equal(options.metrics.token, undefined);
  assert.equal(options.management.port, 9464);
});

test('an unusable env value falls back with a TWWRN002 warning and does not leak the value', () => {
  const { options, envWarnings } = resolveOptions({}, { LOG_LEVEL: 'chatty', TILLWATCH_SLOW_REQUEST_MS: 'soon' });
  assert.equal(options.log.level, 'info');
  assert.deepEqual(envWarnings.map((w) => w.variable), ['LOG_LEVEL', 'TILLWATCH_SLOW_REQUEST_MS']);
  assert.equal(envWarnings[1]?.got, '"soon"');
});

test('a METRICS_TOKEN that is too short refuses to start, naming the option, what is expected and what was given, never the token', () => {
  for (const token of ['short', 'fifteen-chars!!']) {
    assert.throws(
      () => resolveOptions({}, { METRICS_TOKEN: token }),
      (e: unknown) =>
        isTillwatchConfigError(e) &&
        e.code === 'TW_ERR_CONFIG_INVALID' &&
        e.message.includes('metrics.token (METRICS_TOKEN)') &&
        e.message.includes('a string of 16 to 512 characters') &&
        e.message.includes(`a string of ${token.length} characters`) &&
        !e.message.includes(token),
    );
  }
  assert.throws(() => resolveOptions({ metrics: { token: 'short' } }, {}), (e: unknown) => isTillwatchConfigError(e) && e.message.includes('metrics.token') && !e.message.includes('"short"'));
  assert.equal(resolveOptions({}, { METRICS_TOKEN: 'x'.repeat(16) }).options.metrics.token, 'x'.repeat(16));
});

test('a long string value is described by its length, never echoed (it may be a secret)', () => {
  assert.throws(
    () => resolveOptions({ service: { name: 'x'.repeat(30) + ' postgres://u:p@h/db' } }, {}),
    (e: unknown) => isTillwatchConfigError(e) && !e.message.includes('postgres://') && /a string of 50 characters/.test(e.message),
  );
});

test('the default access-log skip list follows a custom health base path and metrics path', () => {
  const { options } = resolveOptions({ health: { basePath: '/_hc' }, metrics: { path: '/_m' } }, {});
  assert.deepEqual(options.log.access.skipPaths, ['/_hc', '/_hc/live', '/_hc/ready', '/_hc/startup', '/_m']);
});

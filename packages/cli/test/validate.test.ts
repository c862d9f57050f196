/**
 * validate/good fixtures generate; every validate/bad fixture is refused with the code and message its
 * first line promises (`// expect: CODE "fragment"`), through the real CLI (exit code 3).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, TESTDATA } from './helpers.ts';

const bad = join(TESTDATA, 'validate/bad');
const good = join(TESTDATA, 'validate/good');

for (const f of readdirSync(bad).filter((x) => x.endsWith('.ts'))) {
  test(`validate/bad/${f} is refused with a clear message`, (t) => {
    const first = readFileSync(join(bad, f), 'utf8').split('\n')[0] as string;
    const m = /^\/\/ expect: (\S+) "(.*)"$/.exec(first);
    assert.ok(m, `${f} must start with // expect: CODE "message fragment"`);
    const out = mkdtempSync(join(tmpdir(), 'tw-bad-'));
    t.after(() => rmSync(out, { recursive: true, force: true }));
    const r = runCli(['generate', '--config', join(bad, f), '--out', out]);
    assert.equal(r.status, 3, r.stderr);
    assert.ok(r.stderr.includes(m[1] as string), `stderr names ${m[1]}:\n${r.stderr}`);
    assert.ok(r.stderr.includes((m[2] as string).replaceAll('\\"', '"')), `stderr says "${m[2]}":\n${r.stderr}`);
    assert.match(r.stderr, /TW_ERR_ALERTS_INVALID_CONFIG/);
    assert.equal(existsSync(join(out, 'prometheus')), false, 'nothing is written for an invalid config');
  });
}

for (const f of readdirSync(good).filter((x) => x.endsWith('.ts'))) {
  test(`validate/good/${f} generates`, (t) => {
    const out = mkdtempSync(join(tmpdir(), 'tw-good-'));
    t.after(() => rmSync(out, { recursive: true, force: true }));
    const r = runCli(['generate', '--config', join(good, f), '--out', out]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(existsSync(join(out, 'prometheus/prometheus.yml')));
  });
}

test('usage errors exit 2 and a missing config exits 3', () => {
  assert.equal(runCli(['generate']).status, 2);
  assert.equal(runCli(['frobnicate']).status, 2);
  const r = runCli(['generate', '--config', 'nope.ts', '--out', '/tmp/nope']);
  assert.equal(r.status, 3);
  assert.match(r.stderr, /could not load config nope\.ts: no such file \[TW_ERR_ALERTS_CONFIG_LOAD\]/);
});

/**
 * No alert of the default pack is only ever seen firing on synthetic series: each names the test that makes it fire
 * under its real fault, or says what it is waiting for (PACK_ALERT_PROOFS, shown in docs/alerts.md).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_STORE_THRESHOLDS, PACK_ALERT_PROOFS, storeAlertPack } from '../src/alerts/index.ts';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const pack = storeAlertPack({ service: 'store', thresholds: DEFAULT_STORE_THRESHOLDS, teams: { platform: 'ops', commerce: 'ops', security: 'sec' } }).map((a) => a.name);

test('every alert of the pack is proven under a real fault or says what it waits for, and nothing else is listed', () => {
  assert.deepEqual(pack.filter((name) => PACK_ALERT_PROOFS[name] === undefined), [], 'alerts with neither provenBy nor waiting');
  assert.deepEqual(Object.keys(PACK_ALERT_PROOFS).filter((name) => !pack.includes(name)), [], 'entries for alerts the pack no longer has');
  for (const [name, proof] of Object.entries(PACK_ALERT_PROOFS)) {
    if ('waiting' in proof) assert.ok(proof.waiting.trim().length > 10, `${name}: say what it is waiting for`);
  }
});

test('each test named as a proof exists, is a test, and waits for that alert to fire', () => {
  for (const [name, proof] of Object.entries(PACK_ALERT_PROOFS)) {
    if (!('provenBy' in proof)) continue;
    const file = `${REPO}${proof.provenBy}`;
    assert.ok(proof.provenBy.endsWith('.test.ts') && existsSync(file), `${name}: ${proof.provenBy} is not a test file`);
    const text = readFileSync(file, 'utf8');
    assert.ok(new RegExp(`\\b${name}\\b`).test(text), `${name}: ${proof.provenBy} does not mention it`);
    assert.match(text, /firing|to fire|trigger/, `${name}: ${proof.provenBy} never waits for an alert to fire`);
  }
});

/** Assertions that secrets appear nowhere: logs, stdout/stderr, the database. */
import assert from 'node:assert/strict';
import type { Harness } from './store-harness.ts';

/** True when `needle` is exactly a string or number value anywhere in a parsed JSON value. */
function containsValue(v: unknown, needle: string): boolean {
  if (typeof v === 'string' || typeof v === 'number') return String(v) === needle;
  if (Array.isArray(v)) return v.some((x) => containsValue(x, needle));
  if (typeof v === 'object' && v !== null) return Object.values(v).some((x) => containsValue(x, needle));
  return false;
}

export interface Secrets {
  /** Long, distinctive strings: must not occur as substrings anywhere. */
  readonly strings: readonly string[];
  /** Short values (a CVV): must not occur as a JSON string value, nor as a standalone number in raw output. */
  readonly shortValues?: readonly string[];
}

export async function assertNoSecrets(h: Harness, secrets: Secrets): Promise<void> {
  const logText = h.sink.text();
  const out = h.output();
  const db = await h.dbText();
  for (const s of secrets.strings) {
    assert.ok(!logText.includes(s), `a secret appears in the log lines`);
    assert.ok(!out.includes(s), `a secret appears in stdout/stderr`);
    assert.ok(!db.includes(s), `a secret appears in the database`);
  }
  for (const s of secrets.shortValues ?? []) {
    for (const line of h.sink.lines) assert.ok(!containsValue(line, s), `a short secret appears as a value in a log line: ${line.msg}`);
    for (const row of db.split('\n').filter((l) => l.startsWith('{'))) assert.ok(!containsValue(JSON.parse(row), s), 'a short secret appears in a database row');
    assert.ok(!new RegExp(`(^|[^0-9A-Za-z])${s}([^0-9A-Za-z]|$)`).test(out), 'a short secret appears in stdout/stderr');
  }
}

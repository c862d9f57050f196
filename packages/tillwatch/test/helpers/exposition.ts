/** Reading samples out of a real /metrics scrape, for the adapter tests. */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';

/** A UUIDv7 as tillwatch generates correlation ids. */
export const UUIDV7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The value of one sample in Prometheus text, matched on its full label set (order-insensitive). */
export function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  // Label values are escaped in the exposition format: backslash, double quote and newline.
  const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  const want = Object.entries(labels).map(([k, v]) => `${k}="${escape(v)}"`).sort().join(',');
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{(.*)\} (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = (m[2] ?? '').match(/[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"/g)?.sort().join(',');
    if (got === want) return Number(m[3]);
  }
  return undefined;
}

/** Scrapes until the sample has the expected value: metrics are recorded on the response's 'close'. */
export async function expectSample(base: string, name: string, labels: Record<string, string>, expected: number): Promise<void> {
  let got: number | undefined;
  for (let i = 0; i < 50; i++) {
    got = sample(await (await fetch(`${base}/metrics`)).text(), name, labels);
    if (got === expected) return;
    await sleep(20);
  }
  assert.equal(got, expected, `${name}${JSON.stringify(labels)}`);
}

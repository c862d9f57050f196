/**
 * The README's install snippets, as the packaging test writes them into scratch projects: every ```ts block
 * preceded by a `<!-- scratch: <path> -->` line. What the test runs is what the README shows, so the two
 * cannot drift apart.
 */
import { readFileSync } from 'node:fs';

const SNIPPET = /<!-- scratch: ([^\s]+) -->\n```ts\n([\s\S]*?)```/g;

/** Path inside the scratch area -> source, in README order. */
export function readmeSnippets(readmePath: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of readFileSync(readmePath, 'utf8').matchAll(SNIPPET)) out.set(m[1] as string, m[2] as string);
  return out;
}

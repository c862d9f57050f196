/**
 * Browser bundles import @tillwatch/redact (through @tillwatch/browser): nothing it reaches at run time may
 * import a Node built-in (the bundler would fail, or worse, polyfill it). Type-only imports are erased and allowed.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const PORTABLE = resolve(here, '../src/index.ts');
const BROWSER_SRC = resolve(here, '../../browser/src');

/** Run-time module specifiers of a file: `import`/`export ... from` that are not `import type`/`export type`. */
function runtimeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?([^;]*?)\s*from\s*'([^']+)'/gms)) {
    if (m[2]) continue;
    out.push(m[4] as string);
  }
  for (const m of text.matchAll(/^\s*import\s*'([^']+)'/gm)) out.push(m[1] as string);
  return out;
}

function graph(entry: string, seen = new Set<string>()): { files: Set<string>; bare: Map<string, string> } {
  const bare = new Map<string, string>();
  const visit = (f: string): void => {
    if (seen.has(f)) return;
    seen.add(f);
    for (const spec of runtimeImports(f)) {
      if (spec.startsWith('.')) visit(resolve(dirname(f), spec));
      else bare.set(spec, f);
    }
  };
  visit(entry);
  return { files: seen, bare };
}

test('@tillwatch/redact reaches no Node built-in and no package at run time', () => {
  const { files, bare } = graph(PORTABLE);
  assert.ok(files.size >= 6, [...files].join('\n'));
  assert.deepEqual([...bare.keys()], []);
  for (const f of files) assert.doesNotMatch(readFileSync(f, 'utf8'), /\b(Buffer|process)\./, f);
});

test('@tillwatch/browser imports no Node built-in at run time', () => {
  for (const name of readdirSync(BROWSER_SRC).filter((n) => n.endsWith('.ts'))) {
    const { bare } = graph(join(BROWSER_SRC, name));
    for (const [spec, from] of bare) assert.doesNotMatch(spec, /^node:|^(fs|path|util|events|crypto|http|os)$/, `${from} imports ${spec}`);
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { renderConfigDoc, renderErrorsDoc } from '../src/docs/reference-docs.ts';
import { errorCodes, warningCodes } from '@tillwatch/spec';

const docs = new URL('../../../docs/', import.meta.url);

test('docs/errors.md is generated from the code table and up to date (run npm run docs)', () => {
  assert.equal(readFileSync(new URL('errors.md', docs), 'utf8'), renderErrorsDoc());
});

test('docs/config.md is generated from the option schema and up to date (run npm run docs)', () => {
  assert.equal(readFileSync(new URL('config.md', docs), 'utf8'), renderConfigDoc());
});

test('every code follows the naming scheme and is documented', () => {
  const text = readFileSync(new URL('errors.md', docs), 'utf8');
  for (const code of Object.keys(errorCodes)) {
    assert.match(code, /^TW_ERR_[A-Z]+_[A-Z_]+$/);
    assert.ok(text.includes(`\`${code}\``), `${code} is documented`);
  }
  for (const code of Object.keys(warningCodes)) {
    assert.match(code, /^TWWRN\d{3}$/);
    assert.ok(text.includes(`\`${code}\``), `${code} is documented`);
  }
});

test('every code the source of every package raises is in the table', async () => {
  const { readdirSync } = await import('node:fs');
  const packages = new URL('../../', import.meta.url);
  const known = new Set([...Object.keys(errorCodes), ...Object.keys(warningCodes)]);
  let scanned = 0;
  for (const pkg of readdirSync(packages)) {
    const src = new URL(`${pkg}/src/`, packages);
    let files: string[];
    try {
      files = (readdirSync(src, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'));
    } catch {
      continue;
    }
    for (const f of files) {
      scanned++;
      const text = readFileSync(new URL(f, src), 'utf8');
      for (const m of text.matchAll(/\b(TW_ERR_[A-Z_]+|TWWRN\d{3})\b/g)) {
        assert.ok(known.has(m[1] as string), `${pkg}/src/${f} uses ${m[1]}, which is not in the codes table`);
      }
    }
  }
  assert.ok(scanned > 100, `scanned ${scanned} files`);
});

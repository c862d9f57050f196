/**
 * What each package may import. A package may import its own files, Node built-ins, and the packages its
 * package.json declares (dependencies and peer dependencies): npm installs exactly those for a user, so an
 * undeclared import breaks the published package. On top of that, the package map's layering: the spec and the
 * redactor import nothing at run time, the browser SDK never the Node runtime, the runtime never
 * @tillwatch/otel (it loads it by name), and @tillwatch/otel only the runtime's types.
 *
 * Why a test and not only project references: workspace packages resolve through node_modules symlinks, and
 * TypeScript treats what it finds there as an external library, which a composite project may import without
 * referencing it. The references (tsconfig.build.json) give the build order and the declarations; this test
 * gives the refusal.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinModules } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGES = fileURLToPath(new URL('../packages/', import.meta.url));

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

/** Import specifiers of a file, and whether each is type-only (erased at run time). */
function imports(text: string): { spec: string; typeOnly: boolean }[] {
  const out: { spec: string; typeOnly: boolean }[] = [];
  for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm)) out.push({ spec: m[3] as string, typeOnly: m[2] !== undefined });
  for (const m of text.matchAll(/\b(?:import|require|lazy|load)\(\s*['"]([^'"./][^'"]*)['"]\s*\)/g)) out.push({ spec: m[1] as string, typeOnly: false });
  for (const m of text.matchAll(/import\(['"]([^'"]+)['"]\)/g)) out.push({ spec: m[1] as string, typeOnly: true });
  return out;
}

function packageOf(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] as string);
}

const builtins = new Set(builtinModules);
const isBuiltin = (spec: string) => spec.startsWith('node:') || builtins.has(packageOf(spec));

/** Run-time imports the package map forbids even when declared. */
const FORBIDDEN_AT_RUN_TIME: Record<string, readonly string[]> = {
  '@tillwatch/spec': ['*'],
  '@tillwatch/redact': ['*'],
  tillwatch: ['@tillwatch/otel', '@tillwatch/cli', '@tillwatch/browser'],
  '@tillwatch/otel': ['tillwatch'],
  '@tillwatch/browser': ['tillwatch', 'node:*'],
};

for (const dir of readdirSync(PACKAGES)) {
  const manifest = JSON.parse(readFileSync(join(PACKAGES, dir, 'package.json'), 'utf8')) as Manifest;
  test(`${manifest.name} imports only itself, Node built-ins and what its package.json declares`, () => {
    const allowed = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})]);
    const forbidden = FORBIDDEN_AT_RUN_TIME[manifest.name] ?? [];
    const src = join(PACKAGES, dir, 'src');
    const files = (readdirSync(src, { recursive: true }) as string[]).filter((f) => /\.tsx?$/.test(f));
    assert.ok(files.length > 0);
    for (const f of files) {
      for (const { spec, typeOnly } of imports(readFileSync(join(src, f), 'utf8'))) {
        if (spec.startsWith('.')) continue;
        const pkg = packageOf(spec);
        const where = `${manifest.name}: src/${f} imports ${spec}`;
        if (isBuiltin(spec)) {
          assert.ok(!forbidden.includes('node:*') && !forbidden.includes('*') || typeOnly, `${where}: no Node built-ins in this package`);
          continue;
        }
        assert.ok(allowed.has(pkg), `${where}, which its package.json does not declare`);
        if (!typeOnly) assert.ok(!forbidden.includes('*') && !forbidden.includes(pkg), `${where} at run time, which the package map forbids`);
      }
    }
  });
}

/**
 * Makes sure the cashier page's build (apps/store/pos/dist) exists and is newer than its sources
 * (the page, @tillwatch/browser and the redaction rules it bundles); builds it with Vite otherwise,
 * bounded. `npm run build:pos` does the same by hand.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const POS_DIST_INDEX = join(REPO_ROOT, 'apps/store/pos/dist/index.html');

const SOURCES = [
  'apps/store/pos/index.html',
  'apps/store/pos/vite.config.ts',
  'apps/store/pos/src',
  'packages/browser/src',
  'packages/redact/src',
];

function newestMtimeMs(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const e of readdirSync(path)) newest = Math.max(newest, newestMtimeMs(join(path, e)));
  return newest;
}

/** Builds the page when missing or stale. @throws with Vite's output when the build fails or takes over `timeoutMs`. */
export function ensurePosBuilt(timeoutMs = 120_000): void {
  const built = existsSync(POS_DIST_INDEX) ? statSync(POS_DIST_INDEX).mtimeMs : 0;
  const sources = Math.max(...SOURCES.map((s) => newestMtimeMs(join(REPO_ROOT, s))));
  if (built > sources) return;
  const vite = join(REPO_ROOT, 'node_modules/vite/bin/vite.js');
  const r = spawnSync(process.execPath, [vite, 'build', 'apps/store/pos'], { cwd: REPO_ROOT, timeout: timeoutMs, encoding: 'utf8' });
  if (r.status !== 0 || !existsSync(POS_DIST_INDEX)) {
    throw new Error(`building the cashier page failed (status ${r.status}, signal ${r.signal}):\n${r.stdout}\n${r.stderr}`);
  }
}

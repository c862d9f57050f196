/**
 * Tests that need a real part (Postgres, Redis, promtool, Chromium...) call {@link requireReal}.
 * Locally, a missing part skips the test with the reason. With CI=true a missing part fails the test:
 * CI must never go green on a skipped real-part test.
 */
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import type { TestContext } from 'node:test';

export const inCI = process.env.CI === 'true';

/** Returns true when the test may go on; skips (locally) or throws (CI) otherwise. */
export function requireReal(t: TestContext, part: string, available: boolean, hint = ''): boolean {
  if (available) return true;
  const why = `${part} is not available${hint ? `: ${hint}` : ''}`;
  if (inCI) throw new Error(`${why} (CI=true: tests that need real parts may not be skipped)`);
  t.skip(why);
  return false;
}

/** True when a TCP port on 127.0.0.1 accepts a connection within 1 s. */
export function tcpReachable(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(1000, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/** True when `cmd` is on PATH. */
export function hasCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

export const POSTGRES_URL = process.env.TILLWATCH_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.TILLWATCH_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Drops a test database once its connections are gone. A pg pool's `end()` resolves before its sockets have
 * closed, and `DROP DATABASE ... WITH (FORCE)` would terminate those, which their clients report as an
 * uncaught "terminating connection due to administrator command". Bounded: after 5 s it forces.
 */
export async function dropTestDatabase(admin: { query(sql: string, params?: unknown[]): Promise<{ rows: { n: number }[] }> }, name: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const { rows } = await admin.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name]);
    if ((rows[0]?.n ?? 0) === 0) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

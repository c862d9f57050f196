/**
 * The store's security settings, read from the environment (docs/security.md lists them):
 *
 * | variable | default | what |
 * | --- | --- | --- |
 * | LOGIN_MAX_FAILURES_PER_USER | 5 | failed logins per user name within LOGIN_USER_WINDOW_SECONDS (300) before that user name is refused |
 * | LOGIN_MAX_FAILURES_PER_SOURCE | 20 | failed logins per client address within LOGIN_SOURCE_WINDOW_SECONDS (900), whatever the user names |
 * | LOGIN_MAX_FAILURES_GLOBAL | 300 | failed logins of all clients within 60 s: beyond it every login is refused for 60 s (a distributed spray) |
 * | RATE_LIMIT_PER_MINUTE | 6000 | requests per client address and minute (0: no limit); management paths are never limited |
 * | CORS_ORIGINS | (none) | comma-separated origins allowed to call the API from a browser, besides the store's own |
 * | SECURITY_SOURCE_ADDRESS | hash | how security log lines carry the client address: hash, truncate or raw |
 * | SECURITY_HASH_KEY | (random per process) | HMAC key of `hash` (>= 16 characters): set it to follow one source across instances |
 */
import type { ConfigIssue, Env } from '../config.ts';
import { envInt, StoreConfigError } from '../config.ts';

export interface LimitSpec {
  /** Failed logins allowed within the window. */
  readonly points: number;
  readonly windowSeconds: number;
}

export interface StoreSecurityConfig {
  readonly loginPerUser: LimitSpec;
  readonly loginPerSource: LimitSpec;
  readonly loginGlobal: LimitSpec;
  readonly rateLimitPerMinute: number;
  readonly corsOrigins: readonly string[];
  readonly sourceAddress: 'hash' | 'truncate' | 'raw';
  readonly hashKey: string | undefined;
}

export function loadSecurityConfig(env: Env): StoreSecurityConfig {
  const issues: ConfigIssue[] = [];
  const int = (name: string, def: number, min: number, max: number) => envInt(env, issues, name, def, min, max);
  const loginPerUser = { points: int('LOGIN_MAX_FAILURES_PER_USER', 5, 1, 1000), windowSeconds: int('LOGIN_USER_WINDOW_SECONDS', 300, 1, 86_400) };
  const loginPerSource = { points: int('LOGIN_MAX_FAILURES_PER_SOURCE', 20, 1, 100_000), windowSeconds: int('LOGIN_SOURCE_WINDOW_SECONDS', 900, 1, 86_400) };
  const loginGlobal = { points: int('LOGIN_MAX_FAILURES_GLOBAL', 300, 1, 10_000_000), windowSeconds: 60 };
  const rateLimitPerMinute = int('RATE_LIMIT_PER_MINUTE', 6000, 0, 10_000_000);
  const corsOrigins: string[] = [];
  for (const raw of (env.CORS_ORIGINS ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    try {
      const u = new URL(raw);
      if (u.origin === 'null' || u.origin !== raw.replace(/\/$/, '')) throw new Error('not an origin');
      corsOrigins.push(u.origin);
    } catch {
      issues.push({ variable: 'CORS_ORIGINS', expected: 'comma-separated origins such as https://pos.example.com', got: JSON.stringify(raw.slice(0, 80)) });
    }
  }
  const mode = env.SECURITY_SOURCE_ADDRESS ?? 'hash';
  if (mode !== 'hash' && mode !== 'truncate' && mode !== 'raw') issues.push({ variable: 'SECURITY_SOURCE_ADDRESS', expected: 'hash, truncate or raw', got: JSON.stringify(mode.slice(0, 20)) });
  const hashKey = env.SECURITY_HASH_KEY;
  if (hashKey !== undefined && hashKey.length < 16) issues.push({ variable: 'SECURITY_HASH_KEY', expected: 'at least 16 characters', got: `${hashKey.length} characters` });
  if (issues.length > 0) throw new StoreConfigError(issues);
  return { loginPerUser, loginPerSource, loginGlobal, rateLimitPerMinute, corsOrigins, sourceAddress: mode as StoreSecurityConfig['sourceAddress'], hashKey };
}

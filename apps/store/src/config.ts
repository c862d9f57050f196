/**
 * The store's configuration, read once from the environment at start-up, validated, then frozen.
 * Every problem is reported at once, naming the variable, what was expected and what was given
 * (never the value of a secret or a connection string: those may hold credentials).
 *
 * | variable              | default                      | meaning |
 * | --------------------- | ---------------------------- | ------- |
 * | PORT                  | 3000                         | HTTP port of the store (0 = any free port) |
 * | HOST                  | 0.0.0.0                      | interface the store listens on |
 * | TILLWATCH_DATA_DIR    | .tillwatch-data/store        | PGlite data directory; `memory://` keeps it in memory |
 * | DATABASE_URL          | (unset: PGlite)              | a real Postgres instead of PGlite |
 * | DB_STATEMENT_TIMEOUT_MS | 5000                       | Postgres: statements cancelled after this (the client gives up 1 s later); requests then answer 503 STORE_DATABASE_UNAVAILABLE |
 * | REDIS_URL             | (unset: in-memory cache)     | Redis for the product cache |
 * | REDIS_KEY_PREFIX      | store:                       | prefix of every Redis key the store writes |
 * | PAYMENT_PROVIDER_URL  | http://127.0.0.1:3100        | base URL of the payment provider |
 * | PAYMENT_TIMEOUT_MS    | 5000                         | per-call timeout of the payment client |
 * | PAYMENT_RECONCILE_INTERVAL_MS | 30000                | between runs of the reconciler of payments with an unknown outcome |
 * | JWT_SECRET            | a development default        | HS256 key of the login tokens (>= 32 characters); warn when unset |
 * | JWT_TTL_SECONDS       | 28800 (one shift)            | lifetime of a login token |
 * | LOCATIONS             | store-001,store-002          | comma-separated location ids (metric label values: bounded, slug-like) |
 * | LOW_STOCK_THRESHOLD   | 10                           | stock at or below which an item counts as low |
 * | PRODUCT_CACHE_TTL_SECONDS | 60                       | lifetime of a cached product lookup |
 * | CURRENCY              | USD                          | ISO 4217 code of every price (one currency per store) |
 * | SLOW_QUERY_MS         | 100                          | a statement at least this slow is a slow query (counted, one log line) |
 * | DEPENDENCY_CHECK_INTERVAL_MS | 15000                 | between checks of the payment provider, SMS provider and warehouse (`dependency_up`, /health/external) |
 * | BACKUP_DIR            | <data dir>/../backups        | scheduled database backups (PGlite tarball or pg_dump); `off`, or unset with `memory://`: none |
 * | BACKUP_INTERVAL_MS    | 21600000 (6 h)               | between backups; the first runs right after start-up |
 * | BACKUP_KEEP           | 3                            | newest backup files kept |
 */
import { isAbsolute, resolve } from 'node:path';

export type Env = Readonly<Record<string, string | undefined>>;

export interface StoreConfig {
  readonly port: number;
  readonly host: string;
  /** PGlite data directory (absolute), or `memory://` for an in-memory database. Unused with databaseUrl. */
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  readonly dbStatementTimeoutMs: number;
  readonly redisUrl: string | undefined;
  readonly redisKeyPrefix: string;
  readonly paymentProviderUrl: string;
  readonly paymentTimeoutMs: number;
  /** Statements at least this slow count as slow queries and log one line (tillwatch/pg). */
  readonly slowQueryMs: number;
  /** Between periodic checks of each external dependency (payment, SMS, warehouse): `dependency_up`. */
  readonly dependencyCheckIntervalMs: number;
  /** Where scheduled database backups go; undefined: no backups (the default for a `memory://` database). */
  readonly backupDir: string | undefined;
  readonly backupIntervalMs: number;
  readonly backupKeep: number;
  readonly paymentReconcileIntervalMs: number;
  readonly jwtSecret: string;
  /** True when JWT_SECRET was not set and the development default is in use. */
  readonly jwtSecretIsDefault: boolean;
  readonly jwtTtlSeconds: number;
  readonly locations: readonly string[];
  readonly lowStockThreshold: number;
  readonly productCacheTtlSeconds: number;
  readonly currency: string;
  /** Request bodies above this are rejected with 413 STORE_BODY_TOO_LARGE. */
  readonly bodyLimitBytes: number;
  /** The environment the config was read from, for features that read their own variables. */
  readonly env: Env;
}

/** Used only when JWT_SECRET is unset; start-up logs a warning (STOREWRN001) every time. */
const DEV_JWT_SECRET = 'tillwatch-store-development-secret-do-not-use-in-production';

export const MEMORY_DATA_DIR = 'memory://';

export interface ConfigIssue {
  readonly variable: string;
  readonly expected: string;
  readonly got: string;
}

/** Thrown by {@link loadConfig}; lists every invalid variable. */
export class StoreConfigError extends Error {
  readonly code = 'STORE_ERR_CONFIG_INVALID';
  readonly issues: readonly ConfigIssue[];
  constructor(issues: readonly ConfigIssue[]) {
    super(
      `invalid store configuration:\n${issues.map((i) => `  - ${i.variable}: expected ${i.expected}, got ${i.got}`).join('\n')}`,
    );
    this.name = 'StoreConfigError';
    this.issues = issues;
  }
}

const LOCATION_ID = /^[a-z0-9][a-z0-9_-]{0,31}$/;

/** Empty or whitespace-only counts as unset. */
function read(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function describe(v: string, secret: boolean): string {
  return secret || v.length > 40 ? `a value of ${v.length} characters` : JSON.stringify(v);
}

/**
 * An integer env variable within [min, max]; unset or empty gives `def`. An invalid value is added to
 * `issues` (the caller throws StoreConfigError listing all of them) and `def` is returned meanwhile.
 * Shared by loadConfig and the features' own option readers.
 */
export function envInt(env: Env, issues: ConfigIssue[], name: string, def: number, min: number, max: number): number {
  const raw = read(env, name);
  if (raw === undefined) return def;
  const n = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    issues.push({ variable: name, expected: `an integer between ${min} and ${max}`, got: describe(raw, false) });
    return def;
  }
  return n;
}

/**
 * Reads and validates the store configuration.
 * @param env the environment (default process.env)
 * @param overrides values that win over the environment (tests)
 * @throws StoreConfigError naming every invalid variable.
 */
export function loadConfig(env: Env = process.env, overrides: Partial<Omit<StoreConfig, 'env'>> = {}): StoreConfig {
  const issues: ConfigIssue[] = [];

  const int = (name: string, def: number, min: number, max: number): number => envInt(env, issues, name, def, min, max);

  const url = (name: string, protocols: readonly string[], secret: boolean): string | undefined => {
    const raw = read(env, name);
    if (raw === undefined) return undefined;
    try {
      const u = new URL(raw);
      if (!protocols.includes(u.protocol)) throw new Error('protocol');
      return raw;
    } catch {
      issues.push({ variable: name, expected: `a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`, got: describe(raw, secret) });
      return undefined;
    }
  };

  const port = int('PORT', 3000, 0, 65535);
  const host = read(env, 'HOST') ?? '0.0.0.0';
  const rawDir = read(env, 'TILLWATCH_DATA_DIR') ?? '.tillwatch-data/store';
  const dataDir = rawDir === MEMORY_DATA_DIR ? rawDir : isAbsolute(rawDir) ? rawDir : resolve(rawDir);
  const databaseUrl = url('DATABASE_URL', ['postgres:', 'postgresql:'], true);
  const dbStatementTimeoutMs = int('DB_STATEMENT_TIMEOUT_MS', 5000, 100, 600_000);
  const redisUrl = url('REDIS_URL', ['redis:', 'rediss:'], true);
  const redisKeyPrefix = read(env, 'REDIS_KEY_PREFIX') ?? 'store:';
  const paymentProviderUrl = url('PAYMENT_PROVIDER_URL', ['http:', 'https:'], false) ?? 'http://127.0.0.1:3100';
  const paymentTimeoutMs = int('PAYMENT_TIMEOUT_MS', 5000, 1, 120_000);
  const slowQueryMs = int('SLOW_QUERY_MS', 100, 1, 600_000);
  const dependencyCheckIntervalMs = int('DEPENDENCY_CHECK_INTERVAL_MS', 15_000, 100, 3_600_000);
  const rawBackupDir = read(env, 'BACKUP_DIR');
  const backupDir =
    rawBackupDir === 'off' ? undefined : rawBackupDir !== undefined ? resolve(rawBackupDir) : rawDir === MEMORY_DATA_DIR ? undefined : resolve(dataDir, '..', 'backups');
  const backupIntervalMs = int('BACKUP_INTERVAL_MS', 6 * 3600_000, 1000, 7 * 24 * 3600_000);
  const backupKeep = int('BACKUP_KEEP', 3, 1, 1000);
  const paymentReconcileIntervalMs = int('PAYMENT_RECONCILE_INTERVAL_MS', 30_000, 100, 3_600_000);

  const rawSecret = read(env, 'JWT_SECRET');
  if (rawSecret !== undefined && rawSecret.length < 32) {
    issues.push({ variable: 'JWT_SECRET', expected: 'at least 32 characters', got: describe(rawSecret, true) });
  }
  const jwtTtlSeconds = int('JWT_TTL_SECONDS', 8 * 3600, 60, 7 * 24 * 3600);

  const rawLocations = read(env, 'LOCATIONS');
  let locations = ['store-001', 'store-002'];
  if (rawLocations !== undefined) {
    const list = rawLocations.split(',').map((s) => s.trim()).filter((s) => s !== '');
    const bad = list.filter((l) => !LOCATION_ID.test(l));
    if (list.length === 0 || list.length > 50 || bad.length > 0 || new Set(list).size !== list.length) {
      issues.push({
        variable: 'LOCATIONS',
        expected: `1 to 50 distinct comma-separated ids matching ${LOCATION_ID}`,
        got: bad.length > 0 ? `invalid id(s) ${bad.slice(0, 3).map((b) => JSON.stringify(b.slice(0, 40))).join(', ')}` : describe(rawLocations, false),
      });
    } else {
      locations = list;
    }
  }
  const lowStockThreshold = int('LOW_STOCK_THRESHOLD', 10, 0, 1_000_000);
  const productCacheTtlSeconds = int('PRODUCT_CACHE_TTL_SECONDS', 60, 1, 86_400);
  const currency = read(env, 'CURRENCY') ?? 'USD';
  if (!/^[A-Z]{3}$/.test(currency)) issues.push({ variable: 'CURRENCY', expected: 'an ISO 4217 code such as USD', got: describe(currency, false) });

  if (issues.length > 0) throw new StoreConfigError(issues);

  const config: StoreConfig = {
    port,
    host,
    dataDir,
    databaseUrl,
    dbStatementTimeoutMs,
    redisUrl,
    redisKeyPrefix,
    paymentProviderUrl,
    paymentTimeoutMs,
    slowQueryMs,
    dependencyCheckIntervalMs,
    backupDir,
    backupIntervalMs,
    backupKeep,
    paymentReconcileIntervalMs,
    jwtSecret: rawSecret ?? DEV_JWT_SECRET,
    jwtSecretIsDefault: rawSecret === undefined,
    jwtTtlSeconds,
    locations,
    lowStockThreshold,
    productCacheTtlSeconds,
    currency,
    bodyLimitBytes: 64 * 1024,
    ...overrides,
    env,
  };
  return Object.freeze({ ...config, locations: Object.freeze([...config.locations]) });
}

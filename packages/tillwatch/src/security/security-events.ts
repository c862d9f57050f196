/**
 * Security events as one vocabulary: every event is one structured log line at `warn` (`info` for a successful
 * login) with `security_event` and `severity`, written through tillwatch's logger (so through the redactor), with
 * the client address pseudonymised (source-address.ts), and one increment of `security_events_total{event_type,
 * severity}` plus the event's own bounded metric. Addresses, user names and origins are never labels.
 *
 * ```ts
 * const security = createSecurityEvents(tw, { sourceAddress: 'hash', hashKey: process.env.SECURITY_HASH_KEY });
 * security.loginFailed({ username, reason: 'invalid_credentials', request: request.raw });
 * ```
 *
 * Failed logins also feed the brute-force and password-spray detector (login-attack-detector.ts), whose offender
 * counts are the gauges `auth_brute_force_sources` and `auth_password_spray_sources`; the moment a source crosses a
 * threshold is itself an event (`brute_force`, `password_spray`). Rate-limited clients are counted in a bounded
 * summary over `rateLimitedWindowMs` for `rate_limited_clients`.
 *
 * The adapters (`tillwatch/fastify`, `tillwatch/express`) take the instance as `security` and emit on their own
 * what the framework knows: a 401 (token failure), a 403 (privilege escalation), a 429 (rate limited), unless the
 * route already recorded an event for that request. Every method is telemetry: it never throws.
 */
import type { IncomingMessage } from 'node:http';
import { catalogue, LABEL_VALUES, TillwatchConfigError, type ConfigIssue } from '@tillwatch/spec';
import type { Logger } from 'pino';
import { neverThrow } from '../commerce/never-throw.ts';
import type { GuardedGauge } from '../metrics/guarded-gauge.ts';
import type { GuardedCounter } from '../metrics/guarded-counter.ts';
import type { ManagementRefusalReason } from '../metrics/management-auth.ts';
import type { Tillwatch } from '../tillwatch.ts';
import { LoginAttackDetector, type LoginAttackDetectorOptions } from './login-attack-detector.ts';
import { sourceAddressPseudonymiser, type SourceAddressMode } from './source-address.ts';
import { WindowedCounts } from './windowed-counts.ts';

const m = catalogue.metrics.security;

export type SecurityEventType =
  | 'failed_login'
  | 'login_succeeded'
  | 'lockout'
  | 'brute_force'
  | 'password_spray'
  | 'privilege_escalation'
  | 'rate_limited'
  | 'cors_violation'
  | 'invalid_token'
  | 'management_auth_failure';
export type SecuritySeverity = 'low' | 'medium' | 'high' | 'critical';

export const SECURITY_EVENT_SEVERITY: Readonly<Record<SecurityEventType, SecuritySeverity>> = Object.freeze({
  failed_login: 'low',
  login_succeeded: 'low',
  lockout: 'medium',
  brute_force: 'high',
  password_spray: 'critical',
  privilege_escalation: 'high',
  rate_limited: 'medium',
  cors_violation: 'medium',
  invalid_token: 'medium',
  management_auth_failure: 'high',
});

export type LoginFailureReason = 'invalid_credentials' | 'unknown_user' | 'locked_out' | 'mfa_failed';
/** `missing`: no token; `expired`; `bad_signature`; `malformed` (not a token at all); `invalid`: any other refusal. */
export type TokenFailureReason = 'missing' | 'expired' | 'bad_signature' | 'malformed' | 'invalid';
/** Who is locked out: one user name, one source, or every login (the global limit). */
export type LockoutScope = 'username' | 'source' | 'global';

/** Where the client is: the request (its socket address, or `source` when given, e.g. a trusted proxy's client IP). */
export interface EventOrigin {
  readonly request?: IncomingMessage;
  /** The client address, when the request's socket address is a proxy's. */
  readonly source?: string;
}

export interface SecurityEventsOptions {
  /** How the client address is written to log lines. Default `hash`. */
  readonly sourceAddress?: SourceAddressMode;
  /** The HMAC key of `hash` mode; random per process when unset. */
  readonly hashKey?: string;
  /** Brute-force and password-spray thresholds and memory. */
  readonly detector?: LoginAttackDetectorOptions;
  /** How long a rate-limited client counts in `rate_limited_clients`. Default 5 minutes. */
  readonly rateLimitedWindowMs?: number;
}

export interface SecurityEvents {
  loginFailed(e: EventOrigin & { readonly username: string; readonly reason: LoginFailureReason }): void;
  loginSucceeded(e: EventOrigin & { readonly username: string; readonly role?: string }): void;
  lockout(e: EventOrigin & { readonly scope: LockoutScope; readonly username?: string; readonly retryAfterSeconds?: number }): void;
  /** A signed-in user called a route that needs another role. */
  privilegeEscalation(e: EventOrigin & { readonly actor?: string; readonly role?: string; readonly required?: readonly string[]; readonly route?: string }): void;
  rateLimited(e: EventOrigin & { readonly route?: string; readonly limit?: number }): void;
  corsViolation(e: EventOrigin & { readonly origin: string; readonly route?: string }): void;
  tokenFailure(e: EventOrigin & { readonly reason: TokenFailureReason; readonly route?: string }): void;
  /** A refused request to /metrics or another management endpoint. */
  managementAuthFailure(e: EventOrigin & { readonly path?: string; readonly reason: ManagementRefusalReason }): void;
  /** True when an event was recorded for `request` (the adapters' automatic events then stay silent). */
  recordedFor(request: IncomingMessage): boolean;
  /** The detector, for tests and diagnostics. */
  readonly detector: LoginAttackDetector;
}

const MODES: readonly SourceAddressMode[] = ['hash', 'truncate', 'raw'];

function validate(o: SecurityEventsOptions): void {
  const issues: ConfigIssue[] = [];
  if (o.sourceAddress !== undefined && !MODES.includes(o.sourceAddress)) {
    issues.push({ option: 'security.sourceAddress', expected: MODES.join(' | '), got: JSON.stringify(o.sourceAddress), code: 'TW_ERR_CONFIG_INVALID' });
  }
  if (o.hashKey !== undefined && (typeof o.hashKey !== 'string' || o.hashKey.length < 16)) {
    issues.push({ option: 'security.hashKey', expected: 'a string of at least 16 characters', got: typeof o.hashKey === 'string' ? `${o.hashKey.length} characters` : typeof o.hashKey, code: 'TW_ERR_CONFIG_INVALID' });
  }
  const d = o.detector ?? {};
  for (const [k, v] of Object.entries({ ...d, rateLimitedWindowMs: o.rateLimitedWindowMs })) {
    if (v !== undefined && (!Number.isInteger(v) || (v as number) < 1)) {
      issues.push({ option: `security.${k === 'rateLimitedWindowMs' ? k : `detector.${k}`}`, expected: 'a positive integer', got: String(v), code: 'TW_ERR_CONFIG_INVALID' });
    }
  }
  if (issues.length > 0) throw new TillwatchConfigError(issues);
}

/** A bounded, printable form of a client-supplied user name or origin. */
function shown(v: string | undefined, max = 64): string | undefined {
  return v === undefined ? undefined : String(v).slice(0, max).replace(/[^\x20-\x7e]/g, '?');
}

/**
 * Creates the security event recorder of a tillwatch instance. Its metrics are registered on `tw.metrics` once and
 * shared with any recorder created before on the same registry (tillwatch's own, for the management endpoints'
 * refusals); the newest recorder is the one tillwatch reports through from then on.
 * @throws TillwatchConfigError (TW_ERR_CONFIG_INVALID) naming the option, for an unknown address mode, a short hash
 *   key or a non-positive threshold.
 */
export function createSecurityEvents(tw: Pick<Tillwatch, 'logger' | 'metrics'>, options: SecurityEventsOptions = {}): SecurityEvents {
  validate(options);
  const log: Logger = tw.logger.child({ module: 'security' });
  const pseudonym = sourceAddressPseudonymiser(options.sourceAddress ?? 'hash', options.hashKey);
  const detector = new LoginAttackDetector(options.detector);
  const rateLimitedWindowMs = options.rateLimitedWindowMs ?? 5 * 60_000;
  const limitedClients = new WindowedCounts<string>({ windowMs: rateLimitedWindowMs, capacity: 512 });
  const state = sharedState(tw.metrics);
  const { recorded } = state;
  state.current = { detector, limitedClients };
  const { events, failedLogins, authFailures, rateLimitedRequests, cors } = state;

  const addressOf = (o: EventOrigin): string | undefined => o.source ?? o.request?.socket?.remoteAddress;

  const emit = (type: SecurityEventType, o: EventOrigin, fields: Record<string, unknown>, message: string): void => {
    if (o.request) recorded.add(o.request);
    const severity = SECURITY_EVENT_SEVERITY[type];
    events.inc({ type, severity });
    const line = { security_event: type, severity, source: pseudonym(addressOf(o)), ...fields };
    if (type === 'login_succeeded') log.info(line, message);
    else log.warn(line, message);
  };

  const instance: SecurityEvents = {
    detector,
    loginFailed: neverThrow((e) => {
      failedLogins.inc({ reason: e.reason });
      authFailures.inc({ reason: e.reason });
      emit('failed_login', e, { username: shown(e.username), reason: e.reason }, 'login failed');
      const address = addressOf(e);
      if (address === undefined) return;
      const verdict = detector.failed(address, e.username);
      if (verdict.bruteForceStarted) {
        emit('brute_force', e, { failures: detector.bruteForceFailures, window_s: detector.windowMs / 1000 }, 'brute force suspected: many failed logins from one source');
      }
      if (verdict.sprayStarted) {
        emit('password_spray', e, { usernames: detector.sprayUsernames, window_s: detector.windowMs / 1000 }, 'password spray suspected: failed logins for many user names from one source');
      }
    }),
    loginSucceeded: neverThrow((e) => emit('login_succeeded', e, { username: shown(e.username), role: e.role }, 'login succeeded')),
    lockout: neverThrow((e) => {
      emit('lockout', e, { scope: e.scope, username: shown(e.username), retry_after_s: e.retryAfterSeconds }, `login locked out (${e.scope})`);
    }),
    privilegeEscalation: neverThrow((e) => {
      authFailures.inc({ reason: 'forbidden' });
      emit('privilege_escalation', e, { actor: shown(e.actor), role: e.role, required: e.required, route: e.route }, 'forbidden: a role called a route above it');
    }),
    rateLimited: neverThrow((e) => {
      rateLimitedRequests.inc({});
      const address = addressOf(e);
      if (address !== undefined) limitedClients.offer(address, Date.now());
      emit('rate_limited', e, { route: e.route, limit: e.limit }, 'request rate limited');
    }),
    corsViolation: neverThrow((e) => {
      cors.inc({});
      emit('cors_violation', e, { origin: shown(e.origin, 200), route: e.route }, 'cross-origin request refused');
    }),
    tokenFailure: neverThrow((e) => {
      const reason = e.reason === 'missing' ? 'missing_token' : e.reason === 'expired' ? 'expired_token' : e.reason === 'malformed' ? 'malformed_token' : 'invalid_token';
      authFailures.inc({ reason });
      emit('invalid_token', e, { reason: e.reason, route: e.route }, 'bearer token refused');
    }),
    managementAuthFailure: neverThrow((e) => {
      authFailures.inc({ reason: e.reason === 'missing' ? 'missing_token' : e.reason === 'expired' ? 'expired_token' : e.reason === 'malformed' ? 'malformed_token' : 'invalid_token' });
      emit('management_auth_failure', e, { path: shown(e.path, 100), reason: e.reason }, 'management endpoint refused a request');
    }),
    recordedFor: (request) => recorded.has(request),
  };
  state.instance = instance;
  return instance;
}

interface SharedState {
  readonly events: GuardedCounter<'type' | 'severity'>;
  readonly failedLogins: GuardedCounter<'reason'>;
  readonly authFailures: GuardedCounter<'reason'>;
  readonly rateLimitedRequests: GuardedCounter<never>;
  readonly cors: GuardedCounter<never>;
  readonly recorded: WeakSet<IncomingMessage>;
  /** The detectors the offender gauges read: those of the latest recorder. */
  current?: { readonly detector: LoginAttackDetector; readonly limitedClients: WindowedCounts<string> };
  instance?: SecurityEvents;
}

/**
 * The metrics of one registry are registered once and shared by every recorder created on it, so tillwatch's own
 * management endpoints and the application's recorder (with its address mode and key) count into the same series.
 */
const shared = new WeakMap<Tillwatch['metrics'], SharedState>();

function sharedState(metrics: Tillwatch['metrics']): SharedState {
  const existing = shared.get(metrics);
  if (existing !== undefined) return existing;
  const bruteForce: GuardedGauge<never> = metrics.register(m.bruteForceSources, { collect: (): void => bruteForce.set({}, state.current?.detector.bruteForceSources().length ?? 0) });
  const spray: GuardedGauge<never> = metrics.register(m.passwordSpraySources, { collect: (): void => spray.set({}, state.current?.detector.spraySources().length ?? 0) });
  const limited: GuardedGauge<never> = metrics.register(m.rateLimitedClients, { collect: (): void => limited.set({}, state.current?.limitedClients.keysAtLeast(1, Date.now()).length ?? 0) });
  const state: SharedState = {
    events: metrics.register(m.events),
    failedLogins: metrics.register(m.failedLogins),
    authFailures: metrics.register(m.authFailures),
    rateLimitedRequests: metrics.register(m.rateLimited),
    cors: metrics.register(m.corsViolations),
    recorded: new WeakSet(),
  };
  // Every series of a closed label set starts at 0, so rate() and increase() see the first failure (a series that
  // appears with its first increment loses it).
  for (const reason of LABEL_VALUES.authFailureReason) state.authFailures.inc({ reason }, 0);
  for (const reason of ['invalid_credentials', 'unknown_user', 'locked_out', 'mfa_failed'] as const) state.failedLogins.inc({ reason }, 0);
  for (const [type, severity] of Object.entries(SECURITY_EVENT_SEVERITY)) state.events.inc({ type, severity }, 0);
  shared.set(metrics, state);
  return state;
}

/**
 * The recorder last created on `tw`'s registry, or a default one (addresses hashed with a per-process key) when the
 * application created none: what tillwatch's own handlers (the management endpoints' refusals) report through.
 */
export function securityEventsOf(tw: Pick<Tillwatch, 'logger' | 'metrics'>): SecurityEvents {
  return shared.get(tw.metrics)?.instance ?? createSecurityEvents(tw);
}

/**
 * The recorder behind the ioredis and node-redis instrumentations: command latency and errors by family, and
 * the INFO sampler (memory used and max, evicted keys, connected clients) on an unref'd timer, off the request
 * path. Recording never throws into a command.
 */
import { catalogue, TillwatchConfigError, type ConfigIssue } from '@tillwatch/spec';
import type { Logger } from 'pino';
import type { MetricRegistrar } from '../metrics/metric-registrar.ts';
import { commandFamily } from './command-family.ts';

export interface RedisTelemetryHost {
  readonly metrics: MetricRegistrar;
  readonly logger: Pick<Logger, 'warn'>;
}

export interface RedisInstrumentationOptions {
  /** The `connection` label. Default `default`. */
  readonly connection?: string;
  /** How often INFO is sampled; 0 turns sampling off. Default 15 000 ms. */
  readonly infoIntervalMs?: number;
}

const m = catalogue.metrics.redis;
const DEFAULT_INFO_INTERVAL_MS = 15_000;

/** `key:value` lines of an INFO reply. */
export function parseInfo(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) out.set(line.slice(0, i), line.slice(i + 1).trim());
  }
  return out;
}

export class RedisTelemetry {
  readonly connection: string;
  readonly infoIntervalMs: number;
  readonly #duration;
  readonly #errors;
  readonly #memoryUsed;
  readonly #memoryMax;
  readonly #evicted;
  readonly #clients;
  readonly #logger: Pick<Logger, 'warn'>;
  #lastEvicted: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #warned = false;

  constructor(host: RedisTelemetryHost, opts: RedisInstrumentationOptions = {}) {
    const connection = opts.connection ?? 'default';
    const interval = opts.infoIntervalMs ?? DEFAULT_INFO_INTERVAL_MS;
    const issues: ConfigIssue[] = [];
    if (typeof connection !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(connection)) issues.push({ option: 'connection', expected: 'letters, digits and _.- (1 to 64)', got: JSON.stringify(connection), code: 'TW_ERR_CONFIG_INVALID' });
    if (!Number.isInteger(interval) || interval < 0 || (interval > 0 && interval < 100)) issues.push({ option: 'infoIntervalMs', expected: '0 (off) or an integer of at least 100', got: String(interval), code: 'TW_ERR_CONFIG_INVALID' });
    if (issues.length > 0) throw new TillwatchConfigError(issues);
    this.connection = connection;
    this.infoIntervalMs = interval;
    this.#logger = host.logger;
    this.#duration = host.metrics.register(m.commandDuration);
    this.#errors = host.metrics.register(m.commandErrors);
    this.#memoryUsed = host.metrics.register(m.memoryUsed);
    this.#memoryMax = host.metrics.register(m.memoryMax);
    this.#evicted = host.metrics.register(m.evictedKeys);
    this.#clients = host.metrics.register(m.connectedClients);
  }

  /** One command, by name. */
  command(name: string, seconds: number, failed: boolean): void {
    try {
      const labels = { connection: this.connection, family: commandFamily(name) };
      this.#duration.observe(labels, seconds);
      if (failed) this.#errors.inc(labels);
    } catch {
      // telemetry never breaks a command
    }
  }

  /** Applies one INFO reply to the gauges. */
  applyInfo(text: string): void {
    const info = parseInfo(text);
    const labels = { connection: this.connection };
    const num = (k: string) => {
      const v = Number(info.get(k));
      return Number.isFinite(v) ? v : undefined;
    };
    const used = num('used_memory');
    const max = num('maxmemory');
    const clients = num('connected_clients');
    const evicted = num('evicted_keys');
    if (used !== undefined) this.#memoryUsed.set(labels, used);
    if (max !== undefined) this.#memoryMax.set(labels, max);
    if (clients !== undefined) this.#clients.set(labels, clients);
    if (evicted !== undefined) {
      // The server's counter restarts with the server: a drop means a restart, and all of it is new.
      const delta = this.#lastEvicted === undefined ? evicted : evicted >= this.#lastEvicted ? evicted - this.#lastEvicted : evicted;
      this.#lastEvicted = evicted;
      this.#evicted.inc(labels, delta);
    }
  }

  /** Samples INFO every `infoIntervalMs` (and once now) with `info()`, until {@link stop}. */
  startSampling(info: () => Promise<string>): void {
    if (this.infoIntervalMs === 0 || this.#timer !== undefined) return;
    const sample = async (): Promise<void> => {
      try {
        this.applyInfo(await info());
        this.#warned = false;
      } catch (err) {
        if (!this.#warned) {
          this.#warned = true;
          this.#logger.warn({ code: 'TWWRN301', connection: this.connection, err }, 'sampling Redis INFO failed; its gauges keep their last values');
        }
      }
    };
    void sample();
    this.#timer = setInterval(() => void sample(), this.infoIntervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

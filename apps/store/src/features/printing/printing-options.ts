/**
 * Printing's own settings, read from the store's environment (`deps.config.env`) once at start-up.
 *
 * | variable                  | default               | meaning |
 * | ------------------------- | --------------------- | ------- |
 * | PRINTER_AGENT_SECRET      | a development default | key the per-branch agent tokens derive from (>= 32 characters); warn when unset |
 * | PRINT_ACK_TIMEOUT_MS      | 10000                 | a dispatched job not acknowledged within this fails as `timeout` |
 * | PRINTER_PING_INTERVAL_MS  | 5000                  | heartbeat period; the pong round trip grades the connection |
 * | PRINTER_MAX_MISSED_PONGS  | 3                     | pongs missed in a row before the agent is dropped |
 */
import { envInt, StoreConfigError, type ConfigIssue, type Env } from '../../config.ts';

export interface PrintingOptions {
  readonly agentSecret: string;
  readonly agentSecretIsDefault: boolean;
  readonly ackTimeoutMs: number;
  readonly pingIntervalMs: number;
  readonly maxMissedPongs: number;
}

/** Used only when PRINTER_AGENT_SECRET is unset (development, tests, `npm run simulate`). */
export const DEV_PRINTER_AGENT_SECRET = 'tillwatch-store-printer-agents-development-secret';

/** @throws StoreConfigError naming every invalid variable. */
export function readPrintingOptions(env: Env): PrintingOptions {
  const issues: ConfigIssue[] = [];
  const int = (name: string, def: number, min: number, max: number): number => envInt(env, issues, name, def, min, max);
  const rawSecret = env.PRINTER_AGENT_SECRET?.trim() || undefined;
  if (rawSecret !== undefined && rawSecret.length < 32) {
    issues.push({ variable: 'PRINTER_AGENT_SECRET', expected: 'at least 32 characters', got: `a value of ${rawSecret.length} characters` });
  }
  const options: PrintingOptions = {
    agentSecret: rawSecret ?? DEV_PRINTER_AGENT_SECRET,
    agentSecretIsDefault: rawSecret === undefined,
    ackTimeoutMs: int('PRINT_ACK_TIMEOUT_MS', 10_000, 10, 300_000),
    pingIntervalMs: int('PRINTER_PING_INTERVAL_MS', 5000, 10, 600_000),
    maxMissedPongs: int('PRINTER_MAX_MISSED_PONGS', 3, 1, 100),
  };
  if (issues.length > 0) throw new StoreConfigError(issues);
  return Object.freeze(options);
}

import { statfs } from 'node:fs/promises';
import { TillwatchConfigError, type ConfigIssue } from '@tillwatch/spec';
import type { HealthCheck } from '../health-check.ts';
import { commonFields, type CommonCheckOptions } from './check-options.ts';

export interface DiskSpaceCheckOptions extends CommonCheckOptions {
  /** Default `disk`. */
  name?: string;
  /** Any path on the filesystem to watch (a spool or log directory). */
  path: string;
  /** Fail below this many free bytes. */
  minFreeBytes?: number;
  /** Fail below this fraction (0..1) of the filesystem free. Default 0.05 when neither minimum is given. */
  minFreeRatio?: number;
}

/** Used when neither minimum is given: 5 % free is where most filesystems start to fragment and alerts fire. */
export const DEFAULT_MIN_FREE_RATIO = 0.05;

/**
 * Checks free space with `fs.promises.statfs`. Counts the blocks available to unprivileged users
 * (`bavail`), the ones the service can actually write, not the root-reserved ones.
 *
 * A full disk stops offline-sale spools and receipt queues from writing; consider `required: false`
 * so the pod is reported `degraded` rather than taken out of rotation, which frees no space.
 * @throws TillwatchConfigError (start-up) for a negative or out-of-range minimum.
 * @example
 * ```ts
 * health.add(diskSpaceCheck({ path: '/var/spool/pos', minFreeBytes: 512 * 1024 ** 2, required: false }));
 * ```
 */
export function diskSpaceCheck(opts: DiskSpaceCheckOptions): HealthCheck {
  const name = opts.name ?? 'disk';
  const minFreeBytes = opts.minFreeBytes;
  const minFreeRatio = opts.minFreeRatio ?? (minFreeBytes === undefined ? DEFAULT_MIN_FREE_RATIO : undefined);
  const issues: ConfigIssue[] = [];
  if (minFreeBytes !== undefined && !(Number.isFinite(minFreeBytes) && minFreeBytes >= 0)) {
    issues.push({ option: `diskSpaceCheck ${JSON.stringify(name)}.minFreeBytes`, expected: 'a number >= 0', got: String(minFreeBytes), code: 'TW_ERR_HEALTH_INVALID_CHECK' });
  }
  if (minFreeRatio !== undefined && !(minFreeRatio >= 0 && minFreeRatio <= 1)) {
    issues.push({ option: `diskSpaceCheck ${JSON.stringify(name)}.minFreeRatio`, expected: 'a number between 0 and 1', got: String(minFreeRatio), code: 'TW_ERR_HEALTH_INVALID_CHECK' });
  }
  if (issues.length > 0) throw new TillwatchConfigError(issues);

  return {
    name,
    ...commonFields(opts),
    async run() {
      const s = await statfs(opts.path);
      const free = s.bavail * s.bsize;
      const total = s.blocks * s.bsize;
      const ratio = total > 0 ? free / total : 0;
      const details = { free_bytes: free, total_bytes: total, free_ratio: Math.round(ratio * 10_000) / 10_000 };
      if (minFreeBytes !== undefined && free < minFreeBytes) {
        throw new Error(`${formatBytes(free)} free on ${opts.path}, below minFreeBytes ${formatBytes(minFreeBytes)}`);
      }
      if (minFreeRatio !== undefined && ratio < minFreeRatio) {
        throw new Error(`${formatPercent(ratio)} free on ${opts.path}, below minFreeRatio ${formatPercent(minFreeRatio)}`);
      }
      return details;
    },
  };
}

function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

function formatPercent(r: number): string {
  return `${Math.round(r * 1000) / 10}%`;
}

/**
 * Resolves true once tillwatch's startup probe passes (store.ts marks the store started after migrations,
 * seed and the start of delivery), false when `cancelled()` turns true first. Feature workers wait for it:
 * their queues and tables exist from then on. Polls: start-up takes seconds.
 */
import type { StoreDeps } from '../deps.ts';

export function whenStoreStarted(deps: StoreDeps, cancelled: () => boolean): Promise<boolean> {
  return new Promise((resolve) => {
    const check = (): void => {
      if (cancelled()) return resolve(false);
      if (deps.tw.health.startup().httpStatus === 200) return resolve(true);
      setTimeout(check, 50).unref();
    };
    check();
  });
}

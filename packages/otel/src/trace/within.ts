/**
 * Resolves true when `p` settles (fulfilled) within `timeoutMs`, false on timeout or rejection. Never
 * rejects. The timer is unref'd: waiting for a flush never keeps the process alive by itself.
 */
export function within(p: Promise<unknown>, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), Math.max(0, timeoutMs));
    timer.unref();
    p.then(
      () => {
        clearTimeout(timer);
        resolve(true);
      },
      () => {
        clearTimeout(timer);
        resolve(false);
      },
    );
  });
}

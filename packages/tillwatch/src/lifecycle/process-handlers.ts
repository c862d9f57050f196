/**
 * The process-wide handlers graceful shutdown and crash handling need: SIGTERM/SIGINT, and
 * uncaughtException/unhandledRejection. With an `uncaughtException` listener present Node no longer prints the
 * error and exits; from then on the caller owns the crash path (Node.js docs, "Warning: Using
 * 'uncaughtException' correctly").
 */

export interface ProcessHandlers {
  /** Installed when set: SIGTERM and SIGINT. */
  readonly onSignal?: (signal: NodeJS.Signals) => void;
  /** Installed together with `onUnhandledRejection` when both are set. */
  readonly onUncaughtException?: (error: unknown) => void;
  readonly onUnhandledRejection?: (reason: unknown) => void;
}

/** Installs the handlers given; returns a function that removes exactly those again. */
export function installProcessHandlers(handlers: ProcessHandlers): () => void {
  const removers: (() => void)[] = [];
  const { onSignal, onUncaughtException, onUnhandledRejection } = handlers;
  if (onSignal !== undefined) {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.on(signal, onSignal);
      removers.push(() => process.removeListener(signal, onSignal));
    }
  }
  if (onUncaughtException !== undefined && onUnhandledRejection !== undefined) {
    process.on('uncaughtException', onUncaughtException);
    process.on('unhandledRejection', onUnhandledRejection);
    removers.push(
      () => process.removeListener('uncaughtException', onUncaughtException),
      () => process.removeListener('unhandledRejection', onUnhandledRejection),
    );
  }
  return () => {
    for (const remove of removers) remove();
  };
}

/**
 * A React error boundary that reports what it catches, once, with the component stack, through
 * `@sentry/browser` (so the report is scrubbed by `init()`'s hooks and carries the breadcrumbs and
 * the correlation id of the last API call). React 19 passes errors caught by a boundary to
 * `onCaughtError` (console.error by default), not to `window.onerror`, so there is no second report.
 */
import { captureException, withScope } from '@sentry/browser';
import { Component, type ErrorInfo, type ReactNode } from 'react';

export interface ErrorBoundaryFallbackProps {
  readonly error: unknown;
  /** The Sentry event id, when the report was queued. */
  readonly eventId: string | undefined;
  /** Clears the error and renders the children again. */
  readonly reset: () => void;
}

export interface ErrorBoundaryProps {
  /** Rendered instead of the children after an error. */
  readonly fallback: ReactNode | ((props: ErrorBoundaryFallbackProps) => ReactNode);
  /** Called after the error was reported. */
  readonly onError?: (error: unknown, eventId: string | undefined) => void;
  readonly children?: ReactNode;
}

interface ErrorBoundaryState {
  readonly error: unknown;
  readonly hasError: boolean;
  readonly eventId: string | undefined;
}

/**
 * Catches render errors below it and reports them.
 * @example
 * createElement(ErrorBoundary, { fallback: createElement('p', null, 'Something went wrong') }, createElement(App));
 * // in JSX: <ErrorBoundary fallback={({ reset }) => <button onClick={reset}>Retry</button>}><App /></ErrorBoundary>
 */
export class ErrorBoundary extends Component<ErrorBoundaryProps, ErrorBoundaryState> {
  override state: ErrorBoundaryState = { error: undefined, hasError: false, eventId: undefined };

  static getDerivedStateFromError(error: unknown): Partial<ErrorBoundaryState> {
    return { error, hasError: true };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    let eventId: string | undefined;
    try {
      eventId = withScope((scope) => {
        scope.setContext('react', { componentStack: info.componentStack ?? '' });
        scope.setTag('error_boundary', 'true');
        return captureException(error, { mechanism: { type: 'react.errorboundary', handled: true } });
      });
    } catch {
      // telemetry must never break the page
    }
    this.setState({ eventId });
    try {
      this.props.onError?.(error, eventId);
    } catch {
      // a failing callback must not hide the fallback
    }
  }

  reset = (): void => {
    this.setState({ error: undefined, hasError: false, eventId: undefined });
  };

  override render(): ReactNode {
    if (!this.state.hasError) return this.props.children;
    const f = this.props.fallback;
    return typeof f === 'function' ? f({ error: this.state.error, eventId: this.state.eventId, reset: this.reset }) : f;
  }
}

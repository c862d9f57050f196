/**
 * Entry point of the cashier page: reads the runtime config the store serves at /pos/config.json
 * (Sentry DSN, release, environment, API base; set by POS_* variables, see pos-static.ts), starts
 * @tillwatch/browser before the first render and the first API call, then renders the till under the
 * error boundary.
 */
import { ErrorBoundary, init } from '@tillwatch/browser';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { createApi } from './api.ts';
import type { PosConfig } from './api.ts';

async function loadConfig(): Promise<PosConfig> {
  const res = await fetch(`${import.meta.env.BASE_URL}config.json`, { cache: 'no-store' });
  if (!res.ok) throw new Error(`could not load /pos/config.json: HTTP ${res.status}`);
  return (await res.json()) as PosConfig;
}

async function main(): Promise<void> {
  const config = await loadConfig();
  const tw = init({
    dsn: config.sentry_dsn ?? undefined,
    release: config.release,
    environment: config.environment,
    apiBase: config.api_base,
    tags: { app: 'pos', location: config.location, terminal: config.terminal },
  });
  const api = createApi(tw.fetch, config.api_base);
  const root = document.getElementById('root');
  if (!root) throw new Error('#root is missing');
  createRoot(root).render(
    <StrictMode>
      <ErrorBoundary
        fallback={({ eventId, reset }) => (
          <div role="alert" data-testid="ui-error">
            <h2>Something went wrong on this till.</h2>
            <p>
              It was reported{eventId ? <> as <code data-testid="event-id">{eventId}</code></> : null}. Your order is safe on the server.
            </p>
            <button type="button" onClick={reset}>
              Back to the till
            </button>
          </div>
        )}
      >
        <App api={api} logger={tw.logger} config={config} />
      </ErrorBoundary>
    </StrictMode>,
  );
}

main().catch((err: unknown) => {
  const root = document.getElementById('root');
  if (root) root.textContent = `The till could not start: ${err instanceof Error ? err.message : String(err)}`;
});

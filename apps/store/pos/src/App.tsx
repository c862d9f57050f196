/**
 * The till: sign in, pick products, ring up the order, take cash, complete. Every API call goes
 * through @tillwatch/browser, so the report of a later UI error carries the correlation id of the
 * last call, and the store's access-log line with that id explains what the back end did.
 *
 * "Force UI error" throws during render, to show (and test) the path of a real UI bug: the error
 * boundary reports it once, with the breadcrumbs so far, scrubbed in the page. Before throwing it
 * logs a diagnostic breadcrumb holding the session's Authorization header and cookies, and the
 * thrown message quotes the order note: both are what a careless real bug leaks, and both must
 * arrive scrubbed (no card number, CVV, token or cookie; see apps/store/test/pos-browser.test.ts).
 */
import type { BrowserLogger } from '@tillwatch/browser';
import { useEffect, useMemo, useState } from 'react';
import { ApiError, type Api, type Order, type PosConfig, type Product } from './api.ts';

interface Props {
  readonly api: Api;
  readonly logger: BrowserLogger;
  readonly config: PosConfig;
}

function money(cents: number): string {
  return `$${(cents / 100).toFixed(2)}`;
}

function describeError(e: unknown): string {
  if (e instanceof ApiError) return `${e.code}: ${e.message}${e.correlationId ? ` (ref ${e.correlationId})` : ''}`;
  return e instanceof Error ? e.message : String(e);
}

/** Throws while rendering: a stand-in for a real render bug. */
function CrashingReceipt({ note }: { readonly note: string }): never {
  throw new Error(`forced UI error while rendering the receipt; note: ${note}`);
}

export function App({ api, logger, config }: Props) {
  const [token, setToken] = useState<string | null>(null);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [products, setProducts] = useState<Product[]>([]);
  const [cart, setCart] = useState<Record<string, number>>({});
  const [note, setNote] = useState('');
  const [order, setOrder] = useState<Order | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [crash, setCrash] = useState(false);

  useEffect(() => {
    if (!token) return;
    api
      .products(token)
      .then(setProducts)
      .catch((e: unknown) => {
        setMessage(describeError(e));
        logger.error('could not load products', e);
      });
  }, [api, logger, token]);

  const lines = useMemo(() => Object.entries(cart).filter(([, q]) => q > 0), [cart]);
  const subtotal = lines.reduce((s, [sku, q]) => s + (products.find((p) => p.sku === sku)?.price ?? 0) * q, 0);

  const run = async (what: string, fn: () => Promise<void>): Promise<void> => {
    setBusy(true);
    setMessage(null);
    try {
      await fn();
    } catch (e) {
      setMessage(describeError(e));
      // 4xx answers are the cashier's to fix (declined, out of stock): breadcrumbs, not reports.
      if (e instanceof ApiError && e.status < 500) logger.warn(`${what} refused`, { code: e.code, status: e.status });
      else logger.error(`${what} failed`, e);
    } finally {
      setBusy(false);
    }
  };

  const login = (ev: React.FormEvent): void => {
    ev.preventDefault();
    void run('login', async () => {
      const r = await api.login(username, password);
      setToken(r.token);
      setPassword('');
      logger.info('signed in', { role: r.user.role });
    });
  };

  const ringUp = (): void => {
    if (!token) return;
    void run('ring up', async () => {
      const o = await api.createOrder(token, {
        location: config.location,
        terminal: config.terminal,
        items: lines.map(([sku, quantity]) => ({ sku, quantity })),
      });
      setOrder(o);
      logger.info('order rung up', { order_id: o.id, total: o.total, lines: o.items.length });
    });
  };

  const payCash = (): void => {
    if (!token || !order) return;
    void run('cash payment', async () => {
      let o = order;
      if (o.age_restricted) o = await api.verifyAgeVisually(token, o.id);
      o = await api.payCash(token, o.id, o.total);
      o = await api.complete(token, o.id);
      setOrder(o);
      setCart({});
      logger.info('order completed', { order_id: o.id, status: o.status });
    });
  };

  const forceUiError = (): void => {
    logger.info('note before the forced error', { note });
    // A diagnostic a careless bug might log: the hooks of init() must scrub it (see the file comment).
    logger.warn('session diagnostics', {
      headers: { Authorization: `Bearer ${token ?? ''}`, Cookie: document.cookie },
      note,
    });
    setCrash(true);
  };

  if (!token) {
    return (
      <form onSubmit={login} aria-label="Sign in">
        <h1>Till {config.terminal} · {config.location}</h1>
        <label>
          User <input name="username" value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="username" />
        </label>
        <label>
          Password <input name="password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="current-password" />
        </label>
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        {message ? <p role="status" data-testid="message">{message}</p> : null}
      </form>
    );
  }

  return (
    <main>
      <h1>Till {config.terminal} · {config.location}</h1>
      <section aria-label="Products">
        <h2>Products</h2>
        <ul data-testid="products">
          {products.map((p) => (
            <li key={p.sku}>
              <button type="button" data-sku={p.sku} onClick={() => setCart((c) => ({ ...c, [p.sku]: (c[p.sku] ?? 0) + 1 }))} disabled={busy}>
                Add {p.name}
              </button>{' '}
              {money(p.price)}
              {p.age_restricted ? ' (21+)' : ''}
            </li>
          ))}
        </ul>
      </section>
      <section aria-label="Order">
        <h2>Order</h2>
        <ul data-testid="cart">
          {lines.map(([sku, q]) => (
            <li key={sku}>
              {q} × {products.find((p) => p.sku === sku)?.name ?? sku}
            </li>
          ))}
        </ul>
        <p>Subtotal {money(subtotal)}</p>
        <label>
          Note <input name="note" value={note} onChange={(e) => setNote(e.target.value)} />
        </label>
        <div>
          <button type="button" onClick={ringUp} disabled={busy || lines.length === 0 || (order !== null && order.status !== 'completed')}>
            Ring up
          </button>
          <button type="button" onClick={payCash} disabled={busy || order === null || order.status !== 'open'}>
            Pay cash
          </button>
          <button type="button" onClick={forceUiError} data-testid="force-ui-error">
            Force UI error
          </button>
        </div>
        {order ? (
          <p data-testid="order" data-order-id={order.id} data-status={order.status}>
            Order {order.id}: {order.status}, total {money(order.total)}
          </p>
        ) : null}
        {message ? <p role="status" data-testid="message">{message}</p> : null}
        {crash ? <CrashingReceipt note={note} /> : null}
      </section>
    </main>
  );
}

/**
 * The store API calls the till makes (docs/api.md), all through @tillwatch/browser's fetch so each
 * carries X-Correlation-ID and traceparent and is recorded for the next error report.
 */
import type { ApiFetch } from '@tillwatch/browser';

/** What GET /pos/config.json answers. */
export interface PosConfig {
  readonly sentry_dsn: string | null;
  readonly release: string;
  readonly environment: string;
  /** Base URL of the API, ending in `/`; the store itself by default. */
  readonly api_base: string;
  readonly location: string;
  readonly terminal: string;
}

export interface Product {
  readonly sku: string;
  readonly name: string;
  readonly category: string;
  readonly price: number;
  readonly age_restricted: boolean;
}

export interface Order {
  readonly id: string;
  readonly status: string;
  readonly total: number;
  readonly currency: string;
  readonly age_restricted: boolean;
  readonly items: readonly { sku: string; name: string; quantity: number; line_total: number }[];
  readonly payments: readonly { method: string; amount: number; change_due: number | null }[];
}

/** A non-2xx answer, with the store's error code and the correlation id to quote to support. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly correlationId: string | null;
  constructor(status: number, code: string, message: string, correlationId: string | null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.correlationId = correlationId;
  }
}

export interface Api {
  login(username: string, password: string): Promise<{ token: string; user: { username: string; role: string } }>;
  products(token: string): Promise<Product[]>;
  createOrder(token: string, body: { location: string; terminal: string; items: { sku: string; quantity: number }[] }): Promise<Order>;
  verifyAgeVisually(token: string, orderId: string): Promise<Order>;
  payCash(token: string, orderId: string, amount: number): Promise<Order>;
  complete(token: string, orderId: string): Promise<Order>;
}

export function createApi(apiFetch: ApiFetch, base: string): Api {
  const call = async <T,>(method: string, path: string, token: string | undefined, body?: unknown): Promise<T> => {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await apiFetch(new URL(path.replace(/^\//, ''), new URL(base, location.href)).href, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    const json = text === '' ? undefined : (JSON.parse(text) as unknown);
    if (!res.ok) {
      const e = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new ApiError(res.status, e?.code ?? 'HTTP_ERROR', e?.message ?? `HTTP ${res.status}`, res.headers.get('x-correlation-id'));
    }
    return json as T;
  };
  return {
    login: (username, password) => call('POST', '/auth/login', undefined, { username, password }),
    products: async (token) => (await call<{ products: Product[] }>('GET', '/products', token)).products,
    createOrder: (token, body) => call('POST', '/orders', token, { ...body, channel: 'in_store' }),
    verifyAgeVisually: async (token, id) =>
      (await call<{ order: Order }>('POST', `/orders/${encodeURIComponent(id)}/age-verification`, token, { method: 'visual', over_25: true })).order,
    payCash: (token, id, amount) => call('POST', `/orders/${encodeURIComponent(id)}/pay`, token, { method: 'cash', amount, cash_tendered: amount }),
    complete: (token, id) => call('POST', `/orders/${encodeURIComponent(id)}/complete`, token),
  };
}

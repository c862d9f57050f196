/**
 * The cashier page at /pos: the Vite build of apps/store/pos (`npm run build:pos`) plus its runtime
 * config at /pos/config.json, so one build runs against any Sentry project and API.
 *
 * | variable         | default                         | meaning |
 * | ---------------- | ------------------------------- | ------- |
 * | POS_SENTRY_DSN   | (unset: the page reports nothing) | Sentry DSN of the front end (a browser project, not the store's SENTRY_DSN) |
 * | POS_RELEASE      | pos@<service.version>           | release of the page's reports |
 * | POS_ENVIRONMENT  | the service's environment       | environment of the page's reports |
 * | POS_API_BASE     | /                               | base URL of the store API, as the browser sees it |
 * | POS_TERMINAL     | till-1                          | terminal id the till rings orders up on |
 * | POS_LOCATION     | the first of LOCATIONS          | location the till belongs to |
 * | POS_DIST_DIR     | apps/store/pos/dist             | where the built page is |
 *
 * Hashed assets are cached for a year (immutable); index.html and config.json never, so a deploy
 * takes effect on the next load. Source maps are built "hidden" and not served: they go to Sentry.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { StoreDeps } from '../deps.ts';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

const DEFAULT_DIST = fileURLToPath(new URL('../../pos/dist/', import.meta.url));

/** The runtime config the page reads before it starts (apps/store/pos/src/api.ts `PosConfig`). */
export interface PosRuntimeConfig {
  sentry_dsn: string | null;
  release: string;
  environment: string;
  api_base: string;
  location: string;
  terminal: string;
}

function read(env: StoreDeps['config']['env'], name: string): string | undefined {
  const v = env[name]?.trim();
  return v === undefined || v === '' ? undefined : v;
}

/** Reads the POS_* variables. @throws naming the variable, when POS_SENTRY_DSN or POS_API_BASE is not a URL. */
function posRuntimeConfig(deps: StoreDeps): PosRuntimeConfig {
  const env = deps.config.env;
  const dsn = read(env, 'POS_SENTRY_DSN');
  if (dsn !== undefined) {
    let ok = false;
    try {
      ok = ['http:', 'https:'].includes(new URL(dsn).protocol);
    } catch {
      ok = false;
    }
    if (!ok) throw new Error(`invalid store configuration: POS_SENTRY_DSN: expected a Sentry DSN (https://<key>@<host>/<project>), got a value of ${dsn.length} characters`);
  }
  const apiBase = read(env, 'POS_API_BASE') ?? '/';
  try {
    new URL(apiBase, 'http://localhost');
  } catch {
    throw new Error(`invalid store configuration: POS_API_BASE: expected a URL or an absolute path, got ${JSON.stringify(apiBase.slice(0, 40))}`);
  }
  const service = deps.tw.options.service;
  return {
    sentry_dsn: dsn ?? null,
    release: read(env, 'POS_RELEASE') ?? `pos@${service.version ?? '0.0.0'}`,
    environment: read(env, 'POS_ENVIRONMENT') ?? service.environment ?? 'production',
    api_base: apiBase.endsWith('/') ? apiBase : `${apiBase}/`,
    location: read(env, 'POS_LOCATION') ?? deps.config.locations[0] ?? 'store-001',
    terminal: read(env, 'POS_TERMINAL') ?? 'till-1',
  };
}

function securityHeaders(reply: FastifyReply, config: PosRuntimeConfig): void {
  const connect = new Set(["'self'"]);
  for (const u of [config.sentry_dsn, config.api_base]) {
    try {
      if (u && /^https?:/.test(u)) connect.add(new URL(u).origin);
    } catch {
      // validated at start-up
    }
  }
  reply.header(
    'content-security-policy',
    `default-src 'self'; script-src 'self'; connect-src ${[...connect].join(' ')}; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'`,
  );
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'same-origin');
}

/** Registers GET /pos, /pos/config.json and /pos/* (static files; unknown non-asset paths get index.html). */
export async function posStatic(app: FastifyInstance, deps: StoreDeps): Promise<void> {
  const config = posRuntimeConfig(deps);
  const dist = resolve(read(deps.config.env, 'POS_DIST_DIR') ?? DEFAULT_DIST);

  const sendFile = async (reply: FastifyReply, rel: string): Promise<FastifyReply> => {
    const file = resolve(dist, rel);
    if (file !== dist && !file.startsWith(dist + sep)) return reply.code(404).type('text/plain').send('not found');
    const ext = extname(file);
    const type = CONTENT_TYPES[ext];
    let body: Buffer;
    try {
      if (type === undefined || !(await stat(file)).isFile()) return reply.code(404).type('text/plain').send('not found');
      body = await readFile(file);
    } catch {
      if (rel === 'index.html') {
        return reply.code(503).type('text/plain').send('the cashier page is not built: run `npm run build:pos` at the repo root');
      }
      return reply.code(404).type('text/plain').send('not found');
    }
    securityHeaders(reply, config);
    reply.header('cache-control', rel.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    return reply.type(type).send(body);
  };

  app.get('/pos', async (_request, reply) => sendFile(reply, 'index.html'));
  app.get('/pos/config.json', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    return config;
  });
  app.get('/pos/*', async (request, reply) => {
    const rest = (request.params as { '*': string })['*'];
    let rel: string;
    try {
      rel = decodeURIComponent(rest);
    } catch {
      return reply.code(404).type('text/plain').send('not found');
    }
    if (rel === '' || (!rel.startsWith('assets/') && extname(rel) === '')) rel = 'index.html'; // client-side routes
    return sendFile(reply, rel);
  });
}

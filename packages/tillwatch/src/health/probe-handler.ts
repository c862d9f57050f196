/**
 * Serves the probes over node:http, for the node:http adapter and the management server.
 *
 * Exact paths only (`/health/ready/` or `/health/readyz` are not probes), query strings ignored,
 * GET and HEAD only. Answers are JSON with `Cache-Control: no-store`: a cached "ok" from a proxy
 * would hide an outage from whoever is probing.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { managementPaths } from '@tillwatch/spec';
import type { ProbeResponse } from './probe-response.ts';

/** The probes the handler serves; {@link Health} is one. */
export interface ProbeSource {
  live(): ProbeResponse;
  ready(): Promise<ProbeResponse>;
  startup(): ProbeResponse;
  summary(): Promise<ProbeResponse>;
}

const INTERNAL_FAILURE: ProbeResponse = Object.freeze({ httpStatus: 503, body: Object.freeze({ status: 'fail', error: 'probe failed internally' }) });
const METHOD_NOT_ALLOWED = JSON.stringify({ status: 'fail', error: 'method not allowed: use GET or HEAD' });

/**
 * Builds the handler.
 * @param basePath `health.basePath`, e.g. `/health`; the summary is served there, the probes below it.
 * @returns a function that answers and returns true for a health path, or returns false and leaves
 * `res` alone for any other path.
 */
export function createProbeHandler(probes: ProbeSource, basePath: string): (req: IncomingMessage, res: ServerResponse) => boolean {
  const paths = managementPaths(basePath);
  const routes = new Map<string, () => ProbeResponse | Promise<ProbeResponse>>([
    [paths.healthSummary, () => probes.summary()],
    [paths.probes.live, () => probes.live()],
    [paths.probes.ready, () => probes.ready()],
    [paths.probes.startup, () => probes.startup()],
  ]);
  // Frozen responses are shared between probes (cached readiness, startup): serialise each once.
  const serialised = new WeakMap<ProbeResponse, string>();
  const toJson = (r: ProbeResponse): string => {
    const known = serialised.get(r);
    if (known !== undefined) return known;
    let json: string;
    try {
      json = JSON.stringify(r.body);
    } catch {
      // A check returned details JSON cannot express (a BigInt, a cycle): keep the verdict, drop the body.
      json = JSON.stringify({ status: r.body.status, error: 'probe body could not be serialised' });
    }
    if (Object.isFrozen(r)) serialised.set(r, json);
    return json;
  };

  return (req, res) => {
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const probe = routes.get(q === -1 ? url : url.slice(0, q));
    if (probe === undefined) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(req, res, 405, METHOD_NOT_ALLOWED, 'GET, HEAD');
      return true;
    }
    let answer: ProbeResponse | Promise<ProbeResponse>;
    try {
      answer = probe();
    } catch {
      answer = INTERNAL_FAILURE;
    }
    if (answer instanceof Promise) {
      answer.then(
        (r) => send(req, res, r.httpStatus, toJson(r)),
        () => send(req, res, 503, toJson(INTERNAL_FAILURE)),
      );
    } else {
      send(req, res, answer.httpStatus, toJson(answer));
    }
    return true;
  };
}

function send(req: IncomingMessage, res: ServerResponse, status: number, json: string, allow?: string): void {
  // The client may have gone away while the checks ran.
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string | number> = {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(json),
  };
  if (allow !== undefined) headers.allow = allow;
  res.writeHead(status, headers);
  res.end(req.method === 'HEAD' ? undefined : json);
}

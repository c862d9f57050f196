/**
 * The audit trail over HTTP (admin only):
 *
 * | method | path | query | answer |
 * | --- | --- | --- | --- |
 * | GET | /admin/audit | `?limit&before&target&action` | `{ records, next }`, newest first; `next` is the `before` of the next page |
 * | GET | /admin/audit/verify | | `{ ok, records, checkpoints, last_seq, failure?, key_id, public_key }`: the chain (archived segments, when archival is on, then the live table) and the signed checkpoints checked now |
 */
import type { FastifyInstance } from 'fastify';
import { listAuditRecords } from '@tillwatch/audit';
import { requireRole } from '../auth/auth-plugin.ts';
import type { StoreDeps } from '../deps.ts';
import { invalid } from '../http/validate.ts';

function intOf(raw: unknown, name: string, min: number, max: number): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(n >= min && n <= max)) throw invalid(name, `an integer between ${min} and ${max}`, raw);
  return n;
}

function textOf(raw: unknown, name: string): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string' || raw.length > 256) throw invalid(name, 'a string of at most 256 characters', raw);
  return raw;
}

export async function auditRoutes(app: FastifyInstance, deps: StoreDeps): Promise<void> {
  app.get('/admin/audit', { preHandler: requireRole('admin') }, async (request) => {
    const q = (request.query ?? {}) as Record<string, unknown>;
    const limit = intOf(q.limit, 'limit', 1, 500) ?? 50;
    const records = await listAuditRecords(deps.db, { limit, beforeSeq: intOf(q.before, 'before', 1, Number.MAX_SAFE_INTEGER), target: textOf(q.target, 'target'), action: textOf(q.action, 'action') });
    return {
      records: records.map((r) => ({ ...r, before: JSON.parse(r.before) as unknown, after: JSON.parse(r.after) as unknown })),
      next: records.length === limit ? records.at(-1)?.seq : undefined,
    };
  });

  app.get('/admin/audit/verify', { preHandler: requireRole('admin') }, async () => {
    // With scheduled archival, the archived segments first, then the live table, as one chain.
    const r = await deps.audit.log.verify(deps.db, deps.audit.archive === undefined ? {} : { archiveDir: deps.audit.archive.dir });
    return { ok: r.ok, records: r.records, checkpoints: r.checkpoints, last_seq: r.lastSeq ?? null, failure: r.failure ?? null, key_id: deps.audit.log.keyId, public_key: deps.audit.publicKeyPem };
  });
}

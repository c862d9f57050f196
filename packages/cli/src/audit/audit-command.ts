/**
 * `tillwatch audit verify`: checks a service's tamper-evident audit log (@tillwatch/audit) the way an auditor would,
 * from outside the service: the live table through the service's `DATABASE_URL` (from the environment only, never
 * printed), the archives of a directory, or both as one chain, against the signed checkpoints and the public key.
 *
 *   tillwatch audit verify [--public-key <pem>] [--checkpoints <jsonl>] [--archive <dir>] [--no-live] [--json]
 *
 * Exit 0 when everything verifies; 1 (TW_ERR_AUDIT_VERIFY_FAILED) with the first bad position otherwise.
 * Imports only @tillwatch/audit (Node built-ins) and, for the live table, the `pg` driver (an optional peer).
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { auditStream, parseCheckpoints, publicKeyFromPem, verifyChain, type AuditQueryable, type Checkpoint, type VerifyResult } from '@tillwatch/audit';
import { CliError } from '../cli-error.ts';

export const AUDIT_USAGE = `usage:
  tillwatch audit verify [--public-key <file.pem>] [--checkpoints <file.jsonl>] [--archive <dir>] [--no-live] [--json]
the live table: DATABASE_URL (the service's), from the environment; --archive: archived segments, verified before the live table`;

export interface AuditIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  out(text: string): void;
  err(text: string): void;
}

const OPTIONS = {
  'public-key': { type: 'string' },
  checkpoints: { type: 'string' },
  archive: { type: 'string' },
  'no-live': { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new CliError('TW_ERR_AUDIT_USAGE', `cannot read the ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

interface PgClientLike {
  connect(): Promise<unknown>;
  query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
  end(): Promise<void>;
  on(event: 'error', fn: (err: Error) => void): unknown;
}

async function connect(url: string): Promise<{ q: AuditQueryable; close(): Promise<void> }> {
  let pgModule: { default?: { Client: new (o: { connectionString: string }) => PgClientLike }; Client?: new (o: { connectionString: string }) => PgClientLike };
  try {
    pgModule = (await import('pg')) as typeof pgModule;
  } catch (err) {
    throw new CliError('TW_ERR_DELIVERY_MISSING_PEER', 'reading the live audit table needs the pg package: npm install pg@^8', { cause: err });
  }
  const Client = pgModule.default?.Client ?? pgModule.Client;
  if (Client === undefined) throw new CliError('TW_ERR_DELIVERY_MISSING_PEER', 'the pg package has no Client export');
  const client = new Client({ connectionString: url });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1 FROM audit_head LIMIT 1');
  } catch (err) {
    await client.end().catch(() => undefined);
    const code = (err as { code?: string }).code;
    throw new CliError('TW_ERR_AUDIT_UNAVAILABLE', code === '42P01' ? 'DATABASE_URL has no audit table (has the service run its migrations there?)' : `cannot reach the database of DATABASE_URL (${code ?? (err as Error).name})`);
  }
  return { q: { query: async <T>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as T[] }, close: () => client.end() };
}

function render(r: VerifyResult, json: boolean): string {
  if (json) return `${JSON.stringify({ ok: r.ok, records: r.records, checkpoints: r.checkpoints, last_seq: r.lastSeq ?? null, failure: r.failure ?? null })}\n`;
  if (r.ok) return `ok: ${r.records} record(s) chain up to seq ${r.lastSeq ?? '-'}; ${r.checkpoints} signed checkpoint(s) matched\n`;
  return `FAILED at seq ${r.failure?.seq}: ${r.failure?.problem}: ${r.failure?.detail}\n(${r.records} record(s) verified before it)\n`;
}

export async function runAudit(argv: readonly string[], io: AuditIo): Promise<VerifyResult | undefined> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === 'help') {
    io.out(`${AUDIT_USAGE}\n`);
    return undefined;
  }
  if (sub !== 'verify') throw new CliError('TW_ERR_AUDIT_USAGE', `unknown audit subcommand ${JSON.stringify(sub.slice(0, 40))}\n${AUDIT_USAGE}`);
  const { values } = parseArgs({ args: [...rest], options: OPTIONS, strict: true });
  if (values.help) {
    io.out(`${AUDIT_USAGE}\n`);
    return undefined;
  }
  const url = values['no-live'] ? undefined : io.env.DATABASE_URL?.trim() || undefined;
  if (url === undefined && values.archive === undefined) throw new CliError('TW_ERR_AUDIT_USAGE', `nothing to verify: set DATABASE_URL or give --archive\n${AUDIT_USAGE}`);
  let checkpoints: Checkpoint[] = [];
  if (values.checkpoints !== undefined) {
    try {
      checkpoints = parseCheckpoints(await readText(values.checkpoints, 'checkpoint file'));
    } catch (err) {
      if (err instanceof CliError) throw err;
      throw new CliError('TW_ERR_AUDIT_USAGE', `${values.checkpoints}: ${(err as Error).message}`);
    }
  }
  let publicKey;
  if (values['public-key'] !== undefined) {
    try {
      publicKey = publicKeyFromPem(await readText(values['public-key'], 'public key'));
    } catch (err) {
      if (err instanceof CliError) throw err;
      throw new CliError('TW_ERR_AUDIT_USAGE', `${values['public-key']}: not an Ed25519 public key in PEM`);
    }
  }
  if ((checkpoints.length > 0 || values.archive !== undefined) && publicKey === undefined) throw new CliError('TW_ERR_AUDIT_USAGE', 'checkpoints and archives are signed: give --public-key');
  const live = url === undefined ? undefined : await connect(url);
  try {
    const r = await verifyChain(auditStream({ ...(live ? { live: live.q } : {}), ...(values.archive ? { archiveDir: values.archive } : {}), ...(publicKey ? { publicKey } : {}) }), { checkpoints, ...(publicKey ? { publicKey } : {}) });
    io.out(render(r, values.json === true));
    if (!r.ok) throw new CliError('TW_ERR_AUDIT_VERIFY_FAILED', `the audit log does not verify: first bad position seq ${r.failure?.seq} (${r.failure?.problem})`);
    return r;
  } finally {
    await live?.close().catch(() => undefined);
  }
}

/**
 * `tillwatch dlq`: the dead-letter queues and the event-failure table of a service, read and acted on from a
 * terminal, through the same connection the service uses (`DATABASE_URL`; `REDIS_URL` with `--backend bullmq`).
 * Connection strings come from the environment only, never from arguments (they would land in shell history
 * and in `ps`), and are never printed.
 *
 *   tillwatch dlq list [--queue <q>] [--limit <n>] [--after <cursor>] [--json]
 *   tillwatch dlq show <id> [--json]
 *   tillwatch dlq count [--queue <q>]
 *   tillwatch dlq replay <id>... | --all [--queue <q>]   [--actor <name>]
 *   tillwatch dlq purge <id>... | --all [--queue <q>] --yes [--note <why>] [--actor <name>]
 *   tillwatch dlq failures [--state <s>] [--event <e>] [--limit <n>] [--json]
 *
 * Everything shown passed the shared redactor (tillwatch/delivery's dead-letter admin); replay and purge
 * write one audit line per queue to stderr (JSON, with the actor and the ids).
 */
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { createRedactor } from '@tillwatch/redact';
import {
  bullmqBackend,
  deadLetterAdmin,
  EVENT_FAILURE_STATES,
  pgBossBackend,
  sqlEventFailureStore,
  type DeadLetterAdmin,
  type DeadLetterAuditRecord,
  type DeliveryBackend,
  type EventFailureState,
} from 'tillwatch/delivery';
import { CliError } from '../cli-error.ts';
import { renderDeadLetter, renderDeadLetters, renderFailures } from './render.ts';

export const DLQ_USAGE = `usage:
  tillwatch dlq list [--queue <q>] [--limit <n>] [--after <cursor>] [--json]
  tillwatch dlq show <id> [--json]
  tillwatch dlq count [--queue <q>]
  tillwatch dlq replay <id>... | --all [--queue <q>]  [--actor <name>]
  tillwatch dlq purge <id>... | --all [--queue <q>] --yes  [--note <why>] [--actor <name>]
  tillwatch dlq failures [--state <${EVENT_FAILURE_STATES.join('|')}>] [--event <type>] [--limit <n>] [--json]
common: [--backend pg-boss|bullmq] [--schema <pg-boss schema>] [--table <event-failure table>] [--prefix <bullmq prefix>]
connection: DATABASE_URL (pg-boss), REDIS_URL (bullmq), from the environment`;

export interface DlqIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  out(text: string): void;
  err(text: string): void;
}

const OPTIONS = {
  queue: { type: 'string' },
  limit: { type: 'string' },
  after: { type: 'string' },
  json: { type: 'boolean' },
  all: { type: 'boolean' },
  yes: { type: 'boolean' },
  actor: { type: 'string' },
  note: { type: 'string' },
  state: { type: 'string' },
  event: { type: 'string' },
  backend: { type: 'string' },
  schema: { type: 'string' },
  table: { type: 'string' },
  prefix: { type: 'string' },
} as const;

function limitOf(raw: string | undefined, def: number): number {
  if (raw === undefined) return def;
  const n = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(n >= 1 && n <= 1000)) throw new CliError('TW_ERR_DLQ_USAGE', `--limit: expected an integer between 1 and 1000, got ${JSON.stringify(raw.slice(0, 20))}`);
  return n;
}

async function connect(values: { backend?: string | undefined; schema?: string | undefined; prefix?: string | undefined }, env: DlqIo['env']): Promise<DeliveryBackend> {
  const kind = values.backend ?? 'pg-boss';
  if (kind === 'bullmq') {
    const url = env.REDIS_URL?.trim();
    if (!url) throw new CliError('TW_ERR_DLQ_UNAVAILABLE', 'REDIS_URL is not set (the Redis the service queues on)');
    return bullmqBackend({ connection: url, ...(values.prefix ? { prefix: values.prefix } : {}) });
  }
  if (kind !== 'pg-boss') throw new CliError('TW_ERR_DLQ_USAGE', `--backend: expected pg-boss or bullmq, got ${JSON.stringify(kind.slice(0, 20))}`);
  const url = env.DATABASE_URL?.trim();
  if (!url) throw new CliError('TW_ERR_DLQ_UNAVAILABLE', 'DATABASE_URL is not set (the database the service keeps its queues in)');
  // maintenance off: the CLI never creates or migrates the schema nor runs pg-boss's supervisor.
  return pgBossBackend({ connectionString: url, maintenance: false, ...(values.schema ? { schema: values.schema } : {}) });
}

/** Runs `tillwatch dlq <sub> ...`. @throws CliError for usage and connection problems. */
export async function runDlq(args: readonly string[], io: DlqIo): Promise<void> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === 'help') {
    io.out(`${DLQ_USAGE}\n`);
    return;
  }
  if (!['list', 'show', 'count', 'replay', 'purge', 'failures'].includes(sub)) throw new CliError('TW_ERR_DLQ_USAGE', `unknown dlq command ${JSON.stringify(sub.slice(0, 20))}\n${DLQ_USAGE}`);
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: typeof OPTIONS; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: [...rest], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new CliError('TW_ERR_DLQ_USAGE', `${(err as Error).message}\n${DLQ_USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.state !== undefined && !(EVENT_FAILURE_STATES as readonly string[]).includes(values.state)) {
    throw new CliError('TW_ERR_DLQ_USAGE', `--state: expected one of ${EVENT_FAILURE_STATES.join(', ')}, got ${JSON.stringify(values.state.slice(0, 20))}`);
  }
  if ((sub === 'replay' || sub === 'purge') && (positionals.length > 0) === (values.all === true)) {
    throw new CliError('TW_ERR_DLQ_USAGE', `${sub} needs dead-letter ids or --all (not both)\n${DLQ_USAGE}`);
  }
  if (sub === 'purge' && values.all === true && values.yes !== true) throw new CliError('TW_ERR_DLQ_USAGE', 'purge --all deletes every selected dead letter for good: add --yes');
  if (sub === 'show' && positionals.length !== 1) throw new CliError('TW_ERR_DLQ_USAGE', `show needs exactly one id\n${DLQ_USAGE}`);
  const limit = limitOf(values.limit, sub === 'failures' ? 50 : 100);

  const redactor = createRedactor();
  const backend = await connect(values, io.env);
  try {
    try {
      await backend.start();
    } catch (err) {
      const message = redactor.string((err as Error).message);
      const hint = /not installed/i.test(message) ? ` (no queue schema "${values.schema ?? 'pgboss'}" in this database: run the service once so it creates its queues, or pass --schema)` : '';
      throw new CliError('TW_ERR_DLQ_UNAVAILABLE', `could not open the queues: ${message}${hint}`, { cause: err });
    }
    const failures = backend.sql ? sqlEventFailureStore({ db: backend.sql, redactor, ...(values.table ? { table: values.table } : {}) }) : undefined;
    const audit = (r: DeadLetterAuditRecord): void => io.err(`${JSON.stringify({ level: 'info', time: new Date().toISOString(), event: `audit.${r.action}`, audit: r })}\n`);
    const admin: DeadLetterAdmin = deadLetterAdmin({ deadLetters: backend.deadLetters, redactor, audit, eventFailures: failures });
    const actor = values.actor ?? `cli:${safeUser()}`;
    switch (sub) {
      case 'list': {
        const page = await admin.list({ queue: values.queue, limit, after: values.after });
        io.out(values.json ? `${JSON.stringify(page)}\n` : renderDeadLetters(page.items, page.next));
        return;
      }
      case 'show': {
        const d = await admin.show(positionals[0] as string);
        if (d === undefined) throw new CliError('TW_ERR_DELIVERY_NOT_FOUND', `no dead letter ${JSON.stringify((positionals[0] as string).slice(0, 60))}`);
        io.out(values.json ? `${JSON.stringify(d)}\n` : renderDeadLetter(d));
        return;
      }
      case 'count':
        io.out(`${await admin.count(values.queue)}\n`);
        return;
      case 'replay':
      case 'purge': {
        const selection = values.all ? { all: true as const, queue: values.queue } : { ids: positionals };
        try {
          const r = sub === 'replay' ? await admin.replay(selection, { actor }) : await admin.purge(selection, { actor, note: values.note });
          io.out(`${sub === 'replay' ? 'replayed' : 'purged'} ${r.count} dead letter(s)\n`);
        } catch (err) {
          if ((err as { code?: string }).code === 'TW_ERR_DELIVERY_NOT_FOUND') throw new CliError('TW_ERR_DELIVERY_NOT_FOUND', (err as Error).message);
          throw err;
        }
        return;
      }
      case 'failures': {
        if (failures === undefined) throw new CliError('TW_ERR_DLQ_USAGE', 'the event-failure table lives in the service database: use the pg-boss backend (DATABASE_URL)');
        let rows;
        try {
          rows = await admin.failures({ state: values.state as EventFailureState | undefined, event: values.event, limit });
        } catch (err) {
          if ((err as { code?: string }).code === '42P01') throw new CliError('TW_ERR_DLQ_UNAVAILABLE', 'there is no event-failure table in this database (the service creates it at start-up; pass --table if it has another name)');
          throw err;
        }
        io.out(values.json ? `${JSON.stringify(rows)}\n` : renderFailures(rows));
        return;
      }
    }
  } finally {
    await backend.stop();
  }
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

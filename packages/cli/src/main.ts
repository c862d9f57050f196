#!/usr/bin/env node
/**
 * tillwatch: alerts and SLOs as code.
 *
 *   tillwatch generate --config <file.ts> --out <dir>   write the Prometheus + Alertmanager bundle
 *   tillwatch check <dir>                                run promtool and amtool over a bundle
 *   tillwatch dlq <list|show|count|replay|purge|failures>  dead letters and event failures (dlq/dlq-command.ts)
 *   tillwatch audit verify                               check the tamper-evident audit log (audit/audit-command.ts)
 *
 * Errors map to exit codes here and only here (EXIT_CODES in cli-error.ts).
 */
import { parseArgs } from 'node:util';
import { checkBundle } from './check/check-bundle.ts';
import { CliError, EXIT_CODES, isCliError } from './cli-error.ts';
import { runAudit } from './audit/audit-command.ts';
import { runDlq } from './dlq/dlq-command.ts';
import { generateBundle, writeBundle } from './generate.ts';
import { CLI_VERSION } from './version.ts';

const USAGE = `tillwatch ${CLI_VERSION}
usage:
  tillwatch generate --config <file.ts> --out <dir>
  tillwatch check <dir>
  tillwatch dlq <list|show|count|replay|purge|failures> ...   (tillwatch dlq --help)
  tillwatch audit verify ...                                   (tillwatch audit --help)`;

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === 'generate') {
    const { values } = parseArgs({ args: rest, options: { config: { type: 'string' }, out: { type: 'string' } }, strict: true });
    if (values.config === undefined || values.out === undefined) throw new CliError('TW_ERR_ALERTS_USAGE', `generate needs --config and --out\n${USAGE}`);
    const files = await generateBundle(values.config);
    writeBundle(files, values.out);
    process.stdout.write(`wrote ${files.size} files to ${values.out}\n`);
    return;
  }
  if (command === 'check') {
    const { positionals } = parseArgs({ args: rest, allowPositionals: true, options: {}, strict: true });
    const dir = positionals[0];
    if (dir === undefined || positionals.length !== 1) throw new CliError('TW_ERR_ALERTS_USAGE', `check needs one directory\n${USAGE}`);
    for (const step of checkBundle(dir)) process.stdout.write(`ok  ${step.name}\n`);
    return;
  }
  if (command === 'dlq') {
    await runDlq(rest, { env: process.env, out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) });
    return;
  }
  if (command === 'audit') {
    await runAudit(rest, { env: process.env, out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) });
    return;
  }
  if (command === '--version' || command === 'version') {
    process.stdout.write(`${CLI_VERSION}\n`);
    return;
  }
  throw new CliError('TW_ERR_ALERTS_USAGE', command === undefined || command === '--help' ? USAGE : `unknown command ${command}\n${USAGE}`);
}

/** Maps a failure to its message and exit code: the one place errors become exit codes. */
function fail(e: unknown): void {
  if (!isCliError(e) && (e as { code?: unknown } | null)?.code === 'TW_ERR_DELIVERY_MISSING_PEER') {
    process.stderr.write(`tillwatch: ${(e as Error).message} [TW_ERR_DELIVERY_MISSING_PEER]\n`);
    process.exitCode = EXIT_CODES.TW_ERR_DELIVERY_MISSING_PEER;
  } else if (isCliError(e)) {
    process.stderr.write(`tillwatch: ${e.message} [${e.code}]\n`);
    process.exitCode = EXIT_CODES[e.code];
  } else if (e instanceof TypeError && (e as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    process.stderr.write(`tillwatch: ${e.message}\n${USAGE}\n`);
    process.exitCode = EXIT_CODES.TW_ERR_ALERTS_USAGE;
  } else {
    process.stderr.write(`tillwatch: unexpected error: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 70;
  }
}

// No top-level await: nothing in the published graph needs one (require(esm) refuses modules that use it).
main(process.argv.slice(2)).catch(fail);

#!/usr/bin/env node
/**
 * tillwatch: alerts and SLOs as code.
 *
 *   tillwatch generate --config <file.ts> --out <dir>   write the Prometheus + Alertmanager bundle
 *   tillwatch check <dir>                                run promtool and amtool over a bundle
 *   tillwatch check --live <url> --config <file.ts>      fail on rules selecting series the service never exports
 *   tillwatch dlq <list|show|count|replay|purge|failures>  dead letters and event failures (dlq/dlq-command.ts)
 *   tillwatch audit verify                               check the tamper-evident audit log (audit/audit-command.ts)
 *
 * Errors map to exit codes here and only here (EXIT_CODES in cli-error.ts).
 */
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { checkBundle } from './check/check-bundle.ts';
import { liveCheck } from './check/live-check.ts';
import { loadConfig } from './load/load-config.ts';
import { CliError, EXIT_CODES, isCliError } from './cli-error.ts';
import { runAudit } from './audit/audit-command.ts';
import { runDlq } from './dlq/dlq-command.ts';
import { generateBundle, modelOf, writeBundle } from './generate.ts';
import { startAlertReceiver } from './stack/alert-receiver.ts';
import { CLI_VERSION } from './version.ts';

const USAGE = `tillwatch ${CLI_VERSION}
usage:
  tillwatch generate --config <file.ts> --out <dir>
  tillwatch check <dir>
  tillwatch check --live <metrics url> --config <file.ts> [--token-file <file>]
  tillwatch dlq <list|show|count|replay|purge|failures> ...   (tillwatch dlq --help)
  tillwatch audit verify ...                                   (tillwatch audit --help)
  tillwatch receiver [--host 127.0.0.1] [--port 9099]          local webhook receiver for Alertmanager (prints each notification)`;

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
  if (command === 'check' && rest.includes('--live')) {
    const { values } = parseArgs({ args: rest, options: { live: { type: 'string' }, config: { type: 'string' }, 'token-file': { type: 'string' } }, strict: true });
    if (values.live === undefined || values.config === undefined) throw new CliError('TW_ERR_ALERTS_USAGE', `check --live needs a metrics URL and --config\n${USAGE}`);
    const model = modelOf(await loadConfig(values.config), values.config);
    const token = values['token-file'] === undefined ? undefined : readFileSync(values['token-file'], 'utf8').trim();
    let text: string;
    try {
      const res = await fetch(values.live, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: AbortSignal.timeout(15_000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      text = await res.text();
    } catch (err) {
      throw new CliError('TW_ERR_ALERTS_CHECK_FAILED', `could not read ${values.live}: ${(err as Error).message}`);
    }
    const r = liveCheck(model, text);
    for (const w of r.waiting) process.stdout.write(`wait ${w} (planned)\n`);
    for (const u of r.unverified) process.stdout.write(`skip ${u} (registered, no sample yet: label values not checked)\n`);
    for (const p of r.problems) process.stdout.write(`FAIL ${p.rule}: ${p.selector}: ${p.problem}\n`);
    if (r.problems.length > 0) throw new CliError('TW_ERR_ALERTS_CHECK_FAILED', `${r.problems.length} selector(s) of the rules and dashboard panels match nothing the service exports`);
    process.stdout.write(`ok  ${r.checked} selectors of the rules and dashboard panels match series the service exports\n`);
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
  if (command === 'receiver') {
    const { values } = parseArgs({ args: rest, options: { host: { type: 'string', default: '127.0.0.1' }, port: { type: 'string', default: '9099' } }, strict: true });
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError('TW_ERR_ALERTS_USAGE', `--port: expected a port number, got ${JSON.stringify(values.port)}`);
    const r = await startAlertReceiver({ host: values.host, port });
    process.stdout.write(`tillwatch receiver listening on ${r.url} (POST /alerts from Alertmanager; GET / and /notifications)\n`);
    for (const s of ['SIGINT', 'SIGTERM'] as const) process.once(s, () => void r.close().then(() => process.exit(0)));
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

/**
 * Instructions per request, counted by valgrind's callgrind: a figure the machine's load does not move (CPU time
 * does, through cache and scheduler effects, when other jobs share the cores). For telling apart changes of a
 * microsecond or two that a timed run on a loaded machine cannot.
 *
 *   node -C tillwatch-source bench/instructions.ts [requests=2000] [scenario ...]
 *
 * Each scenario is an overhead-server.ts scenario (default: fastify-bare fastify-tillwatch). The server runs under
 * `valgrind --tool=callgrind --instr-atstart=no`; after a warm-up (JIT, connections, series) counting is switched on
 * with `callgrind_control -i on`, `requests` requests are sent on 16 keep-alive connections, and counting is switched
 * off again, so start-up and warm-up are not counted. Reported: instructions (Ir) per request, and the difference
 * against the first scenario. Needs valgrind (apt install valgrind); a run takes about a minute per scenario.
 */
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from './load.ts';

const requests = Number(process.argv[2] ?? 2000);
const scenarios = process.argv.length > 3 ? process.argv.slice(3) : ['fastify-bare', 'fastify-tillwatch'];
const server = fileURLToPath(new URL('./overhead-server.ts', import.meta.url));

async function count(scenario: string): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'tw-instr-'));
  try {
    const child = spawn(
      'valgrind',
      ['--tool=callgrind', '--instr-atstart=no', '--smc-check=all-non-file', `--callgrind-out-file=${dir}/out.%p`, process.execPath, ...process.execArgv, server, scenario],
      { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] },
    );
    const { port } = await new Promise<{ port: number }>((resolve, reject) => {
      child.once('message', (m) => resolve(m as { port: number }));
      child.once('exit', (code) => reject(new Error(`${scenario} exited with ${code}`)));
    });
    await load(port, 1500, 16); // warm-up
    execFileSync('callgrind_control', ['-i', 'on', String(child.pid)], { stdio: 'ignore' });
    await load(port, requests, 16);
    execFileSync('callgrind_control', ['-i', 'off', String(child.pid)], { stdio: 'ignore' });
    child.removeAllListeners('exit');
    child.send('exit');
    await new Promise((r) => child.once('exit', r));
    let total = 0;
    for (const f of readdirSync(dir)) {
      const m = /^(?:summary|totals): (\d+)/m.exec(readFileSync(join(dir, f), 'utf8'));
      if (m) total += Number(m[1]);
    }
    return total / requests;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`requests=${requests} node=${process.version} load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
console.log('| scenario | instructions/request | difference |');
console.log('| --- | ---: | ---: |');
let first: number | undefined;
for (const s of scenarios) {
  const ir = await count(s);
  first ??= ir;
  console.log(`| ${s} | ${Math.round(ir)} | ${s === scenarios[0] ? '' : `+${Math.round(ir - first)}`} |`);
}

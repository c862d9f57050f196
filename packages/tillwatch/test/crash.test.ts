import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const fixture = fileURLToPath(new URL('./fixtures/crash/server.ts', import.meta.url));

function run(scenario: string): Promise<{ code: number | null; lines: Record<string, unknown>[]; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fixture, scenario], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`fixture did not exit within 60 s; stdout so far:\n${stdout}`));
    }, 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const lines = stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
      resolve({ code, lines, stdout });
    });
    child.on('error', reject);
  });
}

test('with the default stdout destination, an uncaught exception still writes every earlier line and one fatal line with the stack, then exits 1', async () => {
  const { code, lines, stdout } = await run('throw');
  assert.equal(code, 1);
  assert.equal(lines.filter((l) => l.msg === 'line before the end').length, 50, 'batched lines were flushed before exit');
  const fatal = lines.filter((l) => l.level === 'fatal');
  assert.equal(fatal.length, 1);
  const err = fatal[0]?.err as { stack?: string; message?: string };
  assert.match(String(err.stack), /till drawer jammed/);
  assert.ok(lines.some((l) => l.marker === 'hook-ran'), 'graceful shutdown ran the hooks');
  assert.ok(!stdout.includes('4111 1111 1111 1111') && !stdout.includes('4111111111111111'), 'the card number in the error is masked');
});

test('lines logged just before process.exit reach stdout', async () => {
  const { code, lines } = await run('exit');
  assert.equal(code, 0);
  assert.equal(lines.filter((l) => l.msg === 'line before the end').length, 50);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setImmediate as tick } from 'node:timers/promises';
import { BatchedFdDestination } from '../src/log/batched-fd-destination.ts';

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tw-fd-'));
}

test('lines written in one turn leave in one write at the end of the turn, in order, multi-byte text intact', async () => {
  const dir = tmpDir();
  const file = path.join(dir, 'log');
  const fd = fs.openSync(file, 'w');
  try {
    const dest = new BatchedFdDestination({ fd });
    const lines = ['{"msg":"a"}\n', '{"msg":"café ☕ 😀"}\n', '{"msg":"c"}\n'];
    for (const l of lines) dest.write(l);
    assert.equal(fs.readFileSync(file, 'utf8'), '', 'nothing is written before the turn ends');
    await tick();
    assert.equal(fs.readFileSync(file, 'utf8'), lines.join(''));
  } finally {
    fs.closeSync(fd);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a batch larger than a full non-blocking pipe continues where the partial write stopped, byte for byte', async () => {
  const dir = tmpDir();
  const fifo = path.join(dir, 'fifo');
  const out = path.join(dir, 'out');
  execFileSync('mkfifo', [fifo]);
  // The reader drains the pipe from another process while the writer waits out EAGAIN.
  const reader = spawn('sh', ['-c', `exec cat "${fifo}" > "${out}"`], { stdio: 'ignore' });
  const exited = new Promise((resolve) => reader.once('exit', resolve));
  let fd = -1;
  for (let i = 0; i < 200 && fd < 0; i++) {
    try {
      fd = fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENXIO') throw e; // no reader yet
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  assert.ok(fd >= 0, 'the reader opened the fifo');
  const errors: Error[] = [];
  try {
    // Several times the pipe's 64 KiB, with multi-byte characters so byte and character offsets differ.
    const dest = new BatchedFdDestination({ fd, maxBatchBytes: 4 * 1024 * 1024, maxBlockMs: 5000 });
    dest.on('error', (err) => errors.push(err));
    let expected = '';
    for (let i = 0; i < 4000; i++) {
      const line = `{"i":${i},"msg":"tab ${i} — café ☕ 😀 ${'x'.repeat(i % 50)}"}\n`;
      expected += line;
      dest.write(line);
    }
    dest.flushSync();
    fs.closeSync(fd);
    fd = -1;
    await exited;
    assert.deepEqual(errors, []);
    assert.equal(fs.readFileSync(out, 'utf8'), expected);
  } finally {
    if (fd >= 0) fs.closeSync(fd);
    if (reader.exitCode === null) reader.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a pipe nobody drains costs at most maxBlockMs, then the batch is dropped and reported, never thrown', async () => {
  const dir = tmpDir();
  const fifo = path.join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  // Opened read-write, the fifo has a reader (this process) that never reads: it fills and stays full.
  const fd = fs.openSync(fifo, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
  try {
    const errors: NodeJS.ErrnoException[] = [];
    const dest = new BatchedFdDestination({ fd, maxBatchBytes: 4 * 1024 * 1024, maxBlockMs: 50 });
    dest.on('error', (err) => errors.push(err));
    for (let i = 0; i < 2000; i++) dest.write(`{"i":${i},"msg":"${'y'.repeat(100)}"}\n`);
    assert.doesNotThrow(() => dest.flushSync());
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.code, 'EAGAIN');
  } finally {
    fs.closeSync(fd);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

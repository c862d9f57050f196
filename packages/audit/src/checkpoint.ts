/**
 * Signed checkpoints: `{ seq, hash, at, key_id }` of the chain's head, signed with Ed25519 and written outside the
 * database (a {@link CheckpointSink}: a JSON-lines file by default). Someone who can rewrite the table can recompute
 * every SHA-256 after their edit, but cannot sign: a checkpoint pins the chain up to its `seq`, so a rewritten or
 * truncated history no longer matches it. Records after the last checkpoint are protected by the chain only
 * (a forged tail appended after it is not detectable): checkpoint often (the store: every minute and at shutdown).
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { canonicalJson } from './canonical-json.ts';
import { signText, verifyText, type SigningKey } from './signing-key.ts';

export interface Checkpoint {
  readonly seq: number;
  readonly hash: string;
  readonly at: string;
  readonly key_id: string;
  /** Ed25519 over the canonical JSON of the four fields above, base64. */
  readonly signature: string;
}

/** Where checkpoints go: any writable target (a file, object storage, a WORM bucket, a separate database). */
export interface CheckpointSink {
  write(checkpoint: Checkpoint): Promise<void>;
  readAll(): Promise<Checkpoint[]>;
}

function signedText(c: Omit<Checkpoint, 'signature'>): string {
  return canonicalJson({ seq: c.seq, hash: c.hash, at: c.at, key_id: c.key_id });
}

export function signCheckpoint(key: SigningKey, head: { seq: number; hash: string }, at = new Date()): Checkpoint {
  const body = { seq: head.seq, hash: head.hash, at: at.toISOString(), key_id: key.keyId };
  return { ...body, signature: signText(key, signedText(body)) };
}

export function checkpointSignatureValid(publicKey: KeyObject, c: Checkpoint): boolean {
  return verifyText(publicKey, signedText(c), c.signature);
}

/** Parses checkpoints from JSON lines (a file sink's content). @throws Error naming the bad line. */
export function parseCheckpoints(text: string): Checkpoint[] {
  const out: Checkpoint[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let c: Checkpoint;
    try {
      c = JSON.parse(line) as Checkpoint;
    } catch {
      throw new Error(`checkpoints line ${i + 1}: not JSON`);
    }
    if (!Number.isInteger(c.seq) || typeof c.hash !== 'string' || typeof c.signature !== 'string') throw new Error(`checkpoints line ${i + 1}: not a checkpoint`);
    out.push(c);
  });
  return out;
}

/** Appends each checkpoint as one JSON line to `path` (created with its directory). */
export function fileCheckpointSink(path: string): CheckpointSink {
  return {
    async write(c) {
      await mkdir(dirname(path), { recursive: true });
      await appendFile(path, `${JSON.stringify(c)}\n`, { mode: 0o640 });
    },
    async readAll() {
      try {
        return parseCheckpoints(await readFile(path, 'utf8'));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw err;
      }
    },
  };
}

/** Keeps checkpoints in memory (tests, and a service on a throw-away in-memory database). */
export function memoryCheckpointSink(): CheckpointSink & { readonly checkpoints: Checkpoint[] } {
  const checkpoints: Checkpoint[] = [];
  return {
    checkpoints,
    async write(c) {
      checkpoints.push(c);
    },
    async readAll() {
      return [...checkpoints];
    },
  };
}

/**
 * The verifier: walks the records in `seq` order (the live table, archives, or archives then the live table as one
 * stream) and the signed checkpoints, and reports the first position where the log stops being the one that was
 * written. What each tamper looks like:
 *
 * | tamper | found as |
 * | --- | --- |
 * | a field edited | `hash_mismatch` at that record (its fields no longer give its hash) |
 * | a record deleted | `missing_record` at the deleted `seq` (the next record's `seq` skips it) |
 * | two records swapped (their `seq` exchanged) | `prev_hash_mismatch` at the first of the two |
 * | a record inserted (the following ones renumbered) | `prev_hash_mismatch` or `hash_mismatch` at the inserted position |
 * | the tail truncated | `truncated` at the first missing `seq`, when a checkpoint lies beyond the end |
 * | a checkpoint replaced or edited | `checkpoint_signature` (not signed by the key) or `checkpoint_mismatch` (signed, but for another chain) |
 * | the whole chain rewritten and re-hashed | `checkpoint_mismatch` at the first checkpoint it no longer matches |
 * | an archive file changed or its manifest replaced | `unreadable` at the archive's first record (checksum or signature) |
 *
 * Memory is bounded by the checkpoints, whatever the number of records.
 */
import type { KeyObject } from 'node:crypto';
import { GENESIS_HASH, hashRecord, type AuditRecord } from './audit-record.ts';
import { checkpointSignatureValid, type Checkpoint } from './checkpoint.ts';

export type VerifyProblem = 'unreadable' | 'hash_mismatch' | 'prev_hash_mismatch' | 'missing_record' | 'out_of_order' | 'truncated' | 'checkpoint_signature' | 'checkpoint_mismatch' | 'checkpoint_key';

export interface VerifyFailure {
  readonly problem: VerifyProblem;
  /** The first bad position: the `seq` of the first record (or checkpoint) that does not verify. */
  readonly seq: number;
  readonly detail: string;
}

export interface VerifyResult {
  readonly ok: boolean;
  /** Records checked before the first failure (all of them when ok). */
  readonly records: number;
  /** Checkpoints whose signature and hash matched. */
  readonly checkpoints: number;
  readonly lastSeq: number | undefined;
  readonly failure?: VerifyFailure;
}

export interface VerifyOptions {
  readonly checkpoints?: readonly Checkpoint[];
  /** The Ed25519 public key the checkpoints must be signed with; required when there are checkpoints. */
  readonly publicKey?: KeyObject;
  /** Key ids the public key may appear under (a rotated key's old checkpoints); default: any id, checked by signature. */
  readonly keyIds?: readonly string[];
  /**
   * Where the stream starts when it does not start at the first record: the `seq` of its first record and the hash
   * before it (an archive's end, or a signed checkpoint). Default seq 1 and the genesis hash.
   */
  readonly start?: { readonly seq: number; readonly prevHash: string };
}

/** Verifies `records` (ascending `seq`) against the chain rules and the signed checkpoints. */
export async function verifyChain(records: AsyncIterable<AuditRecord> | Iterable<AuditRecord>, o: VerifyOptions = {}): Promise<VerifyResult> {
  const checkpoints = [...(o.checkpoints ?? [])].sort((a, b) => a.seq - b.seq);
  let verifiedCheckpoints = 0;
  for (const c of checkpoints) {
    if (o.publicKey === undefined) return fail({ problem: 'checkpoint_key', seq: c.seq, detail: 'checkpoints were given without the public key to check their signatures' }, 0, undefined, 0);
    if (o.keyIds !== undefined && !o.keyIds.includes(c.key_id)) return fail({ problem: 'checkpoint_key', seq: c.seq, detail: `checkpoint at seq ${c.seq} names key ${c.key_id}, not one of ${o.keyIds.join(', ')}` }, 0, undefined, 0);
    if (!checkpointSignatureValid(o.publicKey, c)) return fail({ problem: 'checkpoint_signature', seq: c.seq, detail: `checkpoint at seq ${c.seq} is not signed by the given key (replaced or edited)` }, 0, undefined, 0);
  }
  const due = new Map<number, Checkpoint[]>();
  for (const c of checkpoints) due.set(c.seq, [...(due.get(c.seq) ?? []), c]);

  let expected = o.start?.seq ?? 1;
  let prev = o.start?.prevHash ?? GENESIS_HASH;
  let n = 0;
  let last: number | undefined;
  // A checkpoint before the start of the stream (an archived part not given) cannot be checked here.
  for (const c of checkpoints) if (c.seq < expected) due.delete(c.seq);

  const it = (Symbol.asyncIterator in records ? (records as AsyncIterable<AuditRecord>)[Symbol.asyncIterator]() : (records as Iterable<AuditRecord>)[Symbol.iterator]()) as AsyncIterator<AuditRecord> | Iterator<AuditRecord>;
  for (;;) {
    let step: IteratorResult<AuditRecord>;
    try {
      step = await it.next();
    } catch (err) {
      return fail({ problem: 'unreadable', seq: expected, detail: (err as Error).message }, n, last, verifiedCheckpoints);
    }
    if (step.done) break;
    const r = step.value;
    const seq = Number(r.seq);
    if (seq !== expected) {
      if (seq > expected) return fail({ problem: 'missing_record', seq: expected, detail: `record ${expected} is missing: the next record is ${seq}` }, n, last, verifiedCheckpoints);
      return fail({ problem: 'out_of_order', seq, detail: `record ${seq} appears again or out of order after ${expected - 1}` }, n, last, verifiedCheckpoints);
    }
    if (r.prev_hash !== prev) return fail({ problem: 'prev_hash_mismatch', seq, detail: `record ${seq} does not follow record ${seq - 1} (its prev_hash differs): inserted, reordered or edited` }, n, last, verifiedCheckpoints);
    if (hashRecord(r) !== r.hash) return fail({ problem: 'hash_mismatch', seq, detail: `record ${seq}'s fields do not give its hash: edited` }, n, last, verifiedCheckpoints);
    for (const c of due.get(seq) ?? []) {
      if (c.hash !== r.hash) return fail({ problem: 'checkpoint_mismatch', seq, detail: `the signed checkpoint at seq ${seq} (${c.at}) pins another hash: the chain was rewritten up to here` }, n, last, verifiedCheckpoints);
      verifiedCheckpoints++;
    }
    due.delete(seq);
    prev = r.hash;
    last = seq;
    expected = seq + 1;
    n++;
  }
  const beyond = [...due.keys()].sort((a, b) => a - b)[0];
  if (beyond !== undefined) {
    return fail({ problem: 'truncated', seq: expected, detail: `the log ends at record ${expected - 1} but a signed checkpoint covers record ${beyond}: records from ${expected} on were removed` }, n, last, verifiedCheckpoints);
  }
  return { ok: true, records: n, checkpoints: verifiedCheckpoints, lastSeq: last };
}

function fail(failure: VerifyFailure, records: number, lastSeq: number | undefined, checkpoints: number): VerifyResult {
  return { ok: false, records, checkpoints, lastSeq, failure };
}

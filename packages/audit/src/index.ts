/**
 * @tillwatch/audit: the tamper-evident audit log. docs/audit.md explains the chain, the keys, retention and how an
 * auditor verifies.
 */
export { GENESIS_HASH, hashRecord } from './audit-record.ts';
export type { AuditEntry, AuditRecord, UnhashedRecord } from './audit-record.ts';
export { canonicalJson } from './canonical-json.ts';
export { auditLogDdl, appendAudit, auditHead, readAuditRecords, firstLiveSeq, listAuditRecords } from './audit-table.ts';
export type { AuditQueryable, AppendOptions } from './audit-table.ts';
export { signCheckpoint, checkpointSignatureValid, parseCheckpoints, fileCheckpointSink, memoryCheckpointSink } from './checkpoint.ts';
export type { Checkpoint, CheckpointSink } from './checkpoint.ts';
export { signingKeyFromPem, generateSigningKey, publicKeyFromPem, keyIdOf } from './signing-key.ts';
export type { SigningKey } from './signing-key.ts';
export { verifyChain } from './verify.ts';
export type { VerifyOptions, VerifyResult, VerifyFailure, VerifyProblem } from './verify.ts';
export { archiveAuditSegment, auditStream, readArchive, listArchives, ARCHIVE_FORMAT } from './archive.ts';
export type { ArchiveManifest, ArchiveSegment, ArchiveResult } from './archive.ts';
export { AuditLog } from './audit-log.ts';
export type { AuditLogOptions } from './audit-log.ts';

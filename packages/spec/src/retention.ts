/**
 * Retention classes: how long each kind of record is kept. One table, read by the log-shipper config the generator
 * writes (Vector routing to Loki, with Loki's per-stream retention) and by the audit archiver's documentation
 * (docs/audit.md). Overridable per deployment through `retention` in the deploy config (days).
 *
 * | class | what | default |
 * | --- | --- | --- |
 * | `audit` | the audit trail and its archives; audit log lines | 7 years (retail and tax records) |
 * | `security` | security event lines (`security_event`) | 1 year |
 * | `access` | access-log lines (`request completed`) | 30 days |
 * | `application` | every other line | 90 days |
 */
export const RETENTION_CLASSES = ['audit', 'security', 'access', 'application'] as const;
export type RetentionClass = (typeof RETENTION_CLASSES)[number];

export const DEFAULT_RETENTION_DAYS: Readonly<Record<RetentionClass, number>> = Object.freeze({
  audit: 7 * 365 + 2,
  security: 365,
  access: 30,
  application: 90,
});

/** The class of a log line, by the fields tillwatch writes: what the generated shipper config encodes. */
export const RETENTION_CLASS_OF_LINE: Readonly<Record<RetentionClass, string>> = Object.freeze({
  audit: 'module is "audit", or msg starts with "audit"',
  security: 'has a security_event field',
  access: 'msg is "request completed"',
  application: 'anything else',
});

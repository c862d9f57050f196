/**
 * `tillwatch/security`: security events as one vocabulary (security-events.ts), the brute-force and password-spray
 * detector, and the bounded summaries they use. docs/security.md describes the events and the error bounds.
 */
export { createSecurityEvents, SECURITY_EVENT_SEVERITY } from './security-events.ts';
export type {
  SecurityEvents,
  SecurityEventsOptions,
  SecurityEventType,
  SecuritySeverity,
  EventOrigin,
  LoginFailureReason,
  TokenFailureReason,
  LockoutScope,
} from './security-events.ts';
export { LoginAttackDetector } from './login-attack-detector.ts';
export type { LoginAttackDetectorOptions, AttackVerdict } from './login-attack-detector.ts';
export { SpaceSaving } from './space-saving.ts';
export type { SpaceSavingEntry } from './space-saving.ts';
export { WindowedCounts } from './windowed-counts.ts';
export type { WindowedCountsOptions } from './windowed-counts.ts';
export { sourceAddressPseudonymiser } from './source-address.ts';
export type { SourceAddressMode } from './source-address.ts';

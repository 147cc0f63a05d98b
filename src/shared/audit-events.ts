/** Every kind of event the audit log records; the dashboard and the CLI filter on these names. */
export const AUDIT_EVENT_TYPES = [
  'vault.initialised',
  'vault.rows_sealed',
  'account.created',
  'account.disabled',
  'account.enabled',
  'account.deleted',
  'account.locked',
  'account.unlocked',
  'password.changed',
  'password.reset',
  'password.rehashed',
  'signin.succeeded',
  'signin.failed',
  'signout',
  'session.created',
  'session.refreshed',
  'session.revoked',
  'session.evicted',
  'session.expired',
  'session.closed',
  'session.refresh_reuse',
  'session.limit_denied',
  'policy.changed',
  'mfa.totp_setup_started',
  'mfa.totp_setup_abandoned',
  'mfa.totp_enabled',
  'mfa.totp_disabled',
  'mfa.reset',
  'mfa.challenge_issued',
  'mfa.challenge_failed',
  'mfa.code_replayed',
  'mfa.code_ahead',
  'mfa.backup_code_used',
  'mfa.backup_codes_regenerated',
  'device.trusted',
  'device.revoked',
  'account.imported',
  'email.verification_issued',
  'email.verified',
  'email.verification_failed',
  'clock.behind',
  'clock.ahead',
  'message.queued',
  'message.sent',
  'message.failed',
  'message.abandoned',
  'message.retried',
  'message.cancelled',
  'delivery.setting_changed',
] as const;

export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

/** A filter on the log: one event type (signin.failed) or a group (session). */
export const EVENT_FILTER_PATTERN = /^[a-z_]+(\.[a-z_]+)?$/;
/** Well above the longest type, and far below what a query's LIKE pattern may hold. */
export const MAX_EVENT_FILTER_LENGTH = 64;

export type AuditOutcome = 'success' | 'failure' | 'denied';

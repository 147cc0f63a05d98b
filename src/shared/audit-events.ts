/** Every kind of event the audit log records; the dashboard and the CLI filter on these names. */
export const AUDIT_EVENT_TYPES = [
  'vault.initialised',
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
  'session.refresh_reuse',
  'session.limit_denied',
  'policy.changed',
] as const;

export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

export type AuditOutcome = 'success' | 'failure' | 'denied';

import type { AuditEventType, AuditOutcome } from '../../../shared/audit-events';
import type { Assurance, MfaState, Role, SessionEndReason, SessionHost } from '../../../shared/views';

/** The words the screens use for the engine's values; each table covers its whole union. */

export const ASSURANCE_LABELS: Record<Assurance, string> = {
  password: 'Password only',
  two_factor: 'Password and second factor',
  trusted_device: 'Password on a trusted device',
};

export const HOST_LABELS: Record<SessionHost, string> = {
  desktop: 'Desktop app',
  cli: 'Command line',
  browser: 'Browser',
};

export const MFA_STATE_LABELS: Record<MfaState, string> = {
  DISABLED: 'Off',
  SETUP_IN_PROGRESS: 'Being set up',
  ENABLED: 'On',
};

export const ROLE_LABELS: Record<Role, string> = {
  admin: 'Administrator',
  user: 'User',
};

export const OUTCOME_LABELS: Record<AuditOutcome, string> = {
  success: 'Success',
  failure: 'Failure',
  denied: 'Denied',
};

export const END_REASON_LABELS: Record<SessionEndReason, string> = {
  signed_out: 'Signed out',
  revoked: 'Revoked',
  revoked_by_admin: 'Revoked by an administrator',
  evicted: 'Ended by a newer session',
  idle_timeout: 'Idle too long',
  absolute_timeout: 'Reached its time limit',
  password_changed: 'Password changed',
  account_disabled: 'Account disabled',
  refresh_reuse: 'Refresh token reused',
  refreshed: 'Refreshed',
};

export const EVENT_LABELS: Record<AuditEventType, string> = {
  'vault.initialised': 'Vault created',
  'account.created': 'Account created',
  'account.disabled': 'Account disabled',
  'account.enabled': 'Account enabled',
  'account.deleted': 'Account deleted',
  'account.locked': 'Account locked',
  'account.unlocked': 'Account unlocked',
  'account.imported': 'Account imported',
  'email.verification_issued': 'E-mail verification link made',
  'email.verified': 'E-mail address verified',
  'email.verification_failed': 'E-mail verification refused',
  'password.changed': 'Password changed',
  'password.reset': 'Password reset',
  'password.rehashed': 'Password hash upgraded',
  'signin.succeeded': 'Signed in',
  'signin.failed': 'Sign-in failed',
  signout: 'Signed out',
  'session.created': 'Session started',
  'session.refreshed': 'Session refreshed',
  'session.revoked': 'Session revoked',
  'session.evicted': 'Session ended by a newer one',
  'session.expired': 'Session expired',
  'session.refresh_reuse': 'Reused refresh token',
  'session.limit_denied': 'Session refused at limit',
  'policy.changed': 'Policy changed',
  'mfa.totp_setup_started': 'Two-step setup started',
  'mfa.totp_setup_abandoned': 'Two-step setup abandoned',
  'mfa.totp_enabled': 'Two-step sign-in turned on',
  'mfa.totp_disabled': 'Two-step sign-in turned off',
  'mfa.reset': 'Two-step sign-in reset',
  'mfa.challenge_issued': 'Code asked for',
  'mfa.challenge_failed': 'Wrong code',
  'mfa.code_replayed': 'Code reused',
  'mfa.backup_code_used': 'Backup code used',
  'mfa.backup_codes_regenerated': 'New backup codes made',
  'device.trusted': 'Device trusted',
  'device.revoked': 'Trusted device revoked',
};

/** Things the engine asks the app to tell the person once after signing in. */
export const NOTICE_LABELS: Record<string, string> = {
  mfa_reset_by_admin: 'An administrator reset your two-step sign-in. Set it up again to keep your account protected.',
  low_backup_codes: 'You have only a few backup codes left. Generate new ones in Account settings.',
};

export function noticeText(notice: string): string {
  return NOTICE_LABELS[notice] ?? notice.replaceAll('_', ' ');
}

/** "Chrome 131 on Linux" from a user-agent string; the whole string stays available as a title. */
export function describeUserAgent(userAgent: string): string {
  const browser =
    match(userAgent, /Electron\/([\d]+)/, 'Electron') ??
    match(userAgent, /Edg\/([\d]+)/, 'Edge') ??
    match(userAgent, /Firefox\/([\d]+)/, 'Firefox') ??
    match(userAgent, /(?:Headless)?Chrome\/([\d]+)/, 'Chrome') ??
    match(userAgent, /Version\/([\d]+)[^ ]* Safari/, 'Safari');
  const os = /Windows/.test(userAgent)
    ? 'Windows'
    : /Mac OS X/.test(userAgent)
      ? 'macOS'
      : /Android/.test(userAgent)
        ? 'Android'
        : /Linux/.test(userAgent)
          ? 'Linux'
          : null;
  if (browser === null) return userAgent.length > 48 ? `${userAgent.slice(0, 47)}…` : userAgent;
  return os === null ? browser : `${browser} on ${os}`;
}

function match(text: string, pattern: RegExp, name: string): string | null {
  const found = pattern.exec(text);
  return found === null ? null : `${name} ${found[1]}`;
}

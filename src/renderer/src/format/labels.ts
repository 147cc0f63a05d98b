import type { AuditEventType, AuditOutcome } from '../../../shared/audit-events';
import type { PromptDelivery } from '../../../shared/contract';
import type { Channel, MessageKind, OutboxState, SmtpSecurity } from '../../../shared/delivery';
import {
  ASSURANCE_LABELS,
  type Assurance,
  type AuditEventView,
  type MfaState,
  type Role,
  type SessionEndReason,
  type SessionHost,
} from '../../../shared/views';
import { formatDateTime, plural } from './time';
import { backupCodesLeftText, type Notice } from '../../../shared/notices';
import type { AlertSeverity, AlertState } from '../../../shared/monitoring';

/** The words the screens use for the engine's values; each table covers its whole union. */

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
  window_closed: 'Window closed',
};

export const EVENT_LABELS: Record<AuditEventType, string> = {
  'vault.initialised': 'Vault created',
  'vault.rows_sealed': 'Vault rows sealed',
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
  'session.closed': 'Session ended with its window',
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
  'mfa.code_ahead': 'Code for a time still to come',
  'mfa.backup_code_used': 'Backup code used',
  'mfa.backup_codes_regenerated': 'New backup codes made',
  'device.trusted': 'Device trusted',
  'device.revoked': 'Trusted device revoked',
  'clock.behind': 'Clock found behind',
  'clock.ahead': 'Clock found ahead',
  'account.email_changed': 'E-mail address changed',
  'account.role_changed': 'Role changed',
  'session.calls_refused': 'Calls refused for want of a session',
  'session.revoked_used': 'Revoked session used',
  'alert.acknowledged': 'Alert acknowledged',
  'alert.resolved': 'Alert resolved',
  'mfa.code_sent': 'Code sent by SMS or e-mail',
  'phone.added': 'Phone added',
  'phone.verified': 'Phone verified',
  'phone.removed': 'Phone removed',
  'message.queued': 'Message queued',
  'message.sent': 'Message sent',
  'message.failed': 'Message not sent yet (will retry)',
  'message.abandoned': 'Message given up on',
  'message.retried': 'Message queued again',
  'message.cancelled': 'Message cancelled',
  'delivery.setting_changed': 'Delivery setting changed',
};

export const CHANNEL_LABELS: Record<Channel, string> = {
  email: 'E-mail',
  sms: 'SMS',
};

export const MESSAGE_KIND_LABELS: Record<MessageKind, string> = {
  verification: 'E-mail verification',
  code: 'Sign-in code',
  notice: 'Security notice',
  test: 'Test message',
};

export const OUTBOX_STATE_LABELS: Record<OutboxState, string> = {
  queued: 'Queued',
  sending: 'Sending',
  sent: 'Sent',
  failed: 'Failed',
  abandoned: 'Given up',
};

export const SMTP_SECURITY_LABELS: Record<SmtpSecurity, string> = {
  tls: 'TLS from the start (usually port 465)',
  starttls: 'STARTTLS, required (usually port 587)',
  none: 'None: plain, only to this computer',
};

/** What became of a verification mail someone asked for just now, to the address `to`. */
export const PROMPT_DELIVERY_LABELS: Record<PromptDelivery, (to: string) => string> = {
  sent: (to) => `A verification e-mail was sent to ${to}.`,
  queued: (to) => `A verification e-mail to ${to} is in the outbox and goes out shortly.`,
  will_retry: (to) =>
    `The verification e-mail to ${to} could not be sent yet; Latchkey keeps trying. An administrator can see why under Admin → Delivery.`,
  not_configured: (to) =>
    `E-mail is not set up in this vault yet, so the verification e-mail to ${to} waits in the outbox until an administrator sets it up.`,
  refused: (to) => `The mail server refused the verification e-mail to ${to}. An administrator can see why under Admin → Delivery.`,
};

export const SEVERITY_LABELS: Record<AlertSeverity, string> = {
  info: 'Info',
  warning: 'Warning',
  high: 'High',
  critical: 'Critical',
};

export const ALERT_STATE_LABELS: Record<AlertState, string> = {
  open: 'Open',
  acknowledged: 'Acknowledged',
  resolved: 'Resolved',
};

/** An engine's phrase ("the mail server … refused") as a sentence on its own; one that starts with a setting's key keeps its case. */
export function asSentence(phrase: string): string {
  const text = phrase.trim();
  if (text === '') return text;
  const start = /^[a-z]+\.[A-Za-z]+/.test(text) ? text : `${text[0]?.toUpperCase() ?? ''}${text.slice(1)}`;
  return /[.!?)]$/.test(text) ? start : `${start}.`;
}

/** The engine's reason codes for refusals and ended sessions; other reasons are already sentences. */
const REASON_LABELS: Record<string, string> = {
  ...END_REASON_LABELS,
  wrong_password: 'Wrong password',
  wrong_current_password: 'Wrong current password',
  wrong_password_for_mfa_change: 'Wrong password',
  unknown_account: 'No such account',
  locked_out: 'Account locked',
  too_many_failures: 'Too many failed sign-ins',
  wrong_totp: 'Wrong authenticator code',
  wrong_backup_code: 'Wrong backup code',
  wrong_sms_code: 'Wrong code from the SMS',
  wrong_email_code: 'Wrong code from the e-mail',
  code_replayed: 'A code that was already used',
  challenge_spent: 'A second step answered again after it was used',
  challenge_expired: 'A second step answered after it expired',
  backup_code_reused: 'A backup code that was already used',
  no_session: 'Not signed in',
  first_use: 'Refused for the first time since it was revoked',
  used_again: 'Tried again after it was refused',
};

const FACTOR_WORDS: Record<string, string> = {
  password: 'password',
  totp: 'authenticator code',
  backup_code: 'backup code',
  sms_code: 'code by SMS',
  email_code: 'code by e-mail',
  trusted_device: 'trusted device',
};

type DetailValue = string | number | boolean;

/**
 * How the common detail keys of audit events read. A yes/no detail shows only when it is yes, and
 * a rule may answer null to leave out a detail that says nothing (no devices revoked).
 */
const DETAIL_LABELS: Record<string, (value: DetailValue) => string | null> = {
  factors: (v) =>
    `With ${String(v)
      .split('+')
      .map((factor) => FACTOR_WORDS[factor] ?? factor)
      .join(' and ')}`,
  host: (v) => `App: ${HOST_LABELS[v as SessionHost] ?? String(v)}`,
  assurance: (v) => `Assurance: ${ASSURANCE_LABELS[v as Assurance] ?? String(v)}`,
  staySignedIn: (v) => (v === true ? 'Stay signed in' : null),
  attempt: (v) => `Attempt ${String(v)}`,
  purpose: (v) => (v === 'enroll' ? 'To set up two-step sign-in' : v === 'verify' ? 'To finish a sign-in' : `Purpose: ${String(v)}`),
  // Time steps are for whoever checks a replay by hand: in the raw fields, not in the sentence.
  step: () => null,
  lastStep: () => null,
  channel: (v) => `By ${CHANNEL_LABELS[v as Channel] ?? String(v)}`,
  kind: (v) => MESSAGE_KIND_LABELS[v as MessageKind] ?? `Kind: ${String(v)}`,
  to: (v) => `To ${String(v)}`,
  phone: (v) => `Phone ${String(v)}`,
  message: () => null,
  alert: () => null,
  alertKind: (v) => `Alert: ${String(v).replaceAll('_', ' ')}`,
  severity: (v) => `Severity: ${String(v)}`,
  nextAttemptAt: (v) => (typeof v === 'number' ? `Next attempt ${formatDateTime(v, true)}` : null),
  days: (v) => (typeof v === 'number' ? `For ${plural(v, 'day')}` : `Days: ${v}`),
  failures: (v) => (typeof v === 'number' ? plural(v, 'failed sign-in') : `Failures: ${v}`),
  revokedAt: (v) => (typeof v === 'number' ? `Revoked ${formatDateTime(v, true)}` : null),
  lockedUntil: (v) => (typeof v === 'number' ? `Locked until ${formatDateTime(v, true)}` : null),
  role: (v) => `Role: ${ROLE_LABELS[v as Role] ?? String(v)}`,
  previousRole: (v) => `was ${ROLE_LABELS[v as Role] ?? String(v)}`,
  hasEmail: (v) => (v === true ? 'With an e-mail address' : null),
  passwordHash: (v) => `Password hash: ${String(v)}`,
  totp: (v) => (v === true ? 'With an authenticator' : null),
  backupCodes: (v) => (typeof v === 'number' ? plural(v, 'backup code') : null),
  backupCodesLeft: (v) => (typeof v === 'number' ? `${plural(v, 'backup code')} left` : null),
  low: (v) => (v === true ? 'Running low' : null),
  wasLocked: (v) => (v === true ? 'Was locked' : null),
  trustedDevicesRevoked: (v) => (v === 0 || v === false ? null : typeof v === 'number' ? `${plural(v, 'trusted device')} revoked` : null),
};

/**
 * An event's reason and details in words, as "Reason · detail · detail"; ids are left out as noise.
 * A policy change reads as "key: from → to (default d)".
 */
export function describeEventDetails(event: Pick<AuditEventView, 'type' | 'reason' | 'details'>): string {
  const parts: string[] = [];
  const reason = event.reason === null ? null : reasonLabel(event.reason);
  // A sign-out "because signed out" says it twice.
  if (reason !== null && reason !== EVENT_LABELS[event.type]) parts.push(reason);
  const details = { ...event.details };
  if (typeof details['key'] === 'string' && 'to' in details) {
    const { key, from, to, default: fallback } = details;
    parts.push(`${key}: ${String(from)} → ${String(to)}${fallback === undefined ? '' : ` (default ${String(fallback)})`}`);
    for (const used of ['key', 'from', 'to', 'default']) delete details[used];
  }
  for (const [key, value] of Object.entries(details)) {
    if (value === null || value === false || /Id$/.test(key)) continue;
    const text = describeDetail(key, value);
    if (text !== null) parts.push(text);
  }
  return parts.length === 0 ? '—' : parts.join(' · ');
}

/** A refusal's or an ended session's reason code in words ("wrong_password" → "Wrong password"). */
export function reasonLabel(reason: string): string {
  return REASON_LABELS[reason] ?? reason.replaceAll('_', ' ');
}

function describeDetail(key: string, value: DetailValue): string | null {
  const label = DETAIL_LABELS[key];
  if (label !== undefined) return label(value);
  if (value === true) return key;
  const isTime = typeof value === 'number' && /(At|Until)$/.test(key);
  return `${key}: ${isTime ? formatDateTime(value, true) : String(value)}`;
}

/** Things the engine asks the app to tell the person once after signing in. */
export const NOTICE_LABELS: Record<Notice, string> = {
  mfa_reset_by_admin: 'An administrator reset your two-step sign-in. Set it up again to keep your account protected.',
  backup_code_used: 'Each code works once.',
  low_backup_codes: 'Generate new ones in Account settings before they run out.',
  no_backup_codes: 'You have none left: generate a new set in Account settings.',
};

/** A notice in words; the backup-code ones say how many codes the sign-in left. */
export function noticeText(notice: Notice, backupCodesLeft: number | null = null): string {
  if (backupCodesLeft === null || (notice !== 'backup_code_used' && notice !== 'low_backup_codes' && notice !== 'no_backup_codes'))
    return NOTICE_LABELS[notice];
  return `${backupCodesLeftText(backupCodesLeft)} ${NOTICE_LABELS[notice]}`;
}

/** Which notices are news rather than a warning. */
export const INFO_NOTICES: ReadonlySet<Notice> = new Set<Notice>(['backup_code_used']);

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

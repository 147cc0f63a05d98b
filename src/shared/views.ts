import type { AuditEventType, AuditOutcome } from './audit-events.js';
import type { CodeChannelView } from './delivery.js';
import type { SecondFactor } from './fields.js';

/**
 * What leaves the engine: plain data with no secret in it. The renderer, the CLI's --json
 * output and the browser host all show these shapes. Times are milliseconds since the epoch.
 */

export const ROLES = ['admin', 'user'] as const;
export type Role = (typeof ROLES)[number];
export const ACCOUNT_STATUSES = ['active', 'disabled'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

export interface AccountView {
  readonly id: string;
  readonly username: string;
  readonly displayName: string;
  readonly role: Role;
  readonly status: AccountStatus;
  readonly email: string | null;
  /** When the address was proved through a verification link; null while unproved (or with no address). */
  readonly emailVerifiedAt: number | null;
  readonly createdAt: number;
  readonly passwordChangedAt: number;
  /** Set while failed sign-ins hold the account: the time it may be tried again. */
  readonly lockedUntil: number | null;
  readonly failedSignIns: number;
  readonly mfaState: MfaState;
}

/** The three states of TOTP enrollment, stored as such. */
export const MFA_STATES = ['DISABLED', 'SETUP_IN_PROGRESS', 'ENABLED'] as const;
export type MfaState = (typeof MFA_STATES)[number];

export type { SecondFactor };

export interface MfaStatusView {
  readonly state: MfaState;
  readonly enabledAt: number | null;
  /** While SETUP_IN_PROGRESS: when the pending secret is dropped. */
  readonly setupExpiresAt: number | null;
  readonly backupCodesLeft: number;
  readonly trustedDevices: number;
  /** True when policy requires this account to have a second factor. */
  readonly required: boolean;
}

/** What enrollment shows once: the secret for manual entry, its otpauth:// URI, and the URI as a QR code. */
export interface TotpSetupView {
  readonly secret: string;
  readonly uri: string;
  readonly qrDataUrl: string;
  readonly expiresAt: number;
}

export interface TrustedDeviceView {
  readonly id: string;
  readonly deviceName: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly lastUsedAt: number | null;
}

/** The second step of a sign-in: what a MFA_REQUIRED or MFA_ENROLLMENT_REQUIRED error carries in its details. */
export interface ChallengeView {
  readonly challengeId: string;
  readonly factors: readonly SecondFactor[];
  readonly expiresAt: number;
  readonly attemptsLeft: number;
  /** Codes by SMS and e-mail: where each would go, or why it is not offered. */
  readonly codeChannels: readonly CodeChannelView[];
}

/**
 * How a session was won: a password alone, two factors, a trusted device that skipped the code, or
 * a password and a code e-mailed as a fallback (lower than two factors: the mailbox may be the
 * password's own recovery route).
 */
export const ASSURANCES = ['password', 'two_factor', 'trusted_device', 'email_code'] as const;
export type Assurance = (typeof ASSURANCES)[number];

/** Each assurance in words, the same in the app and the CLI. */
export const ASSURANCE_LABELS: Record<Assurance, string> = {
  password: 'Password only',
  two_factor: 'Password and second factor',
  trusted_device: 'Password on a trusted device',
  email_code: 'Password and a code by e-mail (lower assurance)',
};

export const SESSION_HOSTS = ['desktop', 'cli', 'browser'] as const;
export type SessionHost = (typeof SESSION_HOSTS)[number];

export const SESSION_END_REASONS = [
  'signed_out',
  'revoked',
  'revoked_by_admin',
  'evicted',
  'idle_timeout',
  'absolute_timeout',
  'password_changed',
  'account_disabled',
  'refresh_reuse',
  'refreshed',
  'window_closed',
] as const;
export type SessionEndReason = (typeof SESSION_END_REASONS)[number];

export interface SessionView {
  readonly id: string;
  readonly accountId: string;
  readonly username: string;
  readonly assurance: Assurance;
  readonly host: SessionHost;
  readonly deviceName: string;
  readonly osUser: string | null;
  readonly ip: string | null;
  readonly userAgent: string;
  readonly createdAt: number;
  readonly lastActiveAt: number;
  /** The earlier of the idle and the absolute deadline. */
  readonly expiresAt: number;
  readonly absoluteExpiresAt: number;
  readonly active: boolean;
  readonly endedAt: number | null;
  readonly endReason: SessionEndReason | null;
  readonly staySignedIn: boolean;
}

export interface AuditEventView {
  readonly seq: number;
  readonly at: number;
  readonly type: AuditEventType;
  readonly outcome: AuditOutcome;
  readonly actor: { readonly id: string | null; readonly name: string } | null;
  readonly target: { readonly id: string | null; readonly name: string } | null;
  readonly sessionId: string | null;
  readonly device: string | null;
  readonly reason: string | null;
  readonly details: Readonly<Record<string, string | number | boolean | null>> | null;
}

export type AuditVerdict =
  | { readonly intact: true; readonly events: number }
  | {
      readonly intact: false;
      readonly events: number;
      /** The first sequence number at which the chain no longer holds. */
      readonly brokenAt: number;
      /**
       * `rolled_back`: the chain holds, but stops short of a point this computer saw (the vault was
       * replaced by an older copy). `time_backwards`: the chain holds, but an event is dated before
       * one recorded ahead of it (a clock was moved back as it was written).
       */
      readonly problem: 'altered' | 'missing' | 'truncated' | 'rolled_back' | 'time_backwards';
      readonly message: string;
    };

/** One day of the admin's activity chart: sign-ins and failed sign-ins that began that day (UTC). */
export interface ActivityBucket {
  readonly start: number;
  readonly signIns: number;
  readonly failures: number;
}

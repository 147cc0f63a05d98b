/**
 * Security monitoring as every host shows it: the alerts the engine's rules raise and the figures
 * of the security report. Plain data, no secret; times are milliseconds since the epoch.
 */

/** Ordered from least to most urgent: `--fail-on high` means high or critical. */
export const ALERT_SEVERITIES = ['info', 'warning', 'high', 'critical'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

export const ALERT_STATES = ['open', 'acknowledged', 'resolved'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

/** One kind per detection rule (engine/monitoring/rules.ts declares each). */
export const ALERT_KINDS = [
  'new_device',
  'failure_burst',
  'password_spray',
  'challenge_reused',
  'backup_code_reused',
  'totp_replayed',
  'totp_ahead',
  'refresh_token_reused',
  'clock_rollback',
  'clock_ahead',
  'session_evictions',
  'calls_without_session',
  'revoked_session_used',
  'many_devices',
  'audit_tampered',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** What an alert is about, in words every host shows the same. */
export const ALERT_TITLES: { readonly [K in AlertKind]: string } = {
  new_device: 'Sign-in from a device never seen for this account',
  failure_burst: 'Many failed sign-ins for one account',
  password_spray: 'Failed sign-ins spread over many account names',
  challenge_reused: 'A second sign-in step was answered after it expired or was used',
  backup_code_reused: 'A backup code was offered again after it was used',
  totp_replayed: 'An authenticator code was offered again',
  totp_ahead: "An authenticator code matched only a clock that runs ahead of the vault's time",
  refresh_token_reused: 'A "stay signed in" token was used twice',
  clock_rollback: "This machine's clock was set back behind the vault's time",
  clock_ahead: "This machine's clock runs far ahead of the time that really passed",
  session_evictions: 'Many sessions ended by the per-account limit in a day',
  calls_without_session: 'Many calls that need a session, made without one',
  revoked_session_used: 'A revoked session was still used after it was refused',
  many_devices: 'Sign-ins at many devices in a short time',
  audit_tampered: 'The audit log does not verify',
};

/** The machine's clock against the vault's time, when they differ by more than the engine's tolerance. */
export interface ClockSkewView {
  readonly direction: 'behind' | 'ahead';
  readonly byMs: number;
}

/** What the person at the machine is told when its clock is off: what happened, what still works, what to do. Declared once for every host. */
export function describeClockSkew(skew: ClockSkewView): string {
  const minutes = Math.max(1, Math.round(skew.byMs / 60_000));
  return skew.direction === 'behind'
    ? `This computer's clock is about ${minutes} min behind the time this vault has already reached. Latchkey keeps to the vault's time, so nothing that had expired (a session, a code, a link) comes back, and signing in still works. This was recorded, and administrators see it as an alert (latchkey alerts list): set the clock right, or ask an administrator to.`
    : `This computer's clock is about ${minutes} min ahead of the time that really passed since it started. Latchkey counts the real time, so no wait or lock ends early, and an authenticator code still works while its phone shows the right time. This was recorded, and administrators see it as an alert (latchkey alerts list): set the clock right, or ask an administrator to.`;
}

/** The reasons an answer to a second step that was no longer live is audited with (mfa.challenge_failed). */
export const STALE_CHALLENGE = { spent: 'challenge_spent', expired: 'challenge_expired' } as const;

/** The reason a refused backup code is audited with when it is one the account already used (mfa.challenge_failed). */
export const BACKUP_CODE_REUSED = 'backup_code_reused';

export function severityRank(severity: AlertSeverity): number {
  return ALERT_SEVERITIES.indexOf(severity);
}

/** Whether an alert of severity `worst` is at or above `threshold` (none is not). */
export function reachesSeverity(worst: AlertSeverity | null, threshold: AlertSeverity): boolean {
  return worst !== null && severityRank(worst) >= severityRank(threshold);
}

export const ALERT_ID_PATTERN = /^alrt_[0-9a-f]{32}$/;
export const ALERT_ID_LENGTH = 37;
/** An acknowledgement or resolution note: a sentence or a short paragraph, never a document. */
export const ALERT_NOTE_MAX_LENGTH = 1000;
/** The events an alert keeps as its evidence: the first ones and the latest, never the whole of a flood. */
export const ALERT_EVIDENCE_KEPT = 50;

export interface AlertPartyView {
  readonly id: string | null;
  readonly name: string;
}

export interface AlertActionView {
  readonly by: AlertPartyView;
  readonly at: number;
  readonly note: string | null;
}

export interface AlertView {
  readonly id: string;
  readonly kind: AlertKind;
  readonly severity: AlertSeverity;
  readonly state: AlertState;
  /** The rule's own words: what was seen, with the threshold it crossed. */
  readonly summary: string;
  /** The accounts it concerns (none for the vault's clock or log). */
  readonly accounts: readonly AlertPartyView[];
  readonly firstSeenAt: number;
  readonly lastSeenAt: number;
  /** How many events the alert has taken in. */
  readonly count: number;
  /** The audit events (their seq) it rests on, oldest first; at most ALERT_EVIDENCE_KEPT. */
  readonly events: readonly number[];
  readonly acknowledged: AlertActionView | null;
  readonly resolved: AlertActionView | null;
}

/** The periods the report covers, in days. */
export const REPORT_PERIODS = [7, 30, 90] as const;
export type ReportPeriod = (typeof REPORT_PERIODS)[number];

/** The seed's success measures. */
export const REPORT_TARGETS = {
  /** Accounts with a second factor among active accounts. */
  mfaAdoption: 0.8,
  /** Second steps that succeed among those tried. */
  mfaVerificationSuccess: 0.95,
  /** From starting TOTP setup to confirming it. */
  totpSetupMs: 5 * 60_000,
} as const;

export interface ReportDay {
  /** Midnight UTC that starts the day. */
  readonly start: number;
  /** Successful sign-ins by the assurance of the session they started (password, two_factor, …). */
  readonly signIns: { readonly [assurance: string]: number };
  /** Failed sign-ins (and refused proofs) by reason (wrong_password, unknown_account, …). */
  readonly failures: { readonly [reason: string]: number };
  /** Sessions that were active at some time in the day. */
  readonly activeSessions: number;
  readonly sessionsStarted: number;
  readonly lockouts: number;
  readonly mfaVerifications: { readonly succeeded: number; readonly failed: number };
}

export interface SecurityReport {
  readonly periodDays: ReportPeriod;
  readonly from: number;
  readonly to: number;
  readonly days: readonly ReportDay[];
  readonly totals: {
    readonly signIns: number;
    readonly failures: number;
    readonly lockouts: number;
    readonly sessionsStarted: number;
  };
  /** Median length of the sessions that ended in the period, in ms; null when none ended. */
  readonly medianSessionMs: number | null;
  readonly mfaAdoption: {
    readonly withSecondFactor: number;
    readonly activeAccounts: number;
    /** null with no active account. */
    readonly rate: number | null;
    readonly target: number;
  };
  readonly mfaVerification: {
    readonly succeeded: number;
    readonly failed: number;
    readonly rate: number | null;
    readonly target: number;
  };
  readonly totpSetup: {
    /** Setups confirmed in the period. */
    readonly confirmed: number;
    readonly medianMs: number | null;
    readonly targetMs: number;
  };
  readonly devicesPerAccount: {
    readonly accounts: number;
    readonly median: number | null;
    readonly max: number;
  };
  /** Alerts open or acknowledged, by severity. */
  readonly unresolvedAlerts: { readonly [S in AlertSeverity]: number };
}

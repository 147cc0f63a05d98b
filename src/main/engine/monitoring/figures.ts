import type { AuditEventType } from '../../../shared/audit-events.js';
import { STALE_CHALLENGE } from '../../../shared/monitoring.js';
import type { AuditEntry } from '../audit/audit-log.js';
import { DAY, MINUTE } from '../clock.js';
import { SETUP_LIFETIME } from '../mfa/mfa-service.js';
import type { WritableRepositories } from '../write-path.js';

/** The counters the security report reads, by name: one declaration for the writer and the reader. */
export const FIGURE = {
  /** Successful sign-ins, by the assurance of the session started. */
  signIn: 'signin',
  /** Failed sign-ins and refused proofs, by reason. */
  failure: 'failure',
  /** Second steps, `succeeded` or `failed`. */
  mfaVerify: 'mfa_verify',
  lockout: 'lockout',
  sessionStart: 'session_start',
  sessionEnd: 'session_end',
  /** Sessions that ended, by their length in whole minutes. */
  sessionMinutes: 'session_minutes',
  /** TOTP setups confirmed, by seconds from starting them. */
  totpSetupSeconds: 'totp_setup_seconds',
} as const;

/** Where a TOTP setup's start is held until it is confirmed (a monitor_hits rule of its own). */
const SETUP_STARTS = 'totp_setup_start';

const SESSION_ENDS: readonly AuditEventType[] = ['signout', 'session.revoked', 'session.evicted', 'session.expired', 'session.closed'];

type Count = (repos: WritableRepositories, entry: AuditEntry, at: number) => void;

const bump = (repos: WritableRepositories, at: number, figure: string, value = ''): void =>
  repos.figures.bump(Math.floor(at / DAY), figure, value);

const endOfSession: Count = (repos, entry, at) => {
  bump(repos, at, FIGURE.sessionEnd);
  const session = entry.sessionId == null ? undefined : repos.sessions.byId(entry.sessionId);
  if (session !== undefined) bump(repos, at, FIGURE.sessionMinutes, String(Math.max(0, Math.floor((at - session.created_at) / MINUTE))));
};

/** What each event adds to the daily figures, declared once. */
const COUNTS: { readonly [type: string]: Count } = {
  'signin.succeeded': (repos, entry, at) => {
    const session = entry.sessionId == null ? undefined : repos.sessions.byId(entry.sessionId);
    bump(repos, at, FIGURE.signIn, session?.assurance ?? 'password');
    // A second step that passed (a trusted device skipped it: no step was tried).
    const factors = entry.details?.['factors'];
    if (typeof factors === 'string' && factors.startsWith('password+') && factors !== 'password+trusted_device') {
      bump(repos, at, FIGURE.mfaVerify, 'succeeded');
    }
  },
  'signin.failed': (repos, entry, at) => bump(repos, at, FIGURE.failure, entry.reason ?? 'unknown'),
  // An answer to a step no longer live tried no code: it is watched, not counted as a verification.
  'mfa.challenge_failed': (repos, entry, at) => {
    if (!(Object.values(STALE_CHALLENGE) as (string | null | undefined)[]).includes(entry.reason))
      bump(repos, at, FIGURE.mfaVerify, 'failed');
  },
  'account.locked': (repos, _entry, at) => bump(repos, at, FIGURE.lockout),
  'session.created': (repos, _entry, at) => bump(repos, at, FIGURE.sessionStart),
  'mfa.totp_setup_started': (repos, entry, at) => {
    const accountId = entry.target?.id;
    if (accountId != null) repos.monitorHits.record(SETUP_STARTS, accountId, '', at, 0, at - SETUP_LIFETIME, at - DAY);
  },
  'mfa.totp_enabled': (repos, entry, at) => {
    const accountId = entry.target?.id;
    if (accountId == null) return;
    const started = repos.monitorHits.hits(SETUP_STARTS, accountId, at - SETUP_LIFETIME).at(-1);
    if (started !== undefined) bump(repos, at, FIGURE.totpSetupSeconds, String(Math.round((at - started.at) / 1000)));
  },
  ...Object.fromEntries(SESSION_ENDS.map((type) => [type, endOfSession])),
};

/** Counts `entry` into the day it was written on; inside its change. */
export function countFigures(repos: WritableRepositories, entry: AuditEntry, at: number): void {
  COUNTS[entry.type]?.(repos, entry, at);
}

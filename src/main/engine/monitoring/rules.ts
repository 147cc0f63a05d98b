import type { AuditEventType } from '../../../shared/audit-events.js';
import {
  BACKUP_CODE_REUSED,
  STALE_CHALLENGE,
  type AlertKind,
  type AlertPartyView,
  type AlertSeverity,
} from '../../../shared/monitoring.js';
import type { AuditEntry } from '../audit/audit-log.js';
import { DAY, MINUTE } from '../clock.js';
import type { MonitorHitReads } from '../../store/monitoring.js';
import type { Policy } from '../policy/policy-keys.js';

/** An audit event as the rules see it, just after it was written. */
export interface Observed {
  readonly entry: AuditEntry;
  readonly seq: number;
  readonly at: number;
  /** For a successful sign-in: whether its device is one the account had never signed in from. */
  readonly newDevice: boolean;
}

/** A windowed count: the rule's hits about one subject since `since`. */
export interface Window {
  /**
   * Records this event as a hit with `value`; then how many hits (or distinct values) the window
   * holds, and whether `value` was new in it.
   */
  add(value: string, options?: { distinct?: boolean }): { readonly count: number; readonly fresh: boolean };
  /** The seqs of the hits in the window, oldest first: the evidence of a crossed threshold. */
  evidence(): number[];
}

/** What a rule saw in one event. */
export interface Finding {
  /** What the rule groups on: one unresolved alert per rule and subject, which later findings add to. */
  readonly subject: string;
  readonly accounts: readonly AlertPartyView[];
  readonly summary: string;
  /** True when the event alone, or its window, crosses the threshold: a new alert is raised. Otherwise it only adds to an unresolved one. */
  readonly crossed: boolean;
  /** Whether this event adds to an unresolved alert of the rule about the subject: a repeat of what it holds does not. */
  readonly adds: boolean;
  /**
   * The events a new alert starts with: read only when one is raised, as a window a flood has
   * filled holds thousands, and most events only add to an alert already open.
   */
  readonly evidence: () => readonly number[];
}

export interface RuleTools {
  readonly policy: Policy;
  /** The window of `ms` back from the event, of this rule about `subject`. */
  readonly window: (subject: string, ms: number) => Window;
}

/**
 * A detection rule: its alert's kind and severity, the audit events it looks at, and what it
 * finds in one. Rules never refuse anything: they read the event after it was written.
 */
export interface Rule {
  readonly kind: AlertKind;
  readonly severity: AlertSeverity;
  readonly watches: readonly AuditEventType[];
  /** The policy keys its threshold and window come from; the README's table names each (a test checks). */
  readonly policyKeys: readonly (keyof Policy)[];
  detect(event: Observed, tools: RuleTools): Finding | null;
}

function accountOf(entry: AuditEntry): { readonly id: string; readonly name: string } | null {
  const target = entry.target;
  return target?.id == null ? null : { id: target.id, name: target.name };
}

/** A rule every one of whose events is an alert by itself (a replayed code, a reused token, a clock set back). */
function eachEvent(
  kind: AlertKind,
  severity: AlertSeverity,
  watches: readonly AuditEventType[],
  summary: (entry: AuditEntry) => string,
): Rule {
  return {
    kind,
    severity,
    watches,
    policyKeys: [],
    detect({ entry, seq }) {
      const account = accountOf(entry);
      return {
        subject: account?.id ?? 'vault',
        accounts: account === null ? [] : [account],
        summary: summary(entry),
        crossed: true,
        adds: true,
        evidence: () => [seq],
      };
    },
  };
}

const minutes = (ms: number): string => `${Math.round(ms / MINUTE)} min`;

/** Every detection rule, declared once: the monitor runs them, the README lists them, the tests fire each. */
export const RULES: readonly Rule[] = [
  {
    kind: 'new_device',
    severity: 'info',
    watches: ['signin.succeeded'],
    policyKeys: [],
    // The device is new by the same record the e-mailed notice reads (known_devices), never a second list.
    detect({ entry, seq, newDevice }) {
      const account = accountOf(entry);
      if (!newDevice || account === null) return null;
      const device = entry.device ?? 'an unnamed device';
      const host = entry.details?.['host'];
      return {
        subject: `${account.id}:${typeof host === 'string' ? host : ''}:${device}`,
        accounts: [account],
        summary: `${account.name} signed in from ${device}${typeof host === 'string' ? ` (${host})` : ''}, a device never seen for this account.`,
        crossed: true,
        adds: true,
        evidence: () => [seq],
      };
    },
  },
  {
    kind: 'failure_burst',
    severity: 'warning',
    watches: ['signin.failed', 'mfa.challenge_failed'],
    policyKeys: ['monitor.failureBurst', 'monitor.failureWindowMinutes'],
    detect({ entry }, { policy, window }) {
      const account = accountOf(entry);
      if (account === null) return null;
      const threshold = policy['monitor.failureBurst'];
      const span = policy['monitor.failureWindowMinutes'] * MINUTE;
      const counted = window(account.id, span);
      const failures = counted.add(entry.type).count;
      return {
        subject: account.id,
        accounts: [account],
        summary: `${failures} failed sign-ins or codes for ${account.name} within ${minutes(span)} (threshold ${threshold}, policy monitor.failureBurst).`,
        crossed: failures >= threshold,
        adds: true,
        evidence: () => counted.evidence(),
      };
    },
  },
  {
    kind: 'password_spray',
    severity: 'warning',
    watches: ['signin.failed'],
    policyKeys: ['monitor.sprayNames', 'monitor.sprayWindowMinutes'],
    // Unknown names are recorded as a digest of the name, so they count as names without being kept.
    detect({ entry }, { policy, window }) {
      const name = entry.target?.name;
      if (name === undefined) return null;
      const threshold = policy['monitor.sprayNames'];
      const span = policy['monitor.sprayWindowMinutes'] * MINUTE;
      const counted = window('all names', span);
      const { count: names, fresh } = counted.add(name, { distinct: true });
      return {
        subject: 'all names',
        accounts: [],
        summary: `Failed sign-ins for ${names} different account names within ${minutes(span)} (threshold ${threshold}, policy monitor.sprayNames).`,
        crossed: names >= threshold,
        adds: fresh,
        evidence: () => counted.evidence(),
      };
    },
  },
  {
    kind: 'challenge_reused',
    severity: 'warning',
    watches: ['mfa.challenge_failed'],
    policyKeys: [],
    detect({ entry, seq }) {
      const account = accountOf(entry);
      const stale = Object.values(STALE_CHALLENGE) as (string | null | undefined)[];
      if (account === null || !stale.includes(entry.reason)) return null;
      return {
        subject: account.id,
        accounts: [account],
        summary: `The second step of a sign-in of ${account.name} was answered after it ${entry.reason === STALE_CHALLENGE.spent ? 'was used' : 'expired'}: an answer sent again, perhaps from a captured exchange.`,
        crossed: true,
        adds: true,
        evidence: () => [seq],
      };
    },
  },
  {
    kind: 'backup_code_reused',
    severity: 'warning',
    watches: ['mfa.challenge_failed'],
    policyKeys: [],
    detect({ entry, seq }) {
      const account = accountOf(entry);
      if (account === null || entry.reason !== BACKUP_CODE_REUSED) return null;
      return {
        subject: account.id,
        accounts: [account],
        summary: `A backup code of ${account.name} that was already used was offered again: someone else may hold the list of codes.`,
        crossed: true,
        adds: true,
        evidence: () => [seq],
      };
    },
  },
  eachEvent(
    'totp_replayed',
    'warning',
    ['mfa.code_replayed'],
    (entry) => `${entry.target?.name ?? 'An account'} was offered a TOTP code for a time step already used: a copied or observed code.`,
  ),
  eachEvent(
    'totp_ahead',
    'warning',
    ['mfa.code_ahead'],
    (entry) => `${entry.target?.name ?? 'An account'} was offered a TOTP code valid only at a time the vault has not reached.`,
  ),
  eachEvent(
    'refresh_token_reused',
    'high',
    ['session.refresh_reuse'],
    (entry) =>
      `A rotated "stay signed in" token of ${entry.target?.name ?? 'an account'} was used again, so it was copied: every session of its family was ended.`,
  ),
  eachEvent(
    'clock_rollback',
    'high',
    ['clock.behind'],
    (entry) =>
      `${entry.reason ?? "This machine's clock is behind the vault's time."} Sessions, codes and links that had expired stay expired; an administrator should set the clock right and find out who moved it.`,
  ),
  eachEvent(
    'clock_ahead',
    'high',
    ['clock.ahead'],
    (entry) =>
      `${entry.reason ?? "This machine's clock is ahead of the time that really passed."} Delays and locks still run on real time; an administrator should set the clock right.`,
  ),
  {
    kind: 'calls_without_session',
    severity: 'warning',
    // The host counts the refusals in memory and writes one event a minute at most, once the
    // threshold is reached: a flood of refused calls never becomes a flood of rows.
    watches: ['session.calls_refused'],
    policyKeys: ['monitor.refusedCallsPerMinute'],
    detect({ entry, seq }) {
      const host = entry.details?.['host'];
      const count = entry.details?.['count'];
      const device = entry.device ?? 'an unnamed device';
      return {
        subject: `${typeof host === 'string' ? host : ''}:${device}`,
        accounts: [],
        summary: `${typeof count === 'number' ? count : 'Many'} calls that need a session were made without one from ${device}${typeof host === 'string' ? ` (${host})` : ''} within a minute (policy monitor.refusedCallsPerMinute): something is probing for a way in without signing in.`,
        crossed: true,
        adds: true,
        evidence: () => [seq],
      };
    },
  },
  {
    kind: 'revoked_session_used',
    severity: 'high',
    // The session service writes this event twice at most for a session (revokedUseToRecord): when
    // the revoked session is first refused, which tells its holder, and when it comes back after the
    // grace. Only the second raises the alert: an honest window or command forgets a refused token.
    watches: ['session.revoked_used'],
    policyKeys: ['monitor.revokedSessionGraceSeconds'],
    detect({ entry }, { policy, window }) {
      const account = accountOf(entry);
      const sessionId = entry.sessionId;
      if (account === null || sessionId == null) return null;
      const counted = window(sessionId, DAY);
      const uses = counted.add('use').count;
      const device = entry.device ?? 'an unnamed device';
      return {
        subject: account.id,
        accounts: [account],
        summary: `A session of ${account.name} on ${device} was presented again more than ${policy['monitor.revokedSessionGraceSeconds']} s after it was revoked and refused (policy monitor.revokedSessionGraceSeconds): its token was copied, and the copy is still being tried.`,
        crossed: uses >= 2,
        adds: uses >= 2,
        evidence: () => counted.evidence(),
      };
    },
  },
  {
    kind: 'session_evictions',
    severity: 'warning',
    watches: ['session.evicted'],
    policyKeys: ['monitor.evictionsPerDay', 'session.maxPerAccount'],
    detect({ entry, seq }, { policy, window }) {
      const account = accountOf(entry);
      if (account === null) return null;
      const threshold = policy['monitor.evictionsPerDay'];
      const counted = window(account.id, DAY);
      const evicted = counted.add(entry.sessionId ?? String(seq)).count;
      return {
        subject: account.id,
        accounts: [account],
        summary: `${evicted} sessions of ${account.name} were ended by the limit of ${policy['session.maxPerAccount']} within 24 hours (more than ${threshold}, policy monitor.evictionsPerDay): someone may be signing in with the same password elsewhere.`,
        crossed: evicted > threshold,
        adds: true,
        evidence: () => counted.evidence(),
      };
    },
  },
  {
    kind: 'many_devices',
    severity: 'warning',
    watches: ['signin.succeeded'],
    policyKeys: ['monitor.deviceBurst', 'monitor.deviceWindowMinutes'],
    detect({ entry }, { policy, window }) {
      const account = accountOf(entry);
      if (account === null) return null;
      const threshold = policy['monitor.deviceBurst'];
      const span = policy['monitor.deviceWindowMinutes'] * MINUTE;
      const counted = window(account.id, span);
      const { count: devices, fresh } = counted.add(entry.device ?? '', { distinct: true });
      return {
        subject: account.id,
        accounts: [account],
        summary: `${account.name} signed in at ${devices} different devices within ${minutes(span)} (threshold ${threshold}, policy monitor.deviceBurst).`,
        crossed: devices >= threshold,
        // Only another device adds to an alert already raised: the same laptop again is no news.
        adds: fresh,
        evidence: () => counted.evidence(),
      };
    },
  },
];

/**
 * Whether a refused use of a revoked session should be audited: its first (the holder hears of
 * the revocation) or the first after the grace (someone kept a copy), so at most two events for
 * a session however often its token is tried. Read from the revoked-session rule's own hits.
 */
export function revokedUseToRecord(
  hits: MonitorHitReads,
  sessionId: string,
  now: number,
  graceMs: number,
): 'first_use' | 'used_again' | null {
  const uses = hits.hits('revoked_session_used', sessionId, now - DAY);
  const [first] = uses;
  if (first === undefined) return 'first_use';
  // A clock set back gives a negative span: no alert from a clock, only from a use.
  return uses.length === 1 && now - first.at >= graceMs ? 'used_again' : null;
}

/** The rules that look at each event type, found once. */
export const RULES_BY_EVENT: ReadonlyMap<string, readonly Rule[]> = (() => {
  const map = new Map<string, Rule[]>();
  for (const rule of RULES) for (const type of rule.watches) map.set(type, [...(map.get(type) ?? []), rule]);
  return map;
})();

/** The one rule not driven by an event: the audit log checked as a whole (at start, and on a timer). */
export const TAMPER_RULE = { kind: 'audit_tampered', severity: 'critical' } as const satisfies { kind: AlertKind; severity: AlertSeverity };

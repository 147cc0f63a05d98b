import { LatchkeyError } from '../../../shared/errors.js';
import {
  ALERT_ID_PATTERN,
  ALERT_NOTE_MAX_LENGTH,
  ALERT_SEVERITIES,
  type AlertPartyView,
  type AlertSeverity,
  type AlertView,
} from '../../../shared/monitoring.js';
import type { ClientInfo } from '../../../shared/client.js';
import type { AlertRow } from '../../store/monitoring.js';
import { MINUTE } from '../clock.js';
import type { Policy } from '../policy/policy-keys.js';
import { type Caller, partyOf, requireAdmin } from '../caller.js';
import type { Change } from '../write-path.js';
import type { EngineContext } from '../context.js';
import { recordFinding } from './monitor.js';
import { TAMPER_RULE } from './rules.js';

export interface AlertQuery {
  /** Only alerts not resolved yet (open or acknowledged). */
  readonly unresolvedOnly?: boolean;
  readonly limit?: number;
}

export const ALERT_LIST_MAX = 1000;
/** Clients whose refused calls are counted at once; more than this many are a probe too. */
const REFUSED_CLIENTS_KEPT = 1000;

/**
 * The alerts as administrators read and act on them. Who may is decided here, for every host
 * alike: administrators only, since an alert names accounts, devices and what was tried on them.
 */
export class AlertService {
  readonly #ctx: EngineContext;
  readonly #policy: () => Policy;
  /** Refused calls per window or program, this minute: in memory, so that refusing costs no write. */
  readonly #refused = new Map<string, { since: number; count: number }>();

  constructor(ctx: EngineContext, policy: () => Policy) {
    this.#ctx = ctx;
    this.#policy = policy;
  }

  /**
   * A host refused a call that needs a session, as its window or program had none. Counted here per
   * client for the minute; the call that reaches `monitor.refusedCallsPerMinute` writes one audit
   * event (and so an alert), and the rest of that minute write nothing.
   */
  noteCallWithoutSession(client: ClientInfo): void {
    const now = this.#ctx.clock.now();
    const key = `${client.host}\u0000${client.deviceName}\u0000${client.osUser ?? ''}`;
    const current = this.#refused.get(key);
    const counted = current === undefined || now - current.since >= MINUTE || now < current.since ? { since: now, count: 0 } : current;
    counted.count += 1;
    this.#refused.delete(key);
    this.#refused.set(key, counted);
    // Many windows at once are themselves a probe; the oldest counts go first.
    if (this.#refused.size > REFUSED_CLIENTS_KEPT) this.#refused.delete(this.#refused.keys().next().value ?? key);
    const threshold = this.#policy()['monitor.refusedCallsPerMinute'];
    if (counted.count !== threshold) return;
    this.#ctx.change((tx) =>
      tx.audit({
        type: 'session.calls_refused',
        outcome: 'denied',
        device: client.deviceName,
        reason: 'no_session',
        details: { count: counted.count, host: client.host },
      }),
    );
  }

  /** Newest first. */
  list(caller: Caller, query: AlertQuery = {}): AlertView[] {
    requireAdmin(caller);
    const limit = query.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > ALERT_LIST_MAX) {
      throw new LatchkeyError('INVALID_INPUT', `A list of alerts holds 1 to ${ALERT_LIST_MAX}.`);
    }
    return this.#ctx.repos.alerts.list({ unresolvedOnly: query.unresolvedOnly === true, limit }).map(toView);
  }

  show(caller: Caller, id: string): AlertView {
    requireAdmin(caller);
    return toView(this.#row(id));
  }

  /**
   * The most severe open alert, or null: what `alerts list --fail-on` compares with. An
   * acknowledged alert is being looked at, so it no longer pages anyone; it stays listed until resolved.
   */
  worstOpen(caller: Caller): AlertSeverity | null {
    requireAdmin(caller);
    const present = this.#ctx.repos.alerts
      .unresolvedBySeverity()
      .filter((row) => row.state === 'open')
      .map((row) => row.severity);
    return [...ALERT_SEVERITIES].reverse().find((severity) => present.includes(severity)) ?? null;
  }

  /** "Someone is looking at it": the alert stays until resolved, and later events still add to it. */
  acknowledge(caller: Caller, id: string, note: string | null): AlertView {
    requireAdmin(caller);
    const text = checkedNote(note);
    return this.#ctx.change((tx) => {
      const row = this.#row(id);
      if (row.state !== 'open') throw new LatchkeyError('CONFLICT', `This alert is ${row.state} already.`);
      tx.repos.alerts.acknowledge(id, { byId: caller.accountId, byName: caller.username, at: this.#ctx.clock.now(), note: text });
      this.#audit(tx, caller, 'alert.acknowledged', row);
      return toView(this.#row(id));
    });
  }

  /** Closed, with a note of what was found or done; a later event of the same kind raises a new alert. */
  resolve(caller: Caller, id: string, note: string): AlertView {
    requireAdmin(caller);
    const text = checkedNote(note);
    if (text === null) throw new LatchkeyError('INVALID_INPUT', 'Resolving an alert needs a note: what was found, or what was done.');
    return this.#ctx.change((tx) => {
      const row = this.#row(id);
      if (row.state === 'resolved') throw new LatchkeyError('CONFLICT', 'This alert is resolved already.');
      tx.repos.alerts.resolve(id, { byId: caller.accountId, byName: caller.username, at: this.#ctx.clock.now(), note: text });
      this.#audit(tx, caller, 'alert.resolved', row);
      return toView(this.#row(id));
    });
  }

  /**
   * Verifies the audit log and raises a critical alert when it does not: hosts run it at start and
   * on a timer, and `alerts list` before it answers. Each break is raised once; resolved, it stays
   * resolved (a broken chain cannot be mended), and a break elsewhere raises a new alert.
   */
  async checkAuditLog(): Promise<AlertView | null> {
    const verdict = await this.#ctx.audit.verify();
    if (verdict.intact) return null;
    const subject = `${verdict.problem}:${verdict.brokenAt}`;
    return this.#ctx.change((tx) => {
      const known = this.#ctx.repos.alerts.latest(TAMPER_RULE.kind, subject);
      if (known?.state === 'resolved') return toView(known);
      const at = this.#ctx.clock.now();
      recordFinding(
        tx.repos,
        TAMPER_RULE.kind,
        TAMPER_RULE.severity,
        { subject, accounts: [], summary: `${verdict.message} (audit verify)`, crossed: true, adds: false, evidence: () => [] },
        null,
        at,
      );
      const raised = this.#ctx.repos.alerts.latest(TAMPER_RULE.kind, subject);
      if (raised === undefined) throw new Error('the tamper alert was not stored');
      return toView(raised);
    });
  }

  /** Who acted on which alert, in the log the alert rests on; the note stays on the alert, as free text. */
  #audit(tx: Change, caller: Caller, type: 'alert.acknowledged' | 'alert.resolved', row: AlertRow): void {
    tx.audit({
      type,
      outcome: 'success',
      actor: partyOf(caller),
      sessionId: caller.sessionId,
      device: caller.deviceName,
      details: { alert: row.id, alertKind: row.kind, severity: row.severity },
    });
  }

  #row(id: string): AlertRow {
    if (!ALERT_ID_PATTERN.test(id)) throw new LatchkeyError('INVALID_INPUT', 'An alert id looks like alrt_ followed by 32 hex digits.');
    const row = this.#ctx.repos.alerts.byId(id);
    if (row === undefined) throw new LatchkeyError('NOT_FOUND', 'There is no such alert.');
    return row;
  }
}

function checkedNote(note: string | null): string | null {
  if (note === null) return null;
  const text = note.trim();
  if (text.length > ALERT_NOTE_MAX_LENGTH)
    throw new LatchkeyError('INVALID_INPUT', `A note is at most ${ALERT_NOTE_MAX_LENGTH} characters.`);
  return text === '' ? null : text;
}

function toView(row: AlertRow): AlertView {
  const action = (id: string | null, name: string | null, at: number | null, note: string | null): AlertView['acknowledged'] =>
    name === null || at === null ? null : { by: { id, name }, at, note };
  return {
    id: row.id,
    kind: row.kind,
    severity: row.severity,
    state: row.state,
    summary: row.summary,
    accounts: JSON.parse(row.accounts) as AlertPartyView[],
    firstSeenAt: row.first_seen_at,
    lastSeenAt: row.last_seen_at,
    count: row.count,
    events: JSON.parse(row.events) as number[],
    acknowledged: action(row.acknowledged_by_id, row.acknowledged_by_name, row.acknowledged_at, row.acknowledged_note),
    resolved: action(row.resolved_by_id, row.resolved_by_name, row.resolved_at, row.resolved_note),
  };
}

import type { AlertKind, AlertSeverity, AlertState } from '../../shared/monitoring.js';
import type { Db } from './database.js';

export interface AlertRow {
  readonly id: string;
  readonly kind: AlertKind;
  readonly severity: AlertSeverity;
  readonly subject: string;
  readonly summary: string;
  /** JSON: [{ id, name }] */
  readonly accounts: string;
  readonly first_seen_at: number;
  readonly last_seen_at: number;
  readonly count: number;
  /** JSON: [seq] */
  readonly events: string;
  readonly state: AlertState;
  readonly acknowledged_by_id: string | null;
  readonly acknowledged_by_name: string | null;
  readonly acknowledged_at: number | null;
  readonly acknowledged_note: string | null;
  readonly resolved_by_id: string | null;
  readonly resolved_by_name: string | null;
  readonly resolved_at: number | null;
  readonly resolved_note: string | null;
}

export interface AlertAction {
  readonly byId: string | null;
  readonly byName: string;
  readonly at: number;
  readonly note: string | null;
}

/** The alerts the monitoring rules raise, and what administrators did about them. */
export class AlertRepository {
  readonly #insert;
  readonly #update;
  readonly #unresolved;
  readonly #latest;
  readonly #byId;
  readonly #list;
  readonly #listOpen;
  readonly #acknowledge;
  readonly #resolve;
  readonly #openCounts;

  constructor(db: Db) {
    this.#insert = db.prepare<AlertRow>(
      `INSERT INTO alerts (id, kind, severity, subject, summary, accounts, first_seen_at, last_seen_at, count, events, state,
         acknowledged_by_id, acknowledged_by_name, acknowledged_at, acknowledged_note,
         resolved_by_id, resolved_by_name, resolved_at, resolved_note)
       VALUES (@id, @kind, @severity, @subject, @summary, @accounts, @first_seen_at, @last_seen_at, @count, @events, @state,
         @acknowledged_by_id, @acknowledged_by_name, @acknowledged_at, @acknowledged_note,
         @resolved_by_id, @resolved_by_name, @resolved_at, @resolved_note)`,
    );
    this.#update = db.prepare<{ id: string; summary: string; accounts: string; last_seen_at: number; count: number; events: string }>(
      `UPDATE alerts SET summary = @summary, accounts = @accounts, last_seen_at = @last_seen_at, count = @count, events = @events
       WHERE id = @id`,
    );
    this.#unresolved = db.prepare<[string, string], AlertRow>(
      "SELECT * FROM alerts WHERE kind = ? AND subject = ? AND state <> 'resolved' ORDER BY first_seen_at DESC LIMIT 1",
    );
    this.#latest = db.prepare<[string, string], AlertRow>(
      'SELECT * FROM alerts WHERE kind = ? AND subject = ? ORDER BY first_seen_at DESC, rowid DESC LIMIT 1',
    );
    this.#byId = db.prepare<[string], AlertRow>('SELECT * FROM alerts WHERE id = ?');
    this.#list = db.prepare<[number], AlertRow>('SELECT * FROM alerts ORDER BY last_seen_at DESC, rowid DESC LIMIT ?');
    this.#listOpen = db.prepare<[number], AlertRow>(
      "SELECT * FROM alerts WHERE state <> 'resolved' ORDER BY last_seen_at DESC, rowid DESC LIMIT ?",
    );
    this.#acknowledge = db.prepare<{ id: string; byId: string | null; byName: string; at: number; note: string | null }>(
      `UPDATE alerts SET state = 'acknowledged', acknowledged_by_id = @byId, acknowledged_by_name = @byName,
         acknowledged_at = @at, acknowledged_note = @note
       WHERE id = @id AND state = 'open'`,
    );
    this.#resolve = db.prepare<{ id: string; byId: string | null; byName: string; at: number; note: string | null }>(
      `UPDATE alerts SET state = 'resolved', resolved_by_id = @byId, resolved_by_name = @byName, resolved_at = @at, resolved_note = @note
       WHERE id = @id AND state <> 'resolved'`,
    );
    this.#openCounts = db.prepare<[], { state: Exclude<AlertState, 'resolved'>; severity: AlertSeverity; n: number }>(
      "SELECT state, severity, COUNT(*) AS n FROM alerts WHERE state <> 'resolved' GROUP BY state, severity",
    );
  }

  insert(row: AlertRow): void {
    this.#insert.run(row);
  }

  update(row: Pick<AlertRow, 'id' | 'summary' | 'accounts' | 'last_seen_at' | 'count' | 'events'>): void {
    this.#update.run(row);
  }

  /** The open or acknowledged alert of this rule about this subject, which a new event adds to. */
  unresolved(kind: AlertKind, subject: string): AlertRow | undefined {
    return this.#unresolved.get(kind, subject);
  }

  /** The newest alert of this rule about this subject, in whatever state. */
  latest(kind: AlertKind, subject: string): AlertRow | undefined {
    return this.#latest.get(kind, subject);
  }

  byId(id: string): AlertRow | undefined {
    return this.#byId.get(id);
  }

  /** Newest first. */
  list(options: { unresolvedOnly: boolean; limit: number }): AlertRow[] {
    return (options.unresolvedOnly ? this.#listOpen : this.#list).all(options.limit);
  }

  acknowledge(id: string, action: AlertAction): boolean {
    return this.#acknowledge.run({ id, ...action }).changes === 1;
  }

  resolve(id: string, action: AlertAction): boolean {
    return this.#resolve.run({ id, ...action }).changes === 1;
  }

  /** How many alerts not resolved yet there are, by state and severity. */
  unresolvedBySeverity(): { state: Exclude<AlertState, 'resolved'>; severity: AlertSeverity; n: number }[] {
    return this.#openCounts.all();
  }
}

export const ALERT_READS = [
  'unresolved',
  'latest',
  'byId',
  'list',
  'unresolvedBySeverity',
] as const satisfies readonly (keyof AlertRepository)[];
export type AlertReads = Pick<AlertRepository, (typeof ALERT_READS)[number]>;

/**
 * The events a windowed rule counts (a failed sign-in, an eviction, a device): one row each,
 * dropped once older than the rule's window, so counting a window reads only its own rows.
 */
export class MonitorHitRepository {
  readonly #insert;
  readonly #prune;
  readonly #count;
  readonly #seqs;
  readonly #has;
  readonly #touch;
  readonly #pruneAll;

  constructor(db: Db) {
    this.#has = db.prepare<[string, string, string, number], { one: number }>(
      'SELECT 1 AS one FROM monitor_hits WHERE rule = ? AND subject = ? AND value = ? AND at >= ? LIMIT 1',
    );
    this.#touch = db.prepare<[number, number, string, string, string, number]>(
      'UPDATE monitor_hits SET at = ?, seq = ? WHERE rule = ? AND subject = ? AND value = ? AND at >= ?',
    );
    this.#insert = db.prepare<[string, string, string, number, number]>(
      'INSERT INTO monitor_hits (rule, subject, value, at, seq) VALUES (?, ?, ?, ?, ?)',
    );
    this.#prune = db.prepare<[string, string, number]>('DELETE FROM monitor_hits WHERE rule = ? AND subject = ? AND at < ?');
    this.#pruneAll = db.prepare<[number]>(
      'DELETE FROM monitor_hits WHERE rowid IN (SELECT rowid FROM monitor_hits WHERE at < ? ORDER BY at LIMIT 16)',
    );
    this.#count = db.prepare<[string, string, number], { n: number }>(
      'SELECT COUNT(*) AS n FROM monitor_hits WHERE rule = ? AND subject = ? AND at >= ?',
    );
    this.#seqs = db.prepare<[string, string, number], { seq: number; value: string; at: number }>(
      'SELECT seq, value, at FROM monitor_hits WHERE rule = ? AND subject = ? AND at >= ? ORDER BY seq',
    );
  }

  /**
   * Records a hit and forgets this rule's hits about this subject from before `since`, and a few
   * of any rule's from before `expired` (subjects that never come back would stay otherwise).
   */
  record(rule: string, subject: string, value: string, at: number, seq: number, since: number, expired: number): void {
    this.#prune.run(rule, subject, since);
    this.#pruneAll.run(expired);
    this.#insert.run(rule, subject, value, at, seq);
  }

  /** Moves a value the window already holds up to this event: a window of distinct values keeps one row for each. */
  touch(rule: string, subject: string, value: string, at: number, seq: number, since: number): void {
    this.#touch.run(at, seq, rule, subject, value, since);
  }

  has(rule: string, subject: string, value: string, since: number): boolean {
    return this.#has.get(rule, subject, value, since) !== undefined;
  }

  count(rule: string, subject: string, since: number): number {
    return this.#count.get(rule, subject, since)?.n ?? 0;
  }

  hits(rule: string, subject: string, since: number): { seq: number; value: string; at: number }[] {
    return this.#seqs.all(rule, subject, since);
  }
}

/** What the engine may read of the rules' windows outside a change. */
export const MONITOR_HIT_READS = ['hits'] as const satisfies readonly (keyof MonitorHitRepository)[];
export type MonitorHitReads = Pick<MonitorHitRepository, (typeof MONITOR_HIT_READS)[number]>;

/**
 * Small daily counters the security report reads (a day is a UTC day: its midnight / DAY): one
 * row per day, figure and value, bumped by the write path as events are written, so a report over
 * 90 days reads a few thousand rows however long the audit log is.
 */
export class FigureRepository {
  readonly #bump;
  readonly #range;
  readonly #activeSessions;
  readonly #mfaAccounts;
  readonly #devices;

  constructor(db: Db) {
    this.#bump = db.prepare<[number, string, string]>(
      `INSERT INTO security_daily (day, figure, value, count) VALUES (?, ?, ?, 1)
       ON CONFLICT (day, figure, value) DO UPDATE SET count = count + 1`,
    );
    this.#range = db.prepare<[number, number], { day: number; figure: string; value: string; count: number }>(
      'SELECT day, figure, value, count FROM security_daily WHERE day >= ? AND day <= ?',
    );
    this.#activeSessions = db.prepare<[number], { n: number }>('SELECT COUNT(*) AS n FROM sessions WHERE active = 1 AND expires_at > ?');
    this.#mfaAccounts = db.prepare<[], { active: number; enabled: number }>(
      `SELECT COUNT(*) AS active, COALESCE(SUM(mfa_state = 'ENABLED'), 0) AS enabled FROM accounts WHERE status = 'active'`,
    );
    this.#devices = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM known_devices GROUP BY account_id ORDER BY n');
  }

  bump(day: number, figure: string, value: string): void {
    this.#bump.run(day, figure, value);
  }

  range(fromDay: number, toDay: number): { day: number; figure: string; value: string; count: number }[] {
    return this.#range.all(fromDay, toDay);
  }

  /** Sessions not ended whose absolute deadline has not passed. */
  activeSessions(now: number): number {
    return this.#activeSessions.get(now)?.n ?? 0;
  }

  accountsWithMfa(): { active: number; enabled: number } {
    return this.#mfaAccounts.get() ?? { active: 0, enabled: 0 };
  }

  /** How many devices each account has signed in from, smallest first. */
  devicesPerAccount(): number[] {
    return this.#devices.all().map((row) => row.n);
  }
}

export const FIGURE_READS = [
  'range',
  'activeSessions',
  'accountsWithMfa',
  'devicesPerAccount',
] as const satisfies readonly (keyof FigureRepository)[];
export type FigureReads = Pick<FigureRepository, (typeof FIGURE_READS)[number]>;

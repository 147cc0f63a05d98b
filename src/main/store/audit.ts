import type { Db } from './database.js';

export interface AuditRow {
  readonly seq: number;
  readonly at: number;
  readonly type: string;
  readonly outcome: string;
  readonly actor_id: string | null;
  readonly actor_name: string | null;
  readonly target_id: string | null;
  readonly target_name: string | null;
  readonly session_id: string | null;
  readonly device: string | null;
  readonly reason: string | null;
  readonly details: string | null;
  readonly mac: Buffer;
}

export interface AuditQuery {
  readonly accountId?: string;
  /** The actor or target name recorded in the event. */
  readonly accountName?: string;
  readonly typePrefix?: string;
  readonly since?: number;
  readonly limit: number;
}

export class AuditRepository {
  readonly #db: Db;
  readonly #insert;
  readonly #all;
  readonly #lastSeq;
  readonly #macAt;

  constructor(db: Db) {
    this.#db = db;
    this.#insert = db.prepare<AuditRow>(
      `INSERT INTO audit_events (seq, at, type, outcome, actor_id, actor_name, target_id, target_name, session_id, device, reason, details, mac)
       VALUES (@seq, @at, @type, @outcome, @actor_id, @actor_name, @target_id, @target_name, @session_id, @device, @reason, @details, @mac)`,
    );
    this.#all = db.prepare<[], AuditRow>('SELECT * FROM audit_events ORDER BY seq');
    this.#lastSeq = db.prepare<[], { seq: number | null }>('SELECT max(seq) AS seq FROM audit_events');
    this.#macAt = db.prepare<[number], { mac: Buffer }>('SELECT mac FROM audit_events WHERE seq = ?');
  }

  insert(row: AuditRow): void {
    this.#insert.run(row);
  }

  lastSeq(): number {
    return this.#lastSeq.get()?.seq ?? 0;
  }

  macAt(seq: number): Buffer | null {
    return this.#macAt.get(seq)?.mac ?? null;
  }

  /** Every row in chain order, one at a time, so verifying a long log needs little memory. */
  iterate(): IterableIterator<AuditRow> {
    return this.#all.iterate();
  }

  /** The newest rows that match, returned oldest first. */
  query(q: AuditQuery): AuditRow[] {
    const where: string[] = [];
    const params: Record<string, string | number> = { limit: q.limit };
    if (q.accountId !== undefined) params['account'] = q.accountId;
    if (q.accountName !== undefined) {
      where.push('(actor_name = @accountName OR target_name = @accountName)');
      params['accountName'] = q.accountName;
    }
    if (q.typePrefix !== undefined) {
      where.push("(type = @type OR type LIKE @typeLike ESCAPE '\\')");
      params['type'] = q.typePrefix;
      params['typeLike'] = `${q.typePrefix.replace(/[\\%_]/g, (c) => `\\${c}`)}.%`;
    }
    if (q.since !== undefined) {
      where.push('at >= @since');
      params['since'] = q.since;
    }
    const rest = where.map((condition) => ` AND ${condition}`).join('');
    // An account's events through the index on each of its two columns, newest first, each side
    // stopping at the limit: an OR of the two would walk the whole log back for an account seldom seen.
    const sql =
      q.accountId === undefined
        ? `SELECT * FROM (SELECT * FROM audit_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
           ORDER BY seq DESC LIMIT @limit) ORDER BY seq`
        : `SELECT * FROM (SELECT * FROM audit_events WHERE seq IN (
             SELECT seq FROM (SELECT seq FROM audit_events WHERE actor_id = @account${rest} ORDER BY seq DESC LIMIT @limit)
             UNION ALL SELECT seq FROM (SELECT seq FROM audit_events WHERE target_id = @account${rest} ORDER BY seq DESC LIMIT @limit))
           ORDER BY seq DESC LIMIT @limit) ORDER BY seq`;
    return this.#db.prepare<Record<string, string | number>, AuditRow>(sql).all(params);
  }
}

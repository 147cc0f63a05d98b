import { CHANNELS, MESSAGE_KINDS, OUTBOX_STATES, type Channel, type MessageKind, type OutboxState } from '../../shared/delivery.js';
import type { Db } from './database.js';
import { type NamedTable, unexpectedValue } from './row-seal.js';
import { closedColumns } from './row-values.js';

export interface OutboxRow {
  readonly id: string;
  readonly channel: Channel;
  readonly kind: MessageKind;
  readonly account_id: string | null;
  readonly recipient_masked: string;
  /** The recipient and the rendered message, sealed by the field cipher; null once sent or expired. */
  readonly payload_enc: string | null;
  readonly state: OutboxState;
  readonly attempts: number;
  readonly max_attempts: number;
  readonly last_error: string | null;
  readonly provider_id: string | null;
  readonly next_attempt_at: number;
  /** While `sending`: when the claim runs out and another process may try the message. */
  readonly lease_until: number | null;
  readonly expires_at: number;
  readonly sent_at: number | null;
  readonly created_at: number;
  readonly updated_at: number;
}

const OUTBOX: NamedTable<OutboxRow> = { name: 'outbox', rowId: (row) => row.id, accountId: (row) => row.account_id };
const CLOSED = closedColumns<OutboxRow>({ channel: CHANNELS, kind: MESSAGE_KINDS, state: OUTBOX_STATES });

export interface OutboxFilter {
  readonly state?: OutboxState;
  readonly limit: number;
}

/** Messages from the change that caused them until they are sent or given up on (store/migrations.ts, version 6). */
export class OutboxRepository {
  readonly #insert;
  readonly #rewrite;
  readonly #byId;
  readonly #due;
  readonly #list;
  readonly #listByState;
  readonly #counts;
  readonly #staleBodies;
  readonly #latest;

  constructor(db: Db) {
    const columns = [
      'id',
      'channel',
      'kind',
      'account_id',
      'recipient_masked',
      'payload_enc',
      'state',
      'attempts',
      'max_attempts',
      'last_error',
      'provider_id',
      'next_attempt_at',
      'lease_until',
      'expires_at',
      'sent_at',
      'created_at',
      'updated_at',
    ];
    this.#insert = db.prepare<OutboxRow>(`INSERT INTO outbox (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`);
    this.#rewrite = db.prepare<OutboxRow>(
      `UPDATE outbox SET ${columns
        .filter((c) => c !== 'id')
        .map((c) => `${c} = @${c}`)
        .join(', ')} WHERE id = @id`,
    );
    this.#byId = db.prepare<[string], OutboxRow>('SELECT * FROM outbox WHERE id = ?');
    // Waiting and due, or claimed by a process whose lease ran out (it may have died mid-attempt).
    this.#due = db.prepare<{ now: number; limit: number }, OutboxRow>(
      `SELECT * FROM outbox WHERE state IN ('queued', 'failed') AND next_attempt_at <= @now
       UNION ALL
       SELECT * FROM outbox WHERE state = 'sending' AND lease_until <= @now
       ORDER BY next_attempt_at LIMIT @limit`,
    );
    this.#list = db.prepare<{ limit: number }, OutboxRow>('SELECT * FROM outbox ORDER BY created_at DESC, rowid DESC LIMIT @limit');
    this.#listByState = db.prepare<{ state: string; limit: number }, OutboxRow>(
      'SELECT * FROM outbox WHERE state = @state ORDER BY created_at DESC, rowid DESC LIMIT @limit',
    );
    this.#counts = db.prepare<[], { state: string; count: number }>('SELECT state, COUNT(*) AS count FROM outbox GROUP BY state');
    this.#latest = db.prepare<[string], OutboxRow>(
      `SELECT * FROM outbox WHERE channel = ? AND state IN ('sent', 'failed') ORDER BY updated_at DESC, rowid DESC LIMIT 1`,
    );
    this.#staleBodies = db.prepare<{ now: number; limit: number }, OutboxRow>(
      `SELECT * FROM outbox WHERE state IN ('sent', 'abandoned') AND payload_enc IS NOT NULL AND expires_at <= @now LIMIT @limit`,
    );
  }

  insert(row: OutboxRow): void {
    this.#insert.run(row);
  }

  /** Writes `row` over the message with its id: `row` is one read in this change, with changes. */
  rewrite(row: OutboxRow): void {
    this.#rewrite.run(row);
  }

  byId(id: string): OutboxRow | undefined {
    return checked(this.#byId.get(id));
  }

  due(now: number, limit: number): OutboxRow[] {
    return this.#due.all({ now, limit }).map(checkedRow);
  }

  list(filter: OutboxFilter): OutboxRow[] {
    const rows = filter.state === undefined ? this.#list.all(filter) : this.#listByState.all({ state: filter.state, limit: filter.limit });
    return rows.map(checkedRow);
  }

  /** How many messages are in each state; a state with none is left out. */
  counts(): Partial<Record<OutboxState, number>> {
    const counts: Partial<Record<OutboxState, number>> = {};
    for (const { state, count } of this.#counts.all()) {
      if ((OUTBOX_STATES as readonly string[]).includes(state)) counts[state as OutboxState] = count;
    }
    return counts;
  }

  /** The channel's most recent message that was tried: whether the network was there at the last attempt. */
  latestTried(channel: Channel): OutboxRow | undefined {
    return checked(this.#latest.get(channel));
  }

  /** Finished messages past their time that still hold a body: kept for a retry until then, erased after. */
  staleBodies(now: number, limit: number): OutboxRow[] {
    return this.#staleBodies.all({ now, limit }).map(checkedRow);
  }
}

/** A state, channel or kind this release never writes is refused where the row is read, as in sealed tables. */
function checkedRow(row: OutboxRow): OutboxRow {
  const column = CLOSED.unexpected(row);
  if (column !== null) throw unexpectedValue(OUTBOX, row, column);
  return row;
}

function checked(row: OutboxRow | undefined): OutboxRow | undefined {
  return row === undefined ? undefined : checkedRow(row);
}

/** The devices an account has signed in from, by keyed hash: what makes a sign-in "from a new device". */
export class KnownDeviceRepository {
  readonly #known;
  readonly #count;
  readonly #remember;

  constructor(db: Db) {
    this.#known = db.prepare<[string, Buffer], { n: number }>('SELECT 1 AS n FROM known_devices WHERE account_id = ? AND device_hash = ?');
    this.#count = db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM known_devices WHERE account_id = ?');
    this.#remember = db.prepare<[string, Buffer, number, number]>(
      `INSERT INTO known_devices (account_id, device_hash, first_seen_at, last_seen_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (account_id, device_hash) DO UPDATE SET last_seen_at = excluded.last_seen_at`,
    );
  }

  isKnown(accountId: string, hash: Buffer): boolean {
    return this.#known.get(accountId, hash) !== undefined;
  }

  count(accountId: string): number {
    return this.#count.get(accountId)?.n ?? 0;
  }

  remember(accountId: string, hash: Buffer, at: number): void {
    this.#remember.run(accountId, hash, at, at);
  }
}

/** The reads of the outbox: what a rule may call outside a change (writes go through the write path). */
export const OUTBOX_READS = [
  'byId',
  'due',
  'list',
  'counts',
  'staleBodies',
  'latestTried',
] as const satisfies readonly (keyof OutboxRepository)[];
export type OutboxReads = Pick<OutboxRepository, (typeof OUTBOX_READS)[number]>;

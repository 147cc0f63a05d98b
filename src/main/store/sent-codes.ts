import { CHANNELS, CODE_PURPOSES, type Channel, type CodePurpose } from '../../shared/delivery.js';

/**
 * What a send is counted under in `code_sends` (its `channel` column): codes per channel, and
 * verification mails asked for again, which have limits of their own so that neither starves the other.
 */
export type SendLimitKey = Channel | 'verification';
import type { Db } from './database.js';
import { type RowSeal, SealedWrites, type SealedTable, type Stored } from './row-seal.js';
import { closedColumns } from './row-values.js';

export interface SentCodeRow {
  readonly account_id: string;
  readonly channel: Channel;
  readonly purpose: CodePurpose;
  /** The sign-in step a `signin` code answers; null for a phone's proof. */
  readonly challenge_id: string | null;
  readonly code_hash: Buffer;
  readonly created_at: number;
  readonly expires_at: number;
  /** Wrong codes given for it; at SENT_CODE_ATTEMPTS it is void. */
  readonly attempts: number;
}

export interface PhoneRow {
  readonly account_id: string;
  readonly phone_enc: string;
  readonly masked: string;
  readonly verified_at: number | null;
  readonly created_at: number;
}

/** Sealed: a count of attempts set back, an expiry pushed out or a hash swapped in would each give a guesser more. */
export const SENT_CODES: SealedTable<SentCodeRow> = {
  name: 'sent_codes',
  key: ['account_id', 'channel', 'purpose'],
  sealed: ['account_id', 'channel', 'purpose', 'challenge_id', 'code_hash', 'created_at', 'expires_at', 'attempts'],
  unsealed: {},
  closed: closedColumns<SentCodeRow>({ channel: CHANNELS, purpose: CODE_PURPOSES }),
  rowId: () => null,
  accountId: (row) => row.account_id,
};

/** Sealed: a verified mark copied onto another number would send codes to a phone nobody proved. */
export const PHONES: SealedTable<PhoneRow> = {
  name: 'phones',
  key: ['account_id'],
  sealed: ['account_id', 'phone_enc', 'masked', 'verified_at', 'created_at'],
  unsealed: {},
  closed: closedColumns<PhoneRow>({}),
  rowId: (row) => row.account_id,
  accountId: (row) => row.account_id,
};

/** One-time codes sent by SMS or e-mail, the record of sends the rate limits count, and phones. */
export class SentCodeRepository {
  readonly #seal: RowSeal;
  readonly #codes: SealedWrites<SentCodeRow>;
  readonly #phones: SealedWrites<PhoneRow>;
  readonly #code;
  readonly #deleteCode;
  readonly #deleteExpired;
  readonly #recordSend;
  readonly #sendsSince;
  readonly #deleteSendsBefore;
  readonly #phone;
  readonly #deletePhone;

  constructor(db: Db, seal: RowSeal) {
    this.#seal = seal;
    this.#codes = new SealedWrites(db, seal, SENT_CODES);
    this.#phones = new SealedWrites(db, seal, PHONES);
    this.#code = db.prepare<[string, string, string], Stored<SentCodeRow>>(
      'SELECT * FROM sent_codes WHERE account_id = ? AND channel = ? AND purpose = ?',
    );
    this.#deleteCode = db.prepare<[string, string, string]>('DELETE FROM sent_codes WHERE account_id = ? AND channel = ? AND purpose = ?');
    this.#deleteExpired = db.prepare<{ now: number; limit: number }>(
      `DELETE FROM sent_codes WHERE rowid IN (SELECT rowid FROM sent_codes WHERE expires_at <= @now LIMIT @limit)`,
    );
    this.#recordSend = db.prepare<[string, string, number]>('INSERT INTO code_sends (account_id, channel, sent_at) VALUES (?, ?, ?)');
    this.#sendsSince = db.prepare<[string, string, number], { sent_at: number }>(
      'SELECT sent_at FROM code_sends WHERE account_id = ? AND channel = ? AND sent_at > ? ORDER BY sent_at',
    );
    this.#deleteSendsBefore = db.prepare<{ before: number; limit: number }>(
      `DELETE FROM code_sends WHERE rowid IN (SELECT rowid FROM code_sends WHERE sent_at <= @before LIMIT @limit)`,
    );
    this.#phone = db.prepare<[string], Stored<PhoneRow>>('SELECT * FROM phones WHERE account_id = ?');
    this.#deletePhone = db.prepare<[string]>('DELETE FROM phones WHERE account_id = ?');
  }

  code(accountId: string, channel: Channel, purpose: CodePurpose): SentCodeRow | undefined {
    return this.#seal.openMaybe(SENT_CODES, this.#code.get(accountId, channel, purpose));
  }

  /** Replaces the account's earlier code for the channel and purpose: only the newest works. */
  putCode(row: SentCodeRow): void {
    this.#codes.put(row);
  }

  deleteCode(accountId: string, channel: Channel, purpose: CodePurpose): void {
    this.#deleteCode.run(accountId, channel, purpose);
  }

  deleteExpiredCodes(now: number, limit: number): number {
    return this.#deleteExpired.run({ now, limit }).changes;
  }

  recordSend(accountId: string, key: SendLimitKey, at: number): void {
    this.#recordSend.run(accountId, key, at);
  }

  /** The times of the sends after `since`, oldest first. */
  sendsSince(accountId: string, key: SendLimitKey, since: number): number[] {
    return this.#sendsSince.all(accountId, key, since).map((row) => row.sent_at);
  }

  deleteSendsBefore(before: number, limit: number): number {
    return this.#deleteSendsBefore.run({ before, limit }).changes;
  }

  phone(accountId: string): PhoneRow | undefined {
    return this.#seal.openMaybe(PHONES, this.#phone.get(accountId));
  }

  putPhone(row: PhoneRow): void {
    this.#phones.put(row);
  }

  deletePhone(accountId: string): boolean {
    return this.#deletePhone.run(accountId).changes > 0;
  }
}

/** The reads: what a rule may call outside a change (writes go through the write path). */
export const SENT_CODE_READS = ['code', 'sendsSince', 'phone'] as const satisfies readonly (keyof SentCodeRepository)[];
export type SentCodeReads = Pick<SentCodeRepository, (typeof SENT_CODE_READS)[number]>;

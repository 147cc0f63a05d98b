import type { Db } from './database.js';
import { type RowSeal, SealedWrites, type SealedTable, type Stored } from './row-seal.js';
import { closedColumns } from './row-values.js';

export interface EmailVerificationRow {
  readonly account_id: string;
  readonly token_hash: Buffer;
  readonly email_enc: string;
  readonly created_at: number;
  readonly expires_at: number;
}

export const EMAIL_VERIFICATIONS: SealedTable<EmailVerificationRow> = {
  name: 'email_verifications',
  key: ['account_id'],
  sealed: ['account_id', 'token_hash', 'email_enc', 'created_at', 'expires_at'],
  unsealed: {},
  closed: closedColumns<EmailVerificationRow>({}),
  rowId: (row) => row.account_id,
  accountId: (row) => row.account_id,
};

/** Outstanding e-mail verification links: one per account, stored as the hash of the link's token. */
export class EmailVerificationRepository {
  readonly #seal: RowSeal;
  readonly #writes: SealedWrites<EmailVerificationRow>;
  readonly #byTokenHash;
  readonly #delete;
  readonly #deleteExpired;

  constructor(db: Db, seal: RowSeal) {
    this.#seal = seal;
    this.#writes = new SealedWrites(db, seal, EMAIL_VERIFICATIONS);
    this.#byTokenHash = db.prepare<[Buffer], Stored<EmailVerificationRow>>('SELECT * FROM email_verifications WHERE token_hash = ?');
    this.#delete = db.prepare<[string]>('DELETE FROM email_verifications WHERE account_id = ?');
    this.#deleteExpired = db.prepare<{ now: number; limit: number }>(
      `DELETE FROM email_verifications WHERE account_id IN (
         SELECT account_id FROM email_verifications WHERE expires_at <= @now LIMIT @limit)`,
    );
  }

  /** Replaces the account's previous link, if any: only the newest one works. */
  put(row: EmailVerificationRow): void {
    this.#writes.put(row);
  }

  byTokenHash(hash: Buffer): EmailVerificationRow | undefined {
    return this.#seal.openMaybe(EMAIL_VERIFICATIONS, this.#byTokenHash.get(hash));
  }

  delete(accountId: string): void {
    this.#delete.run(accountId);
  }

  deleteExpired(now: number, limit: number): number {
    return this.#deleteExpired.run({ now, limit }).changes;
  }
}

/** The reads of e-mail verification links: what a rule may call outside a change (writes go through the write path). */
export const EMAIL_VERIFICATION_READS = ['byTokenHash'] as const satisfies readonly (keyof EmailVerificationRepository)[];
export type EmailVerificationReads = Pick<EmailVerificationRepository, (typeof EMAIL_VERIFICATION_READS)[number]>;

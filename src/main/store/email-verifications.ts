import type { Db } from './database.js';

export interface EmailVerificationRow {
  readonly account_id: string;
  readonly token_hash: Buffer;
  readonly email_enc: string;
  readonly created_at: number;
  readonly expires_at: number;
}

/** Outstanding e-mail verification links: one per account, stored as the hash of the link's token. */
export class EmailVerificationRepository {
  readonly #put;
  readonly #byTokenHash;
  readonly #delete;
  readonly #deleteExpired;

  constructor(db: Db) {
    this.#put = db.prepare<EmailVerificationRow>(
      `INSERT INTO email_verifications (account_id, token_hash, email_enc, created_at, expires_at)
       VALUES (@account_id, @token_hash, @email_enc, @created_at, @expires_at)
       ON CONFLICT (account_id) DO UPDATE SET token_hash = excluded.token_hash, email_enc = excluded.email_enc,
         created_at = excluded.created_at, expires_at = excluded.expires_at`,
    );
    this.#byTokenHash = db.prepare<[Buffer], EmailVerificationRow>('SELECT * FROM email_verifications WHERE token_hash = ?');
    this.#delete = db.prepare<[string]>('DELETE FROM email_verifications WHERE account_id = ?');
    this.#deleteExpired = db.prepare<{ now: number; limit: number }>(
      `DELETE FROM email_verifications WHERE account_id IN (
         SELECT account_id FROM email_verifications WHERE expires_at <= @now LIMIT @limit)`,
    );
  }

  /** Replaces the account's previous link, if any: only the newest one works. */
  put(row: EmailVerificationRow): void {
    this.#put.run(row);
  }

  byTokenHash(hash: Buffer): EmailVerificationRow | undefined {
    return this.#byTokenHash.get(hash);
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

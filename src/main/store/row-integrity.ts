import { ACCOUNTS } from './accounts.js';
import type { Db } from './database.js';
import { EMAIL_VERIFICATIONS } from './email-verifications.js';
import { MetaRepository } from './meta.js';
import { BACKUP_CODES, MFA_CHALLENGES, TOTP_CREDENTIALS, TRUSTED_DEVICES } from './mfa.js';
import { POLICY } from './policy.js';
import { SETTINGS } from './settings.js';
import { PHONES, SENT_CODES } from './sent-codes.js';
import { type BrokenSeal, type RowSeal, type SealedTable, type Stored, shown } from './row-seal.js';
import { REFRESH_TOKENS, SESSION_FAMILIES, SESSIONS } from './sessions.js';

/**
 * Every table whose rows carry a seal. Left out, each for its reason: `sign_in_failures` and
 * `sign_in_checks` and `code_sends` (a counter removed from the file reads as no failures, which no seal can tell
 * from none ever counted, so a seal would add a cost and no protection), `audit_events` (chained
 * already), `meta` (its security values, the key check and the audit head, are keyed themselves).
 */
export const SEALED_TABLES: readonly SealedTable<never>[] = [
  ACCOUNTS,
  SESSIONS,
  SESSION_FAMILIES,
  REFRESH_TOKENS,
  TOTP_CREDENTIALS,
  BACKUP_CODES,
  MFA_CHALLENGES,
  TRUSTED_DEVICES,
  EMAIL_VERIFICATIONS,
  POLICY,
  SETTINGS,
  SENT_CODES,
  PHONES,
];

type ScannedRow = Stored<Record<string, unknown>> & { readonly rowid: number };

/** The seals of the whole vault: sealing an older vault's rows once, and finding every broken seal. */
export class RowIntegrityRepository {
  readonly #db: Db;
  readonly #seal: RowSeal;
  readonly #meta: MetaRepository;

  constructor(db: Db, seal: RowSeal) {
    this.#db = db;
    this.#seal = seal;
    this.#meta = new MetaRepository(db);
  }

  /**
   * Seals every row of every sealed table as it stands, and returns how many. Only for the one
   * change that seals a vault whose rows were never sealed: it trusts the rows as they are.
   */
  sealEveryRow(): number {
    let sealed = 0;
    for (const table of SEALED_TABLES) {
      const write = this.#db.prepare<[Buffer, number]>(`UPDATE ${table.name} SET mac = ? WHERE rowid = ?`);
      for (const row of this.#scan(table).all()) {
        write.run(this.#seal.mac(table, row as never), row.rowid);
        sealed += 1;
      }
    }
    return sealed;
  }

  /** Every row whose seal is missing or does not match: how many, and the first `limit` of them. */
  brokenSeals(limit: number): { count: number; rows: BrokenSeal[] } {
    const rows: BrokenSeal[] = [];
    let count = 0;
    for (const table of SEALED_TABLES) {
      for (const row of this.#scan(table).iterate()) {
        if (this.#seal.matches(table, row as never)) continue;
        count += 1;
        if (rows.length < limit) {
          rows.push({
            table: table.name,
            rowid: row.rowid,
            id: shown(table.rowId(row as never)),
            account: shown(table.accountId(row as never)),
            problem: row.mac === null ? 'missing' : 'altered',
          });
        }
      }
    }
    return { count, rows };
  }

  /** The vault's key check (meta), whose form says whether its rows are sealed (engine/vault.ts). */
  keyCheck(): string | null {
    return this.#meta.get('key_check');
  }

  setKeyCheck(value: string): void {
    this.#meta.set('key_check', value);
  }

  #scan(table: SealedTable<never>) {
    return this.#db.prepare<[], ScannedRow>(`SELECT rowid AS rowid, * FROM ${table.name} ORDER BY rowid`);
  }
}

/** The reads of the seals: what a rule may call outside a change (writes go through the write path). */
export const ROW_INTEGRITY_READS = ['brokenSeals', 'keyCheck'] as const satisfies readonly (keyof RowIntegrityRepository)[];
export type RowIntegrityReads = Pick<RowIntegrityRepository, (typeof ROW_INTEGRITY_READS)[number]>;

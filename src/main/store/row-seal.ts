import { createHmac, timingSafeEqual } from 'node:crypto';
import { LatchkeyError } from '../../shared/errors.js';
import type { Db } from './database.js';
import type { ClosedColumns } from './row-values.js';

/** A value as better-sqlite3 reads and writes it. STRICT tables keep each one's type as written. */
type Cell = string | number | bigint | Buffer | null;

/** A row as stored: its columns and the seal over them (null until a vault of an older release is sealed). */
export type Stored<Row> = Row & { readonly mac: Buffer | null };

/**
 * A table whose rows carry a seal: HMAC-SHA-256, keyed from the keychain, over the table's name and
 * every column listed in `sealed`, so a row edited, copied or moved in the file no longer matches.
 */
export interface SealedTable<Row> {
  readonly name: string;
  /** The primary key's columns: a row is rewritten by them. */
  readonly key: readonly (keyof Row & string)[];
  /** The columns the seal covers, in the order they are encoded; the primary key is among them. */
  readonly sealed: readonly (keyof Row & string)[];
  /** Columns the seal leaves out, each with the reason (docs/architecture.md, "Row integrity"). */
  readonly unsealed: Readonly<Partial<Record<keyof Row & string, string>>>;
  /** The columns that hold one of a closed set of values; a row holding another is refused where it is read. */
  readonly closed: ClosedColumns;
  /** The row's id as a message may show it (no secret, no hash of one), or null. */
  readonly rowId: (row: Row) => string | null;
  /** The account the row belongs to, when it says. */
  readonly accountId: (row: Row) => string | null;
}

/** What a message needs to name a table's row. */
export type NamedTable<Row> = Pick<SealedTable<Row>, 'name' | 'rowId' | 'accountId'>;

/** A row whose seal is missing or does not match; what vault verify and a refusal report. */
export interface BrokenSeal {
  readonly table: string;
  readonly rowid: number;
  /** The row's own id when it has one that may be shown. */
  readonly id: string | null;
  readonly account: string | null;
  /** `missing`: no seal at all in a sealed vault; `altered`: a seal that does not match the row. */
  readonly problem: 'missing' | 'altered';
}

/**
 * Seals rows and checks their seals. The encoding is canonical and unambiguous, as the field
 * cipher's associated data is: one JSON array of the version, the table's name and each sealed
 * column's value in the declared order, every value typed (`t` text, `n` number, `b` blob in
 * base64, null), so no value can run into the next or pass for one of another type. JSON is also
 * the cheapest canonical form in V8: one string, one HMAC update.
 *
 * A column added to `sealed` later changes every row's seal: it needs a new version and a sealing
 * step of its own, as a vault from before seals has.
 */
export class RowSeal {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('RowSeal needs a 32-byte key');
    this.#key = key;
  }

  mac<Row>(table: SealedTable<Row>, row: Row): Buffer {
    const fields: (string | null)[] = [SEAL_VERSION, table.name];
    for (const column of table.sealed) fields.push(typed(row[column] as Cell));
    return createHmac('sha256', this.#key).update(JSON.stringify(fields), 'utf8').digest();
  }

  /** Whether the stored seal is the row's own. */
  matches<Row>(table: SealedTable<Row>, stored: Stored<Row>): boolean {
    const mac = stored.mac;
    if (!Buffer.isBuffer(mac) || mac.length !== 32) return false;
    return timingSafeEqual(mac, this.mac(table, stored));
  }

  /**
   * The row, once its seal is checked and then its closed columns: a row whose seal fails, or that
   * holds a value Latchkey does not write, is refused, never used.
   */
  open<Row>(table: SealedTable<Row>, stored: Stored<Row>): Row {
    if (!this.matches(table, stored)) throw alteredRow(table, stored);
    const column = table.closed.unexpected(stored);
    if (column !== null) throw unexpectedValue(table, stored, column);
    const { mac: _seal, ...row } = stored;
    return row as Row;
  }

  /** `open` for a row that may not be there. */
  openMaybe<Row>(table: SealedTable<Row>, stored: Stored<Row> | undefined): Row | undefined {
    return stored === undefined ? undefined : this.open(table, stored);
  }

  openAll<Row>(table: SealedTable<Row>, stored: readonly Stored<Row>[]): Row[] {
    return stored.map((row) => this.open(table, row));
  }
}

const SEAL_VERSION = 'latchkey/row-seal/v1';

function typed(value: Cell): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return `t${value}`;
  // Infinity and NaN too, which JSON would write as null.
  if (typeof value === 'number' || typeof value === 'bigint') return `n${String(value)}`;
  if (Buffer.isBuffer(value)) return `b${value.toString('base64')}`;
  throw new Error('a sealed column holds a value SQLite does not store');
}

/**
 * What a sealed row is refused with. VAULT_UNREADABLE, as for an encrypted value that was moved:
 * the file holds something Latchkey did not write. The message names the table, the row and the
 * account (never a secret, nor a hash of one), each as text that cannot steer a terminal.
 */
export function alteredRow<Row>(table: SealedTable<Row>, row: Stored<Row>): LatchkeyError {
  const { id, account, which } = rowNamed(table, row);
  return new LatchkeyError(
    'VAULT_UNREADABLE',
    `A row of ${table.name}${which} was changed outside Latchkey: ${row.mac === null ? 'it has no seal' : 'its seal does not match it'}. ` +
      'Latchkey does not use it. `latchkey vault verify` lists every such row; restore the vault from a backup.',
    { problem: 'row_altered', table: table.name, row: id, account },
  );
}

/**
 * What a sealed row is refused with when its seal holds but a closed column holds a value this
 * release never writes (a later release's, another program's). The value itself is not shown:
 * whatever wrote it may have put anything there.
 */
export function unexpectedValue<Row>(table: NamedTable<Row>, row: Row, column: string): LatchkeyError {
  const { id, which } = rowNamed(table, row);
  return new LatchkeyError(
    'VAULT_UNREADABLE',
    `A row of ${table.name}${which} holds a value in its column ${column} that this version of Latchkey does not write: ` +
      'another program or a later version of Latchkey wrote it. Latchkey does not use the row; open the vault with the version that wrote it, or restore it from a backup.',
    { problem: 'unexpected_value', table: table.name, column, row: id },
  );
}

/** The row's id and account as a message may show them, and " (row …, account …)" naming them. */
function rowNamed<Row>(table: NamedTable<Row>, row: Row): { id: string | null; account: string | null; which: string } {
  const id = shown(table.rowId(row));
  const account = shown(table.accountId(row));
  const named = [id === null ? null : `row ${id}`, account === null || account === id ? null : `account ${account}`]
    .filter((s) => s !== null)
    .join(', ');
  return { id, account, which: named === '' ? '' : ` (${named})` };
}

/** A value from the file, as text that is safe to print: no control characters, at most 80 of them. */
export function shown(value: string | null): string | null {
  if (value === null) return null;
  const clean = value.replace(/[\p{C}]/gu, '?');
  return clean.length > 80 ? `${clean.slice(0, 79)}…` : clean;
}

/**
 * The writes of one sealed table: each computes the seal of the row it writes, so no repository
 * can store a row without it. Updates rewrite the whole row, by its primary key, from a row that
 * was read and checked in the same change: a row edited in the file is refused, never sealed again.
 */
export class SealedWrites<Row extends object> {
  readonly #seal: RowSeal;
  readonly #table: SealedTable<Row>;
  readonly #insert;
  readonly #upsert;
  readonly #rewrite;

  constructor(db: Db, seal: RowSeal, table: SealedTable<Row>) {
    this.#seal = seal;
    this.#table = table;
    const columns = [...table.sealed, ...(Object.keys(table.unsealed) as (keyof Row & string)[])];
    const names = [...columns, 'mac'];
    const values = names.map((c) => `@${c}`).join(', ');
    const assign = names
      .filter((c) => !(table.key as readonly string[]).includes(c))
      .map((c) => `${c} = @${c}`)
      .join(', ');
    const where = table.key.map((c) => `${c} = @${c}`).join(' AND ');
    this.#insert = db.prepare<Record<string, Cell>>(`INSERT INTO ${table.name} (${names.join(', ')}) VALUES (${values})`);
    this.#upsert = db.prepare<Record<string, Cell>>(
      `INSERT INTO ${table.name} (${names.join(', ')}) VALUES (${values}) ON CONFLICT (${table.key.join(', ')}) DO UPDATE SET ${assign}`,
    );
    this.#rewrite = db.prepare<Record<string, Cell>>(`UPDATE ${table.name} SET ${assign} WHERE ${where}`);
  }

  insert(row: Row): void {
    this.#insert.run(this.#sealed(row));
  }

  /** Inserts the row, or replaces every column of the one with its key. */
  put(row: Row): void {
    this.#upsert.run(this.#sealed(row));
  }

  /** Writes `row` over the row with its key: `row` is one read and checked in this change, with changes. */
  rewrite(row: Row): void {
    this.#rewrite.run(this.#sealed(row));
  }

  #sealed(row: Row): Record<string, Cell> {
    return { ...(row as Record<string, Cell>), mac: this.#seal.mac(this.#table, row) };
  }
}

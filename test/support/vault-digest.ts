import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';

/**
 * What a refused request may still write, declared once for every suite that checks "a refusal
 * changes nothing". Everything else in the vault, in every table there is now or will be, must
 * read the same before and after.
 */
export const REFUSAL_MAY_TOUCH = {
  tables: {
    // Every refusal worth knowing about is audited (a failed sign-in, a wrong code, a replay). The
    // chain is checked separately with `audit verify`, which finds an edited or removed event.
    audit_events: 'refusals are audited',
    // Wrong passwords and codes count toward the lockout, by design (NIST 800-63B §3.2.2).
    sign_in_failures: 'wrong passwords and codes count toward the lockout',
    // A password check is reserved before the comparison and removed when it ends.
    sign_in_checks: 'a password check is reserved while it runs',
    // Each audited refusal passes the detection rules and the report's counters, in its transaction:
    // a burst of them is what raises an alert.
    alerts: 'a refusal may raise or add to an alert',
    monitor_hits: "a refusal is counted in its rule's window",
    security_daily: 'a refusal is counted in the day it happened',
  },
  rows: {
    // The authenticated head of the audit chain moves with every event appended; the vault's time
    // mark (the furthest time it has used) moves with every change, a refusal's audit event included.
    meta: { key: ['audit_head', 'time_mark'] },
  },
  columns: {
    // Validating a session on a refused call still counts as the holder's activity; the row's seal
    // covers that column, so it moves with it.
    sessions: ['last_active_at', 'mac'],
    // A wrong code answered to a live sign-in challenge uses up one of its five attempts (and reseals the row).
    mfa_challenges: ['attempts', 'mac'],
  },
} as const satisfies {
  tables: Record<string, string>;
  rows: Record<string, Record<string, readonly string[]>>;
  columns: Record<string, readonly string[]>;
};

/**
 * Keychain entries (by name prefix) that follow the vault as it moves, refusals included: the
 * audit chain's anchor and the vault's time mark, each recorded outside the file. Every other
 * entry (the vault key, session, refresh and device tokens) must stay as it is.
 */
export const KEYCHAIN_MAY_MOVE = ['audit-anchor:', 'time-mark:'] as const;

export function keychainMayMove(entry: string): boolean {
  return KEYCHAIN_MAY_MOVE.some((prefix) => entry.startsWith(prefix));
}

/** A read-only connection beside the engine's (WAL lets it read what the engine committed). */
export function openVaultReader(path: string): Database.Database {
  return new Database(path, { readonly: true, fileMustExist: true });
}

interface TableDigest {
  readonly table: string;
  readonly rows: number;
  readonly sha256: string;
}

/** The vault's state as one comparable value: a hash of every table's rows, less what a refusal may touch. */
export interface VaultDigest {
  readonly tables: readonly TableDigest[];
}

const exemptRows: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = REFUSAL_MAY_TOUCH.rows;
const exemptColumns: Readonly<Record<string, readonly string[]>> = REFUSAL_MAY_TOUCH.columns;

/** The statements a digest runs, prepared once per connection and again only when the schema changes. */
interface Plan {
  readonly schemaVersion: number;
  readonly run: () => TableDigest[];
}

const plans = new WeakMap<Database.Database, Plan>();

export function digestVault(db: Database.Database): VaultDigest {
  const schemaVersion = db.pragma('schema_version', { simple: true }) as number;
  let plan = plans.get(db);
  if (plan?.schemaVersion !== schemaVersion) {
    plan = { schemaVersion, run: planDigest(db) };
    plans.set(db, plan);
  }
  return { tables: plan.run() };
}

function planDigest(db: Database.Database): () => TableDigest[] {
  const tables = db
    .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all()
    .map((row) => row.name)
    .filter((name) => !Object.hasOwn(REFUSAL_MAY_TOUCH.tables, name))
    .map((table) => ({ table, select: db.prepare<[], { n: number; rows: string | null }>(tableQuery(db, table)) }));
  return db.transaction(() =>
    tables.map(({ table, select }) => {
      const { n, rows } = select.get() ?? { n: 0, rows: null };
      return {
        table,
        rows: n,
        sha256: createHash('sha256')
          .update(rows ?? '')
          .digest('hex'),
      };
    }),
  );
}

/**
 * One query per table that returns its rows as one text, made by SQLite itself (quote() spells
 * every value, blobs included, unambiguously): far quicker than reading the rows into JavaScript.
 */
function tableQuery(db: Database.Database, table: string): string {
  const skipColumns = new Set(exemptColumns[table] ?? []);
  const columns = db
    .prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('${table}') ORDER BY cid`)
    .all()
    .map((c) => c.name)
    .filter((name) => !skipColumns.has(name));
  const row = columns.map((name) => `quote("${name}")`).join(' || char(31) || ');
  const where = Object.entries(exemptRows[table] ?? {})
    .map(([column, values]) => `"${column}" NOT IN (${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ')})`)
    .join(' AND ');
  // By every column rather than rowid: a WITHOUT ROWID table has none, and the order must not depend on how rows were stored.
  const order = columns.map((name) => `"${name}"`).join(', ');
  const from = `(SELECT * FROM "${table}"${where === '' ? '' : ` WHERE ${where}`} ORDER BY ${order})`;
  return `SELECT count(*) AS n, group_concat(${row}, char(30)) AS rows FROM ${from}`;
}

/** The tables whose rows differ between two digests, for a failure message. */
export function changedTables(before: VaultDigest, after: VaultDigest): string[] {
  const seen = new Map(before.tables.map((t) => [t.table, t]));
  const changed = after.tables
    .filter((t) => seen.get(t.table)?.sha256 !== t.sha256)
    .map((t) => `${t.table} (${seen.get(t.table)?.rows ?? 'absent'} → ${t.rows} rows)`);
  const gone = before.tables.filter((t) => !after.tables.some((a) => a.table === t.table)).map((t) => `${t.table} (gone)`);
  return [...changed, ...gone];
}

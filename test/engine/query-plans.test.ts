import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditRepository } from '../../src/main/store/audit.js';
import { openVaultWithAdmin, QUICK_HASH, type VaultWithAdmin } from '../support/signed-in.js';

/**
 * Every statement the repositories prepare, as SQLite plans it on the vault's real schema. A
 * statement on a path that runs per request or per cleanup batch must find its rows through an
 * index: at a million sessions a scan, a sort of half the table or a look-up through an index that
 * only says `active` turns a call of microseconds into one of seconds. Speed itself is shown by
 * `npm run bench`, never asserted here: a plan is the same on every machine.
 */

/** Statements that read a whole table on purpose, each run once per vault-wide job and never per request. */
const WHOLE_TABLE_BY_DESIGN: readonly { readonly sql: RegExp; readonly why: string }[] = [
  { sql: /^SELECT \* FROM audit_events ORDER BY seq$/, why: 'audit verify and export walk the whole chain' },
  { sql: /^SELECT rowid AS rowid, \* FROM \w+ ORDER BY rowid$/, why: 'vault verify and the one-time sealing check every row' },
  { sql: /FROM sqlite_schema\b/, why: 'vault open reads the schema, a few dozen rows' },
  { sql: /^SELECT key FROM meta$/, why: 'vault open checks what the file holds' },
  { sql: /^SELECT \* FROM (policy|settings)$/, why: 'a handful of rows, one per key' },
  { sql: /^SELECT \* FROM accounts ORDER BY username$/, why: "an administrator's list of every account, all returned" },
  { sql: /^SELECT count\(\*\) AS n FROM accounts$/, why: 'asked once when a window opens or `latchkey status` runs' },
  { sql: /^SELECT \* FROM sessions ORDER BY created_at DESC, id$/, why: "an administrator's list of every session ever kept" },
  {
    sql: /^SELECT \* FROM sessions WHERE active = 1 ORDER BY created_at DESC, id$/,
    why: "an administrator's list of every active session, all returned",
  },
  { sql: /^SELECT state, COUNT\(\*\) AS count FROM outbox GROUP BY state$/, why: 'the Delivery screen counts the whole outbox' },
  {
    sql: /^SELECT \* FROM alerts WHERE state <> 'resolved' ORDER BY last_seen_at DESC, rowid DESC LIMIT \?$/,
    why: 'the Alerts screen, newest first through its index, passing over the resolved ones',
  },
  { sql: /^SELECT state, severity, COUNT\(\*\) AS n FROM alerts /, why: 'the Alerts screen counts the alerts not resolved' },
  {
    sql: /^SELECT COUNT\(\*\) AS (active|n)\b.* FROM (accounts|known_devices) /,
    why: 'the security report, asked for by an administrator, counts over whole tables',
  },
  {
    // Newest first, stopping at the limit: quick while matches are common (sign-ins, a recent day),
    // a walk back through the log for a rare type or a name kept only in old events.
    sql: /^SELECT \* FROM \(SELECT \* FROM audit_events (WHERE (\(type|at >=|\(actor_name)[^)]*|ORDER BY seq DESC LIMIT @limit\) ORDER BY seq$)/,
    why: "the log's own order, newest first, filtered by type, time or a deleted account's name",
  },
];

/** An index that leads with a two-valued column selects about half its table by that column alone. */
const TWO_VALUED_COLUMNS = ['active'];

interface Prepared {
  readonly sql: string;
}

function collectStatements(work: () => Promise<void>): Promise<Prepared[]> {
  const seen = new Map<string, Prepared>();
  const prepare = Database.prototype.prepare;
  Database.prototype.prepare = function (this: Database.Database, sql: string) {
    // Only what a repository prepares: the engine's own checks and this test's EXPLAINs are not ours to judge.
    if (new Error().stack?.includes('/src/main/store/') === true && !sql.startsWith('EXPLAIN')) {
      const normalised = sql.replace(/\s+/g, ' ').trim();
      seen.set(normalised, { sql: normalised });
    }
    return prepare.call(this, sql);
  } as typeof prepare;
  return work()
    .finally(() => {
      Database.prototype.prepare = prepare;
    })
    .then(() => [...seen.values()]);
}

/** Named parameters (`@name`) as nulls, or as many positional nulls as the statement has `?`. */
function nullParameters(sql: string): unknown[] {
  const named = [...new Set([...sql.matchAll(/[@:$]([A-Za-z_]\w*)/g)].map((m) => m[1] ?? ''))];
  if (named.length > 0) return [Object.fromEntries(named.map((name) => [name, null]))];
  return Array.from({ length: (sql.match(/\?/g) ?? []).length }, () => null);
}

interface PlanStep {
  readonly detail: string;
}

function planOf(db: Database.Database, sql: string): string[] {
  return db
    .prepare<unknown[], PlanStep>(`EXPLAIN QUERY PLAN ${sql}`)
    .all(...nullParameters(sql))
    .map((step) => step.detail);
}

/** Whether every look-up in the plan is by an equal value of a column that is not two-valued. */
function sortsAFew(plan: readonly string[]): boolean {
  // A subquery's own rows are bounded where it is planned, by its look-up or its LIMIT.
  const lookups = plan.filter((step) => /^(SEARCH|SCAN) /.test(step) && !/^SCAN (\(subquery|CONSTANT ROW)/.test(step));
  return lookups.every((step) => {
    const columns = /\(([^)]*)\)$/.exec(step)?.[1]?.split(' AND ') ?? [];
    return columns.some((c) => c.endsWith('=?') && !TWO_VALUED_COLUMNS.includes(c.slice(0, -2)));
  });
}

/** What is wrong with a plan, in words; empty when every step finds its rows through a useful index. */
function planProblems(sql: string, plan: readonly string[]): string[] {
  const problems: string[] = [];
  for (const step of plan) {
    // "SCAN t" reads every row; "SCAN t USING COVERING INDEX i" reads every entry of an index. A scan
    // in index order with no condition and a LIMIT reads only the rows it returns.
    const readsWhatItReturns = /\bLIMIT\b/.test(sql) && !/\bWHERE\b/.test(sql) && !plan.some((s) => s.includes('TEMP B-TREE'));
    if (/^SCAN \w+/.test(step) && !/^SCAN CONSTANT ROW/.test(step) && !readsWhatItReturns) problems.push(`scans a table: ${step}`);
    const search = /USING (?:COVERING )?INDEX \w+ \(([^)]*)\)/.exec(step);
    const columns = search?.[1]?.split(' AND ').map((c) => c.replace(/[=<>?]+.*$/, '').trim()) ?? [];
    if (columns.length > 0 && columns.every((c) => TWO_VALUED_COLUMNS.includes(c))) {
      problems.push(`finds its rows by a two-valued column alone: ${step}`);
    }
    // A sort before a LIMIT sorts every row that matched, to return a few; after a look-up by equal
    // values (an account's rows, one subject's alerts) it sorts a handful.
    if (/USE TEMP B-TREE FOR ORDER BY/.test(step) && /\bLIMIT\b/.test(sql) && !sortsAFew(plan)) {
      problems.push(`sorts more rows than it returns: ${step}`);
    }
  }
  return problems;
}

/** A foreign key whose child column leads no index: each change of a parent row scans the child table. */
function unindexedForeignKeys(db: Database.Database): string[] {
  const tables = db.prepare<[], string>("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite%'").pluck().all();
  const missing: string[] = [];
  for (const table of tables) {
    const keys = db.pragma(`foreign_key_list(${table})`) as { from: string; table: string }[];
    const leading = new Set<string>();
    for (const index of db.pragma(`index_list(${table})`) as { name: string }[]) {
      const first = (db.pragma(`index_info(${index.name})`) as { seqno: number; name: string }[]).find((c) => c.seqno === 0);
      if (first !== undefined) leading.add(first.name);
    }
    for (const key of keys) if (!leading.has(key.from)) missing.push(`${table}.${key.from} → ${key.table}`);
  }
  return missing;
}

let v: VaultWithAdmin;
let statements: Prepared[];

beforeAll(async () => {
  statements = await collectStatements(async () => {
    v = await openVaultWithAdmin({ hashParameters: QUICK_HASH });
    // The audit listing builds its statement from the filter: every shape it can take.
    const audit = new AuditRepository(new Database(v.vault.path, { readonly: true }));
    for (const accountId of [undefined, 'acct_x'])
      for (const accountName of [undefined, 'alice'])
        for (const typePrefix of [undefined, 'signin'])
          for (const since of [undefined, 0])
            audit.query({
              limit: 50,
              ...(accountId === undefined ? {} : { accountId }),
              ...(accountName === undefined ? {} : { accountName }),
              ...(typePrefix === undefined ? {} : { typePrefix }),
              ...(since === undefined ? {} : { since }),
            });
  });
});
afterAll(() => v.vault.dispose());

describe('query plans', () => {
  it('collects the statements the repositories prepare', () => {
    expect(statements.length).toBeGreaterThan(50);
  });

  it('finds the rows of every per-request and per-batch statement through an index', () => {
    const db = new Database(v.vault.path, { readonly: true });
    try {
      const found: string[] = [];
      for (const { sql } of statements) {
        if (WHOLE_TABLE_BY_DESIGN.some((allowed) => allowed.sql.test(sql))) continue;
        const plan = planOf(db, sql);
        const problems = planProblems(sql, plan);
        if (problems.length > 0) found.push(`${sql}\n    ${problems.join('\n    ')}`);
      }
      expect(found, found.join('\n\n')).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('indexes the child column of every foreign key, so deleting a parent row finds its children', () => {
    const db = new Database(v.vault.path, { readonly: true });
    try {
      expect(unindexedForeignKeys(db)).toEqual([]);
    } finally {
      db.close();
    }
  });
});

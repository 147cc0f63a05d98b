import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ACCOUNT_READS, AccountRepository } from '../../src/main/store/accounts.js';
import type { Db } from '../../src/main/store/database.js';
import { EMAIL_VERIFICATION_READS, EmailVerificationRepository } from '../../src/main/store/email-verifications.js';
import { MFA_READS, MfaRepository } from '../../src/main/store/mfa.js';
import { POLICY_READS, PolicyRepository } from '../../src/main/store/policy.js';
import { readOnly } from '../../src/main/store/read-only.js';
import { SESSION_READS, SessionRepository } from '../../src/main/store/sessions.js';
import { SIGN_IN_FAILURE_READS, SignInFailureRepository } from '../../src/main/store/sign-in-failures.js';
import { QUICK_HASH, openVaultWithAdmin, type VaultWithAdmin } from '../support/signed-in.js';
import { withRawVault } from '../support/raw-vault.js';
import { rowSealOf } from '../support/row-seal.js';
import { ROW_INTEGRITY_READS, RowIntegrityRepository } from '../../src/main/store/row-integrity.js';
import type { RowSeal } from '../../src/main/store/row-seal.js';

/**
 * The vault changes in one way only (docs/architecture.md, "The write path"): a rule reads through
 * the context's read-only repositories and writes, with its audit events, inside `ctx.change`.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function sourceFiles(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(ts|tsx)$/.test(entry.name))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)).split('\\').join('/'));
}

/** Where the database may be touched directly, and why. */
const STORE_SIDE = new Set([
  // the write path itself
  'src/main/engine/write-path.ts',
  // builds the repositories and the write path over the open vault
  'src/main/engine/context.ts',
  // creates a vault: its key check and the audit chain's first head, before any engine exists
  'src/main/engine/vault.ts',
]);
const isStoreSide = (file: string): boolean => file.startsWith('src/main/store/') || STORE_SIDE.has(file);

const SQL_METHODS = new Set(['transaction', 'prepare', 'pragma', 'exec']);

/** Every way around the write path that a source file shows, as "file:line: what". */
function bypasses(file: string, source: string): string[] {
  if (isStoreSide(file)) return [];
  const tree = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const found: string[] = [];
  const report = (node: ts.Node, what: string): void => {
    found.push(`${file}:${tree.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${what}`);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const method = node.expression.name.text;
      const receiver = node.expression.expression.getText(tree);
      // RegExp.prototype.exec is no database call.
      if (SQL_METHODS.has(method) && !(method === 'exec' && !/\bdb$/i.test(receiver))) report(node, `calls ${method}() on ${receiver}`);
      if (method === 'append' && /audit(Log)?$/i.test(receiver)) report(node, `appends to the audit log through ${receiver}`);
    }
    if (ts.isNewExpression(node) && /Repository$/.test(node.expression.getText(tree)))
      report(node, `constructs ${node.expression.getText(tree)}`);
    if (ts.isPropertyAccessExpression(node) && node.name.text === 'db') report(node, `reaches the database handle ${node.getText(tree)}`);
    if (ts.isAsExpression(node) && /\brepos\b/.test(node.expression.getText(tree))) report(node, 'casts the read-only repositories');
    ts.forEachChild(node, visit);
  };
  visit(tree);
  return found;
}

const HOSTS_AND_RULES = ['src/main', 'src/cli', 'src/browser-host', 'src/shared'];

describe('the write path', () => {
  it('is the only way any module outside the store writes to the vault or its audit log', () => {
    const files = HOSTS_AND_RULES.flatMap(sourceFiles);
    expect(files.filter((file) => file.startsWith('src/main/engine/')).length).toBeGreaterThan(20);
    const found = files.flatMap((file) => bypasses(file, readFileSync(join(ROOT, file), 'utf8')));
    expect(found).toEqual([]);
  });

  it('finds each kind of bypass when a rule tries one', () => {
    const rule = 'src/main/engine/accounts/accounts.ts';
    const tried = [
      'this.#ctx.transaction(() => 1);',
      'this.#ctx.audit.append({ type: "x" });',
      'ctx.vault.db.prepare("DELETE FROM accounts");',
      'const raw = this.#ctx.vault.db;',
      'new AccountRepository(handle);',
      '(this.#ctx.repos.accounts as unknown as AccountRepository).delete("a");',
    ];
    for (const line of tried) expect(bypasses(rule, line), line).not.toEqual([]);
    expect(bypasses(rule, 'this.#ctx.change((tx) => tx.audit({ type: "x" }));')).toEqual([]);
    expect(bypasses(rule, 'const span = /^(\\d+)$/.exec(value);')).toEqual([]);
    expect(bypasses('src/main/store/accounts.ts', 'db.prepare("SELECT 1");')).toEqual([]);
  });
});

describe('the read-only repositories', () => {
  let v: VaultWithAdmin;
  /** The vault's own, so the reads find its rows sealed. */
  let seal: RowSeal;
  beforeEach(async () => {
    v = await openVaultWithAdmin({ hashParameters: QUICK_HASH });
    seal = await rowSealOf(v.engine, v.vault.keychain);
  });
  afterEach(() => v.vault.dispose());

  it('hold the declared reads and nothing else, even to a cast', () => {
    withRawVault(v.vault.path, (db) => {
      const view = readOnly(new AccountRepository(db, seal), ACCOUNT_READS, (error) => error);
      expect(Object.keys(view).sort()).toEqual([...ACCOUNT_READS].sort());
      expect((view as unknown as Record<string, unknown>)['delete']).toBeUndefined();
      expect(Object.isFrozen(view)).toBe(true);
    });
  });

  it('declare as reads only methods that never write, as SQLite itself checks with query_only', () => {
    const now = v.vault.clock.now();
    const hash = Buffer.alloc(32);
    const calls = (db: Db) =>
      ({
        accounts: [
          new AccountRepository(db, seal),
          ACCOUNT_READS,
          { byId: ['x'], byUsername: ['admin'], all: [], count: [], countActiveAdmins: [] },
        ],
        emailVerifications: [new EmailVerificationRepository(db, seal), EMAIL_VERIFICATION_READS, { byTokenHash: [hash] }],
        mfa: [
          new MfaRepository(db, seal),
          MFA_READS,
          {
            totp: ['x'],
            expiredSetups: [now, 10],
            backupCodesLeft: ['x'],
            backupCodeSpent: ['x', hash],
            challenge: ['x'],
            trustedDeviceByToken: [hash],
            trustedDevices: ['x', now],
            trustedDevice: ['x'],
          },
        ],
        policy: [new PolicyRepository(db, seal), POLICY_READS, { all: [] }],
        sessions: [
          new SessionRepository(db, seal),
          SESSION_READS,
          {
            byId: ['x'],
            byTokenHash: [hash],
            activeForAccount: ['x'],
            list: [{ includeEnded: true }],
            timedOut: [now, 1, 1, 10],
            family: ['x'],
            activeInFamily: ['x'],
            refreshToken: [hash],
          },
        ],
        failures: [new SignInFailureRepository(db), SIGN_IN_FAILURE_READS, { get: ['x'], checks: ['x'], hasCheck: ['x'] }],
        integrity: [new RowIntegrityRepository(db, seal), ROW_INTEGRITY_READS, { brokenSeals: [10], keyCheck: [] }],
      }) as Record<string, [object, readonly string[], Record<string, unknown[]>]>;

    withRawVault(v.vault.path, (db) => {
      db.pragma('query_only = ON');
      for (const [name, [repository, reads, args]] of Object.entries(calls(db))) {
        expect(Object.keys(args).sort(), name).toEqual([...reads].sort());
        const methods = repository as Record<string, (...a: unknown[]) => unknown>;
        for (const read of reads) expect(() => methods[read]?.(...(args[read] ?? [])), `${name}.${read}`).not.toThrow();
      }
      // The witness: under query_only a write is refused, so the check above could have failed.
      expect(() => new AccountRepository(db, seal).setNotice(v.admin.caller.accountId, null)).toThrow(/readonly/);
    });
  });
});

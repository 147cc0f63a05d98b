import Database from 'better-sqlite3';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { assertCliBuilt, createCliVault, type CliRun, type CliVault } from '../support/cli.js';
import { runCliInProcess } from '../support/cli-in-process.js';
import { codeAt } from '../support/mfa.js';
import { PASSWORDS } from '../support/temp-vault.js';

/**
 * The attacks of the security issue, as someone with `sqlite3` on the vault file would make them
 * between two `latchkey` commands: better-sqlite3 here stands in for sqlite3.
 */

interface ErrorEnvelope {
  error: { code: string; message: string; details?: Record<string, unknown> };
}
interface BrokenSeal {
  table: string;
  id: string | null;
  account: string | null;
}

beforeAll(assertCliBuilt);

let v: CliVault;
/** alice, a plain account; ops, a second administrator, who checks the audit log. */
beforeEach(async () => {
  v = createCliVault('latchkey-cli-rows-', runCliInProcess);
  await v.init();
  expect((await v.cli(['signin', 'root', '--password-stdin'], `${PASSWORDS.admin}\n`)).code).toBe(0);
  expect((await v.cli(['account', 'add', 'alice', '--password-stdin'], `${PASSWORDS.alice}\n`)).code).toBe(0);
  expect((await v.cli(['account', 'add', 'ops', '--admin', '--password-stdin'], `${PASSWORDS.bob}\n`)).code).toBe(0);
});
afterEach(() => v.dispose());

function sqlite(sql: string): void {
  const db = new Database(v.vault);
  try {
    expect(db.prepare(sql).run().changes).toBe(1);
  } finally {
    db.close();
  }
}

const signin = (name: string, password: string, args: readonly string[] = []): Promise<CliRun> =>
  v.cli(['signin', name, '--password-stdin', '--json', ...args], `${password}\n`);

function idOf(name: string): string {
  const db = new Database(v.vault, { readonly: true });
  try {
    return db.prepare('SELECT id FROM accounts WHERE username = ?').pluck().get(name) as string;
  } finally {
    db.close();
  }
}

function expectTampered(run: CliRun, account: string): void {
  expect(run.code).toBe(1);
  const { error } = run.json<ErrorEnvelope>();
  expect(error).toMatchObject({ code: 'VAULT_UNREADABLE', details: { problem: 'row_altered', table: 'accounts', account } });
}

/** `vault verify` names the row (exit 1); `audit verify`, signed in as ops, still finds its chain whole. */
async function expectReported(account: string): Promise<void> {
  const verify = await v.cli(['vault', 'verify', '--json']);
  expect(verify.code).toBe(1);
  const rows = verify.json<{ rowSeals?: { rows: BrokenSeal[] } }>().rowSeals?.rows ?? [];
  expect(rows.map(({ table, id, account: owner }) => ({ table, id, account: owner }))).toEqual([
    { table: 'accounts', id: account, account },
  ]);
  const text = await v.cli(['vault', 'verify']);
  expect(text.stdout).toContain(`accounts row`);
  expect(text.stdout).toContain(account);
  expect((await signin('ops', PASSWORDS.bob)).code).toBe(0);
  const audit = await v.cli(['audit', 'verify', '--json']);
  expect(audit.json()).toMatchObject({ intact: true });
}

describe('security rows edited with sqlite3 between two commands', () => {
  it("refuses alice's admin command once her role was set to admin", async () => {
    expect((await signin('alice', PASSWORDS.alice)).code).toBe(0);
    sqlite("UPDATE accounts SET role = 'admin' WHERE username = 'alice'");
    // A child process: the real program, started on the edited file, exits 1.
    expectTampered(await v.childCli(['account', 'list', '--json']), idOf('alice'));
    await expectReported(idOf('alice'));
  });

  it("does not sign root in without a code once root's mfa_state was set to DISABLED", async () => {
    const begin = await v.cli(['mfa', 'totp', 'begin', '--json']);
    const secret = begin.json<{ secret: string }>().secret;
    expect((await v.cli(['mfa', 'totp', 'confirm', '--code', codeAt(secret, Date.now()), '--json'])).code).toBe(0);
    expect((await v.cli(['signout'])).code).toBe(0);
    expect((await signin('root', PASSWORDS.admin)).json<ErrorEnvelope>().error.code).toBe('MFA_REQUIRED');
    sqlite("UPDATE accounts SET mfa_state = 'DISABLED' WHERE username = 'root'");
    expectTampered(await signin('root', PASSWORDS.admin), idOf('root'));
    await expectReported(idOf('root'));
  });

  it("does not sign root in with alice's password once her hash was copied into root's row", async () => {
    expect((await v.cli(['signout'])).code).toBe(0);
    sqlite("UPDATE accounts SET password_hash = (SELECT password_hash FROM accounts WHERE username = 'alice') WHERE username = 'root'");
    expectTampered(await signin('root', PASSWORDS.alice), idOf('root'));
    expect((await v.cli(['whoami', '--json'])).code).toBe(1);
    await expectReported(idOf('root'));
  });
});

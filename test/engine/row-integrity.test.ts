import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DAY, HOUR, MINUTE } from '../../src/main/engine/clock.js';
import { SEALED_TABLES } from '../../src/main/store/row-integrity.js';
import { isLatchkeyError, type LatchkeyError } from '../../src/shared/errors.js';
import { AUDITOR } from '../support/auditor.js';
import { keyCheck } from '../../src/main/engine/crypto/vault-keys.js';
import { failure } from '../support/errors.js';
import { writePreviousVault } from '../support/previous-vault.js';
import { enableTotp, nextCode, passwordStep, signInWithCode, wrongCode, type Authenticator } from '../support/mfa.js';
import { withRawVault } from '../support/raw-vault.js';
import { QUICK_HASH, addAccount, openVaultWithAdmin, signIn, type SignedIn, type VaultWithAdmin } from '../support/signed-in.js';
import { PASSWORDS, cliClient, createTempVault, type TempVault } from '../support/temp-vault.js';

/**
 * Someone who can write the vault file (sqlite3 on it) but has not the keychain's key: each
 * security row carries a MAC keyed from the keychain, so a row they edit, copy or move is refused
 * where it is read, and `verifyVault` names it.
 */

let v: VaultWithAdmin;
let alice: SignedIn;
beforeEach(async () => {
  v = await openVaultWithAdmin({ hashParameters: QUICK_HASH });
  await addAccount(v.engine, v.admin.caller, 'alice', PASSWORDS.alice);
  alice = await signIn(v.engine, 'alice', PASSWORDS.alice);
});
afterEach(() => v.vault.dispose());

const adminId = (): string => v.admin.caller.accountId;
const aliceId = (): string => alice.caller.accountId;

/** An edit made with SQLite directly, as `sqlite3 vault.db` would, while the engine has the file open. */
function edit(sql: string, ...params: unknown[]): void {
  withRawVault(v.vault.path, (db: Database.Database) => {
    const changed = db.prepare(sql).run(...params).changes;
    if (changed === 0) throw new Error(`the edit changed nothing: ${sql}`);
  });
}

/** The refusal of a row whose MAC fails: a clear code, which table and which row, no secret. */
async function refusedAsTampered(work: () => unknown, table: string, account: string | null): Promise<LatchkeyError> {
  const error = await failure(work, 'VAULT_UNREADABLE');
  expect(error.details).toMatchObject({ problem: 'row_altered', table, account });
  expect(error.message).toContain(table);
  expect(error.message).toMatch(/changed outside Latchkey/);
  return error;
}

/**
 * A sign-in of either kind: the password, then `code` if the account is asked for one. Any refusal,
 * at whichever step, is thrown as it is.
 */
async function signInWith(
  username: string,
  password: string,
  factor: 'totp' | 'backup_code',
  code: string,
  deviceToken?: string,
): Promise<unknown> {
  try {
    return await v.engine.signIn.withPassword({
      username,
      password,
      client: cliClient('alice-laptop'),
      ...(deviceToken === undefined ? {} : { deviceToken }),
    });
  } catch (error) {
    if (!isLatchkeyError(error, 'MFA_REQUIRED') || error.details === undefined) throw error;
    const { challengeId } = error.details;
    return v.engine.signIn.answer({ challengeId, factor, code });
  }
}

/** What `verifyVault` says of the rows: the tampered ones, by table, row and account. */
function brokenSeals(): { table: string; id: string | null; account: string | null }[] {
  const verdict = v.engine.verifyVault() as unknown as {
    rowSeals?: { rows: { table: string; id: string | null; account: string | null }[] };
  };
  return (verdict.rowSeals?.rows ?? []).map(({ table, id, account }) => ({ table, id, account }));
}

describe('a vault whose rows were never edited', () => {
  it('verifies: every security row carries a seal that matches', async () => {
    await enableTotp(v.engine, v.vault.clock, alice.caller);
    expect(v.engine.verifyVault()).toMatchObject({ intact: true, rowSeals: { intact: true, broken: 0, rows: [] } });
    const unsealed = withRawVault(v.vault.path, (db) =>
      ['accounts', 'sessions', 'totp_credentials', 'backup_codes'].map((table) =>
        db.prepare(`SELECT count(*) FROM ${table} WHERE mac IS NULL`).pluck().get(),
      ),
    );
    expect(unsealed).toEqual([0, 0, 0, 0]);
  });
});

describe('accounts edited in the file', () => {
  it("refuses alice's session once her role was set to admin: no admin command runs on it", async () => {
    edit("UPDATE accounts SET role = 'admin' WHERE id = ?", aliceId());
    await refusedAsTampered(() => v.engine.accounts.list(v.engine.sessions.validate(alice.token)), 'accounts', aliceId());
    expect(brokenSeals()).toEqual([{ table: 'accounts', id: aliceId(), account: aliceId() }]);
  });

  it('does not let a sign-in skip the code once mfa_state was set to DISABLED', async () => {
    const authenticator = await enableTotp(v.engine, v.vault.clock, alice.caller);
    edit("UPDATE accounts SET mfa_state = 'DISABLED' WHERE id = ?", aliceId());
    await refusedAsTampered(
      () => v.engine.signIn.withPassword({ username: 'alice', password: PASSWORDS.alice, client: cliClient() }),
      'accounts',
      aliceId(),
    );
    // Not with the code either: the row itself is not to be trusted.
    await refusedAsTampered(
      () => signInWith('alice', PASSWORDS.alice, 'totp', nextCode(v.vault.clock, authenticator.secret)),
      'accounts',
      aliceId(),
    );
  });

  it("does not sign the admin in with alice's password once her hash was copied into the admin's row", async () => {
    edit('UPDATE accounts SET password_hash = (SELECT password_hash FROM accounts WHERE id = ?) WHERE id = ?', aliceId(), adminId());
    await refusedAsTampered(() => signIn(v.engine, 'admin', PASSWORDS.alice), 'accounts', adminId());
    expect(brokenSeals()).toEqual([{ table: 'accounts', id: adminId(), account: adminId() }]);
  });

  it('refuses a disabled account flipped back to active', async () => {
    v.engine.accounts.disable(v.admin.caller, 'alice');
    edit("UPDATE accounts SET status = 'active' WHERE id = ?", aliceId());
    await refusedAsTampered(() => signIn(v.engine, 'alice', PASSWORDS.alice), 'accounts', aliceId());
  });

  it('refuses a row whose seal was removed, rather than sealing it again', async () => {
    edit("UPDATE accounts SET role = 'admin', mac = NULL WHERE id = ?", aliceId());
    await refusedAsTampered(() => signIn(v.engine, 'alice', PASSWORDS.alice), 'accounts', aliceId());
    v.engine.close();
    const again = await v.vault.open({ hashParameters: QUICK_HASH });
    await refusedAsTampered(() => signIn(again, 'alice', PASSWORDS.alice), 'accounts', aliceId());
    expect(again.verifyVault()).toMatchObject({
      intact: false,
      rowSeals: { broken: 1, rows: [{ table: 'accounts', id: aliceId(), problem: 'missing' }] },
    });
  });

  it('never seals a tampered row again through a later change: the change is refused, the row stays refused', async () => {
    edit("UPDATE accounts SET role = 'admin' WHERE id = ?", aliceId());
    await refusedAsTampered(() => v.engine.accounts.disable(v.admin.caller, 'alice'), 'accounts', aliceId());
    await refusedAsTampered(() => signIn(v.engine, 'alice', PASSWORDS.alice), 'accounts', aliceId());
    expect(brokenSeals()).toEqual([{ table: 'accounts', id: aliceId(), account: aliceId() }]);
  });

  it('counts no tampered row as an active administrator', async () => {
    edit("UPDATE accounts SET role = 'admin' WHERE id = ?", aliceId());
    // Counted, alice would let the one real administrator be disabled, and leave none.
    await refusedAsTampered(() => v.engine.accounts.disable(v.admin.caller, 'admin'), 'accounts', aliceId());
    expect((await signIn(v.engine, 'admin', PASSWORDS.admin)).caller.role).toBe('admin');
  });
});

describe('sessions edited in the file', () => {
  it('refuses a session whose last activity was pushed later, which would stretch its idle timeout', async () => {
    v.vault.clock.advance(29 * MINUTE);
    edit('UPDATE sessions SET last_active_at = ? WHERE id = ?', v.vault.clock.now(), alice.caller.sessionId);
    v.vault.clock.advance(29 * MINUTE);
    await refusedAsTampered(() => v.engine.sessions.validate(alice.token), 'sessions', aliceId());
  });

  it('refuses a session whose start and expiry were pushed later, which would stretch its absolute timeout', async () => {
    v.vault.clock.advance(13 * HOUR);
    const now = v.vault.clock.now();
    edit(
      'UPDATE sessions SET created_at = ?, last_active_at = ?, expires_at = ? WHERE id = ?',
      now,
      now,
      now + 12 * HOUR,
      alice.caller.sessionId,
    );
    await refusedAsTampered(() => v.engine.sessions.validate(alice.token), 'sessions', aliceId());
  });

  it("refuses a session moved to another account: alice's token does not speak for the admin", async () => {
    edit('UPDATE sessions SET account_id = ? WHERE id = ?', adminId(), alice.caller.sessionId);
    const error = await refusedAsTampered(() => v.engine.sessions.validate(alice.token), 'sessions', adminId());
    expect(error.details).toMatchObject({ row: alice.caller.sessionId });
    expect(brokenSeals()).toEqual([{ table: 'sessions', id: alice.caller.sessionId, account: adminId() }]);
  });

  it('refuses an ended session made active again', async () => {
    v.engine.signIn.signOut(alice.caller);
    edit('UPDATE sessions SET active = 1, ended_at = NULL, end_reason = NULL WHERE id = ?', alice.caller.sessionId);
    await refusedAsTampered(() => v.engine.sessions.validate(alice.token), 'sessions', aliceId());
  });

  it('refuses a "stay signed in" family whose cap was pushed later, and a spent refresh token made unspent', async () => {
    const remembered = await signIn(v.engine, 'alice', PASSWORDS.alice, { staySignedIn: true });
    const refreshToken = remembered.started.refreshToken ?? '';
    const next = v.engine.sessions.refresh(refreshToken, cliClient());
    edit('UPDATE refresh_tokens SET used_at = NULL WHERE used_at IS NOT NULL');
    // Keyed by the token's hash, which no message shows, a refresh token names no account itself.
    await refusedAsTampered(() => v.engine.sessions.refresh(refreshToken, cliClient()), 'refresh_tokens', null);
    edit('UPDATE session_families SET expires_at = expires_at + ?', 365 * DAY);
    await refusedAsTampered(() => v.engine.sessions.refresh(next.refreshToken ?? '', cliClient()), 'session_families', aliceId());
  });
});

describe('second factors edited in the file', () => {
  let authenticator: Authenticator;
  beforeEach(async () => {
    authenticator = await enableTotp(v.engine, v.vault.clock, alice.caller);
  });

  it("refuses alice's backup codes copied into the admin's account: none signs the admin in", async () => {
    await enableTotp(v.engine, v.vault.clock, v.admin.caller);
    // Copied whole, seal and all, as far as the file has seals.
    const seal =
      withRawVault(v.vault.path, (db) =>
        db.prepare("SELECT count(*) FROM pragma_table_info('backup_codes') WHERE name = 'mac'").pluck().get(),
      ) === 1
        ? ', mac'
        : '';
    edit(
      `INSERT INTO backup_codes SELECT ?, digest, created_at, used_at${seal} FROM backup_codes WHERE account_id = ?`,
      adminId(),
      aliceId(),
    );
    await refusedAsTampered(
      () => signInWith('admin', PASSWORDS.admin, 'backup_code', authenticator.backupCodes[0] ?? ''),
      'backup_codes',
      adminId(),
    );
    expect(brokenSeals()).toHaveLength(10);
  });

  it('refuses a spent backup code made unspent', async () => {
    await signInWithCode(v.engine, v.vault.clock, 'alice', PASSWORDS.alice, authenticator, {
      factor: 'backup_code',
      code: authenticator.backupCodes[0] ?? '',
    });
    edit('UPDATE backup_codes SET used_at = NULL WHERE used_at IS NOT NULL');
    await refusedAsTampered(
      () => signInWith('alice', PASSWORDS.alice, 'backup_code', authenticator.backupCodes[0] ?? ''),
      'backup_codes',
      aliceId(),
    );
  });

  it("refuses alice's TOTP secret swapped into the admin's row (the cipher's associated data already did)", async () => {
    await enableTotp(v.engine, v.vault.clock, v.admin.caller);
    edit(
      'UPDATE totp_credentials SET secret_enc = (SELECT secret_enc FROM totp_credentials WHERE account_id = ?) WHERE account_id = ?',
      aliceId(),
      adminId(),
    );
    const challenge = await passwordStep(v.engine, 'admin', PASSWORDS.admin);
    const error = await failure(
      () =>
        v.engine.signIn.answer({ challengeId: challenge.challengeId, factor: 'totp', code: nextCode(v.vault.clock, authenticator.secret) }),
      'VAULT_UNREADABLE',
    );
    expect(error.message).not.toContain(authenticator.secret);
  });

  it('refuses a TOTP credential whose last accepted step was moved back, which would let a used code in again', async () => {
    const signedIn = await signInWithCode(v.engine, v.vault.clock, 'alice', PASSWORDS.alice, authenticator);
    expect(signedIn.session.username).toBe('alice');
    edit('UPDATE totp_credentials SET last_step = last_step - 10 WHERE account_id = ?', aliceId());
    await refusedAsTampered(
      () => signInWith('alice', PASSWORDS.alice, 'totp', nextCode(v.vault.clock, authenticator.secret)),
      'totp_credentials',
      aliceId(),
    );
  });

  it('refuses a sign-in challenge whose attempts were reset', async () => {
    const challenge = await passwordStep(v.engine, 'alice', PASSWORDS.alice);
    await failure(
      () =>
        v.engine.signIn.answer({
          challengeId: challenge.challengeId,
          factor: 'totp',
          code: wrongCode(authenticator.secret, v.vault.clock.now()),
        }),
      'CODE_INVALID',
    );
    edit('UPDATE mfa_challenges SET attempts = 0 WHERE id = ?', challenge.challengeId);
    await refusedAsTampered(
      () =>
        v.engine.signIn.answer({ challengeId: challenge.challengeId, factor: 'totp', code: nextCode(v.vault.clock, authenticator.secret) }),
      'mfa_challenges',
      aliceId(),
    );
  });

  describe('a trusted device', () => {
    let deviceToken: string;
    beforeEach(async () => {
      const signedIn = await signInWithCode(v.engine, v.vault.clock, 'alice', PASSWORDS.alice, authenticator, {
        trustDevice: true,
        device: 'alice-laptop',
      });
      deviceToken = signedIn.deviceToken ?? '';
    });

    it('is refused once its trust was stretched past its 30 days', async () => {
      v.vault.clock.advance(31 * DAY);
      edit('UPDATE trusted_devices SET created_at = ?, expires_at = ?', v.vault.clock.now(), v.vault.clock.now() + 30 * DAY);
      await refusedAsTampered(() => signInWith('alice', PASSWORDS.alice, 'totp', '000000', deviceToken), 'trusted_devices', aliceId());
    });

    it("is refused once moved to the admin's account: it does not skip the admin's code", async () => {
      await enableTotp(v.engine, v.vault.clock, v.admin.caller);
      edit('UPDATE trusted_devices SET account_id = ?', adminId());
      await refusedAsTampered(() => signInWith('admin', PASSWORDS.admin, 'totp', '000000', deviceToken), 'trusted_devices', adminId());
    });
  });
});

describe('other security rows edited in the file', () => {
  it('refuses a policy value weakened in the file', async () => {
    v.engine.policy.set(v.admin.caller, 'mfa.required', 'all');
    edit("UPDATE policy SET value = '\"off\"' WHERE key = 'mfa.required'");
    const error = await failure(() => signIn(v.engine, 'alice', PASSWORDS.alice), 'VAULT_UNREADABLE');
    expect(error.details).toMatchObject({ problem: 'row_altered', table: 'policy', row: 'mfa.required' });
  });

  it('refuses an e-mail verification link moved to another account', async () => {
    const issued = v.engine.emailVerification.issue(v.admin.caller, 'admin');
    edit('UPDATE email_verifications SET account_id = ?', aliceId());
    await refusedAsTampered(
      () => v.engine.emailVerification.confirm(new URL(issued.link).searchParams.get('token') ?? ''),
      'email_verifications',
      aliceId(),
    );
  });
});

describe('what vault verify and audit verify say', () => {
  it('lists every tampered row, by table, row and account, while the audit chain stays intact', async () => {
    edit("UPDATE accounts SET role = 'admin' WHERE id = ?", aliceId());
    edit('UPDATE sessions SET account_id = ? WHERE id = ?', adminId(), alice.caller.sessionId);
    const verdict = v.engine.verifyVault();
    expect(verdict).toMatchObject({
      intact: false,
      structure: { intact: true },
      references: { intact: true },
      rowSeals: { intact: false, broken: 2 },
    });
    expect(brokenSeals()).toEqual([
      { table: 'accounts', id: aliceId(), account: aliceId() },
      { table: 'sessions', id: alice.caller.sessionId, account: adminId() },
    ]);
    // The log itself was not touched: it is the rows' seals that tell.
    expect(await v.engine.audit.verify(AUDITOR)).toMatchObject({ intact: true });
  });
});

describe('the seal declarations', () => {
  it('name every column of each sealed table, sealed or left out for a stated reason', () => {
    withRawVault(v.vault.path, (db) => {
      for (const table of SEALED_TABLES) {
        const columns = db.prepare(`SELECT name FROM pragma_table_info('${table.name}')`).pluck().all() as string[];
        expect([...table.sealed, ...Object.keys(table.unsealed), 'mac'].sort(), table.name).toEqual([...columns].sort());
        expect(table.sealed, table.name).toEqual(expect.arrayContaining([...table.key]));
      }
    });
  });
});

/**
 * A vault as the release before row seals left it (schema 4, the older key check, no seal on any
 * row), built with better-sqlite3 directly, as migration.test.ts builds a schema 1 vault.
 */
async function createUnsealedVault(vault: TempVault): Promise<{ vaultId: string; key: Buffer }> {
  return writePreviousVault(vault, 4, [PASSWORDS.admin, PASSWORDS.alice], ({ db, audit, addAccount }, hashes) => {
    const accounts = [
      { id: 'acc_admin', username: 'admin', role: 'admin' },
      { id: 'acc_alice', username: 'alice', role: 'user' },
    ] as const;
    accounts.forEach((a, i) => {
      addAccount({ ...a, passwordHash: hashes[i] ?? '' });
      audit.append({ type: 'account.created', outcome: 'success', target: { id: a.id, name: a.username }, details: { role: a.role } });
    });
    db.prepare("INSERT INTO policy (key, value, updated_at, updated_by) VALUES ('mfa.required', '\"admins\"', ?, 'admin')").run(
      vault.clock.now(),
    );
    return {};
  });
}

describe('a vault from before rows were sealed', () => {
  let old: TempVault;
  let made: { vaultId: string; key: Buffer };
  beforeEach(async () => {
    old = await createTempVault();
    made = await createUnsealedVault(old);
  });
  afterEach(() => old.dispose());

  const unsealedRows = (): number =>
    withRawVault(
      old.path,
      (db) =>
        db
          .prepare('SELECT (SELECT count(*) FROM accounts WHERE mac IS NULL) + (SELECT count(*) FROM policy WHERE mac IS NULL)')
          .pluck()
          .get() as number,
    );

  it('has its rows sealed once, at the first open, under the write lock, and audited', async () => {
    const [first, second] = await Promise.all([old.open({ hashParameters: QUICK_HASH }), old.open({ hashParameters: QUICK_HASH })]);
    expect(unsealedRows()).toBe(0);
    expect(withRawVault(old.path, (db) => db.prepare("SELECT value FROM meta WHERE key = 'key_check'").pluck().get())).toMatch(/^v2\./);
    const sealings = [...first.audit.exportLines(AUDITOR)]
      .map((line) => JSON.parse(line) as { type: string; details: unknown })
      .filter((e) => e.type === 'vault.rows_sealed');
    expect(sealings).toEqual([expect.objectContaining({ details: { rows: 3 } })]);
    expect(first.verifyVault()).toMatchObject({ intact: true, rowSeals: { intact: true, broken: 0 } });
    expect(await second.audit.verify(AUDITOR)).toMatchObject({ intact: true });
    // Its accounts and policy are as they were, and in use.
    expect((await signIn(second, 'alice', PASSWORDS.alice)).caller.role).toBe('user');
    first.close();
    second.close();
    const again = await old.open({ hashParameters: QUICK_HASH });
    expect([...again.audit.exportLines(AUDITOR)].filter((line) => line.includes('vault.rows_sealed'))).toHaveLength(1);
  });

  it('is not sealed again once its older key check is put back: rows edited meanwhile stay refused', async () => {
    (await old.open({ hashParameters: QUICK_HASH })).close();
    withRawVault(old.path, (db) => {
      db.prepare("UPDATE meta SET value = ? WHERE key = 'key_check'").run(keyCheck(made.key, made.vaultId));
      db.prepare("UPDATE accounts SET role = 'admin', mac = NULL WHERE id = 'acc_alice'").run();
    });
    const error = await failure(() => old.open({ hashParameters: QUICK_HASH }), 'VAULT_UNREADABLE');
    expect(error.details).toMatchObject({ problem: 'seal_undone' });
    expect(error.message).toMatch(/sealed \(audit event \d+\)/);
    expect(withRawVault(old.path, (db) => db.prepare("SELECT mac FROM accounts WHERE id = 'acc_alice'").pluck().get())).toBeNull();
  });

  it('is not sealed while its audit log does not verify: the rows are not taken as they stand', async () => {
    withRawVault(old.path, (db) => db.prepare('UPDATE audit_events SET details = \'{"role":"user"}\' WHERE seq = 2').run());
    const error = await failure(() => old.open({ hashParameters: QUICK_HASH }), 'VAULT_UNREADABLE');
    expect(error.details).toMatchObject({ problem: 'log_broken', log: 'altered' });
    expect(unsealedRows()).toBe(3);
  });
});

import Database from 'better-sqlite3';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditAnchor } from '../../../src/main/engine/audit/audit-anchor.js';
import { AuditLog, startAuditChain } from '../../../src/main/engine/audit/audit-log.js';
import { FieldCipher } from '../../../src/main/engine/crypto/field-cipher.js';
import { deriveVaultKeys, keyCheck } from '../../../src/main/engine/crypto/vault-keys.js';
import type { Engine } from '../../../src/main/engine/engine.js';
import { PasswordHasher } from '../../../src/main/engine/passwords/password-hasher.js';
import { AuditRepository } from '../../../src/main/store/audit.js';
import { MetaRepository } from '../../../src/main/store/meta.js';
import { SCHEMA_VERSION, migrate, schemaVersion } from '../../../src/main/store/migrations.js';
import { enableTotp, passwordStep } from '../../support/mfa.js';
import { withRawVault } from '../../support/raw-vault.js';
import { QUICK_HASH, signIn } from '../../support/signed-in.js';
import { PASSWORDS, createTempVault, type TempVault } from '../../support/temp-vault.js';
import { AUDITOR, allEvents } from '../../support/auditor.js';

/**
 * A vault as the first release left it: schema 1 only, its key in the keychain, an admin and a
 * user with an encrypted e-mail address, and an audit log that verifies. Built with better-sqlite3
 * directly, so nothing of today's schema can leak into it.
 */
async function createSchema1Vault(vault: TempVault): Promise<void> {
  const db = new Database(vault.path);
  try {
    db.pragma('journal_mode = WAL');
    migrate(db, 1);
    const vaultId = `vault_${randomUUID()}`;
    const key = randomBytes(32);
    await vault.keychain.set(vaultId, key.toString('base64'));
    const keys = deriveVaultKeys(key, vaultId);
    const cipher = new FieldCipher(keys.fieldEncryption);
    const hasher = new PasswordHasher(QUICK_HASH);
    const accounts = [
      { id: 'acc_admin', username: 'admin', role: 'admin', password: await hasher.hash(PASSWORDS.admin), email: null },
      { id: 'acc_alice', username: 'alice', role: 'user', password: await hasher.hash(PASSWORDS.alice), email: 'alice@example.org' },
    ];
    const meta = new MetaRepository(db);
    const audit = new AuditLog(
      new AuditRepository(db),
      meta,
      keys.auditChain,
      vault.clock,
      new AuditAnchor(vault.keychain, vaultId, keys.auditChain),
    );
    const insert = db.prepare(
      `INSERT INTO accounts (id, username, display_name, role, status, email_enc, password_hash, password_changed_at, created_at, updated_at)
       VALUES (?, ?, ?, ?, 'active', ?, ?, ?, ?, ?)`,
    );
    db.transaction(() => {
      meta.set('vault_id', vaultId);
      meta.set('key_check', keyCheck(key, vaultId));
      startAuditChain(meta, keys.auditChain);
      audit.append({ type: 'vault.initialised', outcome: 'success', details: { vaultId } });
      const at = vault.clock.now();
      for (const a of accounts) {
        const email = a.email === null ? null : cipher.encrypt(a.email, { table: 'accounts', column: 'email', rowId: a.id });
        insert.run(a.id, a.username, a.username, a.role, email, a.password, at, at, at);
        audit.append({ type: 'account.created', outcome: 'success', target: { id: a.id, name: a.username }, details: { role: a.role } });
      }
    }).immediate();
  } finally {
    db.close();
  }
}

let vault: TempVault;
let engine: Engine;
beforeEach(async () => {
  vault = await createTempVault();
  await createSchema1Vault(vault);
  expect(withRawVault(vault.path, schemaVersion)).toBe(1);
  engine = await vault.open({ hashParameters: QUICK_HASH });
});
afterEach(() => vault.dispose());

describe('a vault created at schema 1', () => {
  it('opens with the current engine and is brought to the latest schema', () => {
    expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(2);
    expect(withRawVault(vault.path, schemaVersion)).toBe(SCHEMA_VERSION);
    const tables = withRawVault(vault.path, (db) => db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all());
    expect(tables).toEqual(
      expect.arrayContaining(['totp_credentials', 'backup_codes', 'mfa_challenges', 'trusted_devices', 'email_verifications']),
    );
  });

  it('keeps its accounts, each with MFA DISABLED and no notice', async () => {
    const admin = await signIn(engine, 'admin', PASSWORDS.admin);
    const views = engine.accounts.list(admin.caller);
    expect(views.map((a) => [a.username, a.role, a.mfaState, a.email])).toEqual([
      ['admin', 'admin', 'DISABLED', null],
      ['alice', 'user', 'DISABLED', 'alice@example.org'],
    ]);
    const raw = withRawVault(vault.path, (db) => db.prepare('SELECT mfa_state, notice, email_verified_at FROM accounts').all());
    const migrated = { mfa_state: 'DISABLED', notice: null, email_verified_at: null };
    expect(raw).toEqual([migrated, migrated]);
  });

  it('lets its accounts sign in with their passwords alone', async () => {
    const alice = await signIn(engine, 'alice', PASSWORDS.alice);
    expect(alice.started.session).toMatchObject({ username: 'alice', assurance: 'password' });
    expect(alice.started.notices).toEqual([]);
  });

  it('lets an account with an address verify it', async () => {
    const alice = await signIn(engine, 'alice', PASSWORDS.alice);
    const { link } = engine.emailVerification.issue(alice.caller, 'alice');
    expect(engine.emailVerification.confirm(link.split('token=')[1] ?? '')).toEqual({ username: 'alice', email: 'alice@example.org' });
  });

  it('lets its accounts turn TOTP on, after which sign-in asks for a code', async () => {
    const alice = await signIn(engine, 'alice', PASSWORDS.alice);
    await enableTotp(engine, vault.clock, alice.caller);
    await passwordStep(engine, 'alice', PASSWORDS.alice);
  });

  it('keeps an audit log that verifies across the migration', async () => {
    await signIn(engine, 'alice', PASSWORDS.alice);
    const verdict = await engine.audit.verify(AUDITOR);
    expect(verdict).toMatchObject({ intact: true });
    expect(
      allEvents(engine)
        .slice(0, 3)
        .map((e) => e.type),
    ).toEqual(['vault.initialised', 'account.created', 'account.created']);
  });

  it('migrates once: opening it again changes nothing more', async () => {
    engine.close();
    const again = await vault.open({ hashParameters: QUICK_HASH });
    expect(withRawVault(vault.path, schemaVersion)).toBe(SCHEMA_VERSION);
    expect((await signIn(again, 'alice', PASSWORDS.alice)).started.session.username).toBe('alice');
  });
});

describe('migrate up to a version', () => {
  it('stops at the version asked for, and goes on from there later', () => {
    const db = new Database(':memory:');
    try {
      migrate(db, 1);
      expect(schemaVersion(db)).toBe(1);
      expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'totp_credentials'").pluck().get()).toBe(0);
      migrate(db);
      expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
    } finally {
      db.close();
    }
  });
});

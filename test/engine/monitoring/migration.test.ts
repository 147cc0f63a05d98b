import Database from 'better-sqlite3';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditAnchor } from '../../../src/main/engine/audit/audit-anchor.js';
import { AuditLog, startAuditChain } from '../../../src/main/engine/audit/audit-log.js';
import { deriveVaultKeys, keyCheck } from '../../../src/main/engine/crypto/vault-keys.js';
import { PasswordHasher } from '../../../src/main/engine/passwords/password-hasher.js';
import { AuditRepository } from '../../../src/main/store/audit.js';
import { MetaRepository } from '../../../src/main/store/meta.js';
import { SCHEMA_VERSION, migrate, schemaVersion } from '../../../src/main/store/migrations.js';
import { AUDITOR } from '../../support/auditor.js';
import { withRawVault } from '../../support/raw-vault.js';
import { QUICK_HASH, signIn } from '../../support/signed-in.js';
import { createTempVault, PASSWORDS, type TempVault } from '../../support/temp-vault.js';

/** The schema before security monitoring. */
const PREVIOUS_SCHEMA = 6;

/**
 * A vault as the previous release left it: its schema, its key in the keychain, an admin and a
 * user, and an audit log that verifies and already holds a failed sign-in. Built with
 * better-sqlite3 directly, so nothing of the monitoring schema can leak into it.
 */
async function createPreviousVault(vault: TempVault): Promise<void> {
  const db = new Database(vault.path);
  try {
    db.pragma('journal_mode = WAL');
    migrate(db, PREVIOUS_SCHEMA);
    const vaultId = `vault_${randomUUID()}`;
    const key = randomBytes(32);
    await vault.keychain.set(vaultId, key.toString('base64'));
    const keys = deriveVaultKeys(key, vaultId);
    const hasher = new PasswordHasher(QUICK_HASH);
    const accounts = [
      { id: 'acc_admin', username: 'admin', role: 'admin', password: await hasher.hash(PASSWORDS.admin) },
      { id: 'acc_alice', username: 'alice', role: 'user', password: await hasher.hash(PASSWORDS.alice) },
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
      `INSERT INTO accounts (id, username, display_name, role, status, password_hash, password_changed_at, created_at, updated_at)
       VALUES (?, ?, ?, ?, 'active', ?, ?, ?, ?)`,
    );
    db.transaction(() => {
      meta.set('vault_id', vaultId);
      meta.set('key_check', keyCheck(key, vaultId));
      startAuditChain(meta, keys.auditChain);
      audit.append({ type: 'vault.initialised', outcome: 'success', details: { vaultId } });
      const at = vault.clock.now();
      for (const a of accounts) {
        insert.run(a.id, a.username, a.username, a.role, a.password, at, at, at);
        audit.append({ type: 'account.created', outcome: 'success', target: { id: a.id, name: a.username }, details: { role: a.role } });
      }
      audit.append({ type: 'signin.failed', outcome: 'failure', target: { id: 'acc_alice', name: 'alice' }, reason: 'wrong_password' });
    }).immediate();
  } finally {
    db.close();
  }
}

let vault: TempVault;
afterEach(() => vault?.dispose());

describe('a vault from before security monitoring', () => {
  it('opens, gains the monitoring tables, and counts and watches from then on', async () => {
    vault = await createTempVault();
    await createPreviousVault(vault);
    expect(withRawVault(vault.path, schemaVersion)).toBe(PREVIOUS_SCHEMA);

    const engine = await vault.open({ hashParameters: QUICK_HASH });
    expect(withRawVault(vault.path, schemaVersion)).toBe(SCHEMA_VERSION);
    expect((await engine.audit.verify(AUDITOR)).intact).toBe(true);
    expect(engine.alerts.list(AUDITOR)).toEqual([]);
    // The failure written before the upgrade is in the log, not in the counters, which start now.
    expect(engine.reports.report(AUDITOR, 7).totals.failures).toBe(0);
    await signIn(engine, 'alice', PASSWORDS.alice, { device: 'laptop' });
    await signIn(engine, 'alice', PASSWORDS.alice, { device: 'phone' });
    expect(engine.alerts.list(AUDITOR).map((alert) => alert.kind)).toEqual(['new_device']);
    expect(engine.reports.report(AUDITOR, 7).totals.signIns).toBe(2);
  });
});

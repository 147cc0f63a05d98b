import Database from 'better-sqlite3';
import { randomBytes, randomUUID } from 'node:crypto';
import { AuditAnchor } from '../../src/main/engine/audit/audit-anchor.js';
import { AuditLog, startAuditChain } from '../../src/main/engine/audit/audit-log.js';
import { deriveVaultKeys, keyCheck } from '../../src/main/engine/crypto/vault-keys.js';
import { PasswordHasher } from '../../src/main/engine/passwords/password-hasher.js';
import { AuditRepository } from '../../src/main/store/audit.js';
import { MetaRepository } from '../../src/main/store/meta.js';
import { migrate } from '../../src/main/store/migrations.js';
import { QUICK_HASH } from './signed-in.js';
import type { TempVault } from './temp-vault.js';

/** What a test writes into a vault of an earlier schema, inside the one transaction that starts it. */
export interface PreviousVault {
  readonly db: Database.Database;
  readonly vaultId: string;
  readonly key: Buffer;
  readonly audit: AuditLog;
  /** An account row as that schema had it, active, with its password hashed at the quick cost. */
  addAccount(account: { id: string; username: string; role: 'admin' | 'user'; passwordHash: string }): void;
}

/**
 * A vault as an earlier release left it, written with better-sqlite3 directly so that nothing of a
 * later schema leaks into it: migrated to `schema`, its key in the keychain, its audit chain begun
 * (`vault.initialised`), then whatever `fill` adds, all committed together. The passwords given are
 * hashed first, outside the transaction.
 */
export async function writePreviousVault<T>(
  vault: TempVault,
  schema: number,
  passwords: readonly string[],
  fill: (previous: PreviousVault, hashes: readonly string[]) => T,
): Promise<T & { vaultId: string; key: Buffer }> {
  const hasher = new PasswordHasher(QUICK_HASH);
  const hashes = await Promise.all(passwords.map((password) => hasher.hash(password)));
  const db = new Database(vault.path);
  try {
    db.pragma('journal_mode = WAL');
    migrate(db, schema);
    const vaultId = `vault_${randomUUID()}`;
    const key = randomBytes(32);
    await vault.keychain.set(vaultId, key.toString('base64'));
    const keys = deriveVaultKeys(key, vaultId);
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
    const addAccount: PreviousVault['addAccount'] = ({ id, username, role, passwordHash }) => {
      const at = vault.clock.now();
      insert.run(id, username, username, role, passwordHash, at, at, at);
    };
    const filled = db
      .transaction(() => {
        meta.set('vault_id', vaultId);
        meta.set('key_check', keyCheck(key, vaultId));
        startAuditChain(meta, keys.auditChain);
        audit.append({ type: 'vault.initialised', outcome: 'success', details: { vaultId } });
        return fill({ db, vaultId, key, audit, addAccount }, hashes);
      })
      .immediate();
    return { ...filled, vaultId, key };
  } finally {
    db.close();
  }
}

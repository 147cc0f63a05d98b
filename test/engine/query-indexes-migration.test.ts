import { afterEach, describe, expect, it } from 'vitest';
import { HOUR } from '../../src/main/engine/clock.js';
import { hashToken, newToken } from '../../src/main/engine/crypto/random.js';
import type Database from 'better-sqlite3';
import { SCHEMA_VERSION, schemaVersion } from '../../src/main/store/migrations.js';
import { AUDITOR } from '../support/auditor.js';
import { writePreviousVault } from '../support/previous-vault.js';
import { withRawVault } from '../support/raw-vault.js';
import { QUICK_HASH, signIn } from '../support/signed-in.js';
import { cliClient, createTempVault, PASSWORDS, type TempVault } from '../support/temp-vault.js';

/** The schema before the indexes for per-request and per-batch queries. */
const PREVIOUS_SCHEMA = 7;

/**
 * A vault as the previous release left it, written with better-sqlite3 directly: an admin, a user
 * with a session that is still live and one long timed out, and an audit log that verifies.
 */
async function createPreviousVault(vault: TempVault): Promise<{ liveToken: string }> {
  const liveToken = newToken();
  return writePreviousVault(vault, PREVIOUS_SCHEMA, [PASSWORDS.admin, PASSWORDS.alice], ({ db, addAccount }, [admin, alice]) => {
    const now = vault.clock.now();
    const session = db.prepare(
      `INSERT INTO sessions (id, account_id, token_hash, assurance, host, device_name, user_agent, created_at, last_active_at, expires_at)
       VALUES (?, 'acc_alice', ?, 'password', 'cli', 'laptop', 'latchkey-test/1', ?, ?, ?)`,
    );
    addAccount({ id: 'acc_admin', username: 'admin', role: 'admin', passwordHash: admin ?? '' });
    addAccount({ id: 'acc_alice', username: 'alice', role: 'user', passwordHash: alice ?? '' });
    session.run('sess_live', hashToken(liveToken), now, now, now + 12 * HOUR);
    session.run('sess_old', hashToken(newToken()), now - 48 * HOUR, now - 48 * HOUR, now - 36 * HOUR);
    return { liveToken };
  });
}

const indexesOf = (db: Database.Database, table: string): string[] =>
  (db.pragma(`index_list(${table})`) as { name: string }[]).map((index) => index.name);

let vault: TempVault;
afterEach(() => vault?.dispose());

describe('a vault from before the indexes for per-request and per-batch queries', () => {
  it('opens with the new indexes, keeps its sessions, and cleans up through them', async () => {
    vault = await createTempVault();
    const { liveToken } = await createPreviousVault(vault);
    expect(withRawVault(vault.path, schemaVersion)).toBe(PREVIOUS_SCHEMA);

    const engine = await vault.open({ hashParameters: QUICK_HASH });
    expect(withRawVault(vault.path, schemaVersion)).toBe(SCHEMA_VERSION);
    const sessionIndexes = withRawVault(vault.path, (db) => indexesOf(db, 'sessions'));
    expect(sessionIndexes).toEqual(expect.arrayContaining(['sessions_by_family', 'sessions_ended', 'sessions_active_by_last_active']));
    expect(sessionIndexes).not.toContain('sessions_by_end');

    expect(engine.sessions.validate(liveToken).username).toBe('alice');
    expect((await engine.cleanUp()).expired).toBe(1);
    const remembered = await signIn(engine, 'alice', PASSWORDS.alice, { staySignedIn: true });
    const refreshed = engine.sessions.refresh(remembered.started.refreshToken ?? '', cliClient());
    expect(refreshed.caller.username).toBe('alice');

    expect(engine.sessions.list(AUDITOR, { allAccounts: true }).map((s) => s.id)).not.toContain('sess_old');
    expect((await engine.audit.verify(AUDITOR)).intact).toBe(true);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION, schemaVersion } from '../../../src/main/store/migrations.js';
import { AUDITOR } from '../../support/auditor.js';
import { writePreviousVault } from '../../support/previous-vault.js';
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
  const accounts = [
    { id: 'acc_admin', username: 'admin', role: 'admin' },
    { id: 'acc_alice', username: 'alice', role: 'user' },
  ] as const;
  await writePreviousVault(vault, PREVIOUS_SCHEMA, [PASSWORDS.admin, PASSWORDS.alice], ({ audit, addAccount }, hashes) => {
    accounts.forEach((a, i) => {
      addAccount({ ...a, passwordHash: hashes[i] ?? '' });
      audit.append({ type: 'account.created', outcome: 'success', target: { id: a.id, name: a.username }, details: { role: a.role } });
    });
    audit.append({ type: 'signin.failed', outcome: 'failure', target: { id: 'acc_alice', name: 'alice' }, reason: 'wrong_password' });
    return {};
  });
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

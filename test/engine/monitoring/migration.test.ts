import { afterEach, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION, schemaVersion } from '../../../src/main/store/migrations.js';
import { AUDITOR } from '../../support/auditor.js';
import { withRawVault } from '../../support/raw-vault.js';
import { addAccount, QUICK_HASH, signIn } from '../../support/signed-in.js';
import { createTempVault, PASSWORDS, type TempVault } from '../../support/temp-vault.js';

const MONITORING_SCHEMA = 7;

let vault: TempVault;
afterEach(() => vault?.dispose());

describe('a vault from before security monitoring', () => {
  it('opens, gains the monitoring tables, and counts and watches from then on', async () => {
    vault = await createTempVault();
    const before = await vault.open({ hashParameters: QUICK_HASH });
    await before.accounts.initialise({ username: 'admin', password: PASSWORDS.admin });
    const admin = await signIn(before, 'admin', PASSWORDS.admin);
    await addAccount(before, admin.caller, 'alice', PASSWORDS.alice);
    await signIn(before, 'alice', PASSWORDS.alice, { device: 'laptop' });
    before.close();
    // The previous schema is this one without the monitoring migration, which only adds tables.
    withRawVault(vault.path, (db) => {
      db.exec('DROP TABLE alerts; DROP TABLE monitor_hits; DROP TABLE security_daily;');
      db.pragma(`user_version = ${MONITORING_SCHEMA - 1}`);
    });

    const engine = await vault.open({ hashParameters: QUICK_HASH });
    expect(withRawVault(vault.path, schemaVersion)).toBe(SCHEMA_VERSION);
    expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(MONITORING_SCHEMA);
    expect((await engine.audit.verify(AUDITOR)).intact).toBe(true);
    expect(engine.alerts.list(AUDITOR)).toEqual([]);
    // The devices known before the upgrade stay known: a second one is news, the first is not.
    await signIn(engine, 'alice', PASSWORDS.alice, { device: 'laptop' });
    await signIn(engine, 'alice', PASSWORDS.alice, { device: 'phone' });
    expect(engine.alerts.list(AUDITOR).map((alert) => alert.kind)).toEqual(['new_device']);
    expect(engine.reports.report(AUDITOR, 7).totals.signIns).toBe(2);
  });
});

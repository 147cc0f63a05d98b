import { afterEach, describe, expect, it } from 'vitest';
import { MINUTE } from '../../../src/main/engine/clock.js';
import { SCHEMA_VERSION, schemaVersion } from '../../../src/main/store/migrations.js';
import { AUDITOR } from '../../support/auditor.js';
import { writePreviousVault } from '../../support/previous-vault.js';
import { withRawVault } from '../../support/raw-vault.js';
import { QUICK_HASH, signIn } from '../../support/signed-in.js';
import { createTempVault, PASSWORDS, type TempVault } from '../../support/temp-vault.js';

/** The schema before a rule's window kept one row per distinct value. */
const PREVIOUS_SCHEMA = 8;

let vault: TempVault;
afterEach(() => vault?.dispose());

describe("a vault from before the rules' windows kept one row per distinct value", () => {
  it('keeps one row per value of a distinct window, every row of a counting one, and counts on from there', async () => {
    vault = await createTempVault();
    const now = vault.clock.now();
    await writePreviousVault(vault, PREVIOUS_SCHEMA, [PASSWORDS.admin, PASSWORDS.alice], ({ db, addAccount }, [admin, alice]) => {
      addAccount({ id: 'acc_admin', username: 'admin', role: 'admin', passwordHash: admin ?? '' });
      addAccount({ id: 'acc_alice', username: 'alice', role: 'user', passwordHash: alice ?? '' });
      const hit = db.prepare('INSERT INTO monitor_hits (rule, subject, value, at, seq) VALUES (?, ?, ?, ?, ?)');
      // Alice at two devices, five sign-ins each, as the previous version wrote them; and five failures.
      for (let i = 0; i < 10; i += 1) hit.run('many_devices', 'acc_alice', i % 2 === 0 ? 'laptop' : 'desk', now - (10 - i) * MINUTE, i + 1);
      for (let i = 0; i < 5; i += 1) hit.run('failure_burst', 'acc_alice', 'signin.failed', now - (5 - i) * MINUTE, 20 + i);
      return {};
    });
    expect(withRawVault(vault.path, schemaVersion)).toBe(PREVIOUS_SCHEMA);

    const engine = await vault.open({ hashParameters: QUICK_HASH });
    expect(withRawVault(vault.path, schemaVersion)).toBe(SCHEMA_VERSION);
    const rows = (rule: string): { value: string; seq: number }[] =>
      withRawVault(vault.path, (db) => db.prepare('SELECT value, seq FROM monitor_hits WHERE rule = ? ORDER BY seq').all(rule)) as {
        value: string;
        seq: number;
      }[];
    expect(rows('many_devices')).toEqual([
      { value: 'laptop', seq: 9 },
      { value: 'desk', seq: 10 },
    ]);
    expect(rows('failure_burst')).toHaveLength(5);
    const indexes = withRawVault(vault.path, (db) => (db.pragma('index_list(monitor_hits)') as { name: string }[]).map((i) => i.name));
    expect(indexes).toContain('monitor_hits_by_value');

    // Two more devices within the hour make four: the rule counts the two it already held once each.
    await signIn(engine, 'alice', PASSWORDS.alice, { device: 'kiosk-1' });
    expect(engine.alerts.list(AUDITOR).filter((alert) => alert.kind === 'many_devices')).toEqual([]);
    await signIn(engine, 'alice', PASSWORDS.alice, { device: 'kiosk-2' });
    expect(engine.alerts.list(AUDITOR).filter((alert) => alert.kind === 'many_devices')).toMatchObject([
      { summary: expect.stringContaining('4 different devices') as string },
    ]);
  });
});

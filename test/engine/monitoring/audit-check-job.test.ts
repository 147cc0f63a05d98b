import { afterEach, describe, expect, it } from 'vitest';
import { startBackgroundJobs } from '../../../src/main/host/background-jobs.js';
import { AUDITOR } from '../../support/auditor.js';
import { withRawVault } from '../../support/raw-vault.js';
import { openVaultWithAdmin, QUICK_HASH, type VaultWithAdmin } from '../../support/signed-in.js';

let setup: VaultWithAdmin;
afterEach(() => setup?.vault.dispose());

describe('the background jobs of a long-running host', () => {
  it('check the audit log as they start, and raise the critical alert for a log that does not verify', async () => {
    setup = await openVaultWithAdmin({ hashParameters: QUICK_HASH });
    withRawVault(setup.vault.path, (db) => db.prepare('DELETE FROM audit_events WHERE seq = 3').run());
    const lines: string[] = [];
    const jobs = startBackgroundJobs(setup.engine, (line) => lines.push(line));
    await jobs.stop();
    expect(setup.engine.alerts.list(AUDITOR)).toMatchObject([{ kind: 'audit_tampered', severity: 'critical', state: 'open' }]);
    expect(setup.engine.alerts.list(AUDITOR)[0]?.summary).toContain('Event 3 is missing');
    expect(lines).toEqual([]);
  });
});

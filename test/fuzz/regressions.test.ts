import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { failure } from '../support/errors.js';
import { type VaultWithAdmin, openVaultWithAdmin } from '../support/signed-in.js';

/** Defects the fuzz suites found, each kept as the plain case that showed it. */
describe('found by fuzzing', () => {
  let v: VaultWithAdmin;
  beforeEach(async () => {
    v = await openVaultWithAdmin();
  });
  afterEach(() => v.vault.dispose());

  it('refuses to revoke the sessions of an account id that no account has, instead of reporting none ended', async () => {
    // Before: 0, as if the account existed and had no session; a screen then said its sessions were revoked.
    await failure(() => v.engine.sessions.revokeAccount(v.admin.caller, 'acc_00000000000000000000000000000000'), 'NOT_FOUND');
    expect(v.engine.sessions.revokeAccount(v.admin.caller, v.admin.caller.accountId)).toBe(1);
  });
});

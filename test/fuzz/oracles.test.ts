import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withRawVault } from '../support/raw-vault.js';
import { type VaultWithAdmin, openVaultWithAdmin } from '../support/signed-in.js';
import { changedTables, digestVault, openVaultReader } from '../support/vault-digest.js';
import { SeededSecrets } from './secrets.js';

/** The fuzz suites' own checks, shown to fail when they should: a check that cannot fail proves nothing. */
describe('the vault digest', () => {
  let v: VaultWithAdmin;
  beforeEach(async () => {
    v = await openVaultWithAdmin();
  });
  afterEach(() => v.vault.dispose());

  function changeAndCompare(sql: string): string[] {
    const reader = openVaultReader(v.vault.path);
    try {
      const before = digestVault(reader);
      withRawVault(v.vault.path, (db) => db.prepare(sql).run());
      return changedTables(before, digestVault(reader));
    } finally {
      reader.close();
    }
  }

  it('sees a change to any row a refusal must not touch', () => {
    expect(changeAndCompare("UPDATE accounts SET status = 'disabled'")).toEqual([expect.stringMatching(/^accounts /)]);
    expect(changeAndCompare('UPDATE sessions SET active = 0')).toEqual([expect.stringMatching(/^sessions /)]);
    expect(changeAndCompare("INSERT INTO meta (key, value) VALUES ('planted', 'x')")).toEqual([expect.stringMatching(/^meta /)]);
  });

  it('lets through only what a refusal may touch: audit events, the chain head, failure counters, activity', () => {
    expect(changeAndCompare('UPDATE sessions SET last_active_at = last_active_at + 1')).toEqual([]);
    expect(changeAndCompare("UPDATE meta SET value = 'moved' WHERE key = 'audit_head'")).toEqual([]);
    expect(changeAndCompare("INSERT INTO sign_in_failures (name_key, failures, last_failure_at) VALUES ('k', 1, 0)")).toEqual([]);
    expect(changeAndCompare('DELETE FROM audit_events WHERE seq = 1')).toEqual([]);
  });
});

describe('the leak check', () => {
  const secrets = new SeededSecrets();
  secrets.add('a password', 'correct horse battery staple');
  secrets.addBackupCode('a backup code', 'K7M2P-9XQ4R-T8W');

  it('finds a secret however its case or dashes were changed', () => {
    expect(secrets.leaksIn('{"message":"CORRECT HORSE BATTERY STAPLE"}', '')).toEqual(['a password']);
    expect(secrets.leaksIn('code k7m2p9xq4rt8w left', '')).toEqual(['a backup code (undashed)']);
  });

  it('lets a case hear back what it sent itself', () => {
    expect(secrets.leaksIn('no account named "correct horse battery staple"', '{"username":"correct horse battery staple"}')).toEqual([]);
  });
});

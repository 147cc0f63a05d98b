import { createHash, createHmac, hkdfSync } from 'node:crypto';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { failure } from '../support/errors.js';
import { passwordStep } from '../support/mfa.js';
import { assertCliBuilt, runCli, type CliRunner } from '../support/cli.js';
import { runCliInProcess } from '../support/cli-in-process.js';
import { vaultBytes, withRawVault } from '../support/raw-vault.js';
import { QUICK_HASH, addAccount, openVaultWithAdmin, signIn, type SignedIn, type VaultWithAdmin } from '../support/signed-in.js';
import { PASSWORDS } from '../support/temp-vault.js';
import { requireWitnesses } from '../support/witnesses.js';
import { enrolWithOathtool, type Enrolled } from './kit.js';

/**
 * security-parameters.md, "Backup (recovery) codes", checked as an auditor would: the codes as
 * shown, the rows the vault file holds for them, and the warning the CLI prints.
 */

/** Crockford's base32, written out here: digits and letters without I, L, O and U. */
const CROCKFORD = /^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{3}$/;

let v: VaultWithAdmin;
let alice: SignedIn;
let authenticator: Enrolled;
beforeAll(() => requireWitnesses());
beforeEach(async () => {
  v = await openVaultWithAdmin({ hashParameters: QUICK_HASH });
  await addAccount(v.engine, v.admin.caller, 'alice', PASSWORDS.alice);
  alice = await signIn(v.engine, 'alice', PASSWORDS.alice);
  authenticator = await enrolWithOathtool(v.engine, v.vault.clock, alice.caller);
});
afterEach(() => v.vault.dispose());

/** Both steps of a sign-in, the second with a backup code as typed. */
async function signInWithBackupCode(code: string) {
  const challenge = await passwordStep(v.engine, 'alice', PASSWORDS.alice);
  return v.engine.signIn.answer({ challengeId: challenge.challengeId, factor: 'backup_code', code });
}

/** Alice's backup-code rows, as the file holds them. */
function storedCodes(): { digest: Buffer; used_at: number | null }[] {
  return withRawVault(v.vault.path, (db) =>
    db.prepare('SELECT digest, used_at FROM backup_codes WHERE account_id = ?').all(alice.caller.accountId),
  ) as { digest: Buffer; used_at: number | null }[];
}

describe('Backup codes › count: 10 per generation; generating again voids the old set', () => {
  it('keeps exactly 10 unused codes after the setup and after a regeneration, and no old code works after it', async () => {
    expect(authenticator.backupCodes).toHaveLength(10);
    expect(storedCodes().filter((row) => row.used_at === null)).toHaveLength(10);
    const { backupCodes } = await v.engine.mfa.regenerateBackupCodes(alice.caller, PASSWORDS.alice);
    expect(backupCodes).toHaveLength(10);
    expect(storedCodes()).toHaveLength(10);
    expect(storedCodes().every((row) => row.used_at === null)).toBe(true);
    // The first, a middle and the last of the old set (more would run into the lockout's delay).
    for (const old of [0, 5, 9].map((i) => authenticator.backupCodes[i] ?? ''))
      await failure(() => signInWithBackupCode(old), 'CODE_INVALID');
    await signInWithBackupCode(backupCodes[0] ?? '');
  });
});

describe('Backup codes › strength: at least 64 bits, 13 Crockford base32 characters shown as XXXXX-XXXXX-XXX; typing ignores case, dashes and spaces', () => {
  it('shows 10 different codes of 13 Crockford characters (65 bits) in groups of five, five and three', () => {
    for (const code of authenticator.backupCodes) expect(code).toMatch(CROCKFORD);
    expect(new Set(authenticator.backupCodes).size).toBe(10);
    expect(13 * Math.log2(32)).toBeGreaterThanOrEqual(64);
  });

  it('accepts a code in lower case without dashes, or with spaces, and refuses it with one character changed', async () => {
    const [first = '', second = '', third = ''] = authenticator.backupCodes;
    const flip = (c: string): string => (c === '0' ? '1' : '0');
    const changed = `${third.slice(0, -1)}${flip(third.slice(-1))}`;
    await failure(() => signInWithBackupCode(changed), 'CODE_INVALID');
    await signInWithBackupCode(first.replace(/-/g, '').toLowerCase());
    await signInWithBackupCode(` ${second.replace(/-/g, ' ')} `);
    await signInWithBackupCode(third);
  });
});

describe('Backup codes › storage: a keyed hash (HMAC-SHA-256, key from the keychain), never the plain code', () => {
  it('stores for each code the HMAC-SHA-256 under a key derived from the keychain’s vault key, never the code or its plain SHA-256', async () => {
    const bytes = vaultBytes(v.vault.path);
    const vaultKey = Buffer.from((await v.vault.keychain.get(v.engine.vaultId)) ?? '', 'base64');
    // The look-up key as src/main/engine/crypto/vault-keys.ts derives it, computed here with node:crypto.
    const key = Buffer.from(hkdfSync('sha256', vaultKey, Buffer.from(v.engine.vaultId), 'latchkey/lookup-secrets/v1', 32));
    const digests = storedCodes()
      .map((row) => row.digest.toString('hex'))
      .sort();
    const canonical = authenticator.backupCodes.map((code) => code.replace(/-/g, ''));
    expect(canonical.map((code) => createHmac('sha256', key).update(`backup-code:${code}`).digest('hex')).sort()).toEqual(digests);
    for (const [shown, plain] of authenticator.backupCodes.map((code, i) => [code, canonical[i] ?? ''] as const)) {
      for (const form of [shown, plain, plain.toLowerCase()]) {
        expect(bytes.includes(Buffer.from(form))).toBe(false);
        expect(digests).not.toContain(createHash('sha256').update(form).digest('hex'));
      }
    }
  });
});

describe('Backup codes › use: each code once; the user sees how many remain and is warned at ≤ 2', () => {
  it('refuses a code the second time, and counts down what is left', async () => {
    const [code = ''] = authenticator.backupCodes;
    expect((await signInWithBackupCode(code)).backupCodesLeft).toBe(9);
    await failure(() => signInWithBackupCode(code), 'CODE_INVALID');
    expect(storedCodes().filter((row) => row.used_at !== null)).toHaveLength(1);
  });

  it('has the CLI say how many codes a sign-in left, and warn when it leaves 2, not when it leaves 3', async () => {
    assertCliBuilt();
    for (const code of authenticator.backupCodes.slice(0, 6)) await signInWithBackupCode(code);
    v.engine.close();
    const cli = (run: CliRunner, code: string) =>
      run(
        [
          '--vault',
          v.vault.path,
          '--keychain-service',
          v.vault.keychain.service,
          'signin',
          'alice',
          '--password-stdin',
          '--backup-code',
          code,
        ],
        {
          stdin: `${PASSWORDS.alice}\n`,
        },
      );
    const three = await cli(runCliInProcess, authenticator.backupCodes[6] ?? '');
    expect(three.code, three.stderr).toBe(0);
    expect(three.stdout).toContain('You signed in with a backup code: 3 backup codes left.');
    expect(three.stderr).not.toMatch(/backup codes? left/i);
    // A child process: the real program prints the warning on its standard error.
    const two = await cli(runCli, authenticator.backupCodes[7] ?? '');
    expect(two.code, two.stderr).toBe(0);
    expect(`${two.stdout}${two.stderr}`).toContain('Only 2 backup codes left.');
  });
});

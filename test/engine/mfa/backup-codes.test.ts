import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BACKUP_CODE_COUNT, newBackupCodes } from '../../../src/main/engine/mfa/backup-codes.js';
import { canonicalBackupCode } from '../../../src/shared/fields.js';
import { failure } from '../../support/errors.js';
import { enableTotp, passwordStep, signInWithCode, type Authenticator } from '../../support/mfa.js';
import { vaultBytes, withRawVault } from '../../support/raw-vault.js';
import {
  QUICK_HASH,
  addAccount,
  auditEvents,
  openVaultWithAdmin,
  signIn,
  type SignedIn,
  type VaultWithAdmin,
} from '../../support/signed-in.js';
import { PASSWORDS } from '../../support/temp-vault.js';

/** XXXXX-XXXXX-XXX in Crockford's base32: digits and letters but I, L, O and U. */
const SHOWN_FORM = /^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{3}$/;

describe('backup codes, as made', () => {
  it(`come ${BACKUP_CODE_COUNT} at a time, as XXXXX-XXXXX-XXX from Crockford's alphabet, all different`, () => {
    const codes = newBackupCodes();
    expect(codes).toHaveLength(10);
    for (const code of codes) expect(code).toMatch(SHOWN_FORM);
    expect(new Set(codes).size).toBe(10);
  });

  it('use every character of the alphabet about equally (65 random bits a code)', () => {
    const counts = new Map<string, number>();
    for (const code of Array.from({ length: 400 }, () => newBackupCodes()).flat()) {
      for (const c of code.replace(/-/g, '')) counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    // 52,000 characters over 32 symbols: 1,625 each expected; a byte-to-symbol bias would show.
    expect(counts.size).toBe(32);
    for (const n of counts.values()) expect(Math.abs(n - 1625)).toBeLessThan(250);
  });
});

describe('what a person may type', () => {
  const separators = fc.array(fc.constantFrom(' ', '-', '  ', '\t'), { maxLength: 2 }).map((parts) => parts.join(''));

  it('accepts any mix of case, dashes and spaces of a generated code, as that code', () => {
    fc.assert(
      fc.property(
        fc.constant(null).map(() => newBackupCodes(1)[0]!),
        fc.array(fc.boolean(), { minLength: 13, maxLength: 13 }),
        fc.array(separators, { minLength: 14, maxLength: 14 }),
        (code, lower, gaps) => {
          const chars = [...code.replace(/-/g, '')];
          const typed = gaps[0] + chars.map((c, i) => (lower[i] ? c.toLowerCase() : c) + gaps[i + 1]).join('');
          expect(canonicalBackupCode(typed)).toBe(code.replace(/-/g, ''));
        },
      ),
    );
  });

  it('reads I and L as 1 and O as 0, as Crockford does', () => {
    expect(canonicalBackupCode('OOOOO-IIIII-LLL')).toBe('0000011111111');
    expect(canonicalBackupCode('ooooo iiiii lll')).toBe('0000011111111');
  });

  it('refuses what cannot be a code: wrong length, or a character outside the alphabet', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (typed) => {
        const canonical = canonicalBackupCode(typed);
        if (canonical !== null) expect(canonical).toMatch(/^[0-9A-HJKMNP-TV-Z]{13}$/);
      }),
    );
    expect(canonicalBackupCode('ABCDE-FGHJK-MN')).toBeNull();
    expect(canonicalBackupCode('ABCDE-FGHJK-MNPQ')).toBeNull();
    expect(canonicalBackupCode('ABCDE-FGHJK-MNU')).toBeNull();
    expect(canonicalBackupCode('ABCDE_FGHJK_MNP')).toBeNull();
  });
});

describe('backup codes of an account', () => {
  let v: VaultWithAdmin;
  let alice: SignedIn;
  let authenticator: Authenticator;
  beforeEach(async () => {
    v = await openVaultWithAdmin({ hashParameters: QUICK_HASH });
    await addAccount(v.engine, v.admin.caller, 'alice', PASSWORDS.alice);
    alice = await signIn(v.engine, 'alice', PASSWORDS.alice);
    authenticator = await enableTotp(v.engine, v.vault.clock, alice.caller);
  });
  afterEach(() => v.vault.dispose());

  const withBackupCode = (code: string) =>
    signInWithCode(v.engine, v.vault.clock, 'alice', PASSWORDS.alice, authenticator, { factor: 'backup_code', code });
  const left = (): number => v.engine.mfa.backupCodesLeft(alice.caller);

  it('come with TOTP: 10 of them, in the shown form', () => {
    expect(authenticator.backupCodes).toHaveLength(10);
    for (const code of authenticator.backupCodes) expect(code).toMatch(SHOWN_FORM);
    expect(left()).toBe(10);
  });

  it('sign in instead of a TOTP code, with assurance two_factor, and say how many are left', async () => {
    const signedIn = await withBackupCode(authenticator.backupCodes[0]!);
    expect(signedIn.session.assurance).toBe('two_factor');
    expect(signedIn.backupCodesLeft).toBe(9);
    expect(left()).toBe(9);
    expect(auditEvents(v.engine, 'signin.succeeded').at(-1)?.details).toMatchObject({ factors: 'password+backup_code' });
  });

  it('work once each: the same code again is refused with CODE_INVALID', async () => {
    const code = authenticator.backupCodes[3]!;
    await withBackupCode(code);
    await failure(() => withBackupCode(code), 'CODE_INVALID');
    await failure(() => withBackupCode(code.toLowerCase().replace(/-/g, '')), 'CODE_INVALID');
    expect(left()).toBe(9);
  });

  it('are accepted in lower case, without dashes, or with spaces', async () => {
    const [a, b, c] = authenticator.backupCodes;
    await withBackupCode(a!.toLowerCase());
    await withBackupCode(b!.replace(/-/g, ''));
    await withBackupCode(` ${c!.replace(/-/g, ' ').toLowerCase()} `);
    expect(left()).toBe(7);
  });

  it('of one account do not sign in another', async () => {
    await addAccount(v.engine, v.admin.caller, 'bob', PASSWORDS.bob);
    const bob = await enableTotp(v.engine, v.vault.clock, (await signIn(v.engine, 'bob', PASSWORDS.bob)).caller);
    await failure(
      () =>
        signInWithCode(v.engine, v.vault.clock, 'bob', PASSWORDS.bob, bob, { factor: 'backup_code', code: authenticator.backupCodes[0]! }),
      'CODE_INVALID',
    );
    expect(left()).toBe(10);
  });

  it('audit each use as mfa.backup_code_used, marked low once 2 or fewer remain, and leave only totp on offer when all are spent', async () => {
    for (const code of authenticator.backupCodes) await withBackupCode(code);
    const uses = auditEvents(v.engine, 'mfa.backup_code_used').map((event) => event.details);
    expect(uses).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0].map((n) => ({ backupCodesLeft: n, low: n <= 2 })));
    expect(left()).toBe(0);
    expect((await passwordStep(v.engine, 'alice', PASSWORDS.alice)).factors).toEqual(['totp']);
  });

  it('are regenerated only with the password: a wrong one is refused with INVALID_CREDENTIALS and the old codes still work', async () => {
    await failure(() => v.engine.mfa.regenerateBackupCodes(alice.caller, PASSWORDS.bob), 'INVALID_CREDENTIALS');
    expect(auditEvents(v.engine, 'mfa.backup_codes_regenerated')).toEqual([]);
    expect(left()).toBe(10);
    await withBackupCode(authenticator.backupCodes[0]!);
  });

  it('regenerated, void the old set: 10 new codes work and no old one does', async () => {
    await withBackupCode(authenticator.backupCodes[0]!);
    const { backupCodes } = await v.engine.mfa.regenerateBackupCodes(alice.caller, PASSWORDS.alice);
    expect(backupCodes).toHaveLength(10);
    expect(backupCodes.filter((code) => authenticator.backupCodes.includes(code))).toEqual([]);
    expect(left()).toBe(10);
    expect(auditEvents(v.engine, 'mfa.backup_codes_regenerated')).toEqual([expect.objectContaining({ details: { backupCodes: 10 } })]);
    await failure(() => withBackupCode(authenticator.backupCodes[1]!), 'CODE_INVALID');
    await withBackupCode(backupCodes[0]!);
    expect(left()).toBe(9);
  });

  it('cannot be regenerated without TOTP, with MFA_STATE_INVALID', async () => {
    await addAccount(v.engine, v.admin.caller, 'bob', PASSWORDS.bob);
    const bob = await signIn(v.engine, 'bob', PASSWORDS.bob);
    await failure(() => v.engine.mfa.regenerateBackupCodes(bob.caller, PASSWORDS.bob), 'MFA_STATE_INVALID');
  });

  it('are stored as keyed digests, never as the codes: no code, in any form, occurs in the file', async () => {
    const { backupCodes } = await v.engine.mfa.regenerateBackupCodes(alice.caller, PASSWORDS.alice);
    const digests = withRawVault(v.vault.path, (db) =>
      db.prepare('SELECT digest FROM backup_codes WHERE account_id = ?').pluck().all(alice.caller.accountId),
    ) as Buffer[];
    expect(digests).toHaveLength(10);
    for (const digest of digests) expect(digest).toHaveLength(32);
    const bytes = vaultBytes(v.vault.path);
    expect(bytes.includes(Buffer.from('mfa.backup_codes_regenerated'))).toBe(true);
    for (const code of [...authenticator.backupCodes, ...backupCodes]) {
      for (const form of [code, code.replace(/-/g, ''), code.toLowerCase()]) expect(bytes.includes(Buffer.from(form, 'ascii'))).toBe(false);
    }
  });
});

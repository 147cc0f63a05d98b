import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MINUTE } from '../../../src/main/engine/clock.js';
import { failure } from '../../support/errors.js';
import { TOTP_PERIOD, base32Decode, codeAt, enableTotp, nextCode, passwordStep, signInWithCode, wrongCode } from '../../support/mfa.js';
import { countRows, vaultBytes, withRawVault } from '../../support/raw-vault.js';
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
import { zbarDecode } from '../../support/witnesses.js';

let v: VaultWithAdmin;
let alice: SignedIn;
beforeEach(async () => {
  v = await openVaultWithAdmin({ hashParameters: QUICK_HASH });
  await addAccount(v.engine, v.admin.caller, 'alice', PASSWORDS.alice);
  alice = await signIn(v.engine, 'alice', PASSWORDS.alice);
});
afterEach(() => v.vault.dispose());

const now = (): number => v.vault.clock.now();
const state = (): string => v.engine.mfa.status(alice.caller).state;
const begin = () => v.engine.mfa.beginTotp(alice.caller);
const confirm = (code: string) => v.engine.mfa.confirmTotp(alice.caller, code);

describe('TOTP enrollment: DISABLED → SETUP_IN_PROGRESS → ENABLED', () => {
  it('starts DISABLED, and beginning a setup moves the account to SETUP_IN_PROGRESS for 15 minutes', async () => {
    expect(v.engine.mfa.status(alice.caller)).toMatchObject({
      state: 'DISABLED',
      enabledAt: null,
      setupExpiresAt: null,
      backupCodesLeft: 0,
    });
    const setup = await begin();
    expect(setup.expiresAt).toBe(now() + 15 * MINUTE);
    expect(v.engine.mfa.status(alice.caller)).toMatchObject({ state: 'SETUP_IN_PROGRESS', setupExpiresAt: now() + 15 * MINUTE });
    expect(v.engine.accounts.show(v.admin.caller, 'alice').mfaState).toBe('SETUP_IN_PROGRESS');
    expect(auditEvents(v.engine, 'mfa.totp_setup_started')).toEqual([
      expect.objectContaining({ target: expect.objectContaining({ name: 'alice' }) }),
    ]);
  });

  it('gives a 32-character base32 secret and an otpauth:// URI of the documented shape', async () => {
    const setup = await begin();
    expect(setup.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(setup.uri).toMatch(/^otpauth:\/\/totp\/Latchkey:alice\?/);
    const uri = new URL(setup.uri);
    // The Key URI Format names its parameters; their order carries no meaning.
    expect(Object.fromEntries(uri.searchParams)).toEqual({
      secret: setup.secret,
      issuer: 'Latchkey',
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });
    expect([...uri.searchParams.keys()]).toHaveLength(5);
  });

  it('draws a QR code that zbarimg reads back as the same URI', async () => {
    const setup = await begin();
    const [header, data] = setup.qrDataUrl.split(',');
    expect(header).toBe('data:image/png;base64');
    const png = join(v.vault.dir, 'setup-qr.png');
    writeFileSync(png, Buffer.from(data ?? '', 'base64'));
    expect(zbarDecode(png)).toBe(setup.uri);
  });

  it('turns TOTP on with a valid code, shows 10 backup codes once, and audits mfa.totp_enabled', async () => {
    const setup = await begin();
    v.vault.clock.advance(2 * MINUTE);
    const { backupCodes } = confirm(codeAt(setup.secret, now()));
    expect(backupCodes).toHaveLength(10);
    expect(v.engine.mfa.status(alice.caller)).toMatchObject({
      state: 'ENABLED',
      enabledAt: now(),
      setupExpiresAt: null,
      backupCodesLeft: 10,
    });
    expect(auditEvents(v.engine, 'mfa.totp_enabled')).toEqual([expect.objectContaining({ details: { backupCodes: 10 } })]);
  });

  it('accepts at confirmation a code from one step back, as at sign-in', async () => {
    const setup = await begin();
    v.vault.clock.advance(MINUTE);
    confirm(codeAt(setup.secret, now(), -1));
    expect(state()).toBe('ENABLED');
  });

  it('refuses a wrong code at confirmation with CODE_INVALID and stays SETUP_IN_PROGRESS', async () => {
    const setup = await begin();
    await failure(() => confirm(wrongCode(setup.secret, now())), 'CODE_INVALID');
    expect(state()).toBe('SETUP_IN_PROGRESS');
    confirm(codeAt(setup.secret, now()));
    expect(state()).toBe('ENABLED');
  });

  it('refuses to confirm when no setup was begun, with MFA_STATE_INVALID', async () => {
    await failure(() => confirm('123456'), 'MFA_STATE_INVALID');
    expect(state()).toBe('DISABLED');
  });

  it('confirms in the last moment of the 15 minutes', async () => {
    const setup = await begin();
    v.vault.clock.advance(15 * MINUTE - 1);
    confirm(codeAt(setup.secret, now()));
    expect(state()).toBe('ENABLED');
  });

  it('refuses to confirm once the 15 minutes are over, and the account is DISABLED again', async () => {
    const setup = await begin();
    v.vault.clock.advance(15 * MINUTE);
    const error = await failure(() => confirm(codeAt(setup.secret, now())), 'MFA_STATE_INVALID');
    expect(error.details).toMatchObject({ state: 'DISABLED' });
    expect(v.engine.mfa.status(alice.caller)).toMatchObject({ state: 'DISABLED', setupExpiresAt: null });
    expect(auditEvents(v.engine, 'mfa.totp_setup_abandoned')).toEqual([expect.objectContaining({ reason: 'expired' })]);
    // The pending secret is gone, not merely out of date.
    await failure(() => confirm(codeAt(setup.secret, now())), 'MFA_STATE_INVALID');
  });

  it('refuses to begin a setup while TOTP is ENABLED, with MFA_STATE_INVALID', async () => {
    const authenticator = await enableTotp(v.engine, v.vault.clock, alice.caller);
    const error = await failure(begin, 'MFA_STATE_INVALID');
    expect(error.details).toMatchObject({ state: 'ENABLED' });
    // The authenticator in use is untouched.
    expect(state()).toBe('ENABLED');
    const signedIn = await signInWithCode(v.engine, v.vault.clock, 'alice', PASSWORDS.alice, authenticator);
    expect(signedIn.session.assurance).toBe('two_factor');
  });

  it('replaces the pending secret when the setup is begun again: the first secret no longer confirms', async () => {
    const first = await begin();
    v.vault.clock.advance(MINUTE);
    const second = await begin();
    expect(second.secret).not.toBe(first.secret);
    expect(second.expiresAt).toBe(now() + 15 * MINUTE);
    // One time in a million the two secrets show the same code; wait for a step where they differ.
    while ([0, -1].some((back) => codeAt(first.secret, now()) === codeAt(second.secret, now(), back))) v.vault.clock.advance(TOTP_PERIOD);
    await failure(() => confirm(codeAt(first.secret, now())), 'CODE_INVALID');
    confirm(codeAt(second.secret, now()));
    expect(state()).toBe('ENABLED');
  });

  it('refuses at sign-in the code that confirmed the setup: its time step is spent', async () => {
    const setup = await begin();
    const code = codeAt(setup.secret, now());
    confirm(code);
    const challenge = await passwordStep(v.engine, 'alice', PASSWORDS.alice);
    await failure(() => v.engine.signIn.answer({ challengeId: challenge.challengeId, factor: 'totp', code }), 'CODE_REPLAYED');
  });
});

describe('the secret at rest', () => {
  it('keeps the pending secret encrypted: it does not occur in the vault file or its WAL', async () => {
    const setup = await begin();
    const sealed = withRawVault(v.vault.path, (db) =>
      db.prepare('SELECT pending_secret_enc FROM totp_credentials WHERE account_id = ?').pluck().get(alice.caller.accountId),
    );
    expect(sealed).toMatch(/^v1\./);
    expectNowhereInVault(setup.secret);
  });

  it('keeps the confirmed secret encrypted: it does not occur in the vault file or its WAL', async () => {
    const { secret } = await enableTotp(v.engine, v.vault.clock, alice.caller);
    const row = withRawVault(v.vault.path, (db) =>
      db.prepare('SELECT secret_enc, pending_secret_enc FROM totp_credentials WHERE account_id = ?').get(alice.caller.accountId),
    ) as { secret_enc: string; pending_secret_enc: string | null };
    expect(row.secret_enc).toMatch(/^v1\./);
    expect(row.pending_secret_enc).toBeNull();
    expectNowhereInVault(secret);
    // Nor once the log is checkpointed into the main file and the engine has let go of it.
    v.engine.close();
    withRawVault(v.vault.path, (db) => db.pragma('wal_checkpoint(TRUNCATE)'));
    expectNowhereInVault(secret);
  });

  it("refuses a secret moved into another account's row with VAULT_UNREADABLE, rather than using it", async () => {
    const { secret } = await enableTotp(v.engine, v.vault.clock, alice.caller);
    await addAccount(v.engine, v.admin.caller, 'bob', PASSWORDS.bob);
    await enableTotp(v.engine, v.vault.clock, (await signIn(v.engine, 'bob', PASSWORDS.bob)).caller);
    withRawVault(v.vault.path, (db) =>
      db
        .prepare(
          'UPDATE totp_credentials SET secret_enc = (SELECT secret_enc FROM totp_credentials WHERE account_id = ?) WHERE account_id <> ?',
        )
        .run(alice.caller.accountId, alice.caller.accountId),
    );
    const challenge = await passwordStep(v.engine, 'bob', PASSWORDS.bob);
    const error = await failure(
      () => v.engine.signIn.answer({ challengeId: challenge.challengeId, factor: 'totp', code: nextCode(v.vault.clock, secret) }),
      'VAULT_UNREADABLE',
    );
    expect(error.message).not.toContain(secret);
    expect(countRows(v.vault.path, 'sessions', "account_id = (SELECT id FROM accounts WHERE username = 'bob')")).toBe(1);
  });
});

describe('abandoned setups', () => {
  it('drops a pending setup at sign-out and audits mfa.totp_setup_abandoned', async () => {
    await begin();
    v.engine.signIn.signOut(alice.caller);
    expect(v.engine.accounts.show(v.admin.caller, 'alice').mfaState).toBe('DISABLED');
    expect(auditEvents(v.engine, 'mfa.totp_setup_abandoned')).toEqual([
      expect.objectContaining({ target: expect.objectContaining({ name: 'alice' }), reason: 'signed_out' }),
    ]);
    expect(withRawVault(v.vault.path, (db) => db.prepare('SELECT count(*) FROM totp_credentials').pluck().get())).toBe(0);
  });

  it('keeps TOTP on at sign-out once it is ENABLED', async () => {
    await enableTotp(v.engine, v.vault.clock, alice.caller);
    v.engine.signIn.signOut(alice.caller);
    expect(v.engine.accounts.show(v.admin.caller, 'alice').mfaState).toBe('ENABLED');
    expect(auditEvents(v.engine, 'mfa.totp_setup_abandoned')).toEqual([]);
  });

  it('drops at cleanup a setup older than 15 minutes, and keeps a younger one', async () => {
    await addAccount(v.engine, v.admin.caller, 'bob', PASSWORDS.bob);
    const bob = await signIn(v.engine, 'bob', PASSWORDS.bob);
    await begin();
    v.vault.clock.advance(10 * MINUTE);
    await v.engine.mfa.beginTotp(bob.caller);
    v.vault.clock.advance(5 * MINUTE);

    const report = await v.engine.cleanUp();
    expect(report.abandonedSetups).toBe(1);
    expect(v.engine.accounts.show(v.admin.caller, 'alice').mfaState).toBe('DISABLED');
    expect(v.engine.accounts.show(v.admin.caller, 'bob').mfaState).toBe('SETUP_IN_PROGRESS');
    expect(auditEvents(v.engine, 'mfa.totp_setup_abandoned')).toEqual([
      expect.objectContaining({ target: expect.objectContaining({ name: 'alice' }), reason: 'expired' }),
    ]);
  });
});

/** The secret as text and as its 20 raw bytes: neither may be readable from the file. */
function expectNowhereInVault(secret: string): void {
  const bytes = vaultBytes(v.vault.path);
  // A control: what is stored in the clear is found, so the search looks where the rows are.
  expect(bytes.includes(Buffer.from('mfa.totp_setup_started', 'ascii'))).toBe(true);
  expect(bytes.includes(Buffer.from(secret, 'ascii'))).toBe(false);
  expect(bytes.includes(Buffer.from(secret.toLowerCase(), 'ascii'))).toBe(false);
  expect(bytes.includes(base32Decode(secret))).toBe(false);
}

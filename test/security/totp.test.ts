import { createDecipheriv, hkdfSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MINUTE, SECOND } from '../../src/main/engine/clock.js';
import { failure } from '../support/errors.js';
import { base32Decode, passwordStep } from '../support/mfa.js';
import { vaultBytes, withRawVault } from '../support/raw-vault.js';
import { QUICK_HASH, addAccount, openVaultWithAdmin, signIn, type SignedIn, type VaultWithAdmin } from '../support/signed-in.js';
import { PASSWORDS } from '../support/temp-vault.js';
import { oathtoolCode, requireWitnesses, zbarDecode } from '../support/witnesses.js';

/**
 * security-parameters.md, "TOTP (RFC 6238)", checked as an auditor would: every code comes from
 * oathtool, the QR code is read back by zbarimg, and what the vault keeps is read from the file.
 */

const STEP = 30 * SECOND;

let v: VaultWithAdmin;
let alice: SignedIn;
beforeAll(() => requireWitnesses());
beforeEach(async () => {
  v = await openVaultWithAdmin({ hashParameters: QUICK_HASH });
  await addAccount(v.engine, v.admin.caller, 'alice', PASSWORDS.alice);
  alice = await signIn(v.engine, 'alice', PASSWORDS.alice);
});
afterEach(() => v.vault.dispose());

const clock = () => v.vault.clock;
const aliceId = (): string => alice.caller.accountId;

/** The account's TOTP row and MFA state, as the file holds them. */
function stored(): { state: string; secretEnc: string | null; pendingEnc: string | null; lastStep: number | null } {
  return withRawVault(v.vault.path, (db) => {
    const state = db.prepare('SELECT mfa_state FROM accounts WHERE id = ?').pluck().get(aliceId()) as string;
    const row = db.prepare('SELECT secret_enc, pending_secret_enc, last_step FROM totp_credentials WHERE account_id = ?').get(aliceId()) as
      { secret_enc: string | null; pending_secret_enc: string | null; last_step: number | null } | undefined;
    return { state, secretEnc: row?.secret_enc ?? null, pendingEnc: row?.pending_secret_enc ?? null, lastStep: row?.last_step ?? null };
  });
}

/** Turns TOTP on for alice with the code oathtool shows now; returns the secret. */
async function enrolAlice(): Promise<string> {
  const { secret } = await v.engine.mfa.beginTotp(alice.caller);
  v.engine.mfa.confirmTotp(alice.caller, oathtoolCode(secret, { at: clock().now() }));
  return secret;
}

/** A password step for alice, then `code` as the answer. */
async function answerWith(code: string) {
  const challenge = await passwordStep(v.engine, 'alice', PASSWORDS.alice);
  return v.engine.signIn.answer({ challengeId: challenge.challengeId, factor: 'totp', code });
}

describe('TOTP › secret: 20 random bytes (160 bits), base32, 32 characters', () => {
  it('gives each setup a new secret of 32 base32 characters that decode to 20 bytes', async () => {
    const first = await v.engine.mfa.beginTotp(alice.caller);
    const second = await v.engine.mfa.beginTotp(alice.caller);
    for (const { secret } of [first, second]) {
      expect(secret).toMatch(/^[A-Z2-7]{32}$/);
      expect(base32Decode(secret)).toHaveLength(20);
    }
    expect(second.secret).not.toBe(first.secret);
  });
});

describe('TOTP › algorithm, digits, period: SHA-1, 6 digits, 30 s', () => {
  it('accepts the code oathtool computes with SHA-1, 6 digits and 30 s, and not its SHA-256, 8-digit or 60-second code', async () => {
    const { secret } = await v.engine.mfa.beginTotp(alice.caller);
    const at = clock().now();
    const others = [
      oathtoolCode(secret, { at, algorithm: 'SHA256' }),
      oathtoolCode(secret, { at, digits: 8 }),
      // A 60-second step is another counter (half the 30-second one) at any moment.
      oathtoolCode(secret, { at, period: 60 }),
    ];
    const right = oathtoolCode(secret, { at });
    for (const other of others.filter((code) => code !== right)) {
      await failure(() => v.engine.mfa.confirmTotp(alice.caller, other), 'CODE_INVALID');
    }
    expect(v.engine.mfa.confirmTotp(alice.caller, right).backupCodes).toHaveLength(10);
    expect(stored().state).toBe('ENABLED');
  });
});

describe('TOTP › window: the current step and one step back', () => {
  it("at a step's first millisecond, accepts the previous step's code and refuses the code of two steps back and of the next step", async () => {
    const secret = await enrolAlice();
    // Some steps later, at the very start of one.
    clock().set(Math.ceil((clock().now() + 10 * STEP) / STEP) * STEP);
    const start = clock().now();
    for (const at of [start - STEP - 1, start + STEP]) {
      await failure(() => answerWith(oathtoolCode(secret, { at })), 'CODE_INVALID');
    }
    const signedIn = await answerWith(oathtoolCode(secret, { at: start - 1 }));
    expect(signedIn.session.assurance).toBe('two_factor');
  });

  it("at a step's last millisecond, accepts the previous step's code", async () => {
    const secret = await enrolAlice();
    clock().set(Math.ceil((clock().now() + 10 * STEP) / STEP) * STEP + STEP - 1);
    const signedIn = await answerWith(oathtoolCode(secret, { at: clock().now() - STEP }));
    expect(signedIn.session.assurance).toBe('two_factor');
  });
});

describe('TOTP › replay: a code is accepted once per account; any step at or before the last accepted one is refused', () => {
  it('refuses the same code again, and then the previous step’s code though it is inside the window; records the step', async () => {
    const secret = await enrolAlice();
    clock().advance(5 * STEP);
    const code = oathtoolCode(secret, { at: clock().now() });
    await answerWith(code);
    const accepted = Math.floor(clock().now() / STEP);
    expect(stored().lastStep).toBe(accepted);
    await failure(() => answerWith(code), 'CODE_REPLAYED');
    await failure(() => answerWith(oathtoolCode(secret, { at: clock().now() - STEP })), 'CODE_REPLAYED');
    const replays = withRawVault(v.vault.path, (db) =>
      db.prepare("SELECT count(*) FROM audit_events WHERE type = 'mfa.code_replayed'").pluck().get(),
    );
    expect(replays).toBe(2);
    // The next step's code is new, and is accepted.
    clock().advance(STEP);
    await answerWith(oathtoolCode(secret, { at: clock().now() }));
    expect(stored().lastStep).toBe(accepted + 1);
  });
});

describe('TOTP › enrollment: DISABLED → SETUP_IN_PROGRESS → ENABLED; a pending secret lives at most 15 minutes, and goes at sign-out and cleanup', () => {
  it('confirms a setup 1 ms before its 15 minutes are over', async () => {
    const { secret } = await v.engine.mfa.beginTotp(alice.caller);
    expect(stored()).toMatchObject({ state: 'SETUP_IN_PROGRESS', secretEnc: null });
    clock().advance(15 * MINUTE - 1);
    v.engine.mfa.confirmTotp(alice.caller, oathtoolCode(secret, { at: clock().now() }));
    expect(stored()).toMatchObject({ state: 'ENABLED', pendingEnc: null });
  });

  it('refuses a setup at exactly 15 minutes, even with the right code, and drops its secret', async () => {
    const { secret } = await v.engine.mfa.beginTotp(alice.caller);
    clock().advance(15 * MINUTE);
    await failure(() => v.engine.mfa.confirmTotp(alice.caller, oathtoolCode(secret, { at: clock().now() })), 'MFA_STATE_INVALID');
    expect(stored()).toEqual({ state: 'DISABLED', secretEnc: null, pendingEnc: null, lastStep: null });
  });

  it('drops a pending secret at sign-out', async () => {
    await v.engine.mfa.beginTotp(alice.caller);
    v.engine.signIn.signOut(alice.caller);
    expect(stored()).toEqual({ state: 'DISABLED', secretEnc: null, pendingEnc: null, lastStep: null });
  });

  it('drops at cleanup a setup 15 minutes old, and keeps one begun a millisecond later', async () => {
    await v.engine.mfa.beginTotp(alice.caller);
    clock().advance(1);
    await v.engine.mfa.beginTotp(v.admin.caller);
    clock().advance(15 * MINUTE - 1);
    const report = await v.engine.cleanUp();
    expect(report.abandonedSetups).toBe(1);
    expect(stored()).toMatchObject({ state: 'DISABLED', pendingEnc: null });
    expect(v.engine.mfa.status(v.admin.caller).state).toBe('SETUP_IN_PROGRESS');
  });
});

describe('TOTP › storage: the secret sealed with AES-256-GCM under the vault key, bound to the account id and the field', () => {
  /**
   * The field key, derived as src/main/engine/crypto/vault-keys.ts documents (HKDF-SHA-256 of the
   * keychain's vault key, the vault id as salt), computed here with node:crypto alone.
   */
  async function fieldKey(): Promise<Buffer> {
    const vaultKey = Buffer.from((await v.vault.keychain.get(v.engine.vaultId)) ?? '', 'base64');
    expect(vaultKey).toHaveLength(32);
    return Buffer.from(hkdfSync('sha256', vaultKey, Buffer.from(v.engine.vaultId), 'latchkey/field-encryption/v1', 32));
  }

  /** Opens a `v1.` value (IV 12 bytes, tag 16 bytes, ciphertext) with AES-256-GCM; null if it does not open. */
  function open(sealed: string, key: Buffer, table: string, column: string, rowId: string): string | null {
    const [version, payload = ''] = sealed.split('.');
    expect(version).toBe('v1');
    const raw = Buffer.from(payload, 'base64url');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12), { authTagLength: 16 });
      decipher.setAAD(Buffer.from(JSON.stringify(['latchkey', table, column, rowId])));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      return null;
    }
  }

  function inTheClear(secret: string): string[] {
    const bytes = vaultBytes(v.vault.path);
    const raw = base32Decode(secret);
    const forms = {
      base32: Buffer.from(secret),
      lowercase: Buffer.from(secret.toLowerCase()),
      raw,
      hex: Buffer.from(raw.toString('hex')),
      base64: Buffer.from(raw.toString('base64')),
    };
    return Object.entries(forms)
      .filter(([, form]) => bytes.includes(form))
      .map(([name]) => name);
  }

  it('keeps the pending and the confirmed secret out of the file in every form, and each opens only at its own account and field', async () => {
    const key = await fieldKey();
    const { secret } = await v.engine.mfa.beginTotp(alice.caller);
    const pending = stored().pendingEnc ?? '';
    expect(inTheClear(secret)).toEqual([]);
    expect(open(pending, key, 'totp_credentials', 'pending_secret', aliceId())).toBe(secret);
    expect(open(pending, key, 'totp_credentials', 'secret', aliceId())).toBeNull();

    v.engine.mfa.confirmTotp(alice.caller, oathtoolCode(secret, { at: clock().now() }));
    const sealed = stored().secretEnc ?? '';
    expect(inTheClear(secret)).toEqual([]);
    expect(open(sealed, key, 'totp_credentials', 'secret', aliceId())).toBe(secret);
    expect(open(sealed, key, 'totp_credentials', 'secret', v.admin.caller.accountId)).toBeNull();
    expect(open(sealed, key, 'totp_credentials', 'pending_secret', aliceId())).toBeNull();
  });
});

describe('TOTP › QR / URI: otpauth://totp/Issuer:account?secret=…&issuer=Issuer&algorithm=SHA1&digits=6&period=30', () => {
  it('draws a QR code whose URI, as zbarimg reads it, names the issuer, account and parameters, and whose secret oathtool turns into the confirming code', async () => {
    const setup = await v.engine.mfa.beginTotp(alice.caller);
    const png = join(v.vault.dir, 'qr.png');
    writeFileSync(png, Buffer.from(setup.qrDataUrl.replace(/^data:image\/png;base64,/, ''), 'base64'));
    const uri = new URL(zbarDecode(png));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Latchkey:alice');
    expect(Object.fromEntries(uri.searchParams)).toEqual({
      secret: expect.stringMatching(/^[A-Z2-7]{32}$/),
      issuer: 'Latchkey',
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });
    v.engine.mfa.confirmTotp(alice.caller, oathtoolCode(uri.searchParams.get('secret') ?? '', { at: clock().now() }));
    expect(stored().state).toBe('ENABLED');
  });
});

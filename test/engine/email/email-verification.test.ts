import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { HOUR, MINUTE } from '../../../src/main/engine/clock.js';
import { VERIFICATION_LINK_LIFETIME } from '../../../src/main/engine/email/email-verification.js';
import { tokenOfVerificationLink, verificationLink } from '../../../src/main/engine/email/verification-link.js';
import { failure } from '../../support/errors.js';
import { countRows, vaultBytes, withRawVault } from '../../support/raw-vault.js';
import { addAccount, auditEvents, openVaultWithAdmin, QUICK_HASH, signIn, type VaultWithAdmin } from '../../support/signed-in.js';
import { PASSWORDS } from '../../support/temp-vault.js';
import { AUDITOR } from '../../support/auditor.js';

const tokenOf = (link: string): string => {
  const token = tokenOfVerificationLink(link);
  if (token === null) throw new Error('the engine made a link it cannot read back');
  return token;
};

describe('e-mail verification links', () => {
  let setup: VaultWithAdmin;
  afterEach(async () => setup?.vault.dispose());

  async function withAlice(): Promise<VaultWithAdmin> {
    setup = await openVaultWithAdmin({ hashParameters: QUICK_HASH });
    await addAccount(setup.engine, setup.admin.caller, 'alice', PASSWORDS.alice, { email: 'alice@example.com' });
    return setup;
  }

  it('verifies the address once, and the account shows when', async () => {
    const { engine, admin, vault } = await withAlice();
    expect(engine.accounts.show(admin.caller, 'alice').emailVerifiedAt).toBeNull();

    const issued = engine.emailVerification.issue(admin.caller, 'alice');
    expect(issued.email).toBe('alice@example.com');
    expect(issued.expiresAt).toBe(vault.clock.now() + VERIFICATION_LINK_LIFETIME);
    expect(issued.link).toMatch(/^latchkey:\/\/verify\?token=[A-Za-z0-9_-]{43}$/);

    vault.clock.advance(HOUR);
    expect(engine.emailVerification.confirm(tokenOf(issued.link))).toEqual({ username: 'alice', email: 'alice@example.com' });
    expect(engine.accounts.show(admin.caller, 'alice').emailVerifiedAt).toBe(vault.clock.now());

    const again = await failure(() => engine.emailVerification.confirm(tokenOf(issued.link)), 'LINK_INVALID');
    expect(again.message).toContain('used already');
    await failure(() => engine.emailVerification.issue(admin.caller, 'alice'), 'CONFLICT');
  });

  it('lets a person ask for their own link, never for someone else’s', async () => {
    const { engine, admin } = await withAlice();
    await addAccount(engine, admin.caller, 'bob', PASSWORDS.bob, { email: 'bob@example.com' });
    const alice = await signIn(engine, 'alice', PASSWORDS.alice);
    expect(engine.emailVerification.issue(alice.caller, 'alice').email).toBe('alice@example.com');
    await failure(() => engine.emailVerification.issue(alice.caller, 'bob'), 'NOT_AUTHORISED');
  });

  it('mails a new link at most once a minute and five times an hour, counted apart from sign-in codes', async () => {
    const { engine, admin, vault } = await withAlice();
    const alice = await signIn(engine, 'alice', PASSWORDS.alice);
    const queued = (): number => countRows(vault.path, 'outbox');
    const before = queued();
    engine.emailVerification.send(alice.caller, 'alice');
    const soon = await failure(() => engine.emailVerification.send(alice.caller, 'alice'), 'RATE_LIMITED');
    expect(soon.details).toEqual({ retryAt: vault.clock.now() + MINUTE, retryAfterSeconds: 60 });
    // An administrator asking for the same address counts toward the same limit: it is the mailbox that is spared.
    await failure(() => engine.emailVerification.send(admin.caller, 'alice'), 'RATE_LIMITED');
    for (let sent = 1; sent < 5; sent += 1) {
      vault.clock.advance(MINUTE);
      engine.emailVerification.send(alice.caller, 'alice');
    }
    vault.clock.advance(MINUTE);
    const hourly = await failure(() => engine.emailVerification.send(alice.caller, 'alice'), 'RATE_LIMITED');
    expect(hourly.message).toMatch(/^5 verification e-mails were sent to this address in the last hour/);
    expect(queued()).toBe(before + 5);
    // A refusal queued nothing and spent no send: an hour after the first, one more goes.
    vault.clock.advance(HOUR - 5 * MINUTE);
    engine.emailVerification.send(alice.caller, 'alice');
    expect(queued()).toBe(before + 6);
  });

  it('refuses an account without an address, and an unknown account', async () => {
    const { engine, admin } = await withAlice();
    await addAccount(engine, admin.caller, 'bob', PASSWORDS.bob);
    expect((await failure(() => engine.emailVerification.issue(admin.caller, 'bob'), 'CONFLICT')).message).toContain('no e-mail address');
    await failure(() => engine.emailVerification.issue(admin.caller, 'nobody'), 'NOT_FOUND');
  });

  it('expires a link after its lifetime, spends it, and audits the refusal', async () => {
    const { engine, admin, vault } = await withAlice();
    const issued = engine.emailVerification.issue(admin.caller, 'alice');
    vault.clock.advance(VERIFICATION_LINK_LIFETIME);
    expect((await failure(() => engine.emailVerification.confirm(tokenOf(issued.link)), 'LINK_INVALID')).message).toContain('expired');
    expect(engine.accounts.show(admin.caller, 'alice').emailVerifiedAt).toBeNull();
    expect(auditEvents(engine, 'email.verification_failed')).toMatchObject([
      { outcome: 'failure', reason: 'expired', target: { name: 'alice' } },
    ]);
    // The refusal spent the link: a second try is an unknown link, and is not audited again.
    await failure(() => engine.emailVerification.confirm(tokenOf(issued.link)), 'LINK_INVALID');
    expect(auditEvents(engine, 'email.verification_failed')).toHaveLength(1);
  });

  it('keeps only the newest link working', async () => {
    const { engine, admin } = await withAlice();
    const first = engine.emailVerification.issue(admin.caller, 'alice');
    const second = engine.emailVerification.issue(admin.caller, 'alice');
    await failure(() => engine.emailVerification.confirm(tokenOf(first.link)), 'LINK_INVALID');
    expect(engine.emailVerification.confirm(tokenOf(second.link)).username).toBe('alice');
  });

  it('refuses a link made for an address the account no longer has', async () => {
    const { engine, admin, vault } = await withAlice();
    const issued = engine.emailVerification.issue(admin.caller, 'alice');
    // The engine has no address change yet; the stored (encrypted) address is swapped for another account's.
    withRawVault(vault.path, (db) =>
      db
        .prepare("UPDATE accounts SET email_enc = (SELECT email_enc FROM accounts WHERE username = 'admin') WHERE username = 'alice'")
        .run(),
    );
    const refused = await failure(() => engine.emailVerification.confirm(tokenOf(issued.link)), 'LINK_INVALID');
    expect(refused.message).toContain('no longer has');
    expect(auditEvents(engine, 'email.verification_failed')).toMatchObject([{ reason: 'address_changed' }]);
  });

  it('keeps the token out of the audit log and the vault file', async () => {
    const { engine, admin, vault } = await withAlice();
    const issued = engine.emailVerification.issue(admin.caller, 'alice');
    const token = tokenOf(issued.link);
    expect(vaultBytes(vault.path).includes(Buffer.from(token))).toBe(false);
    engine.emailVerification.confirm(token);
    const events = auditEvents(engine).filter((event) => event.type.startsWith('email.'));
    // The admin's and alice's links, mailed when their accounts were made, then this one.
    expect(events.map((event) => [event.type, event.target?.name])).toEqual([
      ['email.verification_issued', 'admin'],
      ['email.verification_issued', 'alice'],
      ['email.verification_issued', 'alice'],
      ['email.verified', 'alice'],
    ]);
    expect(JSON.stringify(events)).not.toContain(token);
    expect(await engine.audit.verify(AUDITOR)).toMatchObject({ intact: true });
  });

  it('drops links past their time at cleanup', async () => {
    const { engine, admin, vault } = await withAlice();
    engine.emailVerification.issue(admin.caller, 'alice');
    expect(await engine.cleanUp()).toMatchObject({ verificationLinks: 0 });
    // alice's (the newest replaced the one mailed at her account's making) and the admin's.
    expect(countRows(vault.path, 'email_verifications')).toBe(2);
    vault.clock.advance(VERIFICATION_LINK_LIFETIME);
    expect(await engine.cleanUp()).toMatchObject({ verificationLinks: 2 });
    expect(countRows(vault.path, 'email_verifications')).toBe(0);
  });
});

describe('reading a latchkey:// link', () => {
  const token = 'q'.repeat(43);

  it('reads back every link the engine makes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => {
        const made = Buffer.from(bytes).toString('base64url');
        expect(tokenOfVerificationLink(verificationLink(made))).toBe(made);
      }),
    );
  });

  it.each([
    ['another scheme', `https://verify?token=${token}`],
    ['another action', `latchkey://reset?token=${token}`],
    ['a path', `latchkey://verify/x?token=${token}`],
    ['a short token', `latchkey://verify?token=${token.slice(1)}`],
    ['a token with other characters', `latchkey://verify?token=${token.slice(1)}=`],
    ['an extra parameter', `latchkey://verify?token=${token}&next=https://example.com`],
    ['the token twice', `latchkey://verify?token=${token}&token=${token}`],
    ['credentials', `latchkey://me:pw@verify?token=${token}`],
    ['a fragment', `latchkey://verify?token=${token}#x`],
    ['no URL at all', 'verify token'],
    ['a very long link', `latchkey://verify?token=${token}${'&a=b'.repeat(50)}`],
  ])('ignores %s', (_what, link) => {
    expect(tokenOfVerificationLink(link)).toBeNull();
  });

  it('ignores anything random a web page could open', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (text) => {
        const read = tokenOfVerificationLink(`latchkey://verify?${text}`);
        if (read !== null) expect(read).toMatch(/^[A-Za-z0-9_-]{43}$/);
      }),
    );
  });
});

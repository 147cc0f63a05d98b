import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MINUTE, SECOND } from '../../../src/main/engine/clock.js';
import { LEASE, MAX_ATTEMPTS, backoff } from '../../../src/main/engine/delivery/outbox.js';
import type { Engine } from '../../../src/main/engine/engine.js';
import { tokenOfVerificationLink } from '../../../src/main/engine/email/verification-link.js';
import { failure } from '../../support/errors.js';
import { vaultBytes, withRawVault } from '../../support/raw-vault.js';
import { addAccount, auditEvents, openVaultWithAdmin, QUICK_HASH, type VaultWithAdmin } from '../../support/signed-in.js';
import { startSmtpCapture, useSmtpCapture, type SmtpCapture } from '../../support/smtp-capture.js';
import { PASSWORDS } from '../../support/temp-vault.js';

const LINK = /latchkey:\/\/verify\?token=[A-Za-z0-9_-]{43}/;

describe('the outbox, delivering mail through a real SMTP server on loopback', () => {
  let setup: VaultWithAdmin;
  let smtp: SmtpCapture;
  const closers: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    await smtp?.close();
    await setup?.vault.dispose();
  });

  async function start(): Promise<VaultWithAdmin> {
    smtp = await startSmtpCapture();
    setup = await openVaultWithAdmin({ hashParameters: QUICK_HASH });
    return setup;
  }

  const configureSmtp = (engine: Engine, port = smtp.port): void => useSmtpCapture(engine, setup.admin.caller, smtp, port);

  const rowsOf = (engine: Engine): ReturnType<Engine['delivery']['list']> => engine.delivery.list(setup.admin.caller);
  const messageFor = (engine: Engine, username: string): ReturnType<Engine['delivery']['list']>[number] => {
    const found = rowsOf(engine).find((m) => m.username === username);
    if (found === undefined) throw new Error(`no message for ${username}`);
    return found;
  };

  it('queues the verification mail with the account, keeps it until mail is set up, and the link in it verifies the address', async () => {
    const { engine, admin } = await start();
    await addAccount(engine, admin.caller, 'alice', PASSWORDS.alice, { email: 'alice@example.com' });
    const queued = messageFor(engine, 'alice');
    expect(queued).toMatchObject({ channel: 'email', kind: 'verification', state: 'queued', recipient: 'a•••@example.com', attempts: 0 });

    // Nothing configured: the message waits, untried.
    expect(await engine.delivery.sendDue()).toMatchObject({ sent: 0, waiting: 2 });
    expect(messageFor(engine, 'alice').attempts).toBe(0);

    configureSmtp(engine);
    expect(await engine.delivery.sendDue()).toMatchObject({ sent: 2, failed: 0 });
    const mail = smtp.messages.find((m) => m.to.includes('alice@example.com'));
    expect(mail?.messageId).toBe(`<${queued.id}@latchkey>`);
    expect(mail?.from).toBe('latchkey@example.org');
    const link = LINK.exec(mail?.text ?? '')?.[0];
    expect(link).toBeDefined();

    expect(engine.emailVerification.confirm(tokenOfVerificationLink(link ?? '') ?? '')).toEqual({
      username: 'alice',
      email: 'alice@example.com',
    });
    expect(messageFor(engine, 'alice')).toMatchObject({ state: 'sent', attempts: 1, lastError: null });
    const aboutMessages = auditEvents(engine).filter((e) => e.type.startsWith('message.'));
    expect(aboutMessages.map((e) => e.type)).toEqual(['message.queued', 'message.queued', 'message.sent', 'message.sent']);
    expect(aboutMessages.map((e) => e.details?.['to'])).toEqual([
      'a•••@example.org',
      'a•••@example.com',
      'a•••@example.org',
      'a•••@example.com',
    ]);
  });

  it('keeps no body, address or link in clear in the vault file, and erases the sealed body once the mail is sent', async () => {
    const { engine, admin, vault } = await start();
    await addAccount(engine, admin.caller, 'alice', PASSWORDS.alice, { email: 'alice@example.com' });
    const id = messageFor(engine, 'alice').id;
    const bytes = vaultBytes(vault.path);
    expect(bytes.includes('alice@example.com')).toBe(false);
    expect(bytes.includes('latchkey://verify')).toBe(false);

    configureSmtp(engine);
    await engine.delivery.sendDue();
    const token = tokenOfVerificationLink(LINK.exec(smtp.messages.at(-1)?.text ?? '')?.[0] ?? '');
    expect(token).not.toBeNull();
    expect(vaultBytes(vault.path).includes(token ?? '')).toBe(false);
    const payload = withRawVault(vault.path, (db) => db.prepare('SELECT payload_enc FROM outbox WHERE id = ?').get(id));
    expect(payload).toEqual({ payload_enc: null });
  });

  it('retries while the server is down, with a growing wait, and delivers exactly the waiting messages once it is back', async () => {
    const { engine, admin, vault } = await start();
    configureSmtp(engine);
    await engine.delivery.sendDue(); // the admin's own verification
    const before = smtp.messages.length;
    await smtp.stop();

    await addAccount(engine, admin.caller, 'alice', PASSWORDS.alice, { email: 'alice@example.com' });
    await addAccount(engine, admin.caller, 'bob', PASSWORDS.bob, { email: 'bob@example.com' });
    expect(await engine.delivery.sendDue()).toMatchObject({ sent: 0, failed: 2 });
    const first = messageFor(engine, 'alice');
    expect(first.state).toBe('failed');
    expect(first.lastError).toMatch(/127\.0\.0\.1/);
    const wait = (first.nextAttemptAt ?? 0) - vault.clock.now();
    expect(wait).toBeGreaterThanOrEqual(15 * SECOND);
    expect(wait).toBeLessThanOrEqual(30 * SECOND);

    // Not due yet: nothing is tried.
    expect(await engine.delivery.sendDue()).toMatchObject({ sent: 0, failed: 0 });

    vault.clock.advance(30 * SECOND);
    await engine.delivery.sendDue();
    const second = messageFor(engine, 'alice');
    expect(second.attempts).toBe(2);
    expect((second.nextAttemptAt ?? 0) - vault.clock.now()).toBeGreaterThanOrEqual(30 * SECOND);

    await smtp.start();
    vault.clock.advance(MINUTE);
    expect(await engine.delivery.sendDue()).toMatchObject({ sent: 2, failed: 0 });
    expect(
      smtp.messages
        .slice(before)
        .map((m) => m.to[0])
        .sort(),
    ).toEqual(['alice@example.com', 'bob@example.com']);
    vault.clock.advance(10 * MINUTE);
    expect(await engine.delivery.sendDue()).toMatchObject({ sent: 0 });
    expect(smtp.messages.length).toBe(before + 2);
    expect(
      auditEvents(engine, 'message.failed')
        .filter((e) => e.target?.name === 'alice')
        .map((e) => e.details?.['attempt']),
    ).toEqual([1, 2]);
  });

  it('gives up at once on a permanent refusal (5xx), says why, and sends it when an administrator retries', async () => {
    const { engine, admin, vault } = await start();
    configureSmtp(engine);
    await engine.delivery.sendDue();
    smtp.rejectNext(550, 'mailbox unavailable');
    await addAccount(engine, admin.caller, 'alice', PASSWORDS.alice, { email: 'alice@example.com' });
    expect(await engine.delivery.sendDue()).toMatchObject({ abandoned: 1 });
    const refused = messageFor(engine, 'alice');
    // Given up on, but its body is kept until it expires: Retry is offered, Cancel is not.
    expect(refused).toMatchObject({ state: 'abandoned', attempts: 1, nextAttemptAt: null, canRetry: true, canCancel: false });
    expect(refused.lastError).toMatch(/550/);

    vault.clock.advance(2 * 60 * MINUTE);
    const count = smtp.messages.length;
    await engine.delivery.sendDue();
    expect(smtp.messages.length).toBe(count);

    const retried = await engine.delivery.retry(admin.caller, refused.id);
    expect(retried).toMatchObject({ state: 'sent', attempts: 1 });
    expect(smtp.messages.length).toBe(count + 1);
    expect(auditEvents(engine, 'message.retried')).toHaveLength(1);
  });

  it('abandons a message after its last attempt', async () => {
    const { engine, admin, vault } = await start();
    configureSmtp(engine);
    await smtp.stop();
    await addAccount(engine, admin.caller, 'alice', PASSWORDS.alice, { email: 'alice@example.com' });
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      await engine.delivery.sendDue();
      vault.clock.advance(2 * 60 * MINUTE);
    }
    expect(messageFor(engine, 'alice')).toMatchObject({ state: 'abandoned', attempts: MAX_ATTEMPTS });
    expect(messageFor(engine, 'alice').lastError).toMatch(/attempts used/);
  });

  it('tries again a message whose sender stopped mid-attempt, once its lease runs out', async () => {
    const { engine, admin, vault } = await start();
    // A server that takes the connection and never says a word: the attempt hangs.
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise<void>((resolve) => silent.close(() => resolve())));
    closers.push(() => sockets.forEach((s) => s.destroy()));
    configureSmtp(engine);
    await engine.delivery.sendDue(); // the admin's own verification, out of the way
    engine.delivery.settings.set(admin.caller, 'smtp.port', String((silent.address() as { port: number }).port));
    await addAccount(engine, admin.caller, 'alice', PASSWORDS.alice, { email: 'alice@example.com' });
    const hanging = engine.delivery.sendDue({ timeoutMs: 60_000 });
    await expect.poll(() => messageFor(engine, 'alice').state, { timeout: 5000 }).toBe('sending');

    // Another process on the same vault, with the server that works, after the lease has run out.
    const other = await vault.open({ hashParameters: QUICK_HASH });
    other.delivery.settings.set(admin.caller, 'smtp.port', String(smtp.port));
    vault.clock.advance(LEASE + SECOND);
    const report = await other.delivery.sendDue();
    expect(report.sent).toBeGreaterThanOrEqual(1);
    expect(messageFor(other, 'alice')).toMatchObject({ state: 'sent', attempts: 2 });
    expect(auditEvents(other, 'message.failed').find((e) => e.target?.name === 'alice')?.reason).toMatch(/did not finish/);

    // The first attempt ends at last; it does not undo what the other process recorded.
    sockets.forEach((s) => s.destroy());
    await hanging;
    expect(messageFor(other, 'alice')).toMatchObject({ state: 'sent', attempts: 2 });
  });

  it('abandons an expired message and erases its body, without trying it', async () => {
    const { engine, admin, vault } = await start();
    await addAccount(engine, admin.caller, 'alice', PASSWORDS.alice, { email: 'alice@example.com' });
    vault.clock.advance(25 * 60 * MINUTE);
    configureSmtp(engine);
    expect(await engine.delivery.sendDue()).toMatchObject({ sent: 0, abandoned: 2 });
    // Expired: nothing left to retry, so Retry is not offered, and the engine refuses one anyway.
    expect(messageFor(engine, 'alice')).toMatchObject({ state: 'abandoned', attempts: 0, canRetry: false, canCancel: false });
    expect(smtp.messages).toHaveLength(0);
    await failure(() => engine.delivery.retry(admin.caller, messageFor(engine, 'alice').id), 'CONFLICT');
    expect(withRawVault(vault.path, (db) => db.prepare('SELECT COUNT(*) AS n FROM outbox WHERE payload_enc IS NOT NULL').get())).toEqual({
      n: 0,
    });
  });

  it('cancels a waiting message: its body is erased and it is never sent', async () => {
    const { engine, admin } = await start();
    await addAccount(engine, admin.caller, 'alice', PASSWORDS.alice, { email: 'alice@example.com' });
    expect(messageFor(engine, 'alice')).toMatchObject({ state: 'queued', canRetry: false, canCancel: true });
    const cancelled = engine.delivery.cancel(admin.caller, messageFor(engine, 'alice').id);
    expect(cancelled).toMatchObject({ state: 'abandoned', lastError: 'cancelled by admin' });
    configureSmtp(engine);
    await engine.delivery.sendDue();
    expect(smtp.messages.map((m) => m.to[0])).toEqual(['admin@example.org']);
    await failure(() => engine.delivery.cancel(admin.caller, cancelled.id), 'CONFLICT');
  });

  it('lets only administrators see and steer the outbox', async () => {
    const { engine, admin } = await start();
    const alice = await addAccount(engine, admin.caller, 'alice', PASSWORDS.alice, { email: 'alice@example.com' });
    const { signIn } = await import('../../support/signed-in.js');
    const session = await signIn(engine, alice.username, PASSWORDS.alice);
    await failure(() => engine.delivery.list(session.caller), 'NOT_AUTHORISED');
    await failure(() => engine.delivery.cancel(session.caller, messageFor(engine, 'alice').id), 'NOT_AUTHORISED');
    await failure(() => engine.delivery.settings.set(session.caller, 'smtp.host', '127.0.0.1'), 'NOT_AUTHORISED');
    await failure(() => engine.delivery.sendTest(session.caller, 'email', 'x@example.com'), 'NOT_AUTHORISED');
  });

  it('sends a test message at once and says what became of it', async () => {
    const { engine, admin } = await start();
    configureSmtp(engine);
    const sent = await engine.delivery.sendTest(admin.caller, 'email', 'ops@example.com');
    expect(sent).toMatchObject({ kind: 'test', state: 'sent', username: null });
    expect(smtp.messages.find((m) => m.to.includes('ops@example.com'))?.subject).toMatch(/test/i);
  });
});

describe('backoff', () => {
  it('doubles from 30 s to a cap of one hour, with half of each wait random', () => {
    const low = (n: number): number => backoff(n, () => 0);
    const high = (n: number): number => backoff(n, (below) => below - 1);
    expect([1, 2, 3].map(low)).toEqual([15 * SECOND, 30 * SECOND, 60 * SECOND]);
    expect(high(1)).toBe(30 * SECOND);
    expect(low(20)).toBe(30 * MINUTE);
    expect(high(20)).toBe(60 * MINUTE);
  });
});

describe('delivery settings', () => {
  let setup: VaultWithAdmin;
  afterEach(async () => setup?.vault.dispose());

  it('refuses plain SMTP to a host that is not this machine, in either order of setting', async () => {
    setup = await openVaultWithAdmin({ hashParameters: QUICK_HASH });
    const { engine, admin } = setup;
    engine.delivery.settings.set(admin.caller, 'smtp.host', 'mail.example.org');
    await failure(() => engine.delivery.settings.set(admin.caller, 'smtp.secure', 'none'), 'INVALID_INPUT');
    engine.delivery.settings.set(admin.caller, 'smtp.host', '127.0.0.1');
    engine.delivery.settings.set(admin.caller, 'smtp.secure', 'none');
    await failure(() => engine.delivery.settings.set(admin.caller, 'smtp.host', 'mail.example.org'), 'INVALID_INPUT');
    const status = await engine.delivery.status(admin.caller);
    expect(status.channels.find((c) => c.channel === 'email')?.warning).toMatch(/without TLS/);
  });

  it('keeps secrets in the keychain, never in the vault, and shows only whether they are set', async () => {
    setup = await openVaultWithAdmin({ hashParameters: QUICK_HASH });
    const { engine, admin, vault } = setup;
    const secret = 'smtp-password-that-must-not-leak-4f1c';
    await engine.delivery.settings.setSecret(admin.caller, 'smtp.password', secret);
    expect(vaultBytes(vault.path).includes(secret)).toBe(false);
    const views = await engine.delivery.settings.describe(admin.caller);
    expect(views.find((v) => v.key === 'smtp.password')).toMatchObject({ secret: true, set: true, value: null });
    expect(JSON.stringify(auditEvents(engine))).not.toContain(secret);
    await engine.delivery.settings.unset(admin.caller, 'smtp.password');
    expect((await engine.delivery.settings.describe(admin.caller)).find((v) => v.key === 'smtp.password')?.set).toBe(false);
  });

  it('refuses unknown keys and bad values with words that name them', async () => {
    setup = await openVaultWithAdmin({ hashParameters: QUICK_HASH });
    const { engine, admin } = setup;
    expect((await failure(() => engine.delivery.settings.set(admin.caller, 'smtp.hots', 'x'), 'INVALID_INPUT')).message).toContain(
      'smtp.host',
    );
    expect((await failure(() => engine.delivery.settings.set(admin.caller, 'smtp.port', '70000'), 'INVALID_INPUT')).message).toContain(
      'smtp.port',
    );
    await failure(() => engine.delivery.settings.set(admin.caller, 'smtp.password', 'x'), 'INVALID_INPUT');
    await failure(() => engine.delivery.settings.set(admin.caller, 'sms.baseUrl', 'http://sms.example.org'), 'INVALID_INPUT');
    await failure(
      () => engine.delivery.settings.set(admin.caller, 'smtp.from', 'Eve <eve@example.org>\r\nBcc: x@example.org'),
      'INVALID_INPUT',
    );
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCliVault } from '../support/cli.js';
import { runCliInProcess } from '../support/cli-in-process.js';
import { startSmsGateway, type SmsGateway } from '../support/sms-gateway.js';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp-capture.js';
import { PASSWORDS } from '../support/temp-vault.js';
import { oathtoolCode, requireWitnesses } from '../support/witnesses.js';

interface Message {
  id: string;
  kind: string;
  state: string;
  username: string | null;
  lastError: string | null;
}

const TOKEN = /^([A-Za-z0-9_-]{43})$/m;
const SIX = /\b(\d{6})\b/;

/** The README's delivery walk-through, command by command, against a real SMTP server and a local SMS gateway. */
describe('latchkey config, outbox, email and mfa sms', () => {
  const v = createCliVault('latchkey-cli-delivery-', runCliInProcess);
  let smtp: SmtpCapture;
  let sms: SmsGateway;

  beforeAll(async () => {
    smtp = await startSmtpCapture();
    sms = await startSmsGateway();
    await v.init();
    expect((await v.cli(['signin', 'root', '--password-stdin'], `${PASSWORDS.admin}\n`)).code).toBe(0);
  });
  afterAll(async () => {
    await smtp.close();
    await sms.close();
    await v.dispose();
  });

  const messages = async (): Promise<Message[]> => (await v.cli(['outbox', 'list', '--json'])).json<{ messages: Message[] }>().messages;

  it('sets up mail and SMS, shows secrets only as set, and says plain SMTP is allowed only to this machine', async () => {
    for (const [key, value] of [
      ['smtp.host', '127.0.0.1'],
      ['smtp.secure', 'none'],
      ['smtp.port', String(smtp.port)],
      ['smtp.from', 'Latchkey <latchkey@example.org>'],
      ['sms.baseUrl', sms.url],
      ['sms.accountSid', sms.accountSid],
      ['sms.from', '+15005550006'],
      ['sms.region', 'GB'],
    ] as const) {
      const set = await v.cli(['config', 'set', key, value]);
      expect(set.code, set.stderr).toBe(0);
    }
    expect((await v.cli(['config', 'set-secret', 'sms.authToken'], `${sms.authToken}\n`)).code).toBe(0);
    const show = await v.cli(['config', 'show']);
    expect(show.stdout).toMatch(/E-mail: ready/);
    expect(show.stdout).toMatch(/SMS: ready/);
    expect(show.stdout).toMatch(/WARNING: mail goes to 127\.0\.0\.1 without TLS/);
    expect(show.stdout).toMatch(/sms\.authToken\s+\(secret, set\)/);
    expect(`${show.stdout}${show.stderr}`).not.toContain(sms.authToken);
    const misplaced = await v.cli(['config', 'set', 'sms.authToken', 'in-argv', '--json']);
    expect(misplaced.json()).toMatchObject({ error: { code: 'INVALID_INPUT', message: expect.stringContaining('set-secret') } });
  });

  it('mails the verification link when an account is added, and the token from the mail verifies the address', async () => {
    const add = await v.cli(
      ['account', 'add', 'alice', '--email', 'alice@example.com', '--password-stdin'],
      `${PASSWORDS.alice}\n${PASSWORDS.alice}\n`,
    );
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toContain('A verification link was queued for alice@example.com. The message was sent.');
    const mail = smtp.messages.find((m) => m.to.includes('alice@example.com'));
    const token = TOKEN.exec(mail?.text ?? '')?.[1] ?? '';
    expect(token).not.toBe('');
    const verified = await v.cli(['email', 'verify', token]);
    expect(verified.stdout).toContain('Verified alice@example.com for "alice".');
    expect((await v.cli(['email', 'verify', token, '--json'])).json()).toMatchObject({ error: { code: 'LINK_INVALID' } });
    expect((await messages()).find((m) => m.username === 'alice')).toMatchObject({ kind: 'verification', state: 'sent' });
  });

  it('leaves a message in the outbox while the server is down, and an administrator’s retry sends it once it is back', async () => {
    await smtp.stop();
    const add = await v.cli(
      ['account', 'add', 'bob', '--email', 'bob@example.com', '--password-stdin'],
      `${PASSWORDS.bob}\n${PASSWORDS.bob}\n`,
    );
    expect(add.code).toBe(0);
    expect(add.stdout).toMatch(/0 of 1 messages sent; 1 wait in the outbox/);
    const failed = (await v.cli(['outbox', 'list', '--state', 'failed', '--json'])).json<{ messages: Message[] }>().messages;
    expect(failed).toHaveLength(1);
    expect(failed[0]?.lastError).toMatch(/127\.0\.0\.1/);
    await smtp.start();
    // Not due yet: `outbox send` leaves it to its backoff, and says when it goes.
    const send = await v.cli(['outbox', 'send']);
    expect(send.stdout).toMatch(/^Sent 0; .* 1 wait for their next attempt, the first at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d\d:\d\d\./);
    expect(smtp.messages.filter((m) => m.to.includes('bob@example.com'))).toHaveLength(0);
    const retry = await v.cli(['outbox', 'retry', failed[0]?.id ?? '']);
    expect(retry.stdout).toMatch(/State:\s+sent/);
    expect(smtp.messages.filter((m) => m.to.includes('bob@example.com'))).toHaveLength(1);
    const again = await v.cli(['outbox', 'cancel', failed[0]?.id ?? '', '--json']);
    expect(again.json()).toMatchObject({ error: { code: 'CONFLICT' } });
  });

  it('proves a phone by SMS, and signs in with a code by e-mail in two commands, the second without the password', async () => {
    requireWitnesses();
    expect((await v.cli(['signin', 'alice', '--password-stdin'], `${PASSWORDS.alice}\n`)).code).toBe(0);
    const begin = (await v.cli(['mfa', 'totp', 'begin', '--json'])).json<{ secret: string }>();
    expect((await v.cli(['mfa', 'totp', 'confirm', '--code', oathtoolCode(begin.secret)])).code).toBe(0);

    // A phone is a way past the second step: adding one takes the current password, not only the session.
    const sent = sms.messages.length;
    const refused = await v.cli(['mfa', 'sms', 'add', '07400 123456', '--password-stdin', '--json'], 'not alice’s password\n');
    expect(refused.json()).toMatchObject({ error: { code: 'INVALID_CREDENTIALS' } });
    expect(sms.messages).toHaveLength(sent);
    expect((await v.cli(['mfa', 'status'])).stdout).not.toMatch(/Phone for SMS codes:\s+\+44/);

    const add = await v.cli(['mfa', 'sms', 'add', '07400 123456', '--password-stdin'], `${PASSWORDS.alice}\n`);
    expect(add.stdout).toContain('A code was sent by SMS to +44••••••••56');
    expect(sms.messages.at(-1)?.to).toBe('+447400123456');
    const proved = await v.cli(['mfa', 'sms', 'verify', SIX.exec(sms.messages.at(-1)?.body ?? '')?.[1] ?? '']);
    expect(proved.stdout).toContain('The phone +44••••••••56 is verified');
    expect((await v.cli(['mfa', 'status'])).stdout).toMatch(/Phone for SMS codes:\s+\+44••••••••56 \(verified\)/);

    // Without a code, the refusal names the ways a code can be sent, and to where.
    const bare = await v.cli(['signin', 'alice', '--password-stdin'], `${PASSWORDS.alice}\n`);
    expect(bare.stderr).toContain(
      '--send-code sms for a code by SMS to +44••••••••56, or --send-code email for a code by e-mail to a•••@example.com',
    );

    const first = await v.cli(['signin', 'alice', '--password-stdin', '--send-code', 'email'], `${PASSWORDS.alice}\n`);
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(/A code was sent by e-mail to a•••@example\.com/);
    expect(first.stderr).toContain('latchkey signin alice --code CODE');
    const code = SIX.exec(smtp.messages.at(-1)?.text ?? '')?.[1] ?? '';
    const second = await v.cli(['signin', 'alice', '--code', code, '--json']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.json()).toMatchObject({ session: { username: 'alice', assurance: 'email_code' } });
    // For people, the words the app uses; for scripts, the value.
    expect((await v.cli(['whoami'])).stdout).toMatch(/Assurance:\s+Password and a code by e-mail \(lower assurance\)/);
    // The kept step is spent: the same code again is a fresh sign-in, which asks for the password.
    expect((await v.cli(['signin', 'alice', '--code', code])).code).toBe(2);
  });
});

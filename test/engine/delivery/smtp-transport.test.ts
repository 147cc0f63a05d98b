import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { maskEmail, requireSafeSmtpHost, smtpTransport } from '../../../src/main/engine/delivery/smtp-transport.js';
import { renderEmail } from '../../../src/main/engine/delivery/templates.js';
import { ATTEMPT_ERROR_MAX, type Outgoing, type Transport } from '../../../src/main/engine/delivery/transport.js';
import type { SmtpSettings } from '../../../src/shared/delivery.js';
import { failure } from '../../support/errors.js';
import { type SmtpCapture, startSmtpCapture } from '../../support/smtp-capture.js';

const CODE = '482913';

function codeMail(id = 'msg_01test'): Outgoing {
  const rendered = renderEmail({ kind: 'code', purpose: 'signin', username: 'alice', code: CODE, expiresAt: Date.UTC(2026, 0, 1, 14, 5) });
  return { id, to: 'alice@example.com', ...rendered };
}

const settingsFor = (port: number, changes: Partial<SmtpSettings> = {}): SmtpSettings => ({
  host: '127.0.0.1',
  port,
  secure: 'none',
  user: null,
  password: null,
  from: 'Latchkey <latchkey@example.test>',
  ...changes,
});

const noLimit = (): AbortSignal => new AbortController().signal;

describe('the SMTP transport', () => {
  let capture: SmtpCapture;
  let transport: Transport | undefined;
  beforeEach(async () => {
    capture = await startSmtpCapture();
  });
  afterEach(async () => {
    transport?.close();
    transport = undefined;
    await capture.close();
  });

  it('delivers a mail with its outbox id as Message-ID', async () => {
    transport = smtpTransport(settingsFor(capture.port));
    const attempt = await transport.send(codeMail('msg_01delivered'), noLimit());
    expect(attempt.outcome).toBe('sent');
    const [mail] = await capture.waitFor(1);
    expect(mail?.messageId).toBe('<msg_01delivered@latchkey>');
    expect(mail?.headers.get('x-latchkey-message-id')).toBe('msg_01delivered');
    expect(mail?.headers.has('x-mailer')).toBe(false);
    expect(mail?.to).toEqual(['alice@example.com']);
    expect(mail?.from).toBe('latchkey@example.test');
    expect(mail?.subject).toBe('Your Latchkey sign-in code');
    expect(mail?.text).toContain(`Your Latchkey sign-in code is ${CODE}`);
    expect(mail?.html).toContain(CODE);
  });

  it('retries when the server is down', async () => {
    transport = smtpTransport(settingsFor(capture.port));
    await capture.stop();
    const attempt = await transport.send(codeMail(), noLimit());
    expect(attempt).toEqual({ outcome: 'retry', error: expect.stringContaining(`127.0.0.1:${capture.port}`), retryAfterMs: null });
    await capture.start();
    expect((await transport.send(codeMail(), noLimit())).outcome).toBe('sent');
  });

  it('retries on a 4xx', async () => {
    transport = smtpTransport(settingsFor(capture.port));
    capture.rejectNext(451, 'Local problem, try again later');
    const attempt = await transport.send(codeMail(), noLimit());
    expect(attempt).toEqual({ outcome: 'retry', error: expect.stringContaining('451 Local problem, try again later'), retryAfterMs: null });
    expect((await transport.send(codeMail(), noLimit())).outcome).toBe('sent');
  });

  it("refuses without retry on a 5xx and says the server's words", async () => {
    transport = smtpTransport(settingsFor(capture.port));
    capture.rejectNext(550, 'Mailbox unavailable');
    const attempt = await transport.send(codeMail(), noLimit());
    expect(attempt).toEqual({
      outcome: 'refused',
      error: 'the mail server refused the message to a•••@example.com: 550 Mailbox unavailable',
    });
    expect(capture.messages).toHaveLength(0);
  });

  it('logs in when smtp.user is set', async () => {
    await capture.close();
    capture = await startSmtpCapture({ auth: { user: 'latchkey', password: 'right horse' } });
    transport = smtpTransport(settingsFor(capture.port, { user: 'latchkey', password: 'right horse' }));
    expect((await transport.send(codeMail(), noLimit())).outcome).toBe('sent');
  });

  it('refuses on failed login naming the user setting', async () => {
    await capture.close();
    capture = await startSmtpCapture({ auth: { user: 'latchkey', password: 'right horse' } });
    transport = smtpTransport(settingsFor(capture.port, { user: 'latchkey', password: 'wrong horse' }));
    const attempt = await transport.send(codeMail(), noLimit());
    expect(attempt.outcome).toBe('refused');
    const error = attempt.outcome === 'refused' ? attempt.error : '';
    expect(error).toContain('smtp.user "latchkey"');
    expect(error).toContain('535');
    expect(error).not.toContain('wrong horse');
    expect(capture.messages).toHaveLength(0);
  });

  it('never puts the body in an error and masks the recipient', async () => {
    transport = smtpTransport(settingsFor(capture.port));
    const message = codeMail();
    // A content filter that quotes what it objects to, recipient and code included.
    capture.rejectNext(554, `Rejected for <alice@example.com>: suspicious content "sign-in code is ${CODE}"`);
    const attempt = await transport.send(message, noLimit());
    expect(attempt.outcome).toBe('refused');
    const error = attempt.outcome === 'refused' ? attempt.error : '';
    expect(error).toContain('a•••@example.com');
    expect(error).not.toContain('alice@example.com');
    expect(error).not.toContain(CODE);
    expect(error).not.toContain(message.text);
  });

  it('keeps an error within ATTEMPT_ERROR_MAX however long the reply', async () => {
    transport = smtpTransport(settingsFor(capture.port));
    capture.rejectNext(550, `Rejected ${'because '.repeat(50)}`);
    const attempt = await transport.send(codeMail(), noLimit());
    expect(attempt.outcome).toBe('refused');
    expect(attempt.outcome === 'refused' && attempt.error.length).toBe(ATTEMPT_ERROR_MAX);
  });

  it('never falls back to plain when STARTTLS is required', async () => {
    transport = smtpTransport(settingsFor(capture.port, { secure: 'starttls' }));
    const attempt = await transport.send(codeMail(), noLimit());
    expect(attempt).toEqual({
      outcome: 'retry',
      error: expect.stringContaining(`encrypted connection with the mail server at 127.0.0.1:${capture.port}`),
      retryAfterMs: null,
    });
    expect(capture.messages).toHaveLength(0);
  });
});

describe('plain SMTP', () => {
  it('refuses security none to a host that is not loopback', async () => {
    // An unresolvable name: a lookup or a connection would come back as `retry`, never as `refused`.
    const transport = smtpTransport(settingsFor(25, { host: 'mail.example.test' }));
    const attempt = await transport.send(codeMail(), noLimit());
    transport.close();
    expect(attempt).toEqual({ outcome: 'refused', error: expect.stringContaining('smtp.secure "none"') });
  });

  it('is allowed to loopback hosts only, and the rule is the same for settings', async () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'LOCALHOST'])
      expect(() => requireSafeSmtpHost(host, 'none')).not.toThrow();
    for (const host of ['mail.example.test', '10.0.0.1', '128.0.0.1', '::2', 'localhost.example.test']) {
      await failure(() => requireSafeSmtpHost(host, 'none'), 'INVALID_INPUT');
    }
    expect(() => requireSafeSmtpHost('mail.example.test', 'tls')).not.toThrow();
    expect(() => requireSafeSmtpHost('mail.example.test', 'starttls')).not.toThrow();
  });
});

describe('a mail server that never greets', () => {
  let silent: Server;
  const sockets: Socket[] = [];
  const closed: Promise<void>[] = [];
  beforeEach(async () => {
    silent = createServer((socket) => {
      sockets.push(socket);
      closed.push(new Promise((resolve) => socket.once('close', () => resolve())));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });
  afterEach(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('gives up when the signal aborts', async () => {
    const port = (silent.address() as AddressInfo).port;
    const transport = smtpTransport(settingsFor(port));
    const started = Date.now();
    const attempt = await transport.send(codeMail(), AbortSignal.timeout(300));
    transport.close();
    expect(attempt).toEqual({ outcome: 'retry', error: `the mail server did not answer in time (127.0.0.1:${port})`, retryAfterMs: null });
    // Well before the transport's own 10 s greeting wait: the signal ended it.
    expect(Date.now() - started).toBeLessThan(3000);
    expect(sockets).toHaveLength(1);
    await closed[0];
  });
});

describe('maskEmail', () => {
  it('keeps the first letter and the domain', () => {
    expect(maskEmail('alice@example.com')).toBe('a•••@example.com');
    expect(maskEmail('no-at-sign')).toBe('•••');
  });
});

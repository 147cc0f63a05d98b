import { isIP } from 'node:net';
import type { NodemailerError, Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { SmtpSecurity, SmtpSettings } from '../../../shared/delivery.js';
import { LatchkeyError } from '../../../shared/errors.js';
import { SECOND } from '../clock.js';
import { ATTEMPT_ERROR_MAX, type Attempt, type Outgoing, type Transport } from './transport.js';

/** Each wait (connecting, the greeting, a silent socket): a mail server that is up answers far sooner. */
const WAIT = 10 * SECOND;

/** `a•••@example.com`: enough for an admin to tell recipients apart, too little to harvest. */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 0) return '•••';
  const first = [...address.slice(0, at)][0] ?? '';
  return `${first}•••@${address.slice(at + 1)}`;
}

/** 127.0.0.0/8, ::1 and `localhost`: the only places a plain connection stays on this computer. */
function isLoopback(host: string): boolean {
  const name = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (name === 'localhost' || name === 'localhost.') return true;
  if (isIP(name) === 4) return name.startsWith('127.');
  if (isIP(name) === 6) return name === '::1' || name === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(name);
  return false;
}

/** Plain SMTP carries the password and every code in the clear, so it may only reach this computer. */
export function requireSafeSmtpHost(host: string, secure: SmtpSecurity): void {
  if (secure !== 'none' || isLoopback(host)) return;
  throw new LatchkeyError(
    'INVALID_INPUT',
    `smtp.secure "none" sends mail and the password unencrypted, so it is allowed only to this computer (localhost, 127.0.0.1 or ::1), not to ${host}. Use "tls" or "starttls".`,
  );
}

/** Sends each message over its own SMTP connection with the settings given; `close()` lets the transporter go. */
export function smtpTransport(settings: SmtpSettings): Transport {
  const broken = settingsProblem(settings);
  if (broken !== null) return refusingTransport(broken);
  const server = `${settings.host}:${settings.port}`;
  // nodemailer is loaded with the first message, not with the engine: a CLI command that sends
  // nothing (whoami) should not pay for it.
  let transporter: Transporter<SMTPTransport.SentMessageInfo> | null = null;
  const open = async (): Promise<Transporter<SMTPTransport.SentMessageInfo>> => {
    const { createTransport } = await import('nodemailer');
    transporter ??= createTransport({
      host: settings.host,
      port: settings.port,
      secure: settings.secure === 'tls',
      // requireTLS fails the connection when STARTTLS is missing or fails, rather than going on in the clear.
      requireTLS: settings.secure === 'starttls',
      ignoreTLS: settings.secure === 'none',
      tls: { minVersion: 'TLSv1.2' },
      ...(settings.user === null
        ? {}
        : { auth: { user: settings.user, ...(settings.password === null ? {} : { pass: settings.password }) } }),
      connectionTimeout: WAIT,
      greetingTimeout: WAIT,
      socketTimeout: WAIT,
      dnsTimeout: WAIT,
      logger: false,
    });
    return transporter;
  };
  let closed = false;
  return {
    async send(message: Outgoing, signal: AbortSignal): Promise<Attempt> {
      if (closed) throw new Error('this SMTP transport was closed');
      try {
        const info = await (
          await open()
        ).sendMail({
          from: settings.from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          ...(message.html === null ? {} : { html: message.html }),
          // The outbox id is the idempotency key: a receiver that gets a retried message twice can drop one.
          messageId: `<${message.id}@latchkey>`,
          headers: { 'X-Latchkey-Message-Id': message.id },
          // Nothing about the sending program, and nothing the message could make nodemailer fetch or read.
          xMailer: false,
          disableFileAccess: true,
          disableUrlAccess: true,
          // nodemailer closes the connection when the signal aborts.
          signal,
        });
        return { outcome: 'sent', providerId: info.serverMessageId ?? null };
      } catch (error) {
        return signal.aborted ? late(server) : attemptOf(error as NodemailerError, settings, message);
      }
    },
    close(): void {
      closed = true;
      transporter?.close();
    },
  };
}

/** Settings that must never be used still make a transport, one that refuses, so the outbox records why. */
function refusingTransport(problem: string): Transport {
  let closed = false;
  return {
    send(): Promise<Attempt> {
      if (closed) throw new Error('this SMTP transport was closed');
      return Promise.resolve(refused(problem));
    },
    close(): void {
      closed = true;
    },
  };
}

function settingsProblem(settings: SmtpSettings): string | null {
  try {
    requireSafeSmtpHost(settings.host, settings.secure);
    return null;
  } catch (error) {
    if (error instanceof LatchkeyError) return error.message;
    throw error;
  }
}

/** A failure in words an admin can act on; the order matters, as a TLS or login failure may also carry a reply code. */
function attemptOf(error: NodemailerError, settings: SmtpSettings, message: Outgoing): Attempt {
  const server = `${settings.host}:${settings.port}`;
  const cause = error.originalCode ?? error.code ?? '';
  const reply = serverWords(error.response, message);
  const said = reply === '' ? '' : `: ${reply}`;
  if (error.code === 'ENOAUTH') return refused(`smtp.user "${settings.user ?? ''}" is set but smtp.password is not`);
  if (error.code === 'EAUTH') {
    return refused(
      `the mail server at ${server} did not accept the login of smtp.user "${settings.user ?? ''}"${said}; check smtp.user and smtp.password`,
    );
  }
  if (error.code === 'ETLS' || /CERT|SSL|TLS|SIGNATURE|ISSUER/.test(cause)) {
    return retry(
      `could not set up an encrypted connection with the mail server at ${server} (smtp.secure "${settings.secure}")${said || ` (${cause})`}`,
    );
  }
  if (error.responseCode !== undefined) {
    // RFC 5321 §4.2.1: 5yz is permanent, 4yz transient; nodemailer's `permanent` also keeps 503 (bad sequence) transient.
    const recipient = maskEmail(message.to);
    if (error.permanent === true) return refused(`the mail server refused the message to ${recipient}${said}`);
    return retry(`the mail server deferred the message to ${recipient}${said}`);
  }
  switch (cause) {
    case 'ECONNREFUSED':
      return retry(`the mail server at ${server} refused the connection (is it running, and is smtp.port right?)`);
    case 'ETIMEDOUT':
      return late(server);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return retry(`the mail server at ${server} cannot be reached from this computer's network`);
    default:
      if (error.code === 'EDNS') return retry(`the name of the mail server ${settings.host} did not resolve (${cause}); check smtp.host`);
      if (error.code === 'ECONNECTION') return retry(`the mail server at ${server} closed the connection unexpectedly`);
      return retry(`sending through the mail server at ${server} failed (${cause || 'unknown error'})`);
  }
}

/**
 * The server's reply, fit for a log: one line, any address in it masked, and any code, token or
 * link of the message that the server quoted back cut out (a spam filter may quote the body).
 */
function serverWords(response: string | undefined, message: Outgoing): string {
  if (response === undefined) return '';
  let words = response.replace(/\s+/g, ' ').trim();
  for (const secret of `${message.subject} ${message.text}`.match(/[A-Za-z0-9_-]{6,}/g) ?? []) {
    if (/\d/.test(secret) || secret.length >= 20) words = words.split(secret).join('[…]');
  }
  return words.replace(/[^\s<>"'(),;:@]+@[A-Za-z0-9.-]+/g, maskEmail);
}

const clip = (error: string): string => (error.length <= ATTEMPT_ERROR_MAX ? error : `${error.slice(0, ATTEMPT_ERROR_MAX - 1)}…`);
const late = (server: string): Attempt => retry(`the mail server did not answer in time (${server})`);
const retry = (error: string): Attempt => ({ outcome: 'retry', error: clip(error), retryAfterMs: null });
const refused = (error: string): Attempt => ({ outcome: 'refused', error: clip(error) });

import type { AddressInfo } from 'node:net';
import { type Headers, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { Caller } from '../../src/main/engine/caller.js';
import type { Engine } from '../../src/main/engine/engine.js';

/** One message as the server received it, parsed by mailparser (a witness independent of nodemailer's composer). */
export interface CapturedMail {
  readonly messageId: string | undefined;
  readonly from: string;
  readonly to: string[];
  readonly subject: string | undefined;
  readonly text: string | undefined;
  readonly html: string | false | undefined;
  readonly headers: Headers;
}

export interface SmtpCaptureOptions {
  /** When set, the server asks for a login and accepts only this one. */
  readonly auth?: { readonly user: string; readonly password: string };
}

/** An error smtp-server turns into the reply it carries. */
class SmtpReply extends Error {
  constructor(
    readonly responseCode: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A real SMTP server on 127.0.0.1 for tests: plain (no STARTTLS), keeping every message it takes,
 * and scriptable to refuse messages, to demand a login, or to go down and come back on its port.
 */
export class SmtpCapture {
  readonly messages: CapturedMail[] = [];
  readonly #auth: SmtpCaptureOptions['auth'];
  readonly #rejections: { code: number; message: string }[] = [];
  #server: SMTPServer | null = null;
  #port = 0;

  constructor(options: SmtpCaptureOptions = {}) {
    this.#auth = options.auth;
  }

  get port(): number {
    return this.#port;
  }

  /** Replies `code` at the end of DATA for the next `times` messages (550 refuses for good, 451 for now). */
  rejectNext(code: number, message: string, times = 1): void {
    for (let i = 0; i < times; i++) this.#rejections.push({ code, message });
  }

  /** Listens again, on the port it had before if it had one. */
  async start(): Promise<void> {
    if (this.#server !== null) return;
    const server = this.#newServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#port = (server.server.address() as AddressInfo).port;
    this.#server = server;
  }

  /** Goes down: the port refuses connections until `start()`. */
  async stop(): Promise<void> {
    const server = this.#server;
    if (server === null) return;
    this.#server = null;
    await new Promise<void>((resolve) => server.close(resolve));
  }

  close(): Promise<void> {
    return this.stop();
  }

  /** Resolves once `count` messages have arrived; fails after `timeoutMs`. */
  async waitFor(count: number, timeoutMs = 5000): Promise<CapturedMail[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages.length < count) {
      if (Date.now() > deadline) throw new Error(`expected ${count} messages within ${timeoutMs} ms, got ${this.messages.length}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.messages;
  }

  #newServer(): SMTPServer {
    const auth = this.#auth;
    return new SMTPServer({
      disabledCommands: ['STARTTLS'],
      authOptional: auth === undefined,
      // Loopback only, so offering a plain-text login is the test's point, not a risk.
      allowInsecureAuth: true,
      logger: false,
      // stop() should take the server down now, not after smtp-server's 30 s grace.
      closeTimeout: 100,
      onAuth: (login, _session, callback) => {
        if (auth === undefined || (login.username === auth.user && login.password === auth.password)) {
          callback(null, { user: login.username });
        } else {
          callback(new SmtpReply(535, 'Authentication credentials invalid'));
        }
      },
      onData: (stream, session, callback) => {
        simpleParser(stream)
          .then((mail) => {
            const rejection = this.#rejections.shift();
            if (rejection !== undefined) return callback(new SmtpReply(rejection.code, rejection.message));
            this.messages.push({
              messageId: mail.messageId,
              from: mail.from?.value[0]?.address ?? '',
              to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
              subject: mail.subject,
              text: mail.text,
              html: mail.html,
              headers: mail.headers,
            });
            callback();
          })
          .catch((error: Error) => callback(error));
      },
    });
  }
}

/** A capture server already listening on a free port of 127.0.0.1. */
export async function startSmtpCapture(options: SmtpCaptureOptions = {}): Promise<SmtpCapture> {
  const capture = new SmtpCapture(options);
  await capture.start();
  return capture;
}

/** Points a vault's mail at `capture` (plain SMTP, allowed to loopback), as an administrator would with `latchkey config set`. */
export function useSmtpCapture(engine: Engine, admin: Caller, capture: SmtpCapture, port: number = capture.port): void {
  for (const [key, value] of [
    ['smtp.host', '127.0.0.1'],
    ['smtp.secure', 'none'],
    ['smtp.port', String(port)],
    ['smtp.from', 'Latchkey <latchkey@example.org>'],
  ] as const)
    engine.delivery.settings.set(admin, key, value);
}

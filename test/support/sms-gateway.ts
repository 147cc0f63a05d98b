import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real HTTP server on 127.0.0.1 that speaks the shape of Twilio's Messages API, so the SMS
 * transport is tested over a socket rather than against a stubbed fetch.
 */

export interface AcceptedMessage {
  readonly id: string;
  readonly to: string;
  readonly from: string | null;
  readonly messagingServiceSid: string | null;
  readonly body: string;
  readonly idempotencyToken: string | null;
}

export type FailureStatus = 400 | 401 | 429 | 500 | 503;

type Scripted =
  | {
      readonly kind: 'fail';
      readonly status: FailureStatus;
      readonly retryAfter?: string;
      readonly code?: number;
      readonly message?: string;
    }
  | { readonly kind: 'redirect'; readonly location: string }
  | { readonly kind: 'stall' };

export interface SmsGateway {
  /** `http://127.0.0.1:PORT`, the transport's baseUrl. */
  readonly url: string;
  readonly accountSid: string;
  readonly authToken: string;
  readonly messages: readonly AcceptedMessage[];
  /** Every request that reached the server, answered or not. */
  readonly requests: number;
  /** The next `times` requests are answered with `status` and a Twilio-shaped error body. */
  failNext(status: FailureStatus, options?: { retryAfter?: string; code?: number; message?: string }, times?: number): void;
  /** The next request is answered with a 307 to `location`. */
  redirectNext(location: string): void;
  /** The next request is read and never answered (until the server stops). */
  stallNext(): void;
  /** Stops listening and drops every connection: the gateway is down. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** Twilio's words for its common errors, so a test sees what an admin would. */
const DEFAULT_FAILURES: Readonly<Record<FailureStatus, { code: number; message: (to: string) => string }>> = {
  400: { code: 21211, message: (to) => `The 'To' number ${to} is not a valid phone number.` },
  401: { code: 20003, message: () => 'Authenticate' },
  429: { code: 20429, message: () => 'Too Many Requests' },
  500: { code: 20500, message: () => 'Internal Server Error' },
  503: { code: 20503, message: () => 'Service Unavailable' },
};

const sid = (prefix: string): string => `${prefix}${randomBytes(16).toString('hex')}`;

function twilioError(response: ServerResponse, status: number, code: number, message: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  response.end(JSON.stringify({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startSmsGateway(credentials: { accountSid?: string; authToken?: string } = {}): Promise<SmsGateway> {
  const accountSid = credentials.accountSid ?? sid('AC');
  const authToken = credentials.authToken ?? randomBytes(16).toString('hex');
  const expectedAuth = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
  const messages: AcceptedMessage[] = [];
  const script: Scripted[] = [];
  let requests = 0;

  async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    requests += 1;
    const form = new URLSearchParams(await readBody(request));
    const to = form.get('To') ?? '';
    const next = script.shift();
    if (next?.kind === 'stall') return;
    if (next?.kind === 'redirect') {
      response.writeHead(307, { Location: next.location }).end();
      return;
    }
    if (next?.kind === 'fail') {
      const failure = DEFAULT_FAILURES[next.status];
      const retryAfter: Record<string, string> = next.retryAfter === undefined ? {} : { 'Retry-After': next.retryAfter };
      twilioError(response, next.status, next.code ?? failure.code, next.message ?? failure.message(to), retryAfter);
      return;
    }
    if (request.headers.authorization !== expectedAuth) return twilioError(response, 401, 20003, 'Authenticate');
    if (request.method !== 'POST' || request.url !== `/2010-04-01/Accounts/${accountSid}/Messages.json`) {
      return twilioError(response, 404, 20404, `The requested resource ${request.url ?? ''} was not found`);
    }
    const from = form.get('From');
    const messagingServiceSid = form.get('MessagingServiceSid');
    const body = form.get('Body');
    if (to === '') return twilioError(response, 400, 21604, "A 'To' phone number is required.");
    if (!/^\+[1-9]\d{6,14}$/.test(to)) return twilioError(response, 400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    if (from === null && messagingServiceSid === null) return twilioError(response, 400, 21603, "A 'From' phone number is required.");
    if (body === null || body === '') return twilioError(response, 400, 21602, 'Message body is required.');
    const idempotency = request.headers['i-twilio-idempotency-token'];
    const message: AcceptedMessage = {
      id: sid('SM'),
      to,
      from,
      messagingServiceSid,
      body,
      idempotencyToken: typeof idempotency === 'string' ? idempotency : null,
    };
    messages.push(message);
    response.writeHead(201, { 'Content-Type': 'application/json' });
    response.end(
      JSON.stringify({
        sid: message.id,
        account_sid: accountSid,
        status: 'queued',
        to,
        from,
        messaging_service_sid: messagingServiceSid,
        body,
        error_code: null,
        error_message: null,
      }),
    );
  }

  let server: Server | null = null;
  let port = 0;
  async function start(): Promise<void> {
    const listening = createServer((request, response) => {
      answer(request, response).catch(() => response.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      listening.once('error', reject);
      listening.listen(port, '127.0.0.1', () => resolve());
    });
    port = (listening.address() as AddressInfo).port;
    server = listening;
  }
  async function stop(): Promise<void> {
    const stopping = server;
    server = null;
    if (stopping === null) return;
    const closed = new Promise<void>((resolve) => stopping.close(() => resolve()));
    // Keep-alive and stalled connections would hold close() open; down means down.
    stopping.closeAllConnections();
    await closed;
  }

  await start();
  return {
    url: `http://127.0.0.1:${port}`,
    accountSid,
    authToken,
    messages,
    get requests() {
      return requests;
    },
    failNext(status, options = {}, times = 1) {
      for (let i = 0; i < times; i += 1) script.push({ kind: 'fail', status, ...options });
    },
    redirectNext(location) {
      script.push({ kind: 'redirect', location });
    },
    stallNext() {
      script.push({ kind: 'stall' });
    },
    stop,
    start,
    close: stop,
  };
}

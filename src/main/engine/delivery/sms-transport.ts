import type { SmsSettings } from '../../../shared/delivery.js';
import { isLatchkeyError, LatchkeyError } from '../../../shared/errors.js';
import { ATTEMPT_ERROR_MAX, type Attempt, type Outgoing, type Transport } from './transport.js';

/** Twilio's replies are a few hundred bytes; a gateway that sends more is not read further. */
const REPLY_MAX_BYTES = 64 * 1024;

/** The WHATWG URL parser has already written 127.1 and 0x7f.0.0.1 as 127.0.0.1, and IPv6 in brackets. */
const isLoopbackHost = (hostname: string): boolean =>
  hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);

/**
 * The gateway's address, if the auth token and the codes may go there: https anywhere, plain http
 * only to this machine (a local gateway or a test), where no one on the network can read it.
 */
export function requireSafeGatewayUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new LatchkeyError('INVALID_INPUT', 'The SMS gateway address is not a URL; give one such as https://api.twilio.com.');
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new LatchkeyError(
      'INVALID_INPUT',
      'The SMS gateway address may not hold a user name or password: the auth token is kept in the keychain.',
    );
  }
  if (parsed.protocol === 'https:' || (parsed.protocol === 'http:' && isLoopbackHost(parsed.hostname))) return parsed;
  throw new LatchkeyError(
    'INVALID_INPUT',
    'The SMS gateway address must start with https:// (http:// only to this machine: 127.0.0.1, ::1 or localhost).',
  );
}

/** `+447400123456` → `+44••••••••56`: enough for an admin to tell numbers apart, not to dial one. */
export function maskPhone(e164: string): string {
  const digits = e164.replace(/\D/g, '');
  if (digits.length < 8) return `+${'•'.repeat(digits.length)}`;
  return `+${digits.slice(0, 2)}${'•'.repeat(digits.length - 4)}${digits.slice(-2)}`;
}

/** Sends each message with one call to Twilio's Messages API (or a gateway that speaks it). */
export function smsTransport(settings: SmsSettings, options: { fetch?: typeof fetch; now?: () => number } = {}): Transport {
  const post = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  let closed = false;
  return {
    async send(message: Outgoing, signal: AbortSignal): Promise<Attempt> {
      if (closed) throw new Error('This SMS transport was closed; make a new one to send.');
      const clean = (words: string): string => safeError(words, message, settings.authToken);
      const refused = (words: string): Attempt => ({ outcome: 'refused', error: clean(words) });
      const retry = (words: string, retryAfterMs: number | null = null): Attempt => ({
        outcome: 'retry',
        error: clean(words),
        retryAfterMs,
      });

      let endpoint: URL;
      try {
        endpoint = messagesEndpoint(settings);
      } catch (error) {
        if (isLatchkeyError(error)) return refused(error.message);
        throw error;
      }
      // A messaging service picks the sender from its own pool, so it wins when both are set.
      const sender = settings.messagingServiceSid ?? settings.from;
      if (sender === null) return refused('no sender is set: set sms.from or sms.messagingServiceSid');
      const form = new URLSearchParams({
        To: message.to,
        [settings.messagingServiceSid === null ? 'From' : 'MessagingServiceSid']: sender,
        Body: message.text,
      });

      let response: Response;
      try {
        response = await post(endpoint, {
          method: 'POST',
          headers: {
            Authorization: `Basic ${Buffer.from(`${settings.accountSid}:${settings.authToken}`).toString('base64')}`,
            Accept: 'application/json',
            'I-Twilio-Idempotency-Token': message.id,
          },
          body: form,
          // A redirect would carry the credentials and the code somewhere sms.baseUrl does not name.
          redirect: 'manual',
          signal,
        });
      } catch (error) {
        return retry(unreachable(error, endpoint.host, signal));
      }
      const reply = parseObject(await readLimited(response));
      const status = response.status;
      const detail = twilioDetail(status, reply, response.statusText);

      if (status >= 200 && status < 300) {
        // The answer came, so the message exists at Twilio even if its body did not arrive whole: trying
        // again would send the code twice.
        if (reply?.status === 'failed' || reply?.status === 'undelivered') {
          return refused(`Twilio took the message but marked it ${reply.status}${twilioDetail(status, failureOf(reply), '')}`);
        }
        return { outcome: 'sent', providerId: typeof reply?.sid === 'string' && /^[A-Za-z0-9]{2,64}$/.test(reply.sid) ? reply.sid : null };
      }
      if (status >= 300 && status < 400) {
        return refused(
          `the SMS gateway at ${endpoint.host} answered with a redirect (HTTP ${status}), which is not followed: check sms.baseUrl`,
        );
      }
      if (status === 401 || status === 403) {
        return refused(`Twilio did not accept the account SID or auth token ${detail}; check sms.accountSid and sms.authToken`);
      }
      if (status === 429) return retry(`Twilio asked to slow down ${detail}`, retryAfterMs(response, now));
      if (status >= 400 && status < 500) return refused(`Twilio refused the message ${detail}`);
      if (status >= 500 && status < 600) return retry(`Twilio could not take the message just now ${detail}`, retryAfterMs(response, now));
      return retry(`the SMS gateway at ${endpoint.host} gave an answer that is not the Messages API's ${detail}`);
    },
    close(): void {
      // Node's fetch keeps its connections in a process-wide pool; there is nothing of ours to let go.
      closed = true;
    },
  };
}

function messagesEndpoint(settings: SmsSettings): URL {
  const endpoint = requireSafeGatewayUrl(settings.baseUrl);
  endpoint.pathname = `${endpoint.pathname.replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(settings.accountSid)}/Messages.json`;
  endpoint.search = '';
  endpoint.hash = '';
  return endpoint;
}

/** The reply's text, or null when it is longer than REPLY_MAX_BYTES or broke off. */
async function readLimited(response: Response): Promise<string | null> {
  // Node's types leave the chunks as `any`; fetch gives bytes.
  const reader = (response.body as ReadableStream<Uint8Array> | null)?.getReader();
  if (reader === undefined) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return Buffer.concat(chunks).toString('utf8');
      size += value.byteLength;
      if (size > REPLY_MAX_BYTES) {
        await reader.cancel();
        return null;
      }
      chunks.push(value);
    }
  } catch {
    return null;
  }
}

function parseObject(text: string | null): Record<string, unknown> | null {
  if (text === null) return null;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** A message resource's own failure, in the shape of an error body. */
const failureOf = (reply: Record<string, unknown>): Record<string, unknown> => ({ code: reply.error_code, message: reply.error_message });

/** `(HTTP 400, error 21211): The 'To' number … is not a valid phone number.` from a Twilio error body. */
function twilioDetail(status: number, reply: Record<string, unknown> | null, statusText: string): string {
  const code = typeof reply?.code === 'number' && Number.isInteger(reply.code) ? `, error ${reply.code}` : '';
  const said = typeof reply?.message === 'string' && reply.message.trim() !== '' ? reply.message.trim() : statusText;
  const more = typeof reply?.more_info === 'string' && /^https:\/\/\S+$/.test(reply.more_info) ? ` (${reply.more_info})` : '';
  return `(HTTP ${status}${code})${said === '' ? '' : `: ${said}`}${more}`;
}

/**
 * RFC 9110 §10.2.3: seconds, or an HTTP date. A date is measured against the reply's own Date
 * header, so a clock here that is off does not shorten or stretch the wait.
 */
function retryAfterMs(response: Response, now: () => number): number | null {
  const value = response.headers.get('retry-after')?.trim() ?? '';
  if (/^\d{1,9}$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return null;
  const date = Date.parse(response.headers.get('date') ?? '');
  return Math.max(0, at - (Number.isNaN(date) ? now() : date));
}

/** What Node's network errors mean, by the code on fetch's `cause`. */
const NETWORK_PROBLEMS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'the connection was cut',
  EPIPE: 'the connection was cut',
  UND_ERR_SOCKET: 'the connection was cut',
  ENOTFOUND: 'its name does not resolve (DNS)',
  EAI_AGAIN: 'its name could not be looked up just now (DNS)',
  ETIMEDOUT: 'the connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'the connection timed out',
  EHOSTUNREACH: 'no route to it',
  ENETUNREACH: 'no route to it',
};

function unreachable(error: unknown, host: string, signal: AbortSignal): string {
  if (signal.aborted) return `the SMS gateway at ${host} did not answer in time`;
  const code = codeOf(error, 0);
  if (code === null) return `could not reach the SMS gateway at ${host}: the request could not be made`;
  return `could not reach the SMS gateway at ${host}: ${NETWORK_PROBLEMS[code] ?? tlsProblem(code) ?? `the connection failed (${code})`}`;
}

function tlsProblem(code: string): string | null {
  if (/CERT|SIGNATURE/.test(code)) return `its TLS certificate was not accepted (${code})`;
  return /TLS|SSL/.test(code) ? `the TLS handshake failed (${code})` : null;
}

/** fetch throws TypeError('fetch failed') with the socket's error as `cause`; trying each address of a name gives an AggregateError. */
function codeOf(error: unknown, depth: number): string | null {
  if (!(error instanceof Error) || depth > 4) return null;
  if ('code' in error && typeof error.code === 'string') return error.code;
  if (error instanceof AggregateError) {
    for (const inner of error.errors) {
      const code = codeOf(inner, depth + 1);
      if (code !== null) return code;
    }
  }
  return codeOf(error.cause, depth + 1);
}

/** A run of digits a number could be written as: `+447400123456`, `(740) 012-3456`; not inside a SID. */
const PHONE_LIKE = /(?<![\w+])\+?\d(?:[\s().-]{0,2}\d){6,}/g;

/**
 * Words to keep in a row: nothing of the body (its code, above all), no token, the recipient only
 * masked (Twilio repeats the number in its errors), one line, at most ATTEMPT_ERROR_MAX.
 */
function safeError(words: string, message: Outgoing, authToken: string): string {
  let text = words;
  for (const secret of [message.text, authToken, ...(message.text.match(/\d{4,}/g) ?? [])]) {
    if (secret !== '') text = text.split(secret).join('•••');
  }
  const tail = message.to.replace(/\D/g, '').slice(-7);
  text = text
    .replace(/\p{C}+/gu, ' ')
    .replace(PHONE_LIKE, (run) => (run.replace(/\D/g, '').endsWith(tail) ? maskPhone(message.to) : run))
    .replace(/\s+/g, ' ')
    .trim();
  if (text.length <= ATTEMPT_ERROR_MAX) return text;
  return `${text.slice(0, ATTEMPT_ERROR_MAX - 1).replace(/[\uD800-\uDBFF]$/, '')}…`;
}

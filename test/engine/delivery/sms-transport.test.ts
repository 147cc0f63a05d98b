import { afterEach, describe, expect, it, vi } from 'vitest';
import { maskPhone, requireSafeGatewayUrl, smsTransport } from '../../../src/main/engine/delivery/sms-transport.js';
import { ATTEMPT_ERROR_MAX, type Attempt, type Outgoing } from '../../../src/main/engine/delivery/transport.js';
import type { SmsSettings } from '../../../src/shared/delivery.js';
import { LatchkeyError } from '../../../src/shared/errors.js';
import { type SmsGateway, startSmsGateway } from '../../support/sms-gateway.js';

const TO = '+447400123456';
const MASKED = '+44••••••••56';
const CODE = '482913';
const BODY = `Your Latchkey code is ${CODE}. It expires in 10 minutes.`;
const FROM = '+15005550006';
const SERVICE = 'MG0123456789abcdef0123456789abcdef';

const message = (id = 'msg_01'): Outgoing => ({ id, to: TO, subject: '', text: BODY, html: null });
const inTime = (): AbortSignal => AbortSignal.timeout(5_000);

function settingsFor(gateway: SmsGateway, overrides: Partial<SmsSettings> = {}): SmsSettings {
  return {
    provider: 'twilio',
    baseUrl: gateway.url,
    accountSid: gateway.accountSid,
    authToken: gateway.authToken,
    from: FROM,
    messagingServiceSid: null,
    ...overrides,
  };
}

function errorOf(attempt: Attempt): string {
  if (attempt.outcome === 'sent') throw new Error('expected a failure, the message was sent');
  return attempt.error;
}

describe('the SMS transport', () => {
  const gateways: SmsGateway[] = [];
  async function gateway(): Promise<SmsGateway> {
    const started = await startSmsGateway();
    gateways.push(started);
    return started;
  }
  afterEach(async () => {
    await Promise.all(gateways.splice(0).map((started) => started.close()));
  });

  it('sends To, From and Body as a form with Basic auth and returns the message SID', async () => {
    const twilio = await gateway();
    const attempt = await smsTransport(settingsFor(twilio)).send(message(), inTime());
    expect(twilio.messages).toHaveLength(1);
    expect(twilio.messages[0]).toMatchObject({ to: TO, from: FROM, messagingServiceSid: null, body: BODY });
    expect(attempt).toEqual({ outcome: 'sent', providerId: twilio.messages[0]?.id });
    expect(twilio.messages[0]?.id).toMatch(/^SM[0-9a-f]{32}$/);
  });

  it('passes the outbox id as the idempotency token', async () => {
    const twilio = await gateway();
    await smsTransport(settingsFor(twilio)).send(message('msg_idempotent'), inTime());
    expect(twilio.messages[0]?.idempotencyToken).toBe('msg_idempotent');
  });

  it('uses the messaging service SID when there is no From', async () => {
    const twilio = await gateway();
    const attempt = await smsTransport(settingsFor(twilio, { from: null, messagingServiceSid: SERVICE })).send(message(), inTime());
    expect(attempt.outcome).toBe('sent');
    expect(twilio.messages[0]).toMatchObject({ from: null, messagingServiceSid: SERVICE });
  });

  it('refuses without a request when neither From nor a messaging service is set', async () => {
    const fetch = vi.fn<typeof globalThis.fetch>();
    const settings: SmsSettings = { ...settingsFor(await gateway()), from: null };
    const attempt = await smsTransport(settings, { fetch }).send(message(), inTime());
    expect(attempt).toEqual({ outcome: 'refused', error: 'no sender is set: set sms.from or sms.messagingServiceSid' });
    expect(fetch).not.toHaveBeenCalled();
  });

  it('retries after a 429 no sooner than Retry-After says', async () => {
    const twilio = await gateway();
    twilio.failNext(429, { retryAfter: '7' });
    const transport = smsTransport(settingsFor(twilio));
    const first = await transport.send(message(), inTime());
    expect(first).toEqual({
      outcome: 'retry',
      error: 'Twilio asked to slow down (HTTP 429, error 20429): Too Many Requests (https://www.twilio.com/docs/errors/20429)',
      retryAfterMs: 7_000,
    });
    expect((await transport.send(message(), inTime())).outcome).toBe('sent');
  });

  it('reads a Retry-After given as an HTTP date against the reply’s own Date', async () => {
    const twilio = await gateway();
    twilio.failNext(429, { retryAfter: new Date(Date.now() + 120_000).toUTCString() });
    // A local clock a day fast must not shorten the wait: the gateway's Date header is the reference.
    const attempt = await smsTransport(settingsFor(twilio), { now: () => Date.now() + 86_400_000 }).send(message(), inTime());
    expect(attempt.outcome).toBe('retry');
    const wait = attempt.outcome === 'retry' ? attempt.retryAfterMs : null;
    expect(wait).toBeGreaterThanOrEqual(119_000);
    expect(wait).toBeLessThanOrEqual(121_000);
  });

  it.each([500, 503] as const)('retries after a %i', async (status) => {
    const twilio = await gateway();
    twilio.failNext(status);
    const transport = smsTransport(settingsFor(twilio));
    const first = await transport.send(message(), inTime());
    expect(first.outcome).toBe('retry');
    expect(errorOf(first)).toContain(`Twilio could not take the message just now (HTTP ${status}, error 20${status})`);
    expect((await transport.send(message(), inTime())).outcome).toBe('sent');
  });

  it('refuses without retry on a 400 and says what Twilio said, without the number in clear', async () => {
    const twilio = await gateway();
    twilio.failNext(400);
    const attempt = await smsTransport(settingsFor(twilio)).send(message(), inTime());
    expect(attempt).toEqual({
      outcome: 'refused',
      error: `Twilio refused the message (HTTP 400, error 21211): The 'To' number ${MASKED} is not a valid phone number. (https://www.twilio.com/docs/errors/21211)`,
    });
    expect(twilio.requests).toBe(1);
  });

  it('masks the number however the gateway writes it', async () => {
    const twilio = await gateway();
    twilio.failNext(400, { code: 21610, message: 'Number 44 7400 123456 (national 07400-123456) has opted out.' });
    const error = errorOf(await smsTransport(settingsFor(twilio)).send(message(), inTime()));
    expect(error).toContain(`Number ${MASKED} (national ${MASKED}) has opted out.`);
    expect(error.replace(/\D/g, '')).not.toContain('7400123456');
  });

  it('refuses on 401 and names the credentials', async () => {
    const twilio = await gateway();
    const wrongToken = 'f'.repeat(32);
    const attempt = await smsTransport(settingsFor(twilio, { authToken: wrongToken })).send(message(), inTime());
    expect(attempt.outcome).toBe('refused');
    expect(errorOf(attempt)).toMatch(/^Twilio did not accept the account SID or auth token \(HTTP 401, error 20003\): Authenticate/);
    expect(errorOf(attempt)).toContain('check sms.accountSid and sms.authToken');
    expect(errorOf(attempt)).not.toContain(wrongToken);
    expect(twilio.messages).toHaveLength(0);
  });

  it('retries when the gateway is down (connection refused), and sends once it is back', async () => {
    const twilio = await gateway();
    const transport = smsTransport(settingsFor(twilio));
    await twilio.stop();
    expect(await transport.send(message(), inTime())).toEqual({
      outcome: 'retry',
      error: `could not reach the SMS gateway at ${new URL(twilio.url).host}: connection refused`,
      retryAfterMs: null,
    });
    await twilio.start();
    expect((await transport.send(message(), inTime())).outcome).toBe('sent');
  });

  it('retries when the TLS handshake fails, and names it', async () => {
    const twilio = await gateway();
    const attempt = await smsTransport(settingsFor(twilio, { baseUrl: twilio.url.replace('http:', 'https:') })).send(message(), inTime());
    expect(attempt.outcome).toBe('retry');
    expect(errorOf(attempt)).toMatch(/^could not reach the SMS gateway at 127\.0\.0\.1:\d+: the TLS handshake failed \(ERR_SSL_/);
  });

  it('names a name that does not resolve', async () => {
    const notFound = Object.assign(new Error('getaddrinfo ENOTFOUND sms.example.test'), { code: 'ENOTFOUND' });
    const fetch = vi.fn<typeof globalThis.fetch>().mockRejectedValue(new TypeError('fetch failed', { cause: notFound }));
    const settings: SmsSettings = { ...settingsFor(await gateway()), baseUrl: 'https://sms.example.test' };
    const attempt = await smsTransport(settings, { fetch }).send(message(), inTime());
    expect(attempt).toEqual({
      outcome: 'retry',
      error: 'could not reach the SMS gateway at sms.example.test: its name does not resolve (DNS)',
      retryAfterMs: null,
    });
  });

  it('gives up when the signal aborts, as a retry', async () => {
    const twilio = await gateway();
    twilio.stallNext();
    const attempt = await smsTransport(settingsFor(twilio)).send(message(), AbortSignal.timeout(200));
    expect(attempt).toEqual({
      outcome: 'retry',
      error: `the SMS gateway at ${new URL(twilio.url).host} did not answer in time`,
      retryAfterMs: null,
    });
    expect(twilio.requests).toBe(1);
  });

  it('never puts the message body in an error', async () => {
    const twilio = await gateway();
    twilio.failNext(400, { message: `Rejected body: ${BODY}` });
    twilio.failNext(500, { message: `Could not render\n${CODE}\n` });
    const transport = smsTransport(settingsFor(twilio));
    for (const attempt of [await transport.send(message(), inTime()), await transport.send(message(), inTime())]) {
      expect(errorOf(attempt)).not.toContain(CODE);
      expect(errorOf(attempt)).not.toContain('Latchkey code');
      expect(errorOf(attempt)).not.toMatch(/\n/);
    }
  });

  it(`keeps an error to ${ATTEMPT_ERROR_MAX} characters`, async () => {
    const twilio = await gateway();
    twilio.failNext(400, { message: 'x'.repeat(2_000) });
    const error = errorOf(await smsTransport(settingsFor(twilio)).send(message(), inTime()));
    expect(error).toHaveLength(ATTEMPT_ERROR_MAX);
    expect(error.endsWith('…')).toBe(true);
  });

  it('does not read a reply longer than 64 KiB', async () => {
    const twilio = await gateway();
    twilio.failNext(400, { message: 'x'.repeat(70_000) });
    const error = errorOf(await smsTransport(settingsFor(twilio)).send(message(), inTime()));
    expect(error).toBe('Twilio refused the message (HTTP 400): Bad Request');
  });

  it('refuses a plain-http gateway that is not on loopback', async () => {
    const fetch = vi.fn<typeof globalThis.fetch>();
    const settings: SmsSettings = { ...settingsFor(await gateway()), baseUrl: 'http://sms.example.test' };
    const attempt = await smsTransport(settings, { fetch }).send(message(), inTime());
    expect(attempt.outcome).toBe('refused');
    expect(errorOf(attempt)).toContain('must start with https://');
    expect(fetch).not.toHaveBeenCalled();
  });

  it('does not follow a redirect', async () => {
    const twilio = await gateway();
    const elsewhere = await gateway();
    twilio.redirectNext(`${elsewhere.url}/2010-04-01/Accounts/${twilio.accountSid}/Messages.json`);
    const attempt = await smsTransport(settingsFor(twilio)).send(message(), inTime());
    expect(attempt.outcome).toBe('refused');
    expect(errorOf(attempt)).toContain('answered with a redirect (HTTP 307), which is not followed');
    expect(elsewhere.requests).toBe(0);
    expect(twilio.messages).toHaveLength(0);
  });

  it('will not send once closed', async () => {
    const transport = smsTransport(settingsFor(await gateway()));
    transport.close();
    await expect(transport.send(message(), inTime())).rejects.toThrow('closed');
  });
});

describe('the SMS gateway address', () => {
  it('is https anywhere, and plain http only on loopback', () => {
    for (const url of [
      'https://api.twilio.com',
      'http://127.0.0.1:8080',
      'http://127.1.2.3',
      'http://[::1]:9000',
      'http://localhost:3000',
    ]) {
      expect(requireSafeGatewayUrl(url).href).toBe(new URL(url).href);
    }
    for (const url of [
      'http://sms.example.test',
      'http://10.0.0.1',
      'http://[::2]',
      'http://localhost.example.test',
      'ftp://127.0.0.1',
      'not a url',
    ]) {
      expect(() => requireSafeGatewayUrl(url), url).toThrow(LatchkeyError);
    }
  });

  it('holds no user name or password', () => {
    expect(() => requireSafeGatewayUrl('https://AC123:token@api.twilio.com')).toThrow('may not hold a user name or password');
  });
});

describe('a masked phone number', () => {
  it('keeps the +, the first two digits and the last two', () => {
    expect(maskPhone('+447400123456')).toBe('+44••••••••56');
    expect(maskPhone('+12025550123')).toBe('+12•••••••23');
  });

  it('hides every digit of a number too short to keep any', () => {
    expect(maskPhone('+1234567')).toBe('+•••••••');
  });
});

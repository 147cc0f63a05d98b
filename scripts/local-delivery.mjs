// `npm run local-delivery`: a mail server and an SMS gateway on this machine, for trying Latchkey's
// delivery without a real relay or a Twilio account. The SMTP server (smtp-server) takes every
// message without TLS or login; the gateway answers like Twilio's Messages API and checks the
// Basic auth it prints. Each message is printed here, codes and links included, as a mailbox or a
// phone would show them: it is for a developer's own terminal, on 127.0.0.1 only, never for use.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

const HOST = '127.0.0.1';
const SMTP_PORT = Number(process.env.LATCHKEY_LOCAL_SMTP_PORT ?? 2525);
const SMS_PORT = Number(process.env.LATCHKEY_LOCAL_SMS_PORT ?? 8025);
const ACCOUNT_SID = `AC${'0'.repeat(32)}`;
const AUTH_TOKEN = process.env.LATCHKEY_LOCAL_SMS_TOKEN ?? randomBytes(16).toString('hex');
/** The most a request body is read: a Messages API form with a 1,600-character body is far smaller. */
const MAX_BODY = 64 * 1024;

const stamp = () => new Date().toISOString().slice(11, 19);

const smtp = new SMTPServer({
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  size: 1024 * 1024,
  onData(stream, _session, callback) {
    simpleParser(stream)
      .then((mail) => {
        const to = [mail.to]
          .flat()
          .flatMap((address) => address?.value ?? [])
          .map((a) => a.address);
        console.log(
          `\n[${stamp()}] mail to ${to.join(', ')} · ${mail.subject ?? ''} · ${mail.messageId ?? ''}\n${(mail.text ?? '').trim()}`,
        );
        callback();
      })
      .catch(callback);
  },
});

const expectedAuth = `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`;
const sms = createServer((request, response) => {
  const reply = (status, body) => response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
  const chunks = [];
  let size = 0;
  request.on('data', (chunk) => {
    size += chunk.length;
    if (size > MAX_BODY) request.destroy();
    else chunks.push(chunk);
  });
  request.on('end', () => {
    if (request.headers.authorization !== expectedAuth) return reply(401, { code: 20003, message: 'Authenticate', status: 401 });
    if (request.method !== 'POST' || request.url !== `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`) {
      return reply(404, { code: 20404, message: `The requested resource ${request.url} was not found`, status: 404 });
    }
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const sid = `SM${randomBytes(16).toString('hex')}`;
    console.log(`\n[${stamp()}] SMS to ${form.get('To')} · ${sid}\n${form.get('Body') ?? ''}`);
    return reply(201, { sid, status: 'queued', to: form.get('To') });
  });
});

await new Promise((resolve, reject) => {
  smtp.once('error', reject);
  smtp.listen(SMTP_PORT, HOST, resolve);
});
await new Promise((resolve, reject) => {
  sms.once('error', reject);
  sms.listen(SMS_PORT, HOST, resolve);
});

console.log(`Mail server on ${HOST}:${SMTP_PORT}, SMS gateway on http://${HOST}:${SMS_PORT}. Point Latchkey at them with:

  npx latchkey config set smtp.host ${HOST}
  npx latchkey config set smtp.port ${SMTP_PORT}
  npx latchkey config set smtp.secure none
  npx latchkey config set smtp.from 'Latchkey <latchkey@example.org>'
  npx latchkey config set sms.baseUrl http://${HOST}:${SMS_PORT}
  npx latchkey config set sms.accountSid ${ACCOUNT_SID}
  npx latchkey config set sms.from +15005550006
  printf %s ${AUTH_TOKEN} | npx latchkey config set-secret sms.authToken

Messages are printed below. Ctrl+C stops both.`);

const stop = () => {
  sms.close();
  smtp.close(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

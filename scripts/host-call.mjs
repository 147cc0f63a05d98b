// Calls one channel of a running browser host over its WebSocket, as the page would, from one
// connection that closes when every answer is in (and so ends any session the calls started). For
// an administrator trying the monitoring rules on a vault of their own: calls that need a session
// made without one, or a "stay signed in" token used twice (scripts/provoke-rules.sh does both).
//   usage: node scripts/host-call.mjs URL CHANNEL [TIMES] < input.json
//   URL: what `npm run -s host` printed ({"url": "http://127.0.0.1:PORT/?key=…"}); the channel's
//   input is read from standard input (so a password is never an argument); TIMES: 1 by default.
// Prints how many answers came back with each outcome: "ok ×1", "SESSION_EXPIRED ×40".
import WebSocket from 'ws';

const MAX_CALLS = 10_000;
const MAX_INPUT_BYTES = 64 * 1024;
const usage = `usage: node scripts/host-call.mjs http://127.0.0.1:PORT/?key=… CHANNEL [TIMES, 1 to ${MAX_CALLS}] < input.json\n`;

function fail(message, status) {
  process.stderr.write(message);
  process.exit(status);
}

const [pageText = '', channel = '', timesText = '1'] = process.argv.slice(2);
let page = null;
try {
  page = new URL(pageText);
} catch {
  // reported below with the usage
}
const times = Number(timesText);
if (page?.hostname !== '127.0.0.1' || !page.searchParams.has('key') || !/^[a-zA-Z.]{1,100}$/.test(channel)) fail(usage, 2);
if (!Number.isInteger(times) || times < 1 || times > MAX_CALLS) fail(usage, 2);

const chunks = [];
let size = 0;
for await (const chunk of process.stdin) {
  size += chunk.length;
  if (size > MAX_INPUT_BYTES) fail(`host-call: the input is over ${MAX_INPUT_BYTES} bytes\n`, 2);
  chunks.push(chunk);
}
let input;
try {
  input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
} catch {
  fail('host-call: the input on standard input is not JSON\n', 2);
}

const socket = new WebSocket(`ws://${page.host}/__latchkey/ws?key=${encodeURIComponent(page.searchParams.get('key') ?? '')}`, {
  origin: page.origin,
});
const outcomes = new Map();
let answered = 0;
socket.on('open', () => {
  for (let id = 1; id <= times; id += 1) socket.send(JSON.stringify({ id, channel, input }));
});
socket.on('message', (data) => {
  let result;
  try {
    ({ result } = JSON.parse(String(data)));
  } catch {
    result = undefined;
  }
  const outcome = result?.ok === true ? 'ok' : (result?.error?.code ?? 'unreadable');
  outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  answered += 1;
  if (answered === times) socket.close();
});
socket.on('close', () => {
  process.stdout.write(`${[...outcomes].map(([outcome, n]) => `${outcome} ×${n}`).join(', ')}\n`);
  // The host ends the page's session as the socket closes; give it that moment before a next call.
  setTimeout(() => process.exit(answered === times ? 0 : 1), 200);
});
socket.on('error', (error) => fail(`host-call: ${error.message}\n`, 1));

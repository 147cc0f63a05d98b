import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { connect as connectTcp, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { contentSecurityPolicy } from '../../src/main/content-security-policy.js';
import { createTempVault, type TempVault } from '../support/temp-vault.js';

/**
 * The built host in a process of its own, as `npm run host` starts it: a request or a frame that
 * throws where nothing catches it ends that process, and these tests see the end.
 */
const HOST_MAIN = fileURLToPath(new URL('../../out/node/browser-host/main.js', import.meta.url));

interface RunningHost {
  readonly origin: string;
  readonly port: number;
  readonly key: string;
  readonly child: ChildProcess;
  /** What the process wrote to stderr, for the message when it died. */
  stderr(): string;
}

let vault: TempVault;
let host: RunningHost;

beforeAll(() => {
  if (!existsSync(HOST_MAIN)) throw new Error('The browser host is not built: run `npm run build` before these tests.');
});

beforeEach(async () => {
  vault = await createTempVault();
  host = await startBuiltHost(vault);
});

afterEach(async () => {
  if (host.child.exitCode === null && host.child.signalCode === null) {
    const exited = new Promise((resolve) => host.child.once('exit', resolve));
    host.child.kill('SIGTERM');
    await exited;
  }
  await vault.dispose();
});

async function startBuiltHost(sandbox: TempVault): Promise<RunningHost> {
  const child = spawn(
    process.execPath,
    [HOST_MAIN, '--vault', sandbox.path, '--keychain-service', sandbox.keychain.service, '--test-mode'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const stdout = child.stdout;
  if (stdout === null) throw new Error('the browser host has no stdout');
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the browser host exited (${code}) before it was ready: ${stderr}`)));
  });
  const { url, origin } = JSON.parse(first) as { url: string; origin: string };
  return { origin, port: Number(new URL(origin).port), key: new URL(url).searchParams.get('key') ?? '', child, stderr: () => stderr };
}

/** The host is still up and a fresh, well-behaved client still gets its answer. */
async function expectStillServing(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 100));
  if (host.child.exitCode !== null || host.child.signalCode !== null) {
    throw new Error(`the host process exited (${host.child.exitCode ?? host.child.signalCode}): ${host.stderr().trim()}`);
  }
  expect((await fetch(`${host.origin}/`)).status).toBe(200);
  const other = await openSocket();
  expect(await ask(other, 'app.status')).toMatchObject({ ok: true, value: { version: expect.any(String) as unknown } });
  other.close();
}

function openSocket(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${host.port}/__latchkey/ws?key=${encodeURIComponent(host.key)}`, { origin: host.origin });
    socket.once('open', () => resolve(socket));
    socket.once('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
    socket.once('error', reject);
  });
}

type Reply = { id: number | null; result: { ok: boolean; value?: unknown; error?: { code: string } } };

function nextReply(socket: WebSocket): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const onClose = (code: number): void => reject(new Error(`the socket closed (${code}) instead of answering`));
    socket.once('close', onClose);
    socket.once('message', (data) => {
      socket.off('close', onClose);
      resolve(JSON.parse(String(data)) as Reply);
    });
  });
}

async function ask(socket: WebSocket, channel: string, input: unknown = {}): Promise<Reply['result']> {
  const reply = nextReply(socket);
  socket.send(JSON.stringify({ id: 1, channel, input }));
  return (await reply).result;
}

/** Whatever the server wrote before it closed the connection (or `waitMs` passed). */
function exchange(text: string | Buffer, waitMs = 3000): Promise<string> {
  return new Promise((resolve) => {
    const socket = connectTcp(host.port, '127.0.0.1');
    let received = Buffer.alloc(0);
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(received.toString('latin1'));
    };
    const timer = setTimeout(done, waitMs);
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      // A switched protocol keeps the connection open: its head is the whole answer here.
      if (received.toString('latin1').startsWith('HTTP/1.1 101') && received.includes('\r\n\r\n')) done();
    });
    socket.on('error', done);
    socket.on('close', done);
    socket.write(text);
  });
}

/** The status code of a raw HTTP exchange; 0 when the connection ended with no answer. */
async function statusOf(text: string): Promise<number> {
  const answer = await exchange(text);
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(answer);
  return match === null ? 0 : Number(match[1]);
}

function get(target: string, headers: Readonly<Record<string, string>> = { host: `127.0.0.1:${host.port}` }): Promise<number> {
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  return statusOf(`GET ${target} HTTP/1.1\r\n${lines.join('')}connection: close\r\n\r\n`);
}

function upgradeHeaders(overrides: Readonly<Record<string, string | undefined>> = {}): string {
  const headers: Record<string, string | undefined> = {
    host: `127.0.0.1:${host.port}`,
    origin: host.origin,
    upgrade: 'websocket',
    connection: 'Upgrade',
    'sec-websocket-key': randomBytes(16).toString('base64'),
    'sec-websocket-version': '13',
    ...overrides,
  };
  return Object.entries(headers)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
}

function upgrade(target: string, overrides: Readonly<Record<string, string | undefined>> = {}): Promise<number> {
  return statusOf(`GET ${target} HTTP/1.1\r\n${upgradeHeaders(overrides)}\r\n`);
}

const wsTarget = (): string => `/__latchkey/ws?key=${encodeURIComponent(host.key)}`;

/** A client frame, built by hand so that it can break the rules a real client keeps (RFC 6455 §5.2). */
function frame(options: {
  opcode: number;
  payload?: Buffer;
  fin?: boolean;
  masked?: boolean;
  rsv1?: boolean;
  declaredLength?: number;
}): Buffer {
  const payload = options.payload ?? Buffer.alloc(0);
  const length = options.declaredLength ?? payload.length;
  const first = ((options.fin ?? true) ? 0x80 : 0) | (options.rsv1 === true ? 0x40 : 0) | options.opcode;
  const maskBit = (options.masked ?? true) ? 0x80 : 0;
  let header: Buffer;
  if (length < 126) {
    header = Buffer.from([first, maskBit | length]);
  } else if (length < 65536) {
    header = Buffer.alloc(4);
    header.writeUInt8(first, 0);
    header.writeUInt8(maskBit | 126, 1);
    header.writeUInt16BE(length, 2);
  } else {
    header = Buffer.alloc(10);
    header.writeUInt8(first, 0);
    header.writeUInt8(maskBit | 127, 1);
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  if (maskBit === 0) return Buffer.concat([header, payload]);
  const mask = randomBytes(4);
  const masked = Buffer.from(payload.map((byte, index) => byte ^ (mask[index % 4] ?? 0)));
  return Buffer.concat([header, mask, masked]);
}

/** A WebSocket opened by hand over TCP, so that it can send frames the `ws` client refuses to. */
async function rawSocket(): Promise<Socket> {
  const socket = connectTcp(host.port, '127.0.0.1');
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    let head = '';
    const onData = (chunk: Buffer): void => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      if (head.startsWith('HTTP/1.1 101')) resolve();
      else reject(new Error(`the upgrade was refused: ${head.split('\r\n')[0]}`));
    };
    socket.on('data', onData);
    socket.write(`GET ${wsTarget()} HTTP/1.1\r\n${upgradeHeaders()}\r\n`);
  });
  return socket;
}

/**
 * The code of the close frame the server sends on `socket`, or null if the connection ended
 * without one (the process died, or the socket was dropped).
 */
function closeCodeOf(socket: Socket): Promise<number | null> {
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    const finish = (code: number | null): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(code);
    };
    const timer = setTimeout(() => finish(null), 5000);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      // Server frames are unmasked; a close frame's payload starts with its 2-byte code.
      while (received.length >= 2) {
        const opcode = (received[0] ?? 0) & 0x0f;
        let length = (received[1] ?? 0) & 0x7f;
        let offset = 2;
        if (length === 126) {
          if (received.length < 4) return;
          length = received.readUInt16BE(2);
          offset = 4;
        } else if (length === 127) {
          if (received.length < 10) return;
          length = Number(received.readBigUInt64BE(2));
          offset = 10;
        }
        if (received.length < offset + length) return;
        if (opcode === 0x8) {
          finish(length >= 2 ? received.readUInt16BE(offset) : null);
          return;
        }
        received = received.subarray(offset + length);
      }
    });
    socket.on('close', () => finish(null));
  });
}

const MAX_PAYLOAD = 256 * 1024;

describe('the browser host, against a hostile client', () => {
  describe('a malformed request target', () => {
    it.each([
      ['a lone percent sign', '/%'],
      ['an escape that is not hex', '/%zz'],
      ['a truncated UTF-8 escape', '/%E0%A4%A'],
      ['an overlong UTF-8 escape', '/%C0%AF'],
      ['a NUL byte', '/index.html%00.png'],
      ['a backslash', '/assets%5c..%5cindex.html'],
      ['a target that is neither a path nor a URL', 'index.html'],
    ])('answers 400 to %s (%s) and keeps serving', async (_name, target) => {
      const status = await get(target);
      await expectStillServing();
      expect(status).toBe(400);
    });

    it('answers 414 to a target longer than any file it serves, and keeps serving', async () => {
      const status = await get(`/${'a'.repeat(8192)}`);
      await expectStillServing();
      expect(status).toBe(414);
    });

    it('answers 404 to a path that starts with two slashes (an empty segment, not an authority), and keeps serving', async () => {
      const statuses = [await get('//'), await get('//evil.example/index.html')];
      await expectStillServing();
      expect(statuses).toEqual([404, 404]);
    });

    it('answers 400 to a request the HTTP parser cannot read, and keeps serving', async () => {
      expect(await statusOf('GET / HTTP/1.1\r\nhost: 127.0.0.1\r\nbad header\r\n\r\n')).toBe(400);
      await expectStillServing();
    });

    it("answers 431 to headers past the parser's limit, and keeps serving", async () => {
      expect(await get('/', { host: `127.0.0.1:${host.port}`, 'x-filler': 'a'.repeat(20_000) })).toBe(431);
      await expectStillServing();
    });

    it('refuses an upgrade whose path has an undecodable escape with 400, and keeps serving', async () => {
      const status = await upgrade(`/__latchkey/ws%?key=${encodeURIComponent(host.key)}`);
      await expectStillServing();
      expect(status).toBe(400);
    });

    it('refuses an upgrade to a path that starts with two slashes with 403, and keeps serving', async () => {
      const status = await upgrade(`//?key=${encodeURIComponent(host.key)}`);
      await expectStillServing();
      expect(status).toBe(403);
    });
  });

  describe('a WebSocket frame that breaks RFC 6455', () => {
    it.each([
      ['a frame over the maximum payload', 1009, [frame({ opcode: 0x2, declaredLength: MAX_PAYLOAD + 1 })]],
      [
        'a message whose fragments add up to more than the maximum',
        1009,
        [
          frame({ opcode: 0x1, fin: false, payload: Buffer.alloc(MAX_PAYLOAD / 2 + 1, 0x20) }),
          frame({ opcode: 0x0, payload: Buffer.alloc(MAX_PAYLOAD / 2 + 1, 0x20) }),
        ],
      ],
      ['a text frame that is not UTF-8', 1007, [frame({ opcode: 0x1, payload: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) })]],
      ['a frame with an unknown opcode', 1002, [frame({ opcode: 0x3, payload: Buffer.from('{}') })]],
      ['a client frame that is not masked', 1002, [frame({ opcode: 0x1, payload: Buffer.from('{}'), masked: false })]],
      ['a frame with RSV1 set and no extension agreed', 1002, [frame({ opcode: 0x1, payload: Buffer.from('{}'), rsv1: true })]],
      ['a fragmented control frame', 1002, [frame({ opcode: 0x9, fin: false })]],
      ['a close frame with a code no one may send', 1002, [frame({ opcode: 0x8, payload: Buffer.from([0x03, 0xed]) })]],
    ])('closes the socket that sends %s with %i, and keeps serving other clients', async (_name, code, frames) => {
      const bystander = await openSocket();
      const socket = await rawSocket();
      const closed = closeCodeOf(socket);
      for (const bytes of frames) socket.write(bytes);
      const closedWith = await closed;
      await expectStillServing();
      expect(await ask(bystander, 'app.status')).toMatchObject({ ok: true });
      bystander.close();
      expect(closedWith).toBe(code);
    });

    it('drops a socket whose connection breaks mid-frame, and keeps serving', async () => {
      const socket = await rawSocket();
      socket.write(frame({ opcode: 0x1, payload: Buffer.alloc(1000, 0x20) }).subarray(0, 500));
      socket.resetAndDestroy();
      await expectStillServing();
    });
  });

  describe('a message that is not a call', () => {
    it.each([
      ['not JSON', '{"id": 1, "channel": '],
      ['JSON of another shape', '[1, 2, 3]'],
      ['a call without an id', '{"channel": "app.status", "input": {}}'],
    ])('answers %s with INVALID_INPUT, id null, and the socket stays open', async (_name, text) => {
      const socket = await openSocket();
      const reply = nextReply(socket);
      socket.send(text);
      expect(await reply).toMatchObject({ id: null, result: { ok: false, error: { code: 'INVALID_INPUT' } } });
      expect(await ask(socket, 'app.status')).toMatchObject({ ok: true });
      socket.close();
    });

    it('answers a call with an id but a channel past its maximum length with INVALID_INPUT for that id', async () => {
      const socket = await openSocket();
      const reply = nextReply(socket);
      socket.send(JSON.stringify({ id: 7, channel: 'x'.repeat(101), input: {} }));
      expect(await reply).toMatchObject({ id: 7, result: { ok: false, error: { code: 'INVALID_INPUT' } } });
      socket.close();
    });
  });

  describe('the Host header', () => {
    it.each([
      ['another name', 'evil.example'],
      ['another name with our port', 'attacker.com:PORT'],
      ['our address on another port', '127.0.0.1:1'],
      ['our address without the port', '127.0.0.1'],
      ['an IPv6 loopback it does not listen on', '[::1]:PORT'],
    ])('refuses a page request naming %s (%s) with 421', async (_name, value) => {
      expect(await get('/', { host: value.replace('PORT', String(host.port)) })).toBe(421);
    });

    it('takes the authority of a target in absolute form in place of Host (RFC 9112 §3.2.2)', async () => {
      expect(await get('http://evil.example/', { host: `127.0.0.1:${host.port}` })).toBe(421);
      expect(await get(`http://127.0.0.1:${host.port}/`, { host: 'evil.example' })).toBe(200);
    });

    it('answers 400 to a request with two Host headers (RFC 9112 §3.2)', async () => {
      expect(await statusOf(`GET / HTTP/1.1\r\nhost: 127.0.0.1:${host.port}\r\nhost: evil.example\r\nconnection: close\r\n\r\n`)).toBe(400);
    });

    it('refuses a page request without a Host header', async () => {
      expect(await statusOf('GET / HTTP/1.0\r\n\r\n')).toBe(421);
      expect([400, 421]).toContain(await statusOf('GET / HTTP/1.1\r\nconnection: close\r\n\r\n'));
    });

    it.each([
      ['another name', 'evil.example'],
      ['another name with our port', 'attacker.com:PORT'],
    ])('refuses a WebSocket upgrade naming %s (%s) with 421, even with the key and our origin', async (_name, value) => {
      expect(await upgrade(wsTarget(), { host: value.replace('PORT', String(host.port)) })).toBe(421);
    });

    it('refuses a WebSocket upgrade without a Host header', async () => {
      expect(await statusOf(`GET ${wsTarget()} HTTP/1.0\r\n${upgradeHeaders({ host: undefined })}\r\n`)).toBe(421);
    });

    it.each(['127.0.0.1:PORT', 'localhost:PORT', 'LocalHost:PORT'])('serves the page to Host %s', async (value) => {
      expect(await get('/', { host: value.replace('PORT', String(host.port)) })).toBe(200);
    });

    it.each(['127.0.0.1', 'localhost'])('accepts a WebSocket upgrade to %s:port from the page of that same host', async (name) => {
      const authority = `${name}:${host.port}`;
      expect(await upgrade(wsTarget(), { host: authority, origin: `http://${authority}` })).toBe(101);
    });

    it('refuses a WebSocket upgrade whose origin is another of its own names than the Host it asked', async () => {
      expect(await upgrade(wsTarget(), { host: `localhost:${host.port}`, origin: host.origin })).toBe(403);
    });
  });

  describe('the Content-Security-Policy', () => {
    it.each(['/', '/index.html', '/__latchkey/bridge.js'])("sends the app's own policy as a header with %s", async (path) => {
      const response = await fetch(`${host.origin}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-security-policy')).toBe(contentSecurityPolicy());
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    });

    it('sends it with a refusal too', async () => {
      const response = await fetch(`${host.origin}/no-such-file.js`);
      expect(response.status).toBe(404);
      expect(response.headers.get('content-security-policy')).toBe(contentSecurityPolicy());
    });
  });
});

import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import { join, normalize, sep } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { z } from 'zod';
import { createRouter, newConnection } from '../main/ipc/router.js';
import { testChannels } from './test-channels.js';
import { constantTimeEqual, ManualClock, openEngine, type Engine } from '../main/engine/index.js';
import { DELIVERY_INTERVAL_MS, scheduleJob } from '../main/host/background-jobs.js';
import { OsKeychain } from '../main/secrets/keychain.js';
import { bridgeScript } from './bridge-script.js';
import { osUserName } from '../main/host/host-setup.js';
import { contentSecurityPolicy } from '../main/content-security-policy.js';
import { rendererResponseHeaders } from '../main/renderer-protocol.js';
import type { Connection } from '../main/ipc/connection.js';
import { LatchkeyError } from '../shared/errors.js';
import type { Result } from '../shared/result.js';
import { admit } from './admission.js';

export interface BrowserHostOptions {
  readonly vaultPath: string;
  readonly keychainService: string;
  /** The built renderer (out/renderer). */
  readonly rendererDir: string;
  readonly version: string;
  /** 0 picks a free port. */
  readonly port?: number;
  /** A test-only clock that `test.advanceClock` moves; never part of the Electron build. */
  readonly testMode?: boolean;
}

export interface BrowserHost {
  /** Open this in the browser: it carries the per-run key. */
  readonly url: string;
  readonly origin: string;
  readonly engine: Engine;
  close(): Promise<void>;
}

/** Far above any call (the longest field is a 1024-character password); ws closes a socket that sends more with 1009, unbuffered. */
const MAX_MESSAGE_BYTES = 256 * 1024;

const call = z.object({ id: z.number().int().nonnegative(), channel: z.string().max(100), input: z.unknown() });
const callId = z.object({ id: z.number().int().nonnegative() });

/** A refusal carries the app's policy as well: the page of an error is still a page of ours. */
const REFUSAL_HEADERS = { 'content-security-policy': contentSecurityPolicy(), 'x-content-type-options': 'nosniff' } as const;

/** The answer to a message that is not a call: JSON-RPC 2.0 §5 answers under the call's id, or null when it has none. */
const NOT_A_CALL: Result<never> = {
  ok: false,
  error: new LatchkeyError('INVALID_INPUT', 'The message is not a call: it needs an id, a channel and an input.').toInfo(),
};

/**
 * Serves the built renderer to a browser on 127.0.0.1 and carries the contract over a WebSocket to
 * the same router and engine the Electron app uses. Only its own origin, with the per-run key, may connect.
 */
export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  const clock = options.testMode === true ? new ManualClock(Date.now()) : undefined;
  const engine = await openEngine({
    vaultPath: options.vaultPath,
    secrets: new OsKeychain(options.keychainService),
    ...(clock === undefined ? {} : { clock }),
  });
  const router = createRouter({
    engine,
    version: options.version,
    kind: 'browser',
    osUser: osUserName(),
    ...(clock === undefined ? {} : { testChannels: testChannels(clock) }),
  });
  // Sends what the outbox holds, as the app does (cleanup is left to the app and the CLI, as before).
  const background = scheduleJob(
    'delivery',
    () => engine.delivery.sendDue(),
    (line) => process.stderr.write(`${line}\n`),
    DELIVERY_INTERVAL_MS,
  );
  const key = randomBytes(32).toString('base64url');
  const rendererRoot = normalize(options.rendererDir);
  const bridge = bridgeScript(options.version);
  /** The exact host:port pairs this host answers to, known once it listens. */
  let authorities: ReadonlySet<string> = new Set();

  async function servePage(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const admission = admit(request, authorities);
    if (!admission.admitted) return refuse(response, admission.status);
    if (request.method !== 'GET') return refuse(response, 405);
    const { path } = admission;
    if (path === '/__latchkey/bridge.js') {
      response.writeHead(200, rendererResponseHeaders(path)).end(bridge);
      return;
    }
    const file = normalize(join(rendererRoot, path === '/' ? 'index.html' : path));
    if (!file.startsWith(rendererRoot + sep)) return refuse(response, 404);
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      return refuse(response, 404);
    }
    if (file.endsWith(`${sep}index.html`)) {
      // The bridge must exist before the app's module runs; a classic script in <head> does.
      body = Buffer.from(body.toString('utf8').replace('<head>', '<head>\n    <script src="/__latchkey/bridge.js"></script>'));
    }
    response.writeHead(200, rendererResponseHeaders(file)).end(body);
  }

  const server: Server = createServer((request, response) => {
    servePage(request, response).catch(() => {
      // A fault while serving one request fails that request; the host goes on serving the rest.
      if (response.headersSent) response.destroy();
      else refuse(response, 500);
    });
  });
  // With a listener here Node leaves the answer to us: one malformed request ends its own connection only.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) socket.destroy();
    else endRaw(socket, CLIENT_ERROR_STATUS[error.code ?? ''] ?? 400);
  });

  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node hands an upgrade's socket over without its own error listener; a reset before ws takes
    // it would otherwise be an unhandled 'error' event, which ends the process.
    socket.on('error', () => socket.destroy());
    try {
      const admission = admit(request, authorities);
      if (!admission.admitted) return endRaw(socket, admission.status);
      const offered = Buffer.from(admission.query.get('key') ?? '');
      // The page's own origin is the authority it was served from: another of our names is another origin.
      const sameOrigin = request.headers.origin === `http://${admission.authority}`;
      if (admission.path !== '/__latchkey/ws' || !sameOrigin || !constantTimeEqual(offered, Buffer.from(key))) return endRaw(socket, 403);
      sockets.handleUpgrade(request, socket, head, (ws) => serve(ws, request));
    } catch {
      endRaw(socket, 500);
    }
  });

  /** Answers one message; whatever it was, the socket hears back and the host goes on. */
  async function answer(ws: WebSocket, connection: Connection, data: RawData): Promise<void> {
    let json: unknown;
    try {
      json = JSON.parse(textOf(data));
    } catch {
      json = undefined;
    }
    const parsed = call.safeParse(json);
    const reply = parsed.success
      ? { id: parsed.data.id, result: await router.route(connection, parsed.data.channel, parsed.data.input) }
      : { id: callId.safeParse(json).data?.id ?? null, result: NOT_A_CALL };
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(reply));
  }

  function serve(ws: WebSocket, request: IncomingMessage): void {
    // ws closes a socket that breaks RFC 6455 itself (1002, 1007, 1009) and then reports it as an
    // 'error'; with no listener that report is thrown, and one client's bad frame ends the host.
    ws.on('error', () => undefined);
    const connection = newConnection({
      host: 'browser',
      deviceName: hostname(),
      osUser: osUserName(),
      ip: request.socket.remoteAddress ?? null,
      userAgent: String(request.headers['user-agent'] ?? 'unknown browser').slice(0, 256),
    });
    // A reload or a closed tab takes the page's session with it.
    ws.on('close', () => void router.release(connection).catch(() => undefined));
    ws.on('message', (data) => {
      // The router answers every call with an envelope; a fault past it is this socket's, not the host's.
      answer(ws, connection, data).catch(() => ws.close(1011, 'internal error'));
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the browser host has no TCP address');
  const origin = `http://127.0.0.1:${address.port}`;
  // It listens on 127.0.0.1 only, so [::1] is not one of its names.
  authorities = new Set([`127.0.0.1:${address.port}`, `localhost:${address.port}`]);

  return {
    url: `${origin}/?key=${key}`,
    origin,
    engine,
    async close() {
      for (const client of sockets.clients) client.terminate();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await background.stop();
      await engine.audit.anchor().catch(() => undefined);
      engine.close();
    },
  };
}

/** What a client error from Node's HTTP parser is answered with; anything else is a 400. */
const CLIENT_ERROR_STATUS: Readonly<Record<string, number>> = { HPE_HEADER_OVERFLOW: 431, ERR_HTTP_REQUEST_TIMEOUT: 408 };

function refuse(response: ServerResponse, status: number): void {
  response.writeHead(status, REFUSAL_HEADERS).end();
}

/** A refusal written straight to a socket that has no response object (a client error, an upgrade), then the end of it. */
function endRaw(socket: Duplex, status: number): void {
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
}

/** A frame's bytes as text: one buffer, or the fragments of one message. */
function textOf(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(new Uint8Array(data)).toString('utf8');
}

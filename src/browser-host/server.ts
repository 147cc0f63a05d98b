import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { hostname } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { z } from 'zod';
import { createRouter, newConnection } from '../main/ipc/router.js';
import { testChannels } from './test-channels.js';
import { ManualClock } from '../main/engine/clock.js';
import { openEngine, type Engine } from '../main/engine/engine.js';
import { OsKeychain } from '../main/secrets/keychain.js';
import { constantTimeEqual } from '../main/engine/crypto/random.js';
import { bridgeScript } from './bridge-script.js';
import { osUserName } from '../main/host/host-setup.js';

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

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

const message = z.object({ id: z.number().int().nonnegative(), channel: z.string().max(100), input: z.unknown() });

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
  const key = randomBytes(32).toString('base64url');
  const rendererRoot = normalize(options.rendererDir);
  const bridge = bridgeScript(options.version);
  let origin = '';

  const server: Server = createServer((request, response) => {
    void (async () => {
      const path = new URL(request.url ?? '/', 'http://host').pathname;
      if (request.method !== 'GET') {
        response.writeHead(405).end();
        return;
      }
      if (path === '/__latchkey/bridge.js') {
        response.writeHead(200, { 'content-type': TYPES['.js'], 'cache-control': 'no-store' }).end(bridge);
        return;
      }
      const file = normalize(join(rendererRoot, path === '/' ? 'index.html' : decodeURIComponent(path)));
      if (!file.startsWith(rendererRoot + sep)) {
        response.writeHead(404).end();
        return;
      }
      try {
        let body = await readFile(file);
        if (file.endsWith(`${sep}index.html`)) {
          // The bridge must exist before the app's module runs; a classic script in <head> does.
          body = Buffer.from(body.toString('utf8').replace('<head>', '<head>\n    <script src="/__latchkey/bridge.js"></script>'));
        }
        response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'x-content-type-options': 'nosniff' }).end(body);
      } catch {
        response.writeHead(404).end();
      }
    })();
  });

  const sockets = new WebSocketServer({ noServer: true, maxPayload: 256 * 1024 });
  server.on('upgrade', (request: IncomingMessage, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://host');
    const offered = Buffer.from(url.searchParams.get('key') ?? '');
    if (url.pathname !== '/__latchkey/ws' || request.headers.origin !== origin || !constantTimeEqual(offered, Buffer.from(key))) {
      socket.write('HTTP/1.1 403 Forbidden\r\n\r\n');
      socket.destroy();
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws) => serve(ws, request));
  });

  function serve(ws: WebSocket, request: IncomingMessage): void {
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
      void (async () => {
        let parsed: z.infer<typeof message>;
        try {
          parsed = message.parse(JSON.parse(textOf(data)));
        } catch {
          ws.close(1003, 'malformed message');
          return;
        }
        const result = await router.route(connection, parsed.channel, parsed.input);
        ws.send(JSON.stringify({ id: parsed.id, result }));
      })();
    });
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the browser host has no TCP address');
  origin = `http://127.0.0.1:${address.port}`;

  return {
    url: `${origin}/?key=${key}`,
    origin,
    engine,
    async close() {
      for (const client of sockets.clients) client.terminate();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await engine.audit.anchor().catch(() => undefined);
      engine.close();
    },
  };
}


/** A frame's bytes as text: one buffer, or the fragments of one message. */
function textOf(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(new Uint8Array(data)).toString('utf8');
}

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startBrowserHost, type BrowserHost } from '../../src/browser-host/server.js';
import { auditEvents, signIn } from '../support/signed-in.js';
import { PASSWORDS, createTempVault, type TempVault } from '../support/temp-vault.js';

let vault: TempVault;
let host: BrowserHost;

beforeEach(async () => {
  vault = await createTempVault();
  const rendererDir = join(vault.dir, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><html><head><title>t</title></head><body></body></html>');
  writeFileSync(join(vault.dir, 'outside.txt'), 'not to be served');
  host = await startBrowserHost({
    vaultPath: vault.path,
    keychainService: vault.keychain.service,
    rendererDir,
    version: '1.2.3',
    testMode: true,
  });
});
afterEach(async () => {
  await host.close();
  await vault.dispose();
});

function keyOf(url: string): string {
  return new URL(url).searchParams.get('key') ?? '';
}

function connect(options: { key: string; origin: string }): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${host.origin.replace('http', 'ws')}/__latchkey/ws?key=${encodeURIComponent(options.key)}`, {
      origin: options.origin,
    });
    socket.once('open', () => resolve(socket));
    socket.once('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
    socket.once('error', reject);
  });
}

function ask(socket: WebSocket, channel: string, input: unknown = {}): Promise<{ ok: boolean; value?: unknown; error?: { code: string } }> {
  return new Promise((resolve) => {
    socket.once('message', (data) => resolve((JSON.parse(String(data)) as { result: { ok: boolean } }).result));
    socket.send(JSON.stringify({ id: 1, channel, input }));
  });
}

describe('the browser host', () => {
  it('listens on loopback only', () => {
    expect(new URL(host.origin).hostname).toBe('127.0.0.1');
  });

  it('serves the renderer with the bridge script placed before anything else in <head>', async () => {
    const page = await (await fetch(`${host.origin}/`)).text();
    expect(page).toMatch(/<head>\s*<script src="\/__latchkey\/bridge\.js"><\/script>/);
    const bridge = await (await fetch(`${host.origin}/__latchkey/bridge.js`)).text();
    expect(bridge).toContain('"1.2.3"');
    expect(bridge).not.toContain(keyOf(host.url));
  });

  it('serves nothing outside the renderer folder', async () => {
    expect((await fetch(`${host.origin}/..%2foutside.txt`)).status).toBe(404);
    expect((await fetch(`${host.origin}/%2e%2e/outside.txt`)).status).toBe(404);
  });

  it('refuses a WebSocket without the per-run key, or from another origin', async () => {
    await expect(connect({ key: 'wrong', origin: host.origin })).rejects.toThrow('HTTP 403');
    await expect(connect({ key: keyOf(host.url), origin: 'http://evil.example' })).rejects.toThrow('HTTP 403');
  });

  it('answers contract calls from its own origin with the key, through the same router', async () => {
    const socket = await connect({ key: keyOf(host.url), origin: host.origin });
    const status = await ask(socket, 'app.status');
    expect(status).toMatchObject({ ok: true, value: { version: '1.2.3', initialised: false } });
    const bad = await ask(socket, 'no.such.channel');
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    socket.close();
  });

  it("ends a page's session when its socket closes (a reload or a closed tab), so it no longer counts", async () => {
    const page = await connect({ key: keyOf(host.url), origin: host.origin });
    expect(await ask(page, 'setup.createAdmin', { username: 'root', password: PASSWORDS.admin })).toMatchObject({ ok: true });
    expect(await ask(page, 'auth.signIn', { username: 'root', password: PASSWORDS.admin })).toMatchObject({ ok: true });
    const admin = await signIn(host.engine, 'root', PASSWORDS.admin);
    const pageSession = () => host.engine.sessions.list(admin.caller, { allAccounts: true }).filter((s) => s.host === 'browser');
    expect(pageSession()).toHaveLength(1);

    const closed = new Promise((resolve) => page.once('close', resolve));
    page.close();
    await closed;
    await expect.poll(() => pageSession()).toHaveLength(0);
    expect(auditEvents(host.engine, 'session.closed')).toMatchObject([{ reason: 'window_closed', target: { name: 'root' } }]);
  });

  it('checks one password at a time for a name, however many sign-ins one socket sends at once', async () => {
    const page = await connect({ key: keyOf(host.url), origin: host.origin });
    expect(await ask(page, 'setup.createAdmin', { username: 'root', password: PASSWORDS.admin })).toMatchObject({ ok: true });
    const answers = new Map<number, string>();
    const all = new Promise<void>((resolve) => {
      page.on('message', (data) => {
        const reply = JSON.parse(String(data)) as { id: number; result: { ok: boolean; error?: { code: string } } };
        answers.set(reply.id, reply.result.ok ? 'ok' : (reply.result.error?.code ?? '?'));
        if (answers.size === 100) resolve();
      });
    });
    for (let id = 1; id <= 100; id += 1) {
      const password = id === 97 ? PASSWORDS.admin : PASSWORDS.bob;
      page.send(JSON.stringify({ id, channel: 'auth.signIn', input: { username: 'root', password } }));
    }
    await all;
    const codes = [...answers.values()];
    expect(answers.get(97)).toBe('LOCKED_OUT');
    expect(codes.filter((code) => code === 'INVALID_CREDENTIALS')).toHaveLength(1);
    expect(codes.filter((code) => code === 'LOCKED_OUT')).toHaveLength(99);
    page.close();
  });
});

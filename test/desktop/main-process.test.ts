import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '../../src/main/content-security-policy.js';
import { nativeBuildFolder } from '../../src/main/native-binding.js';
import { profileFolder } from '../../src/main/profile-folder.js';

/**
 * The built main process, run under Node with a stand-in for the electron module (no Electron
 * binary exists where these tests run). The engine, the vault and the keychain are real; the
 * stand-in only records what the main process registers, and its driver plays the window.
 * Electron's own behaviour (that it honours these settings) is not tested here.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const STAND_IN = join(ROOT, 'test', 'desktop', 'stand-in-electron');
const version = (name: string): string =>
  (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

const latchkeyVersion = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

interface Scene {
  readonly dir: string;
  readonly resources: string;
  readonly keychainService: string;
}

const scenes: Scene[] = [];
function newScene(): Scene {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-main-'));
  const scene = { dir, resources: join(dir, 'resources'), keychainService: `latchkey-test-${randomBytes(6).toString('hex')}` };
  scenes.push(scene);
  return scene;
}
afterAll(() => {
  for (const scene of scenes) rmSync(scene.dir, { recursive: true, force: true });
});

/** The stand-in packaged app needs a better-sqlite3 in its resources folder; under Node, the Node build is the right one. */
function packNativeBuild(scene: Scene): void {
  const target = {
    betterSqlite3Version: version('better-sqlite3'),
    electronVersion: version('electron'),
    platform: process.platform,
    arch: process.arch,
  };
  const folder = join(scene.resources, 'native', nativeBuildFolder(target));
  mkdirSync(folder, { recursive: true });
  copyFileSync(
    join(ROOT, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'),
    join(folder, 'better_sqlite3.node'),
  );
}

function runMain(scene: Scene, args: readonly string[]): Promise<Record<string, unknown>> {
  const node = [
    '--import',
    join(STAND_IN, 'register.mjs'),
    '--import',
    join(ROOT, 'out', 'main', 'index.js'),
    join(STAND_IN, 'driver.mjs'),
    '--',
    ...args,
  ];
  const env = { ...process.env, STAND_IN_RESOURCES: scene.resources, STAND_IN_KEYCHAIN_SERVICE: scene.keychainService };
  return new Promise((resolve, reject) => {
    execFile(process.execPath, node, { env, cwd: scene.dir, timeout: 30_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>);
    });
  });
}

/** Well-formed, but no vault ever issued it: the engine refuses it, which shows the link reached the engine. */
const LAUNCH_LINK = `latchkey://verify?token=${'A'.repeat(43)}`;

describe('the main process under a stand-in Electron', () => {
  let scene: Scene;
  let report: Record<string, unknown>;
  beforeAll(async () => {
    scene = newScene();
    packNativeBuild(scene);
    report = await runMain(scene, ['--vault', join(scene.dir, 'vault.db'), '--keychain-service', scene.keychainService, LAUNCH_LINK]);
  });

  it('opens the vault from the launch options before it opens one hardened window', () => {
    expect(report['dialogs']).toEqual([]);
    expect(report['windows']).toBe(1);
    expect(report['sandboxEnabled']).toBe(true);
    expect(report['privilegedSchemes']).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true } }]);
    expect(report['loadedUrl']).toBe('app://latchkey/index.html');
    expect(report['webPreferences']).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webviewTag: false,
      devTools: false,
    });
    expect(report['status']).toMatchObject({ ok: true, value: { vaultPath: join(scene.dir, 'vault.db'), initialised: false } });
  });

  it('answers our window through the router, and refuses another page or an iframe without reaching it', () => {
    const refused = { ok: false, error: { code: 'NOT_AUTHORISED', message: 'This page may not call Latchkey.' } };
    expect(report['fromOtherPage']).toEqual(refused);
    expect(report['fromIframe']).toEqual(refused);
    expect(report['setupOk']).toBe(true);
    expect(report['session']).toEqual({
      host: 'desktop',
      userAgent: `Latchkey/${latchkeyVersion} Electron/${version('electron')} (${process.platform})`,
    });
  });

  it('locks every window when the screen locks', () => {
    expect(report['peekBeforeLock']).toEqual({ ok: true, value: { state: 'signed_in', lockedUsername: null, reason: null } });
    expect(report['peekAfterLock']).toEqual({ ok: true, value: { state: 'locked', lockedUsername: 'root', reason: 'idle' } });
  });

  it('keeps its browser data, and its single-instance lock, per vault', () => {
    expect(report['userData']).toBe(profileFolder('/stand-in/app-data', join(scene.dir, 'vault.db')));
  });

  it('registers the latchkey:// scheme when packaged, and routes links from the launch and from a second instance to the engine', () => {
    expect(report['defaultProtocolClients']).toEqual(['latchkey']);
    const refused = { kind: 'link_refused', error: { code: 'LINK_INVALID', message: expect.stringContaining('not valid') } };
    expect(report['launchLinkNotices']).toEqual({ ok: true, value: [refused] });
    // The second instance's link is refused the same way and brings the window forward; the web link is ignored.
    expect(report['secondInstance']).toEqual({ focused: 1, notices: { ok: true, value: [refused] } });
    expect(report['noticesTaken']).toEqual({ ok: true, value: [] });
  });

  it('serves the renderer over app:// with the policy header, and denies navigation, new windows and permissions', () => {
    expect(report['page']).toEqual({ status: 200, type: 'text/html; charset=utf-8', csp: contentSecurityPolicy() });
    expect(report['outside']).toBe(404);
    expect(report['headers']).toEqual({ 'Content-Security-Policy': [contentSecurityPolicy()] });
    expect(report['permissionGranted']).toBe(false);
    expect(report['permissionCheck']).toBe(false);
    expect(report['navigationPrevented']).toBe(true);
    expect(report['windowOpen']).toEqual({ action: 'deny' });
  });

  it('closes the vault and removes the IPC handler before it quits', () => {
    expect(report['quit']).toEqual({ firstPrevented: true, quits: 1, handlerRemoved: true });
  });

  it('explains a missing Electron build of better-sqlite3 and quits before any window opens', async () => {
    const bare = newScene();
    const failed = await runMain(bare, ['--vault', join(bare.dir, 'vault.db'), '--keychain-service', bare.keychainService]);
    expect(failed['windows']).toBe(0);
    expect(failed['exits']).toEqual([1]);
    expect(JSON.stringify(failed['dialogs'])).toContain('could not find its database driver');
  });

  it('refuses invalid launch options in a dialog and quits', async () => {
    const failed = await runMain(newScene(), ['--keychain-service', 'two words']);
    expect(failed['windows']).toBe(0);
    expect(failed['exits']).toEqual([1]);
    expect(JSON.stringify(failed['dialogs'])).toContain('keychain service (from --keychain-service)');
  });
});

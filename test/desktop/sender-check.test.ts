import { describe, expect, it } from 'vitest';
import { desktopClient } from '../../src/main/desktop-client.js';
import { RENDERER_URL } from '../../src/main/renderer-protocol.js';
import { isTrustedSender, trustedRenderer, type SenderFacts } from '../../src/main/sender-check.js';

const packaged = trustedRenderer(true, undefined);
const developing = trustedRenderer(false, 'http://localhost:5173/');
const ours = (url: string | null): SenderFacts => ({ fromOurWindow: true, isMainFrame: true, url });

describe('sender check', () => {
  it('trusts the main frame of our window on the packaged page, with or without a hash or query', () => {
    expect(RENDERER_URL).toBe('app://latchkey/index.html');
    expect(isTrustedSender(ours('app://latchkey/index.html'), packaged)).toBe(true);
    expect(isTrustedSender(ours('app://latchkey/index.html#/admin/accounts'), packaged)).toBe(true);
    expect(isTrustedSender(ours('app://latchkey/index.html?screen=lock'), packaged)).toBe(true);
  });

  it('refuses an iframe, a window that is not ours, and a frame already gone', () => {
    expect(isTrustedSender({ fromOurWindow: true, isMainFrame: false, url: RENDERER_URL }, packaged)).toBe(false);
    expect(isTrustedSender({ fromOurWindow: false, isMainFrame: true, url: RENDERER_URL }, packaged)).toBe(false);
    expect(isTrustedSender(ours(null), packaged)).toBe(false);
  });

  it('refuses every other page, on our scheme or any other', () => {
    for (const url of [
      'app://latchkey/other.html',
      'app://latchkey/assets/index.js',
      'app://evil/index.html',
      'app://latchkey:8080/index.html',
      'app://user:pw@latchkey/index.html',
      'file:///opt/Latchkey/resources/app.asar/out/renderer/index.html',
      'https://latchkey/index.html',
      'http://localhost:5173/',
      'about:blank',
      'devtools://devtools/bundled/inspector.html',
      'not a url',
      '',
    ]) {
      expect(isTrustedSender(ours(url), packaged), url).toBe(false);
    }
  });

  it('trusts the dev server only in an unpackaged app, only on loopback, and only its exact origin', () => {
    expect(developing.devOrigin).toBe('http://localhost:5173');
    expect(isTrustedSender(ours('http://localhost:5173/'), developing)).toBe(true);
    expect(isTrustedSender(ours('http://localhost:5174/'), developing)).toBe(false);
    expect(isTrustedSender(ours('http://127.0.0.1:5173/'), developing)).toBe(false);
    expect(isTrustedSender(ours(RENDERER_URL), developing)).toBe(true);

    expect(trustedRenderer(true, 'http://localhost:5173/').devOrigin).toBeNull();
    expect(trustedRenderer(false, 'https://example.com/').devOrigin).toBeNull();
    expect(trustedRenderer(false, 'file:///tmp/index.html').devOrigin).toBeNull();
    expect(trustedRenderer(false, 'not a url').devOrigin).toBeNull();
    expect(trustedRenderer(false, 'http://127.0.0.1:5173').devOrigin).toBe('http://127.0.0.1:5173');
  });
});

describe('desktop client', () => {
  it('describes the app in the sessions it starts, with no address', () => {
    expect(
      desktopClient({ version: '0.1.0', electronVersion: '45.4.1', platform: 'linux', hostname: 'ada-laptop', osUser: 'ada' }),
    ).toEqual({
      host: 'desktop',
      deviceName: 'ada-laptop',
      osUser: 'ada',
      ip: null,
      userAgent: 'Latchkey/0.1.0 Electron/45.4.1 (linux)',
    });
  });
});

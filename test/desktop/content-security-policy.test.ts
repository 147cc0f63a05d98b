import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Session } from 'electron';
import { createServer, type InlineConfig } from 'vite';
import { afterEach, describe, expect, it, vi } from 'vitest';
import electronViteConfig from '../../electron.vite.config.js';
import { hardenSession } from '../../src/main/app-window.js';
import {
  contentSecurityPolicy,
  contentSecurityPolicyFor,
  devContentSecurityPolicy,
  devMetaContentSecurityPolicy,
  metaContentSecurityPolicy,
  withContentSecurityPolicy,
} from '../../src/main/content-security-policy.js';
import { trustedRenderer, type TrustedRenderer } from '../../src/main/sender-check.js';

// No Electron binary here, and hardenSession needs nothing from the module itself.
vi.mock('electron', () => ({ app: {}, BrowserWindow: class {}, protocol: {} }));

const INDEX_HTML = fileURLToPath(new URL('../../src/renderer/index.html', import.meta.url));
const DEV_ORIGIN = 'http://localhost:5173';

function directives(policy: string): string[] {
  return policy
    .split(';')
    .map((directive) => directive.trim().replace(/\s+/g, ' '))
    .filter(Boolean);
}

/** A directive's sources, e.g. ["'self'"] for "script-src 'self'". */
function sources(policy: string, name: string): string[] {
  const directive = directives(policy).find((candidate) => candidate.split(' ')[0] === name);
  expect(directive, `${name} in ${policy}`).toBeDefined();
  return directive!.split(' ').slice(1);
}

function metaPolicyOf(html: string): string | undefined {
  return /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
}

describe('content security policy', () => {
  it("states in the header exactly what the renderer's meta tag states, plus frame-ancestors", () => {
    const meta = metaPolicyOf(readFileSync(INDEX_HTML, 'utf8'));
    expect(meta, 'src/renderer/index.html has a CSP meta tag').toBeDefined();
    expect(directives(metaContentSecurityPolicy())).toEqual(directives(meta!));
    expect(directives(contentSecurityPolicy())).toEqual([...directives(meta!), "frame-ancestors 'none'"]);
  });

  it("allows scripts, styles and connections from the app's own origin only, and no plugins or base URL", () => {
    const policy = directives(contentSecurityPolicy());
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("object-src 'none'");
    expect(policy).toContain("base-uri 'none'");
    expect(contentSecurityPolicy()).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
  });

  it('gives the built app no inline script or style and no WebSocket, in the header or the meta tag', () => {
    for (const policy of [contentSecurityPolicy(), metaContentSecurityPolicy()]) {
      expect(sources(policy, 'script-src')).toEqual(["'self'"]);
      expect(sources(policy, 'style-src')).toEqual(["'self'"]);
      expect(sources(policy, 'connect-src')).toEqual(["'self'"]);
      expect(policy).not.toMatch(/wss?:/);
    }
  });

  it("replaces any policy a response brings, whatever the header's case, and keeps the other headers", () => {
    const headers = withContentSecurityPolicy({
      'content-security-policy': ['default-src *'],
      'Content-Type': ['text/html'],
      'CONTENT-SECURITY-POLICY': ["script-src 'unsafe-eval'"],
    });
    expect(headers).toEqual({ 'Content-Type': ['text/html'], 'Content-Security-Policy': [contentSecurityPolicy()] });
    expect(withContentSecurityPolicy(undefined)).toEqual({ 'Content-Security-Policy': [contentSecurityPolicy()] });
  });
});

describe("the dev server's policy", () => {
  it('adds only what hot reload needs: inline scripts and styles, and a WebSocket to the dev server itself', () => {
    const dev = devContentSecurityPolicy(DEV_ORIGIN);
    expect(sources(dev, 'script-src')).toEqual(["'self'", "'unsafe-inline'"]);
    expect(sources(dev, 'style-src')).toEqual(["'self'", "'unsafe-inline'"]);
    expect(sources(dev, 'connect-src')).toEqual(["'self'", 'ws://localhost:5173']);
    const loosened = new Set(['script-src', 'style-src', 'connect-src']);
    expect(directives(dev).filter((directive) => !loosened.has(directive.split(' ')[0]!))).toEqual(
      directives(contentSecurityPolicy()).filter((directive) => !loosened.has(directive.split(' ')[0]!)),
    );
    expect(dev).not.toMatch(/unsafe-eval|\*/);
    expect(directives(devMetaContentSecurityPolicy(DEV_ORIGIN))).toEqual(
      directives(dev).filter((directive) => !directive.startsWith('frame-ancestors')),
    );
  });

  it('uses a secure WebSocket for a dev server over https', () => {
    expect(sources(devContentSecurityPolicy('https://127.0.0.1:5174'), 'connect-src')).toEqual(["'self'", 'wss://127.0.0.1:5174']);
  });

  it("is chosen only for the dev server's own responses, only when the app is unpackaged and started against a loopback dev server", () => {
    const forApp = (packaged: boolean, devServerUrl: string | undefined, url: string | undefined): string =>
      contentSecurityPolicyFor(url, trustedRenderer(packaged, devServerUrl).devOrigin);
    const dev = devContentSecurityPolicy(DEV_ORIGIN);

    expect(forApp(false, `${DEV_ORIGIN}/`, `${DEV_ORIGIN}/`)).toBe(dev);
    expect(forApp(false, `${DEV_ORIGIN}/`, `${DEV_ORIGIN}/src/main.tsx?t=1`)).toBe(dev);
    // A packaged app ignores ELECTRON_RENDERER_URL, and an unpackaged one started without it is not in dev mode.
    expect(forApp(true, `${DEV_ORIGIN}/`, `${DEV_ORIGIN}/`)).toBe(contentSecurityPolicy());
    expect(forApp(false, undefined, `${DEV_ORIGIN}/`)).toBe(contentSecurityPolicy());
    // Only a loopback dev server counts as one.
    expect(forApp(false, 'http://dev.example:5173/', 'http://dev.example:5173/')).toBe(contentSecurityPolicy());
    // Even in dev, nothing but the dev server's own origin gets the looser policy.
    for (const url of [
      'app://latchkey/index.html',
      'http://localhost:5174/',
      'https://localhost:5173/',
      'http://127.0.0.1:5173/',
      'not a url',
      undefined,
    ]) {
      expect(forApp(false, `${DEV_ORIGIN}/`, url), String(url)).toBe(contentSecurityPolicy());
    }
  });
});

describe('hardenSession', () => {
  /** The policy the hardened session puts on a response from `url`. */
  function hardened(trusted: TrustedRenderer): (url: string) => string {
    let onHeadersReceived:
      | ((
          details: { url: string; responseHeaders: Record<string, string[]> },
          callback: (response: { responseHeaders: Record<string, string[]> }) => void,
        ) => void)
      | undefined;
    const session = {
      setPermissionRequestHandler: () => undefined,
      setPermissionCheckHandler: () => undefined,
      setDevicePermissionHandler: () => undefined,
      webRequest: { onHeadersReceived: (listener: typeof onHeadersReceived) => (onHeadersReceived = listener) },
    };
    hardenSession(session as unknown as Session, trusted);
    return (url) => {
      let policy = '';
      onHeadersReceived!(
        { url, responseHeaders: { 'content-security-policy': ['default-src *'] } },
        ({ responseHeaders }) => (policy = responseHeaders['Content-Security-Policy']![0]!),
      );
      return policy;
    };
  }

  it('gives a packaged app the strict policy everywhere, whatever ELECTRON_RENDERER_URL says', () => {
    const policyFor = hardened(trustedRenderer(true, DEV_ORIGIN));
    expect(policyFor(`${DEV_ORIGIN}/`)).toBe(contentSecurityPolicy());
    expect(policyFor('app://latchkey/index.html')).toBe(contentSecurityPolicy());
  });

  it("gives `npm run dev`'s dev server the dev policy, and app:// still the strict one", () => {
    const policyFor = hardened(trustedRenderer(false, DEV_ORIGIN));
    expect(policyFor(`${DEV_ORIGIN}/`)).toBe(devContentSecurityPolicy(DEV_ORIGIN));
    expect(policyFor('app://latchkey/index.html')).toBe(contentSecurityPolicy());
    expect(hardened({ devOrigin: null })(`${DEV_ORIGIN}/`)).toBe(contentSecurityPolicy());
  });
});

describe("the renderer's page", () => {
  afterEach(() => vi.unstubAllEnvs());

  it('states the dev policy in its meta tag when the dev server serves it, and leaves every inline script allowed', async () => {
    vi.stubEnv('ELECTRON_RENDERER_URL', DEV_ORIGIN);
    const renderer = electronViteConfig.renderer as InlineConfig;
    const server = await createServer({ ...renderer, configFile: false, logLevel: 'silent', server: { middlewareMode: true, ws: false } });
    try {
      const html = await server.transformIndexHtml('/', readFileSync(INDEX_HTML, 'utf8'));
      expect(metaPolicyOf(html)).toBe(devMetaContentSecurityPolicy(DEV_ORIGIN));
      // The React Fast Refresh preamble: inline, so only 'unsafe-inline' lets it run.
      expect(html).toMatch(/<script type="module">[^<]*injectIntoGlobalHook/);
      expect(sources(devContentSecurityPolicy(DEV_ORIGIN), 'script-src')).toContain("'unsafe-inline'");
    } finally {
      await server.close();
    }
  });
});

import { readFile } from 'node:fs/promises';
import { BrowserWindow, protocol, type Session, type WebContents } from 'electron';
import { contentSecurityPolicyFor, withContentSecurityPolicy } from './content-security-policy.js';
import { RENDERER_SCHEME, RENDERER_URL, rendererFileFor, rendererResponseHeaders } from './renderer-protocol.js';
import type { TrustedRenderer } from './sender-check.js';

/**
 * Must run before the app is ready. `standard` gives app://latchkey a real origin (so 'self',
 * relative URLs and the sender check work); `secure` makes it a secure context like https. No
 * other privilege: without `corsEnabled` no other origin can read it, without `bypassCSP` our
 * policy holds, and without `supportFetchAPI` the page cannot fetch() its own files.
 */
export function registerRendererScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: RENDERER_SCHEME, privileges: { standard: true, secure: true } }]);
}

/** Serves the built renderer, and nothing else, at app://latchkey/. */
export function serveRenderer(rendererRoot: string): void {
  protocol.handle(RENDERER_SCHEME, async (request) => {
    const file = request.method === 'GET' ? rendererFileFor(request.url, rendererRoot) : null;
    if (file === null) return new Response('Not found', { status: 404 });
    try {
      return new Response(await readFile(file), { headers: rendererResponseHeaders(file) });
    } catch {
      return new Response('Not found', { status: 404 });
    }
  });
}

/**
 * Hardens the session every window uses: every permission request is denied (nothing in a
 * sign-in vault needs the camera, notifications, clipboard reads or USB), and every response carries
 * our Content-Security-Policy, the dev server's included. The dev server's own responses get the
 * dev policy, since hot reload cannot run under the strict one; only an unpackaged app can have a
 * dev origin in `trusted` (the same value the IPC sender check uses), so a packaged one never
 * serves it.
 */
export function hardenSession(target: Session, trusted: TrustedRenderer): void {
  target.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  target.setPermissionCheckHandler(() => false);
  target.setDevicePermissionHandler(() => false);
  target.webRequest.onHeadersReceived((details, callback) => {
    const policy = contentSecurityPolicyFor(details.url, trusted.devOrigin);
    callback({ responseHeaders: withContentSecurityPolicy(details.responseHeaders, policy) });
  });
}

/** The app shows only its own page: no navigation away, no new windows, no <webview>, in any frame. */
export function confineToOwnPage(contents: WebContents): void {
  contents.on('will-frame-navigate', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

export function createMainWindow(options: {
  readonly preload: string;
  readonly trusted: TrustedRenderer;
  readonly packaged: boolean;
}): BrowserWindow {
  const window = new BrowserWindow({
    title: 'Latchkey',
    width: 960,
    height: 720,
    show: false,
    webPreferences: {
      preload: options.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      // A middle click would otherwise ask for a new window; the open handler denies it anyway.
      disableBlinkFeatures: 'Auxclick',
      // A packaged app has no use for developer tools; they would let anyone at the keyboard script the page.
      devTools: !options.packaged,
    },
  });
  window.once('ready-to-show', () => window.show());
  void window.loadURL(options.trusted.devOrigin ?? RENDERER_URL);
  return window;
}

import { RENDERER_HOST, RENDERER_PAGE, RENDERER_SCHEME } from './renderer-protocol.js';

/** The pages allowed to call the contract. */
export interface TrustedRenderer {
  /** The Vite dev server's origin, only in an unpackaged app started by `npm run dev`; otherwise null. */
  readonly devOrigin: string | null;
}

/** What Electron tells us about the frame behind one IPC message. */
export interface SenderFacts {
  /** The message came from a window this process created (not a devtools or foreign webContents). */
  readonly fromOurWindow: boolean;
  /** The frame is its window's top-level frame, not an iframe inside it. */
  readonly isMainFrame: boolean;
  /** The frame's current URL; null when the frame is gone (it navigated or was destroyed). */
  readonly url: string | null;
}

/**
 * The dev server may serve the app only while developing, only over loopback: a packaged app
 * ignores ELECTRON_RENDERER_URL, so no environment variable can point it at another page.
 */
export function trustedRenderer(packaged: boolean, devServerUrl: string | undefined): TrustedRenderer {
  if (packaged || devServerUrl === undefined) return { devOrigin: null };
  const url = URL.canParse(devServerUrl) ? new URL(devServerUrl) : null;
  const loopback =
    url !== null && (url.protocol === 'http:' || url.protocol === 'https:') && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  return { devOrigin: loopback ? url.origin : null };
}

/**
 * VS Code's rule: every IPC handler checks the sender before anything else. Only the main frame of
 * one of our windows showing our own page may call; an iframe, a page that somehow navigated
 * elsewhere, or a frame already gone is refused.
 */
export function isTrustedSender(sender: SenderFacts, trusted: TrustedRenderer): boolean {
  if (!sender.fromOurWindow || !sender.isMainFrame || sender.url === null || !URL.canParse(sender.url)) return false;
  const url = new URL(sender.url);
  if (trusted.devOrigin !== null && (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === trusted.devOrigin)
    return true;
  return (
    url.protocol === `${RENDERER_SCHEME}:` &&
    url.hostname === RENDERER_HOST &&
    url.port === '' &&
    url.username === '' &&
    url.password === '' &&
    url.pathname === `/${RENDERER_PAGE}`
  );
}

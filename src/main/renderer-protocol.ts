import { extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { contentSecurityPolicy } from './content-security-policy.js';

/**
 * The packaged renderer is served from `app://latchkey/index.html`, not from file://. A file://
 * page shares one scheme with every file on the disk, and 'self' in its CSP covers them all; this
 * origin holds only the built renderer, so 'self' means exactly our bundle, the sender check can
 * compare an exact URL, and nothing here needs file://'s extra privileges (the fuse turns them off).
 */
export const RENDERER_SCHEME = 'app';
export const RENDERER_HOST = 'latchkey';
export const RENDERER_PAGE = 'index.html';
export const RENDERER_URL = `${RENDERER_SCHEME}://${RENDERER_HOST}/${RENDERER_PAGE}`;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/**
 * The file under `root` (the built renderer) that an `app://latchkey/…` URL names, or null for
 * any other host, an undecodable path, or one that climbs out of `root`.
 */
export function rendererFileFor(url: string, root: string): string | null {
  if (!URL.canParse(url)) return null;
  const parsed = new URL(url);
  if (parsed.protocol !== `${RENDERER_SCHEME}:` || parsed.hostname !== RENDERER_HOST || parsed.port !== '') return null;
  let path: string;
  try {
    path = decodeURIComponent(parsed.pathname);
  } catch {
    return null;
  }
  if (path.includes('\0') || path.includes('\\')) return null;
  const base = resolve(root);
  const file = resolve(join(base, path === '/' || path === '' ? RENDERER_PAGE : path));
  const inside = relative(base, file);
  if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) return null;
  return file;
}

/** The headers every renderer file is served with; the CSP comes with the page as a header as well as in its meta tag. */
export function rendererResponseHeaders(file: string): Record<string, string> {
  return {
    'content-type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'content-security-policy': contentSecurityPolicy(),
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  };
}

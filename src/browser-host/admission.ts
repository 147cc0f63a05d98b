import type { IncomingMessage } from 'node:http';

/**
 * Far longer than any file of the built renderer plus the per-run key; a longer target is refused
 * before it is decoded, so nothing downstream works on a name no file can have.
 */
export const MAX_TARGET_LENGTH = 2048;

/** A request the host may go on to serve: its decoded path and its query. */
export interface Admitted {
  readonly admitted: true;
  readonly path: string;
  readonly query: URLSearchParams;
  /** The authority it was sent to, lower-cased: one of the host's own. */
  readonly authority: string;
}

export interface Refused {
  readonly admitted: false;
  readonly status: 400 | 414 | 421;
}

/**
 * The checks every request passes before the page or the WebSocket looks at it: a target that can
 * be read, and an authority that is one of `authorities` (the exact host:port pairs the host
 * listens on). The Host check is what stops DNS rebinding: a page on evil.example whose name now
 * resolves to 127.0.0.1 reaches this port, but it still says `Host: evil.example`.
 */
export function admit(request: IncomingMessage, authorities: ReadonlySet<string>): Admitted | Refused {
  const raw = request.url ?? '';
  if (raw.length > MAX_TARGET_LENGTH) return { admitted: false, status: 414 };
  // RFC 9112 §3.2.2: a target in absolute form names its authority, and that one counts, not Host.
  const absolute = /^http:\/\/([^/?#]*)(.*)$/i.exec(raw);
  let originForm = raw;
  if (absolute !== null) {
    const rest = absolute[2] ?? '';
    originForm = rest.startsWith('/') ? rest : `/${rest}`;
  }
  if (!originForm.startsWith('/')) return { admitted: false, status: 400 };
  const queryAt = originForm.indexOf('?');
  const encodedPath = queryAt === -1 ? originForm : originForm.slice(0, queryAt);
  let path: string;
  try {
    path = decodeURIComponent(encodedPath);
  } catch {
    return { admitted: false, status: 400 };
  }
  // The same names the app's own protocol refuses (rendererFileFor): no file of ours has them.
  if (path.includes('\0') || path.includes('\\')) return { admitted: false, status: 400 };

  // RFC 9112 §3.2: more than one Host is a bad request. Node answers 400 itself to an HTTP/1.1
  // request without one; an HTTP/1.0 request without one names no authority of ours.
  const hosts = request.headersDistinct['host'] ?? [];
  if (hosts.length > 1) return { admitted: false, status: 400 };
  const authority = (absolute?.[1] ?? hosts[0])?.toLowerCase();
  if (authority === undefined || !authorities.has(authority)) return { admitted: false, status: 421 };
  return { admitted: true, path, query: new URLSearchParams(queryAt === -1 ? '' : originForm.slice(queryAt + 1)), authority };
}

/**
 * The renderer's Content-Security-Policy, the same directives as the meta tag in
 * src/renderer/index.html (a test keeps the two equal). Sent as a response header too, because a
 * header also covers what a meta tag cannot: it is in force before the first byte of the page is
 * parsed, and only a header may say `frame-ancestors`.
 */
const DIRECTIVES: readonly string[] = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
];

/** Directives that have no effect in a meta tag; a page of ours is never framed. */
const HEADER_ONLY_DIRECTIVES: readonly string[] = ["frame-ancestors 'none'"];

/**
 * What the Vite dev server's page needs beyond the built app, and nothing a built app is ever given:
 * React Fast Refresh needs an inline preamble script (its text belongs to @vitejs/plugin-react, so
 * a hash would break on any upgrade of it), Vite adds every imported stylesheet and its error
 * overlay as inline styles, and hot reload talks to the dev server over a WebSocket.
 */
function devDirectives(devOrigin: string): string[] {
  const server = new URL(devOrigin);
  const socket = `${server.protocol === 'https:' ? 'wss:' : 'ws:'}//${server.host}`;
  return DIRECTIVES.map((directive) => {
    const [name] = directive.split(' ');
    if (name === 'script-src' || name === 'style-src') return `${directive} 'unsafe-inline'`;
    if (name === 'connect-src') return `${directive} ${socket}`;
    return directive;
  });
}

/** The policy as the meta tag states it. */
export function metaContentSecurityPolicy(): string {
  return DIRECTIVES.join('; ');
}

/** The policy as the response header states it. */
export function contentSecurityPolicy(): string {
  return [...DIRECTIVES, ...HEADER_ONLY_DIRECTIVES].join('; ');
}

/** The dev server's page policy, as the meta tag in the served page states it. */
export function devMetaContentSecurityPolicy(devOrigin: string): string {
  return devDirectives(devOrigin).join('; ');
}

/** The dev server's page policy, as the response header states it. */
export function devContentSecurityPolicy(devOrigin: string): string {
  return [...devDirectives(devOrigin), ...HEADER_ONLY_DIRECTIVES].join('; ');
}

/**
 * The policy for one response. `devOrigin` is non-null only in an unpackaged app started by
 * `npm run dev` (see trustedRenderer), and even then only the dev server's own responses get the
 * looser policy; everything else, app:// included, keeps the strict one.
 */
export function contentSecurityPolicyFor(url: string | undefined, devOrigin: string | null): string {
  if (devOrigin !== null && url !== undefined && URL.canParse(url) && new URL(url).origin === devOrigin)
    return devContentSecurityPolicy(devOrigin);
  return contentSecurityPolicy();
}

/**
 * Response headers with our policy in place of any the server sent (the dev server sends none;
 * a header of another case would otherwise survive beside ours).
 */
export function withContentSecurityPolicy(
  headers: Readonly<Record<string, string[]>> | undefined,
  policy: string = contentSecurityPolicy(),
): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() !== 'content-security-policy') result[name] = values;
  }
  result['Content-Security-Policy'] = [policy];
  return result;
}

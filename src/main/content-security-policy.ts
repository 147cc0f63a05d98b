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

/** The policy as the meta tag states it. */
export function metaContentSecurityPolicy(): string {
  return DIRECTIVES.join('; ');
}

/** The policy as the response header states it. */
export function contentSecurityPolicy(): string {
  return [...DIRECTIVES, ...HEADER_ONLY_DIRECTIVES].join('; ');
}

/**
 * Response headers with our policy in place of any the server sent (the dev server sends none;
 * a header of another case would otherwise survive beside ours).
 */
export function withContentSecurityPolicy(headers: Readonly<Record<string, string[]>> | undefined): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() !== 'content-security-policy') result[name] = values;
  }
  result['Content-Security-Policy'] = [contentSecurityPolicy()];
  return result;
}

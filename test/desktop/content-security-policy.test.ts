import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, metaContentSecurityPolicy, withContentSecurityPolicy } from '../../src/main/content-security-policy.js';

const INDEX_HTML = fileURLToPath(new URL('../../src/renderer/index.html', import.meta.url));

function directives(policy: string): string[] {
  return policy
    .split(';')
    .map((directive) => directive.trim().replace(/\s+/g, ' '))
    .filter(Boolean);
}

describe('content security policy', () => {
  it('states in the header exactly what the renderer\'s meta tag states, plus frame-ancestors', () => {
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(readFileSync(INDEX_HTML, 'utf8'))?.[1];
    expect(meta, 'src/renderer/index.html has a CSP meta tag').toBeDefined();
    expect(directives(metaContentSecurityPolicy())).toEqual(directives(meta!));
    expect(directives(contentSecurityPolicy())).toEqual([...directives(meta!), "frame-ancestors 'none'"]);
  });

  it('allows scripts, styles and connections from the app\'s own origin only, and no plugins or base URL', () => {
    const policy = directives(contentSecurityPolicy());
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("object-src 'none'");
    expect(policy).toContain("base-uri 'none'");
    expect(contentSecurityPolicy()).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
  });

  it('replaces any policy a response brings, whatever the header\'s case, and keeps the other headers', () => {
    const headers = withContentSecurityPolicy({
      'content-security-policy': ["default-src *"],
      'Content-Type': ['text/html'],
      'CONTENT-SECURITY-POLICY': ["script-src 'unsafe-eval'"],
    });
    expect(headers).toEqual({ 'Content-Type': ['text/html'], 'Content-Security-Policy': [contentSecurityPolicy()] });
    expect(withContentSecurityPolicy(undefined)).toEqual({ 'Content-Security-Policy': [contentSecurityPolicy()] });
  });
});

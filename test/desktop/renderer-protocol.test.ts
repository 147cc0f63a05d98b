import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '../../src/main/content-security-policy.js';
import { rendererFileFor, rendererResponseHeaders } from '../../src/main/renderer-protocol.js';

const ROOT = resolve('/opt/Latchkey/resources/app.asar/out/renderer');

describe('renderer protocol', () => {
  it('serves the page and its assets from the built renderer folder', () => {
    expect(rendererFileFor('app://latchkey/index.html', ROOT)).toBe(join(ROOT, 'index.html'));
    expect(rendererFileFor('app://latchkey/', ROOT)).toBe(join(ROOT, 'index.html'));
    expect(rendererFileFor('app://latchkey/assets/index-DGunemKI.js', ROOT)).toBe(join(ROOT, 'assets', 'index-DGunemKI.js'));
    expect(rendererFileFor('app://latchkey/index.html?x=1#/lock', ROOT)).toBe(join(ROOT, 'index.html'));
  });

  it('keeps dot segments inside the folder, as the URL parser resolves them before any lookup', () => {
    expect(rendererFileFor('app://latchkey/../main/index.js', ROOT)).toBe(join(ROOT, 'main', 'index.js'));
    expect(rendererFileFor('app://latchkey/%2e%2e/main/index.js', ROOT)).toBe(join(ROOT, 'main', 'index.js'));
    expect(rendererFileFor('app://latchkey/assets/%2e%2e/%2e%2e/%2e%2e/app.asar', ROOT)).toBe(join(ROOT, 'app.asar'));
  });

  it('refuses a path that would climb out only once decoded, a NUL, a backslash or a broken escape', () => {
    for (const url of [
      'app://latchkey/..%2fmain%2findex.js',
      'app://latchkey/assets/..%2f..%2f..%2fapp.asar',
      'app://latchkey/..%5cmain%5cindex.js',
      'app://latchkey/assets/%00.js',
      'app://latchkey/%E0%A4%A',
    ]) {
      expect(rendererFileFor(url, ROOT), url).toBeNull();
    }
  });

  it('answers only for its own host', () => {
    expect(rendererFileFor('app://other/index.html', ROOT)).toBeNull();
    expect(rendererFileFor('app://latchkey:1234/index.html', ROOT)).toBeNull();
    expect(rendererFileFor('file:///opt/Latchkey/resources/app.asar/out/renderer/index.html', ROOT)).toBeNull();
    expect(rendererFileFor('not a url', ROOT)).toBeNull();
  });

  it('sends each file with its type, the policy, no sniffing and no caching', () => {
    expect(rendererResponseHeaders(join(ROOT, 'index.html'))).toEqual({
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': contentSecurityPolicy(),
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    });
    expect(rendererResponseHeaders(join(ROOT, 'assets', 'a.js'))['content-type']).toBe('text/javascript; charset=utf-8');
    expect(rendererResponseHeaders(join(ROOT, 'assets', 'a.css'))['content-type']).toBe('text/css; charset=utf-8');
    expect(rendererResponseHeaders(join(ROOT, 'assets', 'blob.bin'))['content-type']).toBe('application/octet-stream');
  });
});

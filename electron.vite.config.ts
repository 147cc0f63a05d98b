import { readFileSync } from 'node:fs';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import { devMetaContentSecurityPolicy } from './src/main/content-security-policy.js';

const packageJson = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  version: string;
};

// A native addon loads its compiled .node file at run time, so it can never be bundled. electron-vite
// already leaves every package.json dependency external in main; this keeps these two so regardless.
const nativeModules = ['better-sqlite3', 'keytar'];
const buildTimeVersion = { __LATCHKEY_VERSION__: JSON.stringify(packageJson.version) };

const META_CSP = /(http-equiv="Content-Security-Policy"\s+content=")[^"]*(")/;

/**
 * A page obeys both its meta tag and the header, so the dev server's page must state the dev policy
 * in its tag as well as getting it in the header from the main process. Only `serve` applies this:
 * a build ships index.html's strict tag as written.
 */
function devContentSecurityPolicyTag(): Plugin {
  return {
    name: 'latchkey:dev-content-security-policy',
    apply: 'serve',
    transformIndexHtml(html, { server }) {
      // The URL electron-vite hands the main process, so the tag names the origin the window loads.
      const url = process.env['ELECTRON_RENDERER_URL'] ?? server?.resolvedUrls?.local[0];
      if (url === undefined) throw new Error('The renderer dev server has no URL to allow in its Content-Security-Policy.');
      if (!META_CSP.test(html))
        throw new Error('src/renderer/index.html has no Content-Security-Policy meta tag to relax for the dev server.');
      const policy = devMetaContentSecurityPolicy(new URL(url).origin);
      return html.replace(META_CSP, (_match, before: string, after: string) => `${before}${policy}${after}`);
    },
  };
}

export default defineConfig({
  // electron-vite leaves main and preload unminified, and so do we: they run from disk, where size
  // costs nothing, and their stack traces stay readable in crash reports and logs.
  main: {
    define: buildTimeVersion,
    build: {
      rollupOptions: { external: nativeModules },
    },
  },
  preload: {
    define: buildTimeVersion,
    build: {
      // A sandboxed preload cannot load modules from disk: it must be a single CommonJS file
      // whose only require is 'electron'. Everything else is bundled in.
      externalizeDeps: false,
      rollupOptions: {
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src/renderer',
    plugins: [react(), devContentSecurityPolicyTag()],
    build: {
      // electron-vite turns minification off for every target; the renderer is parsed on every
      // window load, and the browser host serves it over HTTP, so it is worth minifying.
      minify: true,
    },
  },
});

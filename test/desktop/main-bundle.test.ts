import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * What `npm run build` put in out/main is what the app runs. It must carry none of the browser
 * host (a WebSocket server that answers any local page holding its key, and a test clock) and
 * nothing from test/. Read after the build, which `npm test` runs first.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const OUT_MAIN = join(ROOT, 'out', 'main');

function bundleFiles(): string[] {
  if (!existsSync(OUT_MAIN)) throw new Error('out/main is missing: run `npm run build` first.');
  return readdirSync(OUT_MAIN, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(c|m)?js$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}

const importsOf = (source: string): string[] => ts.preProcessFile(source, true, true).importedFiles.map((file) => file.fileName);
const packageOf = (specifier: string): string =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');
const NODE_BUILTINS = new Set(builtinModules);
const PACKAGE_JSON = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };

describe('the built main process', () => {
  const files = bundleFiles();
  const sources = files.map((file) => ({ file: relative(ROOT, file), text: readFileSync(file, 'utf8') }));

  it('imports only Node, Electron, its own chunks and the production dependencies', () => {
    expect(files.length).toBeGreaterThan(0);
    const allowed = (specifier: string): boolean =>
      specifier.startsWith('node:') ||
      NODE_BUILTINS.has(specifier) ||
      specifier === 'electron' ||
      (specifier.startsWith('./') && !specifier.includes('..')) ||
      Object.hasOwn(PACKAGE_JSON.dependencies, packageOf(specifier));
    const strays = sources.flatMap(({ file, text }) =>
      importsOf(text)
        .filter((specifier) => !allowed(specifier))
        .map((specifier) => `${file}: ${specifier}`),
    );
    expect(strays).toEqual([]);
  });

  it('never imports from test/ or the browser host', () => {
    const reaches = sources.flatMap(({ file, text }) =>
      importsOf(text)
        .filter((specifier) => /(^|\/)(test|browser-host)(\/|$)/.test(specifier) || packageOf(specifier) === 'ws')
        .map((specifier) => `${file}: ${specifier}`),
    );
    expect(reaches).toEqual([]);
  });

  it("bundles none of the browser host's code", () => {
    const markers = ['startBrowserHost', 'bridgeScript', '__latchkey/bridge.js', '__latchkey/ws', 'WebSocketServer', '--test-mode'];
    const found = sources.flatMap(({ file, text }) =>
      markers.filter((marker) => text.includes(marker)).map((marker) => `${file}: ${marker}`),
    );
    expect(found).toEqual([]);
  });
});

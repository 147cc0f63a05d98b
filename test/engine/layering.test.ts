import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * design.md's layers, checked by reading every import rather than by memory: the engine and the
 * hosts below Electron never load electron, src/shared is plain (zod only), and the renderer
 * reaches nothing of Node or of main.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Every module specifier a file names: static and type imports, re-exports, import(), require(). */
function importsOf(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((file) => file.fileName);
}

function sourceFiles(folder: string): string[] {
  const absolute = join(ROOT, folder);
  return readdirSync(absolute, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(ts|tsx|mts|cts)$/.test(entry.name))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

const NODE_BUILTINS = new Set(builtinModules);
const isNodeModule = (specifier: string): boolean => specifier.startsWith('node:') || NODE_BUILTINS.has(specifier.split('/')[0]!);
const isElectron = (specifier: string): boolean => specifier === 'electron' || specifier.startsWith('electron/');
const isRelative = (specifier: string): boolean => specifier.startsWith('.');
/** The package a bare specifier names: `@scope/name` or `name`. */
const packageOf = (specifier: string): string =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');
/** Where a relative import lands, as a path from the project root with forward slashes. */
const target = (file: string, specifier: string): string =>
  relative(ROOT, resolve(ROOT, dirname(file), specifier))
    .split(sep)
    .join('/');
const inside = (path: string, folder: string): boolean => path === folder || path.startsWith(`${folder}/`);

type Rule = (file: string, specifier: string) => string | null;

const noElectron: Rule = (_file, specifier) => (isElectron(specifier) ? 'imports electron' : null);

const sharedIsPlain: Rule = (file, specifier) => {
  if (isNodeModule(specifier)) return 'imports a Node module';
  if (isRelative(specifier)) return inside(target(file, specifier), 'src/shared') ? null : 'reaches outside src/shared';
  return packageOf(specifier) === 'zod' ? null : `imports the package ${packageOf(specifier)}`;
};

/** The engine is below every host: it never reaches up into the router, the CLI, the browser host or the Electron glue. */
const engineBelowHosts: Rule = (file, specifier) => {
  if (!isRelative(specifier)) return null;
  const to = target(file, specifier);
  for (const host of ['src/main/ipc', 'src/cli', 'src/browser-host', 'src/preload', 'src/renderer']) {
    if (inside(to, host)) return `imports from ${host}`;
  }
  return /^src\/main\/[^/]+$/.test(to) ? 'imports the Electron glue' : null;
};

const ENGINE_ENTRY = 'src/main/engine/index.ts';

/**
 * A host (the Electron glue, the router, the CLI, the browser host, the host setup) reaches the
 * engine through its one entry module and never the store: what the engine offers is read in one
 * file, and a change behind it touches no host.
 */
const hostsThroughEntry: Rule = (file, specifier) => {
  if (!isRelative(specifier)) return null;
  const to = target(file, specifier).replace(/\.js$/, '.ts');
  if (inside(to, 'src/main/store')) return 'reaches into the store';
  if (inside(to, 'src/main/engine') && to !== ENGINE_ENTRY) return `reaches past ${ENGINE_ENTRY}`;
  return null;
};
const HOSTS = ['src/cli', 'src/main/ipc', 'src/browser-host', 'src/main/host'];
/** The Electron glue: the files directly in src/main. */
const glueFiles = (): string[] => sourceFiles('src/main').filter((file) => /^src\/main\/[^/]+$/.test(file.split(sep).join('/')));

const rendererIsBrowserOnly: Rule = (file, specifier) => {
  if (isNodeModule(specifier)) return 'imports a Node module';
  if (['better-sqlite3', 'keytar', 'electron'].includes(packageOf(specifier))) return `imports ${packageOf(specifier)}`;
  if (isRelative(specifier) && inside(target(file, specifier), 'src/main')) return 'imports from src/main';
  if (/^(src\/)?main(\/|$)/.test(specifier) || specifier.includes('/src/main/')) return 'imports from src/main';
  return null;
};

function violations(folders: string[], rule: Rule, read?: (file: string) => string): string[] {
  return violationsIn(folders.flatMap(sourceFiles), rule, read);
}

function violationsIn(
  files: string[],
  rule: Rule,
  read: (file: string) => string = (file) => readFileSync(join(ROOT, file), 'utf8'),
): string[] {
  return files
    .flatMap((file) => importsOf(read(file)).map((specifier) => ({ file, specifier, problem: rule(file, specifier) })))
    .filter((found) => found.problem !== null)
    .map(({ file, specifier, problem }) => `${file}: ${problem} ('${specifier}')`);
}

describe('layering', () => {
  it('finds imports of every form, and only real ones', () => {
    const source = [
      "import { app } from 'electron';",
      'import type { BrowserWindow } from "electron";',
      "export { ipcMain } from 'electron/main';",
      "const lazy = await import('electron');",
      "const legacy = require('electron');",
      "import {\n  a,\n  b,\n} from 'multi-line';",
      "// import { commented } from 'not-an-import';",
      'const text = "import x from \'inside-a-string\'";',
    ].join('\n');
    expect(importsOf(source)).toEqual(['electron', 'electron', 'electron/main', 'electron', 'electron', 'multi-line']);
  });

  it("tells the rules' violations from what they allow", () => {
    expect(noElectron('src/main/engine/x.ts', 'electron')).not.toBeNull();
    expect(noElectron('src/main/engine/x.ts', 'electron/main')).not.toBeNull();
    expect(noElectron('src/main/engine/x.ts', 'electron-vite')).toBeNull();

    expect(sharedIsPlain('src/shared/x.ts', 'node:fs')).not.toBeNull();
    expect(sharedIsPlain('src/shared/x.ts', 'path')).not.toBeNull();
    expect(sharedIsPlain('src/shared/x.ts', 'react')).not.toBeNull();
    expect(sharedIsPlain('src/shared/x.ts', '../main/engine/engine.js')).not.toBeNull();
    expect(sharedIsPlain('src/shared/x.ts', 'zod')).toBeNull();
    expect(sharedIsPlain('src/shared/x.ts', './errors.js')).toBeNull();

    expect(rendererIsBrowserOnly('src/renderer/src/App.tsx', 'node:path')).not.toBeNull();
    expect(rendererIsBrowserOnly('src/renderer/src/App.tsx', 'fs')).not.toBeNull();
    expect(rendererIsBrowserOnly('src/renderer/src/App.tsx', 'better-sqlite3')).not.toBeNull();
    expect(rendererIsBrowserOnly('src/renderer/src/App.tsx', 'keytar')).not.toBeNull();
    expect(rendererIsBrowserOnly('src/renderer/src/App.tsx', '../../main/engine/engine.js')).not.toBeNull();
    expect(rendererIsBrowserOnly('src/renderer/src/App.tsx', '../../shared/views.js')).toBeNull();
    expect(rendererIsBrowserOnly('src/renderer/src/App.tsx', 'react')).toBeNull();

    expect(engineBelowHosts('src/main/engine/engine.ts', '../ipc/router.js')).not.toBeNull();
    expect(engineBelowHosts('src/main/engine/auth/sign-in.ts', '../../../cli/runtime.js')).not.toBeNull();
    expect(engineBelowHosts('src/main/engine/engine.ts', '../../browser-host/server.js')).not.toBeNull();
    expect(engineBelowHosts('src/main/engine/engine.ts', '../index.js')).not.toBeNull();
    expect(engineBelowHosts('src/main/engine/engine.ts', '../store/database.js')).toBeNull();
    expect(engineBelowHosts('src/main/engine/engine.ts', '../secrets/secret-store.js')).toBeNull();
    expect(engineBelowHosts('src/main/engine/engine.ts', './vault.js')).toBeNull();

    expect(hostsThroughEntry('src/cli/runtime.ts', '../main/engine/engine.js')).not.toBeNull();
    expect(hostsThroughEntry('src/cli/commands/auth.ts', '../../main/engine/auth/sign-in.js')).not.toBeNull();
    expect(hostsThroughEntry('src/main/ipc/router.ts', '../store/database.js')).not.toBeNull();
    expect(hostsThroughEntry('src/main/index.ts', './engine/caller.js')).not.toBeNull();
    expect(hostsThroughEntry('src/cli/runtime.ts', '../main/engine/index.js')).toBeNull();
    expect(hostsThroughEntry('src/main/index.ts', './engine/index.js')).toBeNull();
    expect(hostsThroughEntry('src/main/ipc/router.ts', '../secrets/host-keychain.js')).toBeNull();
    expect(hostsThroughEntry('src/cli/runtime.ts', '../shared/errors.js')).toBeNull();
  });

  it('reports a bad file when it meets one', () => {
    const bad = (file: string): string => (file.endsWith('engine.ts') ? "import { app } from 'electron';" : '');
    expect(violations(['src/main/engine'], noElectron, bad)).toEqual(["src/main/engine/engine.ts: imports electron ('electron')"]);
  });

  it('keeps electron out of the engine, the store, the keychain, the router, src/shared, the CLI and the browser host', () => {
    const folders = [
      'src/main/engine',
      'src/main/store',
      'src/main/secrets',
      'src/main/ipc',
      'src/main/host',
      'src/shared',
      'src/cli',
      'src/browser-host',
    ];
    expect(folders.flatMap(sourceFiles).length).toBeGreaterThan(20);
    expect(violations(folders, noElectron)).toEqual([]);
  });

  it('keeps src/shared free of Node and of every package but zod', () => {
    expect(sourceFiles('src/shared').length).toBeGreaterThan(0);
    expect(violations(['src/shared'], sharedIsPlain)).toEqual([]);
  });

  it('keeps Node, better-sqlite3, keytar and src/main out of the renderer', () => {
    expect(sourceFiles('src/renderer').length).toBeGreaterThan(0);
    expect(violations(['src/renderer'], rendererIsBrowserOnly)).toEqual([]);
  });

  it('keeps the engine and the store below every host', () => {
    expect(violations(['src/main/engine', 'src/main/store', 'src/main/secrets'], engineBelowHosts)).toEqual([]);
  });

  it(`lets every host reach the engine only through ${ENGINE_ENTRY}, and the store not at all`, () => {
    const glue = glueFiles();
    expect(glue).toContain(join('src', 'main', 'index.ts'));
    expect(violationsIn([...HOSTS.flatMap(sourceFiles), ...glue], hostsThroughEntry)).toEqual([]);
  });
});

import { join } from 'node:path';

/**
 * better-sqlite3 is compiled for one ABI. node_modules keeps the Node build (tests, CLI, browser
 * host); the app loads an Electron build kept apart, made by scripts/build-electron-native.mjs,
 * whose folder name says exactly what it was built from and for. Upgrading either package or
 * switching machines therefore never loads a stale or foreign binary: the file is simply not there.
 */
export interface NativeTarget {
  readonly betterSqlite3Version: string;
  readonly electronVersion: string;
  readonly platform: string;
  readonly arch: string;
}

export const NATIVE_DIR = 'native';
export const BINDING_FILE = 'better_sqlite3.node';

/** `native/better-sqlite3-<v>-electron-<v>-<platform>-<arch>`: the folder name the build script writes. */
export function nativeBuildFolder(target: NativeTarget): string {
  return `better-sqlite3-${target.betterSqlite3Version}-electron-${target.electronVersion}-${target.platform}-${target.arch}`;
}

/**
 * Where the Electron-ABI binding is: under the project in development, under the app's resources
 * folder once packaged (electron-builder copies native/ there, outside the asar archive).
 */
export function nativeBindingPath(
  target: NativeTarget,
  where: { readonly packaged: boolean; readonly projectRoot: string; readonly resourcesPath: string },
): string {
  return join(where.packaged ? where.resourcesPath : where.projectRoot, NATIVE_DIR, nativeBuildFolder(target), BINDING_FILE);
}

/** What the app says when the binding is missing: what it looked for and the one command that makes it. */
export function missingBindingMessage(path: string, target: NativeTarget, packaged: boolean): string {
  const lines = [
    `Latchkey could not find its database driver built for Electron ${target.electronVersion} (${target.platform}-${target.arch}).`,
    '',
    `Looked for: ${path}`,
    '',
  ];
  if (packaged) {
    lines.push('This copy of the app was packaged without it. Reinstall Latchkey, or rebuild the package with `npm run package`.');
  } else {
    lines.push(
      'In the project folder, with internet access, run:',
      '',
      '  npm run build:native',
      '',
      "It downloads a prebuilt better-sqlite3 for this Electron version, or compiles one against Electron's headers " +
        '(which needs Python, make and a C++ compiler). `npm install` and `npm start` run it too.',
    );
  }
  return lines.join('\n');
}

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { missingBindingMessage, nativeBindingPath, nativeBuildFolder, type NativeTarget } from '../../src/main/native-binding.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const target: NativeTarget = { betterSqlite3Version: '12.11.1', electronVersion: '45.4.1', platform: 'linux', arch: 'x64' };
const where = { projectRoot: '/work/latchkey', resourcesPath: '/opt/Latchkey/resources' };

const installed = (name: string): string =>
  (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

describe('native binding', () => {
  it('names the build by both versions, the platform and the architecture', () => {
    expect(nativeBuildFolder(target)).toBe('better-sqlite3-12.11.1-electron-45.4.1-linux-x64');
    expect(nativeBuildFolder({ ...target, electronVersion: '46.0.0' })).not.toBe(nativeBuildFolder(target));
    expect(nativeBuildFolder({ ...target, betterSqlite3Version: '12.12.0' })).not.toBe(nativeBuildFolder(target));
    expect(nativeBuildFolder({ ...target, arch: 'arm64' })).not.toBe(nativeBuildFolder(target));
  });

  it('looks under the project while developing and under the resources folder once packaged', () => {
    expect(nativeBindingPath(target, { ...where, packaged: false })).toBe(
      join('/work/latchkey', 'native', 'better-sqlite3-12.11.1-electron-45.4.1-linux-x64', 'better_sqlite3.node'),
    );
    expect(nativeBindingPath(target, { ...where, packaged: true })).toBe(
      join('/opt/Latchkey/resources', 'native', 'better-sqlite3-12.11.1-electron-45.4.1-linux-x64', 'better_sqlite3.node'),
    );
  });

  it('is the very file the build script writes', () => {
    const printed = execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-electron-native.mjs'), '--print-path'], {
      encoding: 'utf8',
    }).trim();
    const current: NativeTarget = {
      betterSqlite3Version: installed('better-sqlite3'),
      electronVersion: installed('electron'),
      platform: process.platform,
      arch: process.arch,
    };
    expect(printed).toBe(nativeBindingPath(current, { packaged: false, projectRoot: ROOT.replace(/[\\/]$/, ''), resourcesPath: '' }));
  });

  it('tells a developer the one command that builds it, and a user of a package to reinstall', () => {
    const path = nativeBindingPath(target, { ...where, packaged: false });
    const developing = missingBindingMessage(path, target, false);
    expect(developing).toContain(path);
    expect(developing).toContain('npm run build:native');
    expect(developing).toContain('Electron 45.4.1');
    expect(missingBindingMessage(path, target, true)).toContain('Reinstall Latchkey');
  });
});

import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FuseV1Options, FuseVersion } from '@electron/fuses';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface FusesHook {
  fuseConfig(platform: string, arch: number): Record<string, unknown>;
  electronExecutable(context: {
    appOutDir: string;
    electronPlatformName: string;
    packager: { executableName: string; appInfo: { productFilename: string } };
  }): string;
}

// The hook is plain JavaScript that electron-builder loads; imported by URL, it is typed here.
const hook = (await import(pathToFileURL(join(ROOT, 'scripts', 'electron-fuses.mjs')).href)) as FusesHook;
const X64 = 1;
const ARM64 = 3;

describe('packaging', () => {
  it('flips the fuses security-parameters.md asks for', () => {
    const config = hook.fuseConfig('linux', X64);
    expect(config['version']).toBe(FuseVersion.V1);
    expect(config[FuseV1Options.RunAsNode]).toBe(false);
    expect(config[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(false);
    expect(config[FuseV1Options.EnableNodeCliInspectArguments]).toBe(false);
    expect(config[FuseV1Options.GrantFileProtocolExtraPrivileges]).toBe(false);
    expect(config[FuseV1Options.OnlyLoadAppFromAsar]).toBe(true);
    expect(config[FuseV1Options.EnableCookieEncryption]).toBe(true);
  });

  it('restores the ad-hoc signature only where macOS on Apple silicon needs it', () => {
    expect(hook.fuseConfig('darwin', ARM64)['resetAdHocDarwinSignature']).toBe(true);
    expect(hook.fuseConfig('darwin', X64)['resetAdHocDarwinSignature']).toBe(false);
    expect(hook.fuseConfig('linux', ARM64)['resetAdHocDarwinSignature']).toBe(false);
  });

  it('finds the Electron binary where electron-builder puts it on each platform', () => {
    const packager = { executableName: 'latchkey', appInfo: { productFilename: 'Latchkey' } };
    expect(hook.electronExecutable({ appOutDir: '/o', electronPlatformName: 'linux', packager })).toBe(join('/o', 'latchkey'));
    expect(hook.electronExecutable({ appOutDir: '/o', electronPlatformName: 'win32', packager })).toBe(join('/o', 'Latchkey.exe'));
    expect(hook.electronExecutable({ appOutDir: '/o', electronPlatformName: 'darwin', packager })).toBe(join('/o', 'Latchkey.app'));
  });
});

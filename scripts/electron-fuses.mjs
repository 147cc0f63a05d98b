// electron-builder's afterPack hook (electron-builder.yml): runs on the unpacked app of each
// platform and architecture, before signing. It checks that the Electron-ABI better-sqlite3 made by
// scripts/build-electron-native.mjs was packed for this target, then flips Electron's fuses: switches
// compiled into the Electron binary that no command-line flag or environment variable can turn back.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { flipFuses, FuseV1Options, FuseVersion } from '@electron/fuses';
import { Arch } from 'electron-builder';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

/**
 * The fuse settings (security-parameters.md, "Desktop process"). Off: running the binary as plain
 * Node (ELECTRON_RUN_AS_NODE), NODE_OPTIONS, the --inspect flags, and file://'s extra privileges
 * (the app is served from app://). On: loading the app only from its asar archive, and encrypting
 * cookies at rest with a key from the OS keychain.
 */
export function fuseConfig(platform, arch) {
  return {
    version: FuseVersion.V1,
    // Flipping a fuse invalidates the ad-hoc signature an arm64 macOS binary needs in order to start.
    resetAdHocDarwinSignature: platform === 'darwin' && (arch === Arch.arm64 || arch === Arch.universal),
    [FuseV1Options.RunAsNode]: false,
    [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
    [FuseV1Options.EnableNodeCliInspectArguments]: false,
    [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
    [FuseV1Options.OnlyLoadAppFromAsar]: true,
    [FuseV1Options.EnableCookieEncryption]: true,
  };
}

/** The Electron binary electron-builder just packed, as electron-builder itself names it. */
export function electronExecutable(context) {
  const { appOutDir, electronPlatformName, packager } = context;
  if (electronPlatformName === 'darwin' || electronPlatformName === 'mas')
    return join(appOutDir, `${packager.appInfo.productFilename}.app`);
  if (electronPlatformName === 'win32') return join(appOutDir, `${packager.appInfo.productFilename}.exe`);
  return join(appOutDir, packager.executableName);
}

function resourcesFolder(context) {
  return context.electronPlatformName === 'darwin' || context.electronPlatformName === 'mas'
    ? join(electronExecutable(context), 'Contents', 'Resources')
    : join(context.appOutDir, 'resources');
}

/** Node's name for an electron-builder architecture: the one in the native build's folder name. */
const NODE_ARCH = { [Arch.ia32]: 'ia32', [Arch.x64]: 'x64', [Arch.armv7l]: 'arm', [Arch.arm64]: 'arm64' };

/** The app refuses to start without its database driver: better to fail the package than to ship that. */
function requireNativeBinding(context) {
  const electronVersion = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'electron', 'package.json'), 'utf8')).version;
  const suffix = `-electron-${electronVersion}-${context.electronPlatformName}-${NODE_ARCH[context.arch] ?? Arch[context.arch]}`;
  const native = join(resourcesFolder(context), 'native');
  const found =
    existsSync(native) &&
    readdirSync(native).some((folder) => folder.endsWith(suffix) && existsSync(join(native, folder, 'better_sqlite3.node')));
  if (!found) {
    throw new Error(
      `No better-sqlite3 built for Electron ${electronVersion} on ${context.electronPlatformName}${suffix.slice(suffix.lastIndexOf('-'))} was packed. ` +
        'Run `npm run build:native` on that platform and architecture (packages are built on the OS they are for), then package again.',
    );
  }
}

export default async function afterPack(context) {
  requireNativeBinding(context);
  await flipFuses(electronExecutable(context), fuseConfig(context.electronPlatformName, context.arch));
}

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { app, BrowserWindow, dialog, powerMonitor, session, type WebContents } from 'electron';
import { toErrorInfo } from '../shared/errors.js';
import { confineToOwnPage, createMainWindow, hardenSession, registerRendererScheme, serveRenderer } from './app-window.js';
import { startBackgroundJobs } from './host/background-jobs.js';
import { desktopClient } from './desktop-client.js';
import { LINK_SCHEME, openEngine, type Engine } from './engine/index.js';
import { createRouter, type Router } from './ipc/router.js';
import { registerIpc } from './ipc-electron.js';
import { linkInArguments } from './link-arguments.js';
import { parseLaunchOptions, type LaunchOptions } from './launch-options.js';
import { profileFolder } from './profile-folder.js';
import { missingBindingMessage, nativeBindingPath, type NativeTarget } from './native-binding.js';
import { OsKeychain } from './secrets/keychain.js';
import { trustedRenderer } from './sender-check.js';
import { osUserName } from './host/host-setup.js';

// Replaced at build time with package.json's version (see electron.vite.config.ts).
declare const __LATCHKEY_VERSION__: string;

const projectRoot = join(import.meta.dirname, '../..');
const preloadScript = join(import.meta.dirname, '../preload/index.cjs');
const rendererRoot = join(import.meta.dirname, '../renderer');

const USAGE = 'Usage: latchkey [--vault PATH] [--keychain-service NAME]\n(or LATCHKEY_VAULT and LATCHKEY_KEYCHAIN_SERVICE)';

/** Tells the person why the app cannot go on, then exits with a failure status. */
function fail(title: string, message: string): void {
  // Also on stderr: where no one sees the dialog (a Playwright run, a CI machine), the reason still shows.
  console.error(`${title}\n${message}`);
  dialog.showErrorBox(title, message);
  app.exit(1);
}

/** The Electron-ABI better-sqlite3 this app loads (see native-binding.ts and scripts/build-electron-native.mjs). */
function nativeTarget(): NativeTarget {
  const { version } = createRequire(import.meta.url)('better-sqlite3/package.json') as { version: string };
  return { betterSqlite3Version: version, electronVersion: process.versions.electron, platform: process.platform, arch: process.arch };
}

async function openVault(options: LaunchOptions): Promise<Engine | null> {
  const target = nativeTarget();
  const nativeBinding = nativeBindingPath(target, { packaged: app.isPackaged, projectRoot, resourcesPath: process.resourcesPath });
  if (!existsSync(nativeBinding)) {
    fail('Latchkey cannot open its database', missingBindingMessage(nativeBinding, target, app.isPackaged));
    return null;
  }
  try {
    return await openEngine({ vaultPath: options.vaultPath, secrets: new OsKeychain(options.keychainService), nativeBinding });
  } catch (error) {
    // The engine's messages say what to do and carry no secret; anything unexpected stays generic.
    const info = toErrorInfo(error);
    if (info.code === 'INTERNAL' && process.env['LATCHKEY_DEBUG'] === '1') console.error(error);
    const title = info.code === 'KEYCHAIN_UNAVAILABLE' ? 'Latchkey cannot reach the keychain' : 'Latchkey cannot open the vault';
    fail(title, `${info.message}\n\nVault: ${options.vaultPath}\nKeychain service: ${options.keychainService}\n(${info.code})`);
    return null;
  }
}

/**
 * `latchkey://` links can arrive before the vault is open (the launch itself, or macOS's
 * 'open-url' during start-up); they wait here until the router can take them.
 */
const earlyLinks: string[] = [];
let linkRouter: Router | null = null;
/** Whether the link was one of ours (a link that came early counts, until the router can say). */
function openLink(link: string): boolean {
  if (linkRouter === null) {
    earlyLinks.push(link);
    return true;
  }
  return linkRouter.openLink(link);
}
/** Brings the one window forward; a no-op until it exists. */
let showMainWindow = (): void => undefined;

async function start(options: LaunchOptions): Promise<void> {
  // The vault opens before any window exists: a window without an engine could only show errors.
  const engine = await openVault(options);
  if (engine === null) return;

  const trusted = trustedRenderer(app.isPackaged, process.env['ELECTRON_RENDERER_URL']);
  hardenSession(session.defaultSession, trusted);
  serveRenderer(rendererRoot);

  const version = __LATCHKEY_VERSION__;
  const router = createRouter({ engine, version, kind: 'desktop', osUser: osUserName() });
  const windows = new Set<BrowserWindow>();
  const isOurWindow = (contents: WebContents): boolean => {
    const owner = BrowserWindow.fromWebContents(contents);
    return owner !== null && windows.has(owner);
  };
  const ipc = registerIpc({
    router,
    client: desktopClient({
      version,
      electronVersion: process.versions.electron,
      platform: process.platform,
      hostname: hostname(),
      osUser: osUserName(),
    }),
    trusted,
    isOurWindow,
    log: (line) => console.error(line),
  });

  // The OS locked the screen or is going to sleep: end every window's session now; each renderer
  // notices at its next 'app.peek' and shows the lock screen.
  const lockAll = (): void => void ipc.lockAll();
  powerMonitor.on('lock-screen', lockAll);
  powerMonitor.on('suspend', lockAll);

  const background = startBackgroundJobs(engine, (line) => console.error(line));

  let engineClosed = false;
  app.on('will-quit', (event) => {
    if (engineClosed) return;
    event.preventDefault();
    engineClosed = true;
    // Let a cleanup batch or a delivery attempt under way finish, anchor the audit log, then close the vault and quit for real.
    void background
      .stop()
      .then(() => engine.audit.anchor())
      .catch(() => undefined)
      .finally(() => {
        ipc.dispose();
        engine.close();
        app.quit();
      });
  });

  const openWindow = (): BrowserWindow => {
    const window = createMainWindow({ preload: preloadScript, trusted, packaged: app.isPackaged });
    windows.add(window);
    window.on('closed', () => windows.delete(window));
    return window;
  };
  let mainWindow = openWindow();

  // One window only: a second launch, or a click on the dock icon, brings it back.
  showMainWindow = (): void => {
    if (mainWindow.isDestroyed()) {
      mainWindow = openWindow();
      return;
    }
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  };
  app.on('activate', () => showMainWindow());

  linkRouter = router;
  for (const link of earlyLinks.splice(0)) router.openLink(link);
}

/** One instance per vault: two would open the same database at once. */
function takeInstanceLock(options: LaunchOptions): boolean {
  app.setPath('userData', profileFolder(app.getPath('appData'), options.vaultPath));
  return app.requestSingleInstanceLock();
}

registerRendererScheme();
const launch = parseLaunchOptions(process.argv, process.env, process.cwd());

if (!launch.ok) {
  void app.whenReady().then(() => fail('Latchkey cannot start', `${launch.message}\n\n${USAGE}`));
} else if (!takeInstanceLock(launch.options)) {
  app.quit();
} else {
  app.enableSandbox();
  const launchLink = linkInArguments(process.argv);
  if (launchLink !== null) openLink(launchLink);
  // Registered now, not once the vault is open: a link or a second launch during start-up is kept.
  // Focusing the window makes the renderer look for notices, so a link's outcome shows at once.
  app.on('second-instance', (_event, argv) => {
    const link = linkInArguments(argv);
    if (link !== null) openLink(link);
    showMainWindow();
  });
  app.on('open-url', (event, url) => {
    event.preventDefault();
    if (openLink(url)) showMainWindow();
  });
  // Installers register the scheme (electron-builder.yml); an unpackaged run (development, tests)
  // leaves the OS's choice of handler alone.
  if (app.isPackaged) app.setAsDefaultProtocolClient(LINK_SCHEME);
  app.on('web-contents-created', (_event, contents) => confineToOwnPage(contents));
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  void app
    .whenReady()
    .then(() => start(launch.options))
    .catch((error: unknown) => {
      if (process.env['LATCHKEY_DEBUG'] === '1') console.error(error);
      fail('Latchkey could not start', toErrorInfo(error).message);
    });
}

import { join } from 'node:path';
import { app, BrowserWindow, session, type Session, type WebContents } from 'electron';

const preloadScript = join(import.meta.dirname, '../preload/index.cjs');
const rendererPage = join(import.meta.dirname, '../renderer/index.html');

// The app shows only its own page: no navigation away, no new windows, in any frame.
function confineToOwnPage(contents: WebContents): void {
  contents.on('will-frame-navigate', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

// Nothing in a sign-in vault needs the camera, notifications, clipboard reads or any other permission.
function denyAllPermissions(target: Session): void {
  target.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  target.setPermissionCheckHandler(() => false);
}

function createMainWindow(): BrowserWindow {
  const window = new BrowserWindow({
    title: 'Latchkey',
    width: 960,
    height: 720,
    show: false,
    webPreferences: {
      preload: preloadScript,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  });
  window.once('ready-to-show', () => window.show());

  // A packaged app ignores the variable, so no environment can point it at another page.
  const devServerUrl = process.env['ELECTRON_RENDERER_URL'];
  if (!app.isPackaged && devServerUrl) {
    void window.loadURL(devServerUrl);
  } else {
    void window.loadFile(rendererPage);
  }
  return window;
}

// Two instances would open the same vault database at once.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.enableSandbox();
  app.on('web-contents-created', (_event, contents) => confineToOwnPage(contents));
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  void app.whenReady().then(() => {
    denyAllPermissions(session.defaultSession);
    let mainWindow = createMainWindow();

    // One window only: a second launch, or a click on the dock icon, brings it back.
    const showMainWindow = (): void => {
      if (mainWindow.isDestroyed()) {
        mainWindow = createMainWindow();
        return;
      }
      if (mainWindow.isMinimized()) mainWindow.restore();
      mainWindow.focus();
    };
    app.on('second-instance', showMainWindow);
    app.on('activate', showMainWindow);
  });
}

// A stand-in for the `electron` module, so the built main process (out/main/index.js) can run under
// plain Node: it records what the main process registers and lets the driver play Electron's part.
// It knows only the calls the main process makes; anything else fails loudly as undefined.
import { EventEmitter } from 'node:events';

const recorded = {
  appEvents: new EventEmitter(),
  powerMonitor: new EventEmitter(),
  handlers: new Map(),
  protocols: new Map(),
  privilegedSchemes: null,
  windows: [],
  dialogs: [],
  exits: [],
  quits: 0,
  sandboxEnabled: false,
  defaultProtocolClients: [],
  paths: { appData: '/stand-in/app-data' },
  focused: 0,
  session: {},
};
globalThis.standInElectron = recorded;

export const app = {
  isPackaged: true,
  requestSingleInstanceLock: () => true,
  enableSandbox: () => {
    recorded.sandboxEnabled = true;
  },
  on: (event, listener) => recorded.appEvents.on(event, listener),
  setAsDefaultProtocolClient: (scheme) => recorded.defaultProtocolClients.push(scheme),
  getPath: (name) => recorded.paths[name],
  setPath: (name, path) => {
    recorded.paths[name] = path;
  },
  whenReady: () => new Promise((resolve) => setImmediate(resolve)),
  exit: (code) => recorded.exits.push(code),
  quit: () => {
    recorded.quits += 1;
  },
};

class WebContents extends EventEmitter {
  setWindowOpenHandler(handler) {
    this.windowOpenHandler = handler;
  }
}

export class BrowserWindow extends EventEmitter {
  constructor(options) {
    super();
    this.options = options;
    this.webContents = new WebContents();
    recorded.windows.push(this);
    recorded.appEvents.emit('web-contents-created', {}, this.webContents);
  }

  loadURL(url) {
    this.loadedUrl = url;
    return Promise.resolve();
  }

  isDestroyed() {
    return false;
  }

  isMinimized() {
    return false;
  }

  focus() {
    recorded.focused += 1;
  }

  static fromWebContents(contents) {
    return recorded.windows.find((window) => window.webContents === contents) ?? null;
  }
}

export const dialog = { showErrorBox: (title, message) => recorded.dialogs.push({ title, message }) };

export const ipcMain = {
  handle: (channel, handler) => recorded.handlers.set(channel, handler),
  removeHandler: (channel) => recorded.handlers.delete(channel),
};

export const protocol = {
  registerSchemesAsPrivileged: (schemes) => {
    recorded.privilegedSchemes = schemes;
  },
  handle: (scheme, handler) => recorded.protocols.set(scheme, handler),
};

export const session = {
  defaultSession: {
    setPermissionRequestHandler: (handler) => (recorded.session.permissionRequest = handler),
    setPermissionCheckHandler: (handler) => (recorded.session.permissionCheck = handler),
    setDevicePermissionHandler: (handler) => (recorded.session.devicePermission = handler),
    webRequest: { onHeadersReceived: (listener) => (recorded.session.headersReceived = listener) },
  },
};

export const powerMonitor = recorded.powerMonitor;

// Plays Electron's part once the main process has started: sends IPC as our window and as others,
// fetches from app://, reports a screen lock, quits. Prints one JSON report on stdout.
import keytar from 'keytar';

const electron = globalThis.standInElectron;
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));
for (let waited = 0; waited < 15_000 && electron.windows.length === 0 && electron.exits.length === 0; waited += 50) await settle();

const report = {
  dialogs: electron.dialogs,
  exits: electron.exits,
  windows: electron.windows.length,
  userData: electron.paths.userData ?? null,
};
if (electron.windows.length > 0) {
  const window = electron.windows[0];
  const invoke = electron.handlers.get('latchkey:invoke');
  const from = (url, parent = null) => ({ sender: window.webContents, senderFrame: { url, parent, detached: false } });
  const ours = from('app://latchkey/index.html');
  const password = 'correct horse battery staple';
  const sequence = [];

  report.privilegedSchemes = electron.privilegedSchemes;
  report.sandboxEnabled = electron.sandboxEnabled;
  report.loadedUrl = window.loadedUrl;
  report.webPreferences = window.options.webPreferences;
  report.fromOtherPage = await invoke(from('https://example.com/'), 'app.status', {});
  report.fromIframe = await invoke(from('app://latchkey/index.html', {}), 'app.status', {});
  report.status = await invoke(ours, 'app.status', {});
  sequence.push(await invoke(ours, 'setup.createAdmin', { username: 'root', password }));
  const signedIn = await invoke(ours, 'auth.signIn', { username: 'root', password });
  report.session = signedIn.ok ? { host: signedIn.value.session.host, userAgent: signedIn.value.session.userAgent } : signedIn;
  report.peekBeforeLock = await invoke(ours, 'app.peek', {});
  electron.powerMonitor.emit('lock-screen');
  await settle();
  report.peekAfterLock = await invoke(ours, 'app.peek', {});

  // Links: one came with the launch (before any window), then a second instance and macOS's open-url bring more.
  report.defaultProtocolClients = electron.defaultProtocolClients;
  report.launchLinkNotices = await invoke(ours, 'app.notices', {});
  const focusedBefore = electron.focused;
  electron.appEvents.emit('second-instance', {}, ['latchkey', `latchkey://verify?token=${'B'.repeat(43)}`], process.cwd());
  electron.appEvents.emit('open-url', { preventDefault() {} }, 'https://example.com/verify?token=x');
  report.secondInstance = { focused: electron.focused - focusedBefore, notices: await invoke(ours, 'app.notices', {}) };
  report.noticesTaken = await invoke(ours, 'app.notices', {});

  const page = await electron.protocols.get('app')(new Request('app://latchkey/index.html'));
  report.page = { status: page.status, type: page.headers.get('content-type'), csp: page.headers.get('content-security-policy') };
  report.outside = (await electron.protocols.get('app')(new Request('app://latchkey/..%2f..%2fmain%2findex.js'))).status;
  electron.session.headersReceived(
    { responseHeaders: { 'content-security-policy': ['default-src *'] } },
    (answer) => (report.headers = answer.responseHeaders),
  );
  electron.session.permissionRequest(null, 'media', (granted) => (report.permissionGranted = granted));
  report.permissionCheck = electron.session.permissionCheck();
  const navigation = {
    prevented: false,
    preventDefault() {
      this.prevented = true;
    },
  };
  window.webContents.emit('will-frame-navigate', navigation);
  report.navigationPrevented = navigation.prevented;
  report.windowOpen = window.webContents.windowOpenHandler({ url: 'https://example.com/' });

  const quitting = {
    prevented: false,
    preventDefault() {
      this.prevented = true;
    },
  };
  electron.appEvents.emit('will-quit', quitting);
  await settle();
  report.quit = { firstPrevented: quitting.prevented, quits: electron.quits, handlerRemoved: !electron.handlers.has('latchkey:invoke') };
  report.setupOk = sequence.every((result) => result.ok);
}
for (const { account } of await keytar.findCredentials(process.env.STAND_IN_KEYCHAIN_SERVICE)) {
  await keytar.deletePassword(process.env.STAND_IN_KEYCHAIN_SERVICE, account);
}
process.stdout.write(`${JSON.stringify(report)}\n`);
process.exit(0);

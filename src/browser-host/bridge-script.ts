import { CHANNEL_NAMES } from '../shared/contract.js';

/**
 * The browser host's stand-in for the Electron preload: a classic script, served before the app's
 * module, that builds `window.latchkey` with the same shape (LatchkeyBridge) over a WebSocket.
 * It reads the per-run key from the page URL once and keeps it in sessionStorage for reloads.
 */
export function bridgeScript(version: string): string {
  return `(() => {
  const params = new URLSearchParams(location.search);
  const key = params.get('key') || sessionStorage.getItem('latchkey-host-key') || '';
  sessionStorage.setItem('latchkey-host-key', key);
  const known = new Set(${JSON.stringify(CHANNEL_NAMES)});
  let socket = null;
  let nextId = 1;
  const pending = new Map();
  const failAll = (message) => {
    for (const resolve of pending.values()) resolve({ ok: false, error: { code: 'INTERNAL', message } });
    pending.clear();
  };
  const connect = () => new Promise((resolve, reject) => {
    const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/__latchkey/ws?key=' + encodeURIComponent(key);
    const ws = new WebSocket(url);
    ws.onopen = () => resolve(ws);
    ws.onerror = () => reject(new Error('The Latchkey host could not be reached.'));
    ws.onclose = () => { socket = null; failAll('The connection to the Latchkey host closed.'); };
    ws.onmessage = (event) => {
      const reply = JSON.parse(event.data);
      const resolveCall = pending.get(reply.id);
      if (resolveCall) { pending.delete(reply.id); resolveCall(reply.result); }
    };
  });
  const ready = () => (socket ??= connect().catch((error) => { socket = null; throw error; }));
  const bridge = {
    version: ${JSON.stringify(version)},
    invoke(channel, input) {
      if (!known.has(channel)) return Promise.resolve({ ok: false, error: { code: 'INVALID_INPUT', message: 'Unknown channel.' } });
      return ready().then((ws) => new Promise((resolve) => {
        const id = nextId++;
        pending.set(id, resolve);
        ws.send(JSON.stringify({ id, channel, input }));
      }), (error) => ({ ok: false, error: { code: 'INTERNAL', message: error.message } }));
    },
  };
  Object.defineProperty(window, 'latchkey', { value: Object.freeze(bridge), writable: false, configurable: false });
})();
`;
}

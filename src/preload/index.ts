import { contextBridge, ipcRenderer } from 'electron';
import type { LatchkeyBridge } from '../shared/contract.js';
import { IPC_CHANNEL } from '../shared/ipc-channel.js';

// Replaced at build time with package.json's version (see electron.vite.config.ts).
declare const __LATCHKEY_VERSION__: string;

/**
 * The renderer's only door to the main process. Every call goes through one IPC channel as
 * (channel name, input); the main process checks the sender, the name and the input against the contract.
 */
const bridge: LatchkeyBridge = {
  version: __LATCHKEY_VERSION__,
  invoke: (channel, input) => ipcRenderer.invoke(IPC_CHANNEL, channel, input),
};

contextBridge.exposeInMainWorld('latchkey', bridge);

import { contextBridge } from 'electron';

// Replaced at build time with package.json's version (see electron.vite.config.ts).
declare const __LATCHKEY_VERSION__: string;

contextBridge.exposeInMainWorld('latchkey', { version: __LATCHKEY_VERSION__ });

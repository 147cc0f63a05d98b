// `node --import register.mjs --import out/main/index.js driver.mjs`: what Electron would provide
// before the main script runs (the electron module, its version, the resources folder).
import { readFileSync } from 'node:fs';
import { register } from 'node:module';

register(new URL('./hooks.mjs', import.meta.url));
const electron = JSON.parse(readFileSync(new URL('../../../node_modules/electron/package.json', import.meta.url), 'utf8'));
Object.defineProperty(process.versions, 'electron', { value: electron.version, enumerable: true });
process.resourcesPath = process.env.STAND_IN_RESOURCES;

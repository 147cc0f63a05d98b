import { readFileSync } from 'node:fs';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

const packageJson = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  version: string;
};

// A native addon loads its compiled .node file at run time, so it can never be bundled. electron-vite
// already leaves every package.json dependency external in main; this keeps these two so regardless.
const nativeModules = ['better-sqlite3', 'keytar'];
const buildTimeVersion = { __LATCHKEY_VERSION__: JSON.stringify(packageJson.version) };

export default defineConfig({
  main: {
    define: buildTimeVersion,
    build: {
      rollupOptions: { external: nativeModules },
    },
  },
  preload: {
    define: buildTimeVersion,
    build: {
      // A sandboxed preload cannot load modules from disk: it must be a single CommonJS file
      // whose only require is 'electron'. Everything else is bundled in.
      externalizeDeps: false,
      rollupOptions: {
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src/renderer',
    plugins: [react()],
  },
});

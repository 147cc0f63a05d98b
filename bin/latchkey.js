#!/usr/bin/env node
// The `latchkey` command: runs the CLI compiled by `npm run build` (out/node).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../out/node/cli/index.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('latchkey: the CLI is not built yet. Run `npm run build` in the Latchkey folder first.\n');
  process.exit(2);
}
await import(entry.href);

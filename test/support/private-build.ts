import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BUILT = fileURLToPath(new URL('../../out/node', import.meta.url));
const NODE_MODULES = fileURLToPath(new URL('../../node_modules', import.meta.url));

/** A copy of the built engine and CLI (out/node) that belongs to one long test run. */
export interface PrivateBuild {
  /** The copy's out/node folder. */
  readonly out: string;
  /** The copy's CLI entry, for `runCli(…, { entry })`. */
  readonly cli: string;
  dispose(): void;
}

/**
 * Copies out/node for a test run that starts processes from it for minutes: the tree's out/ is
 * rebuilt by whoever builds, at any moment, and processes of two builds in one run (two row-seal
 * layouts, say) would refuse each other's rows. The copy finds its packages through a link to
 * the tree's node_modules.
 */
export function copyBuild(prefix: string): PrivateBuild {
  if (!existsSync(join(BUILT, 'cli/index.js')))
    throw new Error('out/node is not built: run `npm run build:cli` (npm test builds it) first.');
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const out = join(dir, 'out', 'node');
  cpSync(BUILT, out, { recursive: true });
  symlinkSync(NODE_MODULES, join(dir, 'node_modules'));
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  return { out, cli: join(out, 'cli', 'index.js'), dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

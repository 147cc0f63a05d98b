import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { keychainServiceForTest, PASSWORDS } from '../test/support/temp-vault.js';
import { forgetKeychainService } from '../test/support/keychain.js';
import { measure, type Sample } from './harness.js';

const CLI = fileURLToPath(new URL('../../../bin/latchkey.js', import.meta.url));

export interface ProcessFigures {
  readonly nodeAlone: Sample;
  readonly version: Sample;
  readonly whoami: Sample;
}

function run(args: readonly string[], input = ''): string {
  const done = spawnSync(process.execPath, args, { input, encoding: 'utf8' });
  if (done.status !== 0) throw new Error(`${args.join(' ')} failed (${done.status}): ${done.stderr}`);
  return done.stdout;
}

/** Whole processes, as a shell runs them: the CLI (built by `npm run build:cli`) beside `node -e 0`. */
export async function processFigures(dir: string): Promise<ProcessFigures> {
  const service = keychainServiceForTest();
  const vault = ['--vault', join(dir, 'cli-vault.db'), '--keychain-service', service];
  try {
    run([CLI, ...vault, 'init', '--admin', 'root', '--password-stdin'], `${PASSWORDS.admin}\n`);
    run([CLI, ...vault, 'signin', 'root', '--password-stdin'], `${PASSWORDS.admin}\n`);
    const options = { time: 3000, iterations: 20 };
    const nodeAlone = await measure('node -e 0', () => run(['-e', '0']), options);
    const version = await measure('latchkey --version', () => run([CLI, '--version']), options);
    const whoami = await measure('latchkey whoami', () => run([CLI, ...vault, 'whoami']), options);
    return { nodeAlone, version, whoami };
  } finally {
    await forgetKeychainService(service);
  }
}

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OsKeychain } from '../../src/main/secrets/keychain.js';
import { forgetKeychainService } from './keychain.js';
import { PASSWORDS, keychainServiceForTest } from './temp-vault.js';

export const CLI = fileURLToPath(new URL('../../bin/latchkey.js', import.meta.url));
const BUILT = fileURLToPath(new URL('../../out/node/cli/index.js', import.meta.url));

/** What one run of `latchkey ARGS` printed, and the status it exited with (null: ended by a signal). */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed as the one JSON object --json promises. */
  json<T = Record<string, unknown>>(): T;
}

/** What a run is given besides its arguments. */
export interface CliOptions {
  /** Standard input, a pipe that ends after this (a string goes as UTF-8); empty when left out. */
  readonly stdin?: string | Uint8Array;
  /** The whole environment of the run, as `spawn` takes it; this process's when left out. */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Runs `latchkey ARGS` and tells what it printed: in a child process (`runCli`) or inside this one
 * (`runCliInProcess` in ./cli-in-process.ts), with the same answer, so a test file picks one by import.
 */
export type CliRunner = (args: readonly string[], options?: CliOptions) => Promise<CliRun>;

export function cliRun(code: number | null, stdout: string, stderr: string): CliRun {
  return {
    code,
    stdout,
    stderr,
    json<T>() {
      const lines = stdout.trim().split('\n');
      if (lines.length !== 1) throw new Error(`expected one JSON line on stdout, got:\n${stdout}\nstderr:\n${stderr}`);
      return JSON.parse(lines[0] ?? '') as T;
    },
  };
}

export function assertCliBuilt(): void {
  if (!existsSync(BUILT)) throw new Error('The CLI is not built: run `npm run build` (npm test does) before these tests.');
}

/**
 * Runs `latchkey ARGS` in a child process, as a user or a script would, feeding `stdin`. `entry`
 * runs another copy of the built CLI instead of bin/latchkey.js.
 */
export function runCli(args: readonly string[], options: CliOptions & { readonly entry?: string } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [options.entry ?? CLI, ...args], {
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    // A command that never reads its standard input may end before all of it is written.
    child.stdin.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') reject(error);
    });
    child.on('close', (code) => resolve(cliRun(code, stdout, stderr)));
    child.stdin.end(options.stdin ?? '');
  });
}

/** A vault of its own in a temp folder, the CLI pointed at it, and a keychain namespace the test throws away. */
export interface CliVault {
  readonly dir: string;
  readonly vault: string;
  readonly keychain: OsKeychain;
  readonly vaultId: string;
  /** `latchkey --vault … --keychain-service … ARGS` through the vault's runner, fed `stdin` (a string goes as UTF-8). */
  cli(args: readonly string[], stdin?: string | Uint8Array): Promise<CliRun>;
  /** The same in a child process, whatever the vault's runner: for what only a real process shows. */
  childCli(args: readonly string[], stdin?: string | Uint8Array): Promise<CliRun>;
  /** The name under which the CLI keeps a secret of this kind in the keychain. */
  entry(kind: 'cli-session' | 'enrollment' | 'device', account?: string): string;
  /** `init --admin root` with PASSWORDS.admin. */
  init(): Promise<void>;
  /** Deletes the folder and everything the CLI left in the keychain. */
  dispose(): Promise<void>;
}

/** `run` is how `cli` runs the program (and `init` with it): in a child process unless a test says otherwise. */
export function createCliVault(prefix: string, run: CliRunner = runCli): CliVault {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const vault = join(dir, 'vault.db');
  const service = keychainServiceForTest();
  const keychain = new OsKeychain(service);
  let vaultId = '';
  const through =
    (runner: CliRunner) =>
    (args: readonly string[], stdin?: string | Uint8Array): Promise<CliRun> =>
      runner(['--vault', vault, '--keychain-service', service, ...args], stdin === undefined ? {} : { stdin });
  const cli = through(run);
  const entry = (kind: string, account?: string): string =>
    [kind, vaultId, userInfo().username, ...(account === undefined ? [] : [account])].join(':');
  return {
    dir,
    vault,
    keychain,
    get vaultId() {
      return vaultId;
    },
    cli,
    childCli: through(runCli),
    entry,
    async init() {
      const init = await cli(['init', '--admin', 'root', '--password-stdin', '--json'], `${PASSWORDS.admin}\n`);
      if (init.code !== 0) throw new Error(`latchkey init failed:\n${init.stdout}${init.stderr}`);
      vaultId = init.json<{ vault: { id: string } }>().vault.id;
    },
    async dispose() {
      await forgetKeychainService(service);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

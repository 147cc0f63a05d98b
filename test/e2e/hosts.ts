import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { _electron as electron, type ElectronApplication, type Page } from '@playwright/test';
import { forgetKeychainService } from '../support/keychain.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A throwaway vault and keychain namespace: each spec starts from nothing. */
export interface Sandbox {
  readonly dir: string;
  readonly vault: string;
  readonly keychainService: string;
  /** Deletes the vault and every keychain entry the app made under the sandbox's service. */
  dispose(): Promise<void>;
}

export function newSandbox(): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-e2e-'));
  const keychainService = `latchkey-e2e-${randomBytes(6).toString('hex')}`;
  return {
    dir,
    vault: join(dir, 'vault.db'),
    keychainService,
    dispose: async () => {
      rmSync(dir, { recursive: true, force: true });
      await forgetKeychainService(keychainService);
    },
  };
}

/** Where Electron's binary would be, found without requiring the package (which would try to download it). */
export function electronBinary(): string | null {
  const pathFile = join(ROOT, 'node_modules', 'electron', 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = join(ROOT, 'node_modules', 'electron', 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

export const ELECTRON_MISSING =
  'No Electron binary is installed (node_modules/electron/dist is empty: the install skipped its download), so the electron project cannot launch the app here.';

/** The browser host on the sandbox, in test mode (its clock moves only when a test says so). */
export async function startBrowserHost(sandbox: Sandbox): Promise<{ url: string; stop(): void }> {
  const child: ChildProcess = spawn(
    process.execPath,
    [join(ROOT, 'out/node/browser-host/main.js'), '--vault', sandbox.vault, '--keychain-service', sandbox.keychainService, '--test-mode'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const stdout = child.stdout;
  if (stdout === null) throw new Error('the browser host has no stdout');
  const first = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: stdout });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the browser host exited (${code}) before it was ready; was it built (npm run build)?`)));
  });
  const { url } = JSON.parse(first) as { url: string };
  return { url, stop: () => child.kill('SIGTERM') };
}

/** The built app under Electron, with the test engineer's launch options. */
export async function launchElectron(sandbox: Sandbox): Promise<{ app: ElectronApplication; page: Page }> {
  const binary = electronBinary();
  if (binary === null) throw new Error(ELECTRON_MISSING);
  const app = await electron.launch({
    executablePath: binary,
    args: [join(ROOT, 'out/main/index.js'), '--vault', sandbox.vault, '--keychain-service', sandbox.keychainService],
  });
  return { app, page: await app.firstWindow() };
}

/** Runs the `latchkey` CLI against the same vault and keychain namespace. */
export function cli(
  sandbox: Sandbox,
  args: readonly string[],
  stdin = '',
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [
      join(ROOT, 'bin/latchkey.js'),
      '--vault',
      sandbox.vault,
      '--keychain-service',
      sandbox.keychainService,
      ...args,
    ]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

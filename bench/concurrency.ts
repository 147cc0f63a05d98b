import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { addAccount, openVaultWithAdmin, QUICK_HASH, signIn } from '../test/support/signed-in.js';
import { PASSWORDS } from '../test/support/temp-vault.js';
import type { WorkerReport } from './concurrency-worker.js';

const WORKER = fileURLToPath(new URL('./concurrency-worker.js', import.meta.url));
const READERS = 4;
const SECONDS = 5;

export interface ConcurrencyFigures {
  /** Validations a second, the four readers together, alone on the vault. */
  readonly readersAlone: number;
  /** The same while a fifth process commits policy changes back to back. */
  readonly readersWithWriter: number;
  readonly writerCommitsPerSecond: number;
  /** Every error any process met, by code: SQLITE_BUSY or VAULT_UNAVAILABLE here would reach a user. */
  readonly errors: Record<string, number>;
}

function worker(role: 'reader' | 'writer', args: readonly string[], token: string): Promise<WorkerReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WORKER, role, ...args, token, String(SECONDS)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as WorkerReport) : reject(new Error(`${role} exited with ${code}`))));
  });
}

const perSecond = (reports: readonly WorkerReport[]): number => reports.reduce((sum, r) => sum + r.done / r.seconds, 0);

/**
 * The app, the CLI and the cleanup job share one vault: four processes validating sessions, first
 * alone, then beside a fifth that commits changes as fast as it can. Every error is counted.
 */
export async function concurrencyFigures(): Promise<ConcurrencyFigures> {
  const setup = await openVaultWithAdmin({ hashParameters: QUICK_HASH });
  try {
    await addAccount(setup.engine, setup.admin.caller, 'alice', PASSWORDS.alice);
    const alice = await signIn(setup.engine, 'alice', PASSWORDS.alice);
    const args = [setup.vault.path, setup.vault.keychain.service, String(setup.vault.clock.now())];
    const readers = (): Promise<WorkerReport>[] => Array.from({ length: READERS }, () => worker('reader', args, alice.token));
    const alone = await Promise.all(readers());
    const [writer, ...beside] = await Promise.all([worker('writer', args, setup.admin.token), ...readers()]);
    const errors: Record<string, number> = {};
    for (const report of [...alone, ...beside, ...(writer === undefined ? [] : [writer])])
      for (const [code, n] of Object.entries(report.errors)) errors[code] = (errors[code] ?? 0) + n;
    return {
      readersAlone: perSecond(alone),
      readersWithWriter: perSecond(beside),
      writerCommitsPerSecond: writer === undefined ? 0 : perSecond([writer]),
      errors,
    };
  } finally {
    await setup.vault.dispose();
  }
}

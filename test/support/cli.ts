import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../bin/latchkey.js', import.meta.url));
const BUILT = fileURLToPath(new URL('../../out/node/cli/index.js', import.meta.url));

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed as the one JSON object --json promises. */
  json<T = Record<string, unknown>>(): T;
}

export function assertCliBuilt(): void {
  if (!existsSync(BUILT)) throw new Error('The CLI is not built: run `npm run build` (npm test does) before these tests.');
}

/** Runs `latchkey ARGS` in a child process, as a user or a script would, feeding `stdin`. */
export function runCli(args: readonly string[], options: { stdin?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code,
        stdout,
        stderr,
        json<T>() {
          const lines = stdout.trim().split('\n');
          if (lines.length !== 1) throw new Error(`expected one JSON line on stdout, got:\n${stdout}\nstderr:\n${stderr}`);
          return JSON.parse(lines[0] ?? '') as T;
        },
      }),
    );
    child.stdin.end(options.stdin ?? '');
  });
}

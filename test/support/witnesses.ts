import { spawnSync } from 'node:child_process';

/**
 * Outside programs that no one here wrote, as independent witnesses: oathtool computes TOTP codes
 * (RFC 6238) and zbarimg reads QR codes. A missing one fails the test with what to install; it never
 * skips, since a skipped witness proves nothing.
 */

const PACKAGES = { oathtool: 'oathtool', zbarimg: 'zbar-tools' } as const;

function run(program: keyof typeof PACKAGES, args: readonly string[]): string {
  const result = spawnSync(program, args, { encoding: 'utf8' });
  if (result.error !== undefined && (result.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error(
      `${program} is not installed; these tests need it as an outside witness. On Debian or Ubuntu: sudo apt-get install ${PACKAGES[program]}`,
    );
  }
  if (result.status !== 0) throw new Error(`${program} ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  return result.stdout.trim();
}

/** Fails at once, with what to install, when a witness is missing. */
export function requireWitnesses(): void {
  run('oathtool', ['--version']);
  run('zbarimg', ['--version']);
}

export interface OathOptions {
  /** The moment whose code to compute (default: now). */
  readonly at?: number;
  readonly algorithm?: 'SHA1' | 'SHA256' | 'SHA512';
  readonly digits?: number;
  readonly period?: number;
}

/** The TOTP code an authenticator holding this base32 secret shows, as oathtool computes it. */
export function oathtoolCode(secret: string, options: OathOptions = {}): string {
  const at = new Date(options.at ?? Date.now())
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');
  return run('oathtool', [
    `--totp=${(options.algorithm ?? 'SHA1').toLowerCase()}`,
    `--digits=${options.digits ?? 6}`,
    `--time-step-size=${options.period ?? 30}s`,
    '--now',
    at,
    '-b',
    secret,
  ]);
}

/** The text a QR code in a PNG file holds, as zbarimg reads it. */
export function zbarDecode(pngPath: string): string {
  return run('zbarimg', ['--raw', '-q', pngPath]);
}

/**
 * Returns once at least `margin` ms remain in the current 30-second TOTP step (waiting at most that
 * long), so a code computed now is still current for the next few commands.
 */
export async function awayFromStepEdge(margin = 8_000, period = 30_000): Promise<void> {
  const left = period - (Date.now() % period);
  if (left < margin) await new Promise((resolve) => setTimeout(resolve, left + 100));
}

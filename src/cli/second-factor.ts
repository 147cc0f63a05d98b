import type { SecondFactor, TotpSetupView } from '../shared/views.js';
import { BACKUP_CODES_LOW } from '../shared/notices.js';
import { parseArg } from './arguments.js';
import { time } from './format.js';
import { UsageError } from './password-input.js';
import { SecretFile } from './secret-file.js';

/** What the `signin` and `mfa` commands share about a second factor: reading one, and showing a new one once. */

export interface SecondFactorOptions {
  readonly code?: string;
  readonly backupCode?: string;
}

/** --code or --backup-code, checked; null when neither was given. */
export function secondFactorProof(options: SecondFactorOptions): { factor: SecondFactor; code: string } | null {
  if (options.code !== undefined && options.backupCode !== undefined) throw new UsageError('Give --code or --backup-code, not both.');
  if (options.code !== undefined) return { factor: 'totp', code: parseArg('totpCode', options.code, '--code') };
  if (options.backupCode !== undefined) return { factor: 'backup_code', code: parseArg('backupCode', options.backupCode, '--backup-code') };
  return null;
}

/**
 * Begins a TOTP setup and shows what a person needs to add Latchkey to an authenticator app, this
 * once: the QR code on the terminal, the secret for typing in by hand, and the otpauth:// URI. The
 * --qr-png file is made before `begin` runs, so a name already taken refuses the command before any
 * setup starts; if the command fails after that, the file is removed.
 */
export async function showNewTotpSetup(
  qrPng: string | undefined,
  begin: () => Promise<TotpSetupView>,
): Promise<{ setup: TotpSetupView; lines: string[] }> {
  const file = qrPng === undefined ? null : SecretFile.create(qrPng, '--qr-png');
  try {
    const setup = await begin();
    if (file !== null) file.write(await qrPngOf(setup.uri));
    return { setup, lines: await setupLines(setup, file) };
  } catch (error) {
    file?.discard();
    throw error;
  }
}

async function setupLines(setup: TotpSetupView, file: SecretFile | null): Promise<string[]> {
  // Loaded here, not with the CLI: only a TOTP setup draws a QR code, and qrcode is dozens of modules.
  const { default: QRCode } = await import('qrcode');
  // ANSI colours draw the cleanest code on a terminal; piped into a file, plain block characters do.
  const qr = await QRCode.toString(setup.uri, process.stdout.isTTY ? { type: 'terminal', small: true } : { type: 'utf8', margin: 2 });
  return [
    'Scan this QR code with an authenticator app (Google Authenticator, Aegis, 1Password …):',
    qr.trimEnd(),
    `Or enter this secret by hand: ${setup.secret}`,
    `URI: ${setup.uri}`,
    ...(file === null ? [] : [`QR code written to ${file.path}; it holds the secret, so delete it once scanned.`]),
    `Then confirm with the code the app shows: latchkey mfa totp confirm --code CODE (before ${time(setup.expiresAt)}).`,
  ];
}

async function qrPngOf(uri: string): Promise<Buffer> {
  const { default: QRCode } = await import('qrcode');
  return QRCode.toBuffer(uri, { type: 'png', errorCorrectionLevel: 'M', margin: 2, scale: 6 });
}

/** Backup codes, shown once: after this only their keyed hashes exist. */
export function backupCodeLines(codes: readonly string[]): string[] {
  return [
    'Backup codes: each works once, in place of a code from the app. Keep them somewhere safe; they are not shown again.',
    ...codes.map((code) => `  ${code}`),
  ];
}

/** The warning at BACKUP_CODES_LOW or fewer; none when `left` is null (no backup codes in play). */
export function lowBackupCodesWarning(left: number | null): string[] {
  if (left === null || left > BACKUP_CODES_LOW) return [];
  const regenerate = 'Make new ones with `latchkey mfa backup-codes regenerate`.';
  return [left === 0 ? `No backup codes left. ${regenerate}` : `Only ${left} backup code${left === 1 ? '' : 's'} left. ${regenerate}`];
}

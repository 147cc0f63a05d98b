/**
 * Things a person is told once, declared once for the engine, the app and the CLI.
 * The engine stores an account notice until the account's next sign-in; the app adds the
 * backup-code notices itself after a sign-in that spent one.
 */
export const ACCOUNT_NOTICES = ['mfa_reset_by_admin'] as const;
export type AccountNotice = (typeof ACCOUNT_NOTICES)[number];

/** After a sign-in with a backup code: how many are left, and a warning once they run low. */
export type BackupCodeNotice = 'backup_code_used' | 'low_backup_codes' | 'no_backup_codes';
export type Notice = AccountNotice | BackupCodeNotice;

/** Warn at this many unused backup codes or fewer (security-parameters.md). */
export const BACKUP_CODES_LOW = 2;

/** How many backup codes a sign-in with one left, in the words every host uses. */
export function backupCodesLeftText(left: number): string {
  if (left === 0) return 'You signed in with your last backup code.';
  const codes = `${left} backup code${left === 1 ? '' : 's'}`;
  return `You signed in with a backup code: ${left <= BACKUP_CODES_LOW ? 'only ' : ''}${codes} left.`;
}

export function isAccountNotice(value: string): value is AccountNotice {
  return (ACCOUNT_NOTICES as readonly string[]).includes(value);
}

/** Asked before a move away from fresh backup codes not yet said to be saved. */
export const LEAVE_CODES_WARNING =
  'These backup codes are not shown again. Leave without saving them? Without them, a lost phone can lock you out of your account.';

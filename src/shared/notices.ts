/**
 * Things a person is told once, declared once for the engine, the app and the CLI.
 * The engine stores an account notice until the account's next sign-in; the app adds the
 * backup-code notices itself after a sign-in that spent one.
 */
export const ACCOUNT_NOTICES = ['mfa_reset_by_admin'] as const;
export type AccountNotice = (typeof ACCOUNT_NOTICES)[number];

export type BackupCodeNotice = 'low_backup_codes' | 'no_backup_codes';
export type Notice = AccountNotice | BackupCodeNotice;

/** Warn at this many unused backup codes or fewer (security-parameters.md). */
export const BACKUP_CODES_LOW = 2;

export function isAccountNotice(value: string): value is AccountNotice {
  return (ACCOUNT_NOTICES as readonly string[]).includes(value);
}

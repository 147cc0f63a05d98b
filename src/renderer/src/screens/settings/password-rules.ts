import type { ErrorInfo } from '../../../../shared/errors';

/** What every new-password field says up front; the engine's refusal names the exact rule broken. */
export const PASSWORD_HINT =
  'A long passphrase of a few unrelated words works best. Common passwords and ones containing the account name are refused.';

/** The one check the renderer makes itself: the two copies of a new password match. */
export const mismatch: ErrorInfo = {
  code: 'INVALID_INPUT',
  message: 'The two new passwords are not the same. Type the same password in both fields.',
};

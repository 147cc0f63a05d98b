import type { ErrorInfo } from '../../../../shared/errors';
import { PASSWORD_LENGTH_RULE } from '../../../../shared/password-rules';

/** What every new-password field says up front; the engine's refusal names the exact rule broken. */
export const PASSWORD_HINT = `${PASSWORD_LENGTH_RULE} A long passphrase of a few unrelated words works best. Common passwords and ones containing the account name are refused.`;

/** The one check the renderer makes itself: the two copies of a new password match. */
export const mismatch: ErrorInfo = {
  code: 'INVALID_INPUT',
  message: 'The two new passwords are not the same. Type the same password in both fields.',
};

/** The same check at first run, where there is no old password for this one to be "new" against. */
export const firstPasswordMismatch: ErrorInfo = {
  code: 'INVALID_INPUT',
  message: 'The two passwords are not the same. Type the same password in both fields.',
};

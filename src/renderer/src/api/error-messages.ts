import type { ErrorCode, ErrorDetails, ErrorInfo, PasswordRule } from '../../../shared/errors';
import { formatClock, formatDateTime, formatDuration, plural } from '../format/time';

/**
 * Every error code the engine may answer with, and what the person reads for it: the one place
 * where codes become words. Where the engine's own message names the specific thing (which
 * account, which policy value), it is used; it never carries a secret.
 */
type Describe<C extends ErrorCode> = (error: ErrorInfo<C>, now: number) => string;

const engineOr =
  (fallback: string): Describe<ErrorCode> =>
  (error) =>
    error.message.trim() || fallback;

const MESSAGES: { readonly [C in ErrorCode]: Describe<C> } = {
  INVALID_INPUT: (error) => describeInvalidInput(error),
  INVALID_CREDENTIALS: engineOr('The account name or password is not correct.'),
  MFA_REQUIRED: () => 'Enter the code from your authenticator app to finish signing in.',
  MFA_ENROLLMENT_REQUIRED: () => 'This account must set up two-step sign-in before it can be used.',
  CHALLENGE_INVALID: () => 'This sign-in step has expired or was already used. Start again with your password.',
  CODE_INVALID: (error) =>
    error.details?.codeAttemptsLeft === 0 && error.details.attemptsLeft > 0
      ? `That code is not right, and it is void now. Send a new one, or use another way. ${plural(error.details.attemptsLeft, 'attempt')} left.`
      : `That code is not right.${attemptsLeftSentence(error.details)}`,
  CODE_REPLAYED: (error) =>
    `That code was already used. Wait for your authenticator app to show a new one.${attemptsLeftSentence(error.details)}`,
  LOCKED_OUT: (error) => describeLockout(error),
  RATE_LIMITED: (error, now) =>
    error.details === undefined
      ? error.message
      : `That was asked for too often just now: at most one a minute and five an hour. You can ask again in ${formatDuration((error.details.retryAt - now) / 1000)}.`,
  ACCOUNT_DISABLED: () => 'This account is disabled. Ask an administrator to enable it.',
  SESSION_EXPIRED: () => 'Your session has ended. Sign in again to continue.',
  SESSION_LIMIT_REACHED: () =>
    'This account already has as many sessions as policy allows. Sign out somewhere else, or ask an administrator.',
  REFRESH_TOKEN_INVALID: () => 'This device is no longer signed in. Sign in with your password.',
  LINK_INVALID: engineOr('This link is not valid or has expired. Ask Latchkey for a new one.'),
  NOT_AUTHORISED: engineOr('You do not have permission to do this.'),
  NOT_FOUND: engineOr('That no longer exists. Refresh the page and try again.'),
  CONFLICT: engineOr('That clashes with the current state of the vault.'),
  MFA_STATE_INVALID: engineOr('Two-step sign-in is not in the state this step needs. Refresh and try again.'),
  PASSWORD_REJECTED: (error) => describePasswordRule(error),
  ALREADY_INITIALISED: () => 'This vault already has an administrator. Sign in instead.',
  NOT_INITIALISED: () => 'This vault has no accounts yet. Create the first administrator.',
  KEYCHAIN_UNAVAILABLE: engineOr('The system keychain is locked or not running. Unlock it, then try again.'),
  VAULT_KEY_MISSING: engineOr('The key for this vault is not in the system keychain, so the vault cannot be opened.'),
  VAULT_TOO_NEW: () => 'This vault was written by a newer version of Latchkey. Update Latchkey to open it.',
  VAULT_UNREADABLE: engineOr('The vault file cannot be read.'),
  VAULT_UNAVAILABLE: engineOr('The vault file could not be used just now, and nothing was changed. Try again.'),
  INTERNAL: () => 'Something went wrong inside Latchkey and nothing was changed. Try again.',
};

export function describeError(error: ErrorInfo, now: number = Date.now()): string {
  // Each entry takes the error of its own code; TypeScript cannot pair the two through an index.
  const describe = MESSAGES[error.code] as Describe<ErrorCode>;
  return describe(error, now);
}

const PASSWORD_RULES: Record<PasswordRule, (details: ErrorDetails<'PASSWORD_REJECTED'>) => string> = {
  lost_character: () =>
    'The password contains a broken character (such as \uFFFD), often left by copying text between programs. Type it again, or choose another.',
  too_short: (d) =>
    d.min === undefined
      ? 'The password is too short.'
      : `The password is too short: use at least ${d.min} characters. A few unrelated words make a strong one.`,
  too_long: (d) => (d.max === undefined ? 'The password is too long.' : `The password is too long: use at most ${d.max} characters.`),
  control_character: () => 'The password contains a control character. Letters, digits, symbols and spaces are all fine.',
  common: () => 'This password is too common: it is on the lists attackers try first. Choose another.',
  contains_name: () => 'The password must not contain the account name or e-mail address.',
  same_as_current: () => 'The new password is the one you have now. Choose a different one.',
};

function describePasswordRule(error: ErrorInfo<'PASSWORD_REJECTED'>): string {
  return error.details === undefined ? error.message : PASSWORD_RULES[error.details.rule](error.details);
}

function describeLockout(error: ErrorInfo<'LOCKED_OUT'>): string {
  if (error.details === undefined) return error.message;
  const { retryAt, retryAfterSeconds, locked } = error.details;
  // The engine's own count, not this window's clock, which need not match the vault's.
  const wait = formatDuration(retryAfterSeconds);
  if (locked) {
    return `Too many failed sign-ins: this account is locked until ${formatDateTime(retryAt)} (${wait} from now). An administrator can unlock it sooner.`;
  }
  return `Too many failed sign-ins. Try again at ${formatClock(retryAt)} (in ${wait}).`;
}

function attemptsLeftSentence(details: ErrorDetails<'CODE_INVALID' | 'CODE_REPLAYED'> | undefined): string {
  if (details === undefined) return '';
  const left = details.attemptsLeft;
  return left === 0 ? ' No attempts are left: start again with your password.' : ` ${plural(left, 'attempt')} left.`;
}

const FIELD_NAMES: Record<string, string> = {
  username: 'the account name',
  password: 'the password',
  currentPassword: 'the current password',
  newPassword: 'the new password',
  code: 'the code',
  email: 'the e-mail address',
  value: 'the value',
  challengeId: 'the sign-in step',
};

/** The router reports which fields failed (never their values); the engine's own messages are already specific. */
function describeInvalidInput(error: ErrorInfo<'INVALID_INPUT'>): string {
  const problems = error.details?.problems;
  if (problems === undefined) return error.message || 'Some of what you entered is not valid.';
  const fields = [...new Set(problems.map((problem) => FIELD_NAMES[problem.split(':')[0] ?? ''] ?? 'a field'))];
  return `Check ${fields.join(' and ')}: it is missing, too long, or not in the expected form.`;
}

/** The time a LOCKED_OUT error says the next attempt may be made, if it is one. */
export function retryAtOf(error: ErrorInfo | null): number | null {
  return error?.code === 'LOCKED_OUT' ? (error.details?.retryAt ?? null) : null;
}

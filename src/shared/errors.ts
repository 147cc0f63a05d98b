/**
 * The closed set of error codes that may cross any boundary (IPC, CLI, HTTP).
 * Each code has one meaning; the message says what to do, never a secret.
 */
export const ERROR_CODES = [
  'INVALID_INPUT',
  'INVALID_CREDENTIALS',
  'MFA_REQUIRED',
  'MFA_ENROLLMENT_REQUIRED',
  'CHALLENGE_INVALID',
  'CODE_INVALID',
  'CODE_REPLAYED',
  'LOCKED_OUT',
  'ACCOUNT_DISABLED',
  'SESSION_EXPIRED',
  'SESSION_LIMIT_REACHED',
  'REFRESH_TOKEN_INVALID',
  'LINK_INVALID',
  'NOT_AUTHORISED',
  'NOT_FOUND',
  'CONFLICT',
  'MFA_STATE_INVALID',
  'PASSWORD_REJECTED',
  'ALREADY_INITIALISED',
  'NOT_INITIALISED',
  'KEYCHAIN_UNAVAILABLE',
  'VAULT_KEY_MISSING',
  'VAULT_TOO_NEW',
  'VAULT_UNREADABLE',
  'VAULT_UNAVAILABLE',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Extra, non-secret facts a caller can act on (a retry time, the rule a password broke). */
export type ErrorDetails = Readonly<Record<string, string | number | boolean | null | readonly string[]>>;

export interface ErrorInfo {
  readonly code: ErrorCode;
  readonly message: string;
  readonly details?: ErrorDetails;
}

/** Thrown inside the engine; turned into an envelope at every boundary. */
export class LatchkeyError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails | undefined;

  constructor(code: ErrorCode, message: string, details?: ErrorDetails) {
    super(message);
    this.name = 'LatchkeyError';
    this.code = code;
    this.details = details;
  }

  toInfo(): ErrorInfo {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export function isLatchkeyError(value: unknown): value is LatchkeyError {
  return value instanceof LatchkeyError;
}

/**
 * Anything that is not a LatchkeyError is a bug or an outside failure; its message may carry
 * details we did not vet, so only a generic text leaves the process.
 */
export function toErrorInfo(error: unknown): ErrorInfo {
  if (isLatchkeyError(error)) return error.toInfo();
  return { code: 'INTERNAL', message: 'An internal error occurred. The operation was not completed.' };
}

import type { AuditVerdict, ChallengeView, MfaState, SessionEndReason } from './views.js';

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
  'RATE_LIMITED',
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

/** The rules a new password can break, each with its own words in every host. */
export type PasswordRule =
  'lost_character' | 'too_short' | 'too_long' | 'control_character' | 'common' | 'contains_name' | 'same_as_current';

/** What a refused vault file was found to hold, where it was more than a page that would not read. */
export type VaultProblem =
  | { readonly problem: 'row_altered'; readonly table: string; readonly row: string | null; readonly account: string | null }
  | { readonly problem: 'unexpected_value'; readonly table: string; readonly column: string; readonly row: string | null }
  | { readonly problem: 'seal_undone'; readonly path: string }
  | { readonly problem: 'log_broken'; readonly path: string; readonly log: Extract<AuditVerdict, { intact: false }>['problem'] };

/** Why the vault could not be used for a moment, though the file itself is sound. */
export type UnavailableProblem = 'disk_full' | 'read_only' | 'busy' | 'io' | 'no_memory';

/**
 * Extra, non-secret facts a caller can act on, declared per code: a host reads `retryAt` from a
 * LOCKED_OUT after checking the code, with no cast, and the compiler finds every reader when a
 * shape changes. `never`: the code carries no details.
 */
export interface ErrorDetailsByCode {
  readonly INVALID_INPUT: {
    /** The field the message is about, where it is one. */
    readonly field?: 'username' | 'email' | 'phone';
    /** Field paths and the rule each broke, never the value. */
    readonly problems?: readonly string[];
    readonly maxBytes?: number;
    readonly size?: number;
  };
  readonly INVALID_CREDENTIALS: never;
  readonly MFA_REQUIRED: ChallengeView;
  /** The CLI adds the authenticator setup it started, to be confirmed by a later command. */
  readonly MFA_ENROLLMENT_REQUIRED: ChallengeView & {
    readonly uri?: string;
    readonly secret?: string;
    readonly setupExpiresAt?: number;
    readonly qrPng?: string | null;
    readonly replacedEarlierSetup?: boolean;
  };
  readonly CHALLENGE_INVALID: never;
  /** `codeAttemptsLeft`: with a code sent by SMS or e-mail, the wrong tries that code has left. */
  readonly CODE_INVALID: { readonly attemptsLeft: number; readonly codeAttemptsLeft?: number };
  readonly CODE_REPLAYED: { readonly attemptsLeft: number };
  /** `locked`: the account is locked for the policy's lock time; otherwise a delay between attempts. */
  readonly LOCKED_OUT: { readonly retryAt: number; readonly retryAfterSeconds: number; readonly locked: boolean };
  /** Asked too often (a code sent at most once a minute and five times an hour): the next ask may come at `retryAt`. */
  readonly RATE_LIMITED: { readonly retryAt: number; readonly retryAfterSeconds: number };
  readonly ACCOUNT_DISABLED: never;
  readonly SESSION_EXPIRED: { readonly reason: SessionEndReason | 'ended' };
  readonly SESSION_LIMIT_REACHED: { readonly limit: number };
  readonly REFRESH_TOKEN_INVALID: never;
  readonly LINK_INVALID: never;
  readonly NOT_AUTHORISED: never;
  readonly NOT_FOUND: never;
  /** `file`: the file that is in the way. */
  readonly CONFLICT: { readonly file: string };
  readonly MFA_STATE_INVALID: { readonly state: MfaState };
  readonly PASSWORD_REJECTED: { readonly rule: PasswordRule; readonly min?: number; readonly max?: number };
  readonly ALREADY_INITIALISED: never;
  readonly NOT_INITIALISED: { readonly path: string };
  readonly KEYCHAIN_UNAVAILABLE: { readonly service: string; readonly cause: string };
  readonly VAULT_KEY_MISSING: { readonly vaultId: string; readonly service: string };
  readonly VAULT_TOO_NEW: { readonly vaultSchema: number; readonly supportedSchema: number };
  readonly VAULT_UNREADABLE: { readonly path: string; readonly problems?: number } | VaultProblem;
  readonly VAULT_UNAVAILABLE: { readonly problem: UnavailableProblem; readonly path?: string };
  readonly INTERNAL: never;
}

export type ErrorDetails<C extends ErrorCode = ErrorCode> = ErrorDetailsByCode[C];

/** An error as it crosses a boundary; checking `code` tells the type of `details`. */
export type ErrorInfo<C extends ErrorCode = ErrorCode> = {
  readonly [K in C]: { readonly code: K; readonly message: string; readonly details?: ErrorDetailsByCode[K] };
}[C];

/** Thrown inside the engine; turned into an envelope at every boundary. */
export class LatchkeyError<C extends ErrorCode = ErrorCode> extends Error {
  readonly code: C;
  readonly details: ErrorDetailsByCode[C] | undefined;

  constructor(code: C, message: string, details?: ErrorDetailsByCode[C]) {
    super(message);
    this.name = 'LatchkeyError';
    this.code = code;
    this.details = details;
  }

  /** Whether this is the error `code`, with that code's details. */
  is<K extends ErrorCode>(code: K): this is LatchkeyError<K> {
    return isLatchkeyError(this, code);
  }

  toInfo(): ErrorInfo<C> {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export function isLatchkeyError(value: unknown): value is LatchkeyError;
export function isLatchkeyError<K extends ErrorCode>(value: unknown, code: K): value is LatchkeyError<K>;
export function isLatchkeyError(value: unknown, code?: ErrorCode): boolean {
  return value instanceof LatchkeyError && (code === undefined || value.code === code);
}

/**
 * Anything that is not a LatchkeyError is a bug or an outside failure; its message may carry
 * details we did not vet, so only a generic text leaves the process.
 */
export function toErrorInfo(error: unknown): ErrorInfo {
  if (isLatchkeyError(error)) return error.toInfo();
  return { code: 'INTERNAL', message: 'An internal error occurred. The operation was not completed.' };
}

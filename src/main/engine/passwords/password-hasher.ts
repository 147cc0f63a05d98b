import type * as Argon2 from '@node-rs/argon2';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { hasLostCharacter } from '../../../shared/password-rules.js';

let library: Promise<typeof Argon2> | undefined;
let parser: (typeof Argon2)['parseOptions'] | undefined;

/**
 * The native argon2 module, loaded the first time a password is hashed or checked rather than with
 * the engine: a command that only reads the vault (whoami, audit list) never needs it. An ES import,
 * as every such use is asynchronous anyway.
 */
function argon2(): Promise<typeof Argon2> {
  return (library ??= import('@node-rs/argon2'));
}

/** The module's PHC-string parser, for the cost checks that must answer at once: the same module, required. */
function parseOptions(stored: string): ReturnType<(typeof Argon2)['parseOptions']> {
  parser ??= (createRequire(import.meta.url)('@node-rs/argon2') as typeof Argon2).parseOptions;
  return parser(stored);
}

/** argon2id cost parameters (memory in KiB). */
export interface HashParameters {
  readonly memoryCost: number;
  readonly timeCost: number;
  readonly parallelism: number;
}

/** OWASP Password Storage Cheat Sheet minimum for argon2id. */
export const DEFAULT_HASH_PARAMETERS: HashParameters = { memoryCost: 19456, timeCost: 2, parallelism: 1 };

const ARGON2ID = 2; // @node-rs/argon2's Algorithm.Argon2id (a const enum, so not importable here)
const OUTPUT_BYTES = 32;

/** A stored hash Latchkey can check: its own argon2id, or a legacy bcrypt one brought in by an import. */
export type StoredHashScheme = 'argon2id' | 'bcrypt';

/**
 * The most a stored hash may cost to check. An imported hash is checked at every sign-in until it is
 * replaced, so a crafted one (bcrypt cost 31, argon2 with gigabytes of memory) would otherwise stall
 * each attempt on that name.
 */
const MAX_COST = { bcryptRounds: 14, argon2MemoryKiB: 262_144, argon2Time: 16, argon2Parallelism: 16 } as const;

/** `$2a$`, `$2b$` or `$2y$`, two cost digits, then 22 characters of salt and 31 of hash in bcrypt's base64. */
const BCRYPT = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;

export interface PasswordCheck {
  readonly valid: boolean;
  /** The stored hash is weaker than today's parameters and should be replaced now that the password is known. */
  readonly needsRehash: boolean;
}

const NO_MATCH: PasswordCheck = { valid: false, needsRehash: false };

/** NIST 800-63B: normalise before hashing so the same password typed on any keyboard matches. */
export function normalisePassword(password: string): string {
  return password.normalize('NFKC');
}

/** argon2id in PHC strings; the parameters travel with each hash so they can be raised later. */
export class PasswordHasher {
  readonly #params: HashParameters;
  #dummy: string | null = null;

  constructor(params: HashParameters = DEFAULT_HASH_PARAMETERS) {
    this.#params = params;
  }

  hash(password: string): Promise<string> {
    return argon2().then((lib) => lib.hash(normalisePassword(password), { algorithm: ARGON2ID, outputLen: OUTPUT_BYTES, ...this.#params }));
  }

  async verify(stored: string, password: string): Promise<PasswordCheck> {
    const check = await this.#verifyStored(stored, password);
    // Checked all the same, so that it costs what any wrong password costs; but it matches nothing,
    // or it would match every password that lost the same number of characters in the same places.
    return hasLostCharacter(password) ? NO_MATCH : check;
  }

  async #verifyStored(stored: string, password: string): Promise<PasswordCheck> {
    if (stored.startsWith('$2')) return this.#verifyBcrypt(stored, password);
    let valid: boolean;
    try {
      valid = await (await argon2()).verify(stored, normalisePassword(password));
    } catch {
      // A malformed stored hash matches nothing; the account can still be reset by an admin.
      return NO_MATCH;
    }
    return { valid, needsRehash: valid && this.isWeak(stored) };
  }

  /** Spends the same work as a real check, for names that have no account (no enumeration by timing). */
  async verifyNothing(password: string): Promise<false> {
    // Built, not hashed: hashing a dummy on first use made the first unknown name of each process
    // (every CLI run) cost a hash plus a verification, twice a known name's time.
    this.#dummy ??= unmatchableHash(this.#params);
    await (await argon2()).verify(this.#dummy, normalisePassword(password));
    return false;
  }

  /**
   * A legacy bcrypt hash brought in by an import. A match always asks for a rehash, so the first
   * sign-in replaces it by argon2id; hash() never produces one.
   */
  async #verifyBcrypt(stored: string, password: string): Promise<PasswordCheck> {
    if (storedHashScheme(stored) !== 'bcrypt') return NO_MATCH;
    // The old system hashed what was typed, most likely without NFKC, so that form is tried first.
    // bcrypt reads only the first 72 bytes: this check can be no stricter than the old system's,
    // and the argon2id rehash keeps the whole password from then on.
    const forms = [...new Set([password, normalisePassword(password)])];
    // Loaded only here: most vaults never hold a bcrypt hash, and every CLI run would pay for it.
    const { compare } = await import('bcryptjs');
    for (const form of forms) {
      if (await compare(form, stored)) return { valid: true, needsRehash: true };
    }
    return NO_MATCH;
  }

  isWeak(stored: string): boolean {
    try {
      const used = parseOptions(stored);
      return (
        Number(used.algorithm) !== ARGON2ID ||
        used.memoryCost < this.#params.memoryCost ||
        used.timeCost < this.#params.timeCost ||
        used.parallelism < this.#params.parallelism ||
        used.outputLen < OUTPUT_BYTES
      );
    } catch {
      return true;
    }
  }
}

/**
 * What kind of stored hash this is, if Latchkey can check it at a bounded cost; null for anything
 * else (another algorithm, a malformed string, a cost above MAX_COST). An import accepts only these.
 */
export function storedHashScheme(stored: string): StoredHashScheme | null {
  const bcrypt = BCRYPT.exec(stored);
  if (bcrypt !== null) {
    const rounds = Number(bcrypt[1]);
    return rounds >= 4 && rounds <= MAX_COST.bcryptRounds ? 'bcrypt' : null;
  }
  if (!stored.startsWith('$argon2id$')) return null;
  try {
    const used = parseOptions(stored);
    const bounded =
      Number(used.algorithm) === ARGON2ID &&
      used.memoryCost <= MAX_COST.argon2MemoryKiB &&
      used.timeCost <= MAX_COST.argon2Time &&
      used.parallelism <= MAX_COST.argon2Parallelism &&
      // RFC 9106 §3.1: a salt of at least 8 bytes; a tag shorter than 16 bytes is too easy to collide.
      used.saltLen >= 8 &&
      used.outputLen >= 16;
    return bounded ? 'argon2id' : null;
  } catch {
    return null;
  }
}

/** A well-formed PHC string at the given cost whose random tag matches no password; checking it is one full argon2id run. */
function unmatchableHash(params: HashParameters): string {
  const b64 = (bytes: number): string => randomBytes(bytes).toString('base64').replace(/=+$/, '');
  return `$argon2id$v=19$m=${params.memoryCost},t=${params.timeCost},p=${params.parallelism}$${b64(16)}$${b64(OUTPUT_BYTES)}`;
}

import { hash, parseOptions, verify } from '@node-rs/argon2';
import { randomBytes } from 'node:crypto';

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

export interface PasswordCheck {
  readonly valid: boolean;
  /** The stored hash is weaker than today's parameters and should be replaced now that the password is known. */
  readonly needsRehash: boolean;
}

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
    return hash(normalisePassword(password), { algorithm: ARGON2ID, outputLen: OUTPUT_BYTES, ...this.#params });
  }

  async verify(stored: string, password: string): Promise<PasswordCheck> {
    let valid: boolean;
    try {
      valid = await verify(stored, normalisePassword(password));
    } catch {
      // A malformed stored hash matches nothing; the account can still be reset by an admin.
      return { valid: false, needsRehash: false };
    }
    return { valid, needsRehash: valid && this.isWeak(stored) };
  }

  /** Spends the same work as a real check, for names that have no account (no enumeration by timing). */
  async verifyNothing(password: string): Promise<false> {
    // Built, not hashed: hashing a dummy on first use made the first unknown name of each process
    // (every CLI run) cost a hash plus a verification, twice a known name's time.
    this.#dummy ??= unmatchableHash(this.#params);
    await verify(this.#dummy, normalisePassword(password));
    return false;
  }

  isWeak(stored: string): boolean {
    try {
      const used = parseOptions(stored);
      return (
        used.algorithm !== ARGON2ID ||
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

/** A well-formed PHC string at the given cost whose random tag matches no password; checking it is one full argon2id run. */
function unmatchableHash(params: HashParameters): string {
  const b64 = (bytes: number): string => randomBytes(bytes).toString('base64').replace(/=+$/, '');
  return `$argon2id$v=19$m=${params.memoryCost},t=${params.timeCost},p=${params.parallelism}$${b64(16)}$${b64(OUTPUT_BYTES)}`;
}

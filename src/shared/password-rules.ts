/**
 * NIST 800-63B §3.1.1.2 lengths, counted in characters after NFKC. Declared here so the engine
 * enforces the same numbers that the new-password forms state up front.
 */
export const PASSWORD_LIMITS = { minWithSecondFactor: 8, minWithoutSecondFactor: 15, max: 256 } as const;

/** The length rule in words, as every new-password field states it before anyone types. */
export const PASSWORD_LENGTH_RULE = `At least ${PASSWORD_LIMITS.minWithoutSecondFactor} characters; ${PASSWORD_LIMITS.minWithSecondFactor} once two-step sign-in is on.`;

/**
 * Whether a password holds a character lost on its way in: a lone UTF-16 surrogate (half of a
 * pair, from a string cut in the middle), or U+FFFD, which decoders put where bytes were not text.
 * A lone surrogate has no UTF-8 form and is hashed as U+FFFD, so `\ud800`, `\udc00` and `\ufffd`
 * would all be one password: such a password is refused when set, and matches nothing at sign-in.
 */
export function hasLostCharacter(password: string): boolean {
  return /[\p{Cs}\uFFFD]/u.test(password);
}

/**
 * NIST 800-63B §3.1.1.2 lengths, counted in characters after NFKC. Declared here so the engine
 * enforces the same numbers that the new-password forms state up front.
 */
export const PASSWORD_LIMITS = { minWithSecondFactor: 8, minWithoutSecondFactor: 15, max: 256 } as const;

/** The length rule in words, as every new-password field states it before anyone types. */
export const PASSWORD_LENGTH_RULE = `At least ${PASSWORD_LIMITS.minWithoutSecondFactor} characters; ${PASSWORD_LIMITS.minWithSecondFactor} once two-step sign-in is on.`;

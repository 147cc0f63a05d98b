/**
 * The rules that tie one policy key to another, declared once: the engine refuses a policy that
 * breaks one, and the admin screen shows the same words next to the field while it is typed.
 * Keys are named as text here because src/shared cannot see the engine's table; a test checks
 * that each is a key the engine knows.
 */

/** A policy's values by key; a screen's draft gives numbers as numbers too. */
export type PolicyValues = Readonly<Record<string, string | number>>;

export interface PolicyRule {
  /** The key the problem is shown next to. */
  readonly key: string;
  /** Every key the rule reads, `key` among them. */
  readonly reads: readonly string[];
  readonly holds: (values: PolicyValues) => boolean;
  readonly message: string;
}

export const POLICY_RULES: readonly PolicyRule[] = [
  {
    key: 'lockout.lockAfterFailures',
    reads: ['lockout.lockAfterFailures', 'lockout.delayAfterFailures'],
    // The lock must come after the growing delay has started, or the delay would never be felt.
    holds: (values) => Number(values['lockout.lockAfterFailures']) > Number(values['lockout.delayAfterFailures']),
    message: 'lockout.lockAfterFailures must be greater than lockout.delayAfterFailures.',
  },
];

/** The rules `values` breaks, in the order they are declared. */
export function brokenPolicyRules(values: PolicyValues): readonly PolicyRule[] {
  return POLICY_RULES.filter((rule) => !rule.holds(values));
}

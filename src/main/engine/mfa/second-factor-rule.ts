import type { AccountRow } from '../../store/accounts.js';
import type { Policy } from '../policy/policy-keys.js';

/** Policy `mfa.required`: must this account have a second factor? */
export function secondFactorRequired(policy: Policy, account: Pick<AccountRow, 'role'>): boolean {
  const rule = policy['mfa.required'];
  return rule === 'all' || (rule === 'admins' && account.role === 'admin');
}

/**
 * Whether a sign-in of this account must now prove a second factor: it has one, or policy asks
 * for one. Anything that would restore a password-only session checks this first.
 */
export function signInNeedsSecondFactor(policy: Policy, account: Pick<AccountRow, 'role' | 'mfa_state'>): boolean {
  return account.mfa_state === 'ENABLED' || secondFactorRequired(policy, account);
}

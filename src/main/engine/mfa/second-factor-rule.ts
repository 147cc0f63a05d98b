import type { AccountRow } from '../../store/accounts.js';
import type { Policy } from '../policy/policy-keys.js';

/** Policy `mfa.required`: must this account have a second factor? */
export function secondFactorRequired(policy: Policy, account: Pick<AccountRow, 'role'>): boolean {
  const rule = policy['mfa.required'];
  return rule === 'all' || (rule === 'admins' && account.role === 'admin');
}

/**
 * Whether the account has a second factor to prove at sign-in. `mfa_state` is the state of its
 * authenticator (TOTP) alone; a factor added later (a code sent by SMS or e-mail) makes this true
 * by itself, so every rule that asks "two factors or one?" asks here, never `mfa_state`.
 * Backup codes do not count: they exist only alongside an authenticator, as its fallback.
 */
export function hasSecondFactor(account: Pick<AccountRow, 'mfa_state'>): boolean {
  return account.mfa_state === 'ENABLED';
}

/**
 * Whether a sign-in of this account must now prove a second factor: it has one, or policy asks
 * for one. Anything that would restore a password-only session checks this first.
 */
export function signInNeedsSecondFactor(policy: Policy, account: Pick<AccountRow, 'role' | 'mfa_state'>): boolean {
  return hasSecondFactor(account) || secondFactorRequired(policy, account);
}

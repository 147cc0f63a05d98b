import { policyValueProblem, type PolicyInput } from '../../../shared/policy-input.js';
import { LatchkeyError } from '../../../shared/errors.js';
import type { Caller } from '../caller.js';
import { requireAdmin, partyOf } from '../caller.js';
import type { EngineContext } from '../context.js';
import { POLICY_KEYS, POLICY_KEY_NAMES, isPolicyKey, policyFromRows, policyInputOf, type Policy, type PolicyKey } from './policy-keys.js';

export interface PolicyEntryView {
  readonly key: PolicyKey;
  readonly value: Policy[PolicyKey];
  readonly default: Policy[PolicyKey];
  readonly description: string;
  readonly input: PolicyInput;
  readonly updatedAt: number | null;
  readonly updatedBy: string | null;
}

export interface SignInFacts {
  readonly idleLockMinutes: number;
  readonly staySignedInDays: number;
  readonly trustDeviceDays: number;
}

export class PolicyService {
  readonly #ctx: EngineContext;

  constructor(ctx: EngineContext) {
    this.#ctx = ctx;
  }

  /** The policy in force: stored values over the strict defaults. */
  current(): Policy {
    return policyFromRows(this.#ctx.repos.policy.all());
  }

  /**
   * The policy as the caller may read it: an administrator every key with who changed it and
   * when; any other account the keys marked for everyone, without who changed them.
   */
  describe(caller: Caller): PolicyEntryView[] {
    const entries = this.#entries();
    if (caller.role === 'admin') return entries;
    return entries.filter((entry) => POLICY_KEYS[entry.key].audience === 'everyone').map((entry) => ({ ...entry, updatedBy: null }));
  }

  /** What the sign-in and lock screens show before anyone is signed in: the offers and the idle lock. */
  signInFacts(): SignInFacts {
    const policy = this.current();
    return {
      idleLockMinutes: policy['session.idleTimeoutMinutes'],
      staySignedInDays: policy['session.rememberDays'],
      trustDeviceDays: policy['mfa.trustDeviceDays'],
    };
  }

  #entries(): PolicyEntryView[] {
    const stored = new Map(this.#ctx.repos.policy.all().map((row) => [row.key, row]));
    const policy = this.current();
    return POLICY_KEY_NAMES.map((key) => ({
      key,
      value: policy[key],
      default: POLICY_KEYS[key].default,
      description: POLICY_KEYS[key].describe,
      input: policyInputOf(key),
      updatedAt: stored.get(key)?.updated_at ?? null,
      updatedBy: stored.get(key)?.updated_by ?? null,
    }));
  }

  /** Sets one key from its text form (as typed on a command line or in a form); audited with old and new values. */
  set(caller: Caller, key: string, text: string): PolicyEntryView {
    requireAdmin(caller);
    if (!isPolicyKey(key)) {
      throw new LatchkeyError('INVALID_INPUT', `Unknown policy key "${key}". Known keys: ${POLICY_KEY_NAMES.join(', ')}.`);
    }
    // Checked as text first: a blank value would coerce to 0, which would silently turn session.rememberDays off.
    const problem = policyValueProblem(policyInputOf(key), text);
    const parsed = POLICY_KEYS[key].schema.safeParse(text.trim());
    if (problem !== null || !parsed.success)
      throw new LatchkeyError('INVALID_INPUT', `Invalid value for ${key}: ${problem ?? 'not a value this key takes'}.`);
    const previous = this.current()[key];
    const value = parsed.data;
    const next = { ...this.current(), [key]: value };
    if (next['lockout.lockAfterFailures'] <= next['lockout.delayAfterFailures']) {
      throw new LatchkeyError('INVALID_INPUT', 'lockout.lockAfterFailures must be greater than lockout.delayAfterFailures.');
    }
    this.#ctx.change((tx) => {
      tx.repos.policy.set(key, JSON.stringify(value), this.#ctx.clock.now(), caller.username);
      tx.audit({
        type: 'policy.changed',
        outcome: 'success',
        actor: partyOf(caller),
        sessionId: caller.sessionId,
        details: { key, from: previous, to: value, default: POLICY_KEYS[key].default },
      });
    });
    const entry = this.#entries().find((e) => e.key === key);
    if (entry === undefined) throw new Error(`policy key ${key} vanished`);
    return entry;
  }
}

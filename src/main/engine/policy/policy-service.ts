import { policyValueProblem, type PolicyInput } from '../../../shared/policy-input.js';
import { brokenPolicyRules } from '../../../shared/policy-rules.js';
import { LatchkeyError } from '../../../shared/errors.js';
import type { Caller } from '../caller.js';
import { requireAdmin, partyOf } from '../caller.js';
import type { EngineContext } from '../context.js';
import type { Change } from '../write-path.js';
import { POLICY_KEYS, POLICY_KEY_NAMES, isPolicyKey, policyFromRows, policyInputOf, type Policy, type PolicyKey } from './policy-keys.js';

export interface PolicyEntryView {
  readonly key: PolicyKey;
  readonly label: string;
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
      label: POLICY_KEYS[key].label,
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
    const change = this.#checkedValue(key, text);
    const previous = this.current();
    const next = { ...previous, [change.key]: change.value };
    this.#refuseBrokenRules(next);
    this.#ctx.change((tx) => this.#write(tx, caller, change.key, previous, next));
    const entry = this.#entries().find((e) => e.key === change.key);
    if (entry === undefined) throw new Error(`policy key ${change.key} vanished`);
    return entry;
  }

  /**
   * Sets several keys from their text forms at once, all or nothing: every value and every rule
   * between keys is checked over the combined result before anything is written, then each key
   * whose value moves is written and audited in one change. A key given its current value is no
   * change. Returns every entry, as an administrator reads them.
   */
  setMany(caller: Caller, changes: readonly { readonly key: string; readonly value: string }[]): PolicyEntryView[] {
    requireAdmin(caller);
    const previous = this.current();
    const next: Policy = { ...previous };
    const given = new Set<string>();
    for (const { key, value } of changes) {
      // Two values for one key would leave which one wins to the order of the list.
      if (given.has(key)) throw new LatchkeyError('INVALID_INPUT', `The policy key ${key} is given more than once.`);
      given.add(key);
      const change = this.#checkedValue(key, value);
      (next as Record<PolicyKey, unknown>)[change.key] = change.value;
    }
    this.#refuseBrokenRules(next);
    const moved = POLICY_KEY_NAMES.filter((key) => next[key] !== previous[key]);
    if (moved.length > 0) {
      this.#ctx.change((tx) => {
        for (const key of moved) this.#write(tx, caller, key, previous, next);
      });
    }
    return this.#entries();
  }

  /** The value `text` gives `key`, or INVALID_INPUT saying why it gives none. */
  #checkedValue(key: string, text: string): { readonly key: PolicyKey; readonly value: Policy[PolicyKey] } {
    if (!isPolicyKey(key)) {
      throw new LatchkeyError('INVALID_INPUT', `Unknown policy key "${key}". Known keys: ${POLICY_KEY_NAMES.join(', ')}.`);
    }
    // Checked as text first: a blank value would coerce to 0, which would silently turn session.rememberDays off.
    const problem = policyValueProblem(policyInputOf(key), text);
    const parsed = POLICY_KEYS[key].schema.safeParse(text.trim());
    if (problem !== null || !parsed.success)
      throw new LatchkeyError('INVALID_INPUT', `Invalid value for ${key}: ${problem ?? 'not a value this key takes'}.`);
    return { key, value: parsed.data };
  }

  #refuseBrokenRules(policy: Policy): void {
    const broken = brokenPolicyRules(policy)[0];
    if (broken !== undefined) throw new LatchkeyError('INVALID_INPUT', broken.message);
  }

  #write(tx: Change, caller: Caller, key: PolicyKey, previous: Policy, next: Policy): void {
    tx.repos.policy.set(key, JSON.stringify(next[key]), this.#ctx.clock.now(), caller.username);
    tx.audit({
      type: 'policy.changed',
      outcome: 'success',
      actor: partyOf(caller),
      sessionId: caller.sessionId,
      details: { key, from: previous[key], to: next[key], default: POLICY_KEYS[key].default },
    });
  }
}

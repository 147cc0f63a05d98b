import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { POLICY_KEYS, POLICY_KEY_NAMES, isPolicyKey } from '../../src/main/engine/policy/policy-keys.js';
import { POLICY_KEY_COUNT } from '../../src/shared/policy-input.js';
import { POLICY_RULES } from '../../src/shared/policy-rules.js';
import { failure } from '../support/errors.js';
import { addAccount, auditEvents, openVaultWithAdmin, signIn, type VaultWithAdmin } from '../support/signed-in.js';
import { PASSWORDS } from '../support/temp-vault.js';

let v: VaultWithAdmin;
beforeEach(async () => {
  v = await openVaultWithAdmin();
});
afterEach(() => v.vault.dispose());

/** The value of every key, as the administrator reads them. */
const values = (): Record<string, unknown> =>
  Object.fromEntries(v.engine.policy.describe(v.admin.caller).map((entry) => [entry.key, entry.value]));

describe('policy: several keys at once', () => {
  it('sets every key given, in one go, and answers with every entry', () => {
    const entries = v.engine.policy.setMany(v.admin.caller, [
      { key: 'session.idleTimeoutMinutes', value: '15' },
      { key: 'mfa.required', value: 'admins' },
      { key: 'lockout.lockMinutes', value: ' 90 ' },
    ]);
    expect(entries.map((entry) => entry.key)).toEqual(POLICY_KEY_NAMES);
    expect(values()).toMatchObject({ 'session.idleTimeoutMinutes': 15, 'mfa.required': 'admins', 'lockout.lockMinutes': 90 });
    expect(entries.find((entry) => entry.key === 'mfa.required')).toMatchObject({ updatedBy: 'admin', updatedAt: v.vault.clock.now() });
  });

  it('audits one policy.changed event for each key it changes, with the value before and after', () => {
    v.engine.policy.setMany(v.admin.caller, [
      { key: 'session.maxPerAccount', value: '3' },
      { key: 'session.limitMode', value: 'deny' },
    ]);
    expect(auditEvents(v.engine, 'policy.changed').map((e) => [e.actor?.name, e.details])).toEqual([
      ['admin', { key: 'session.maxPerAccount', from: 5, to: 3, default: 5 }],
      ['admin', { key: 'session.limitMode', from: 'evict-oldest', to: 'deny', default: 'evict-oldest' }],
    ]);
  });

  it('does not count a key given its current value as a change: nothing written, nothing audited', () => {
    v.engine.policy.setMany(v.admin.caller, [
      { key: 'session.idleTimeoutMinutes', value: '30' },
      { key: 'mfa.required', value: 'all' },
    ]);
    expect(auditEvents(v.engine, 'policy.changed').map((e) => e.details?.['key'])).toEqual(['mfa.required']);
    const idle = v.engine.policy.describe(v.admin.caller).find((entry) => entry.key === 'session.idleTimeoutMinutes');
    expect(idle).toMatchObject({ value: 30, updatedAt: null, updatedBy: null });
  });

  it('writes nothing and audits nothing when one value among good ones is refused', async () => {
    const before = values();
    for (const bad of [
      { key: 'session.maxPerAccount', value: '0' },
      { key: 'session.limitMode', value: 'sometimes' },
      { key: 'session.forever', value: '1' },
      { key: 'session.rememberDays', value: ' ' },
    ]) {
      await failure(
        () =>
          v.engine.policy.setMany(v.admin.caller, [
            { key: 'session.idleTimeoutMinutes', value: '15' },
            bad,
            { key: 'mfa.required', value: 'all' },
          ]),
        'INVALID_INPUT',
      );
    }
    expect(values()).toEqual(before);
    expect(auditEvents(v.engine, 'policy.changed')).toHaveLength(0);
  });

  it('judges the rules between keys over the combined result, and writes nothing when it breaks one', async () => {
    const refused = await failure(
      () =>
        v.engine.policy.setMany(v.admin.caller, [
          { key: 'session.idleTimeoutMinutes', value: '15' },
          { key: 'lockout.lockAfterFailures', value: '8' },
          { key: 'lockout.delayAfterFailures', value: '8' },
        ]),
      'INVALID_INPUT',
    );
    expect(refused.message).toBe('lockout.lockAfterFailures must be greater than lockout.delayAfterFailures.');
    expect(values()).toMatchObject({ 'session.idleTimeoutMinutes': 30, 'lockout.lockAfterFailures': 20, 'lockout.delayAfterFailures': 5 });
    expect(auditEvents(v.engine, 'policy.changed')).toHaveLength(0);
  });

  it('accepts together two values that one key at a time could not reach', () => {
    // Lowering the lock below the present delay is refused alone, but not with a lower delay beside it.
    v.engine.policy.setMany(v.admin.caller, [
      { key: 'lockout.lockAfterFailures', value: '3' },
      { key: 'lockout.delayAfterFailures', value: '2' },
    ]);
    expect(values()).toMatchObject({ 'lockout.lockAfterFailures': 3, 'lockout.delayAfterFailures': 2 });
  });

  it('refuses one key given twice, so which value wins never depends on the order', async () => {
    await failure(
      () =>
        v.engine.policy.setMany(v.admin.caller, [
          { key: 'session.maxPerAccount', value: '3' },
          { key: 'session.maxPerAccount', value: '4' },
        ]),
      'INVALID_INPUT',
    );
    expect(auditEvents(v.engine, 'policy.changed')).toHaveLength(0);
  });

  it('lets no one but an administrator change policy, and writes nothing for anyone else', async () => {
    await addAccount(v.engine, v.admin.caller, 'alice', PASSWORDS.alice);
    const alice = await signIn(v.engine, 'alice', PASSWORDS.alice);
    await failure(() => v.engine.policy.setMany(alice.caller, [{ key: 'session.idleTimeoutMinutes', value: '600' }]), 'NOT_AUTHORISED');
    expect(values()['session.idleTimeoutMinutes']).toBe(30);
    expect(auditEvents(v.engine, 'policy.changed')).toHaveLength(0);
  });
});

describe('policy: what src/shared says about the engine’s table', () => {
  it('counts as many keys as the table declares, the most one call may change', () => {
    expect(POLICY_KEY_NAMES).toHaveLength(POLICY_KEY_COUNT);
  });

  it('names only keys the table declares in its rules between keys', () => {
    for (const rule of POLICY_RULES) {
      expect(rule.reads).toContain(rule.key);
      expect(rule.reads.every(isPolicyKey)).toBe(true);
    }
  });

  it('gives every key a label', () => {
    for (const key of POLICY_KEY_NAMES) expect(POLICY_KEYS[key].label.length).toBeGreaterThan(0);
  });
});

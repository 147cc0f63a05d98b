import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { POLICY_KEYS, POLICY_KEY_NAMES } from '../../src/main/engine/policy/policy-keys.js';
import type { Engine } from '../../src/main/engine/engine.js';
import { AUDITOR } from '../support/auditor.js';
import { failure } from '../support/errors.js';
import { addAccount, auditEvents, openVaultWithAdmin, signIn, type VaultWithAdmin } from '../support/signed-in.js';
import { PASSWORDS } from '../support/temp-vault.js';

let v: VaultWithAdmin;
beforeEach(async () => {
  v = await openVaultWithAdmin();
});
afterEach(() => v.vault.dispose());

/** The value of every key, as an administrator reads them. */
const valueOf = (engine: Engine = v.engine): Record<string, unknown> =>
  Object.fromEntries(engine.policy.describe(AUDITOR).map((entry) => [entry.key, entry.value]));

describe('policy', () => {
  it('shows every key with the strict defaults before anything is set', () => {
    const shown = v.engine.policy.describe(v.admin.caller);
    expect(shown.map((entry) => entry.key)).toEqual(POLICY_KEY_NAMES);
    for (const entry of shown) {
      expect(entry.value).toBe(POLICY_KEYS[entry.key].default);
      expect(entry).toMatchObject({ updatedAt: null, updatedBy: null });
      expect(entry.description.length).toBeGreaterThan(0);
      expect(entry.label).toBe(POLICY_KEYS[entry.key].label);
    }
    expect(valueOf()).toMatchObject({
      'session.idleTimeoutMinutes': 30,
      'session.absoluteTimeoutHours': 12,
      'session.maxPerAccount': 5,
      'session.limitMode': 'evict-oldest',
      'session.rememberDays': 30,
      'lockout.delayAfterFailures': 5,
      'lockout.lockAfterFailures': 20,
      'lockout.lockMinutes': 60,
    });
  });

  it("describes each key's input from its schema: a choice of words or a bounded whole number", () => {
    const inputs = Object.fromEntries(v.engine.policy.describe(v.admin.caller).map((entry) => [entry.key, entry.input]));
    expect(inputs['session.limitMode']).toEqual({
      kind: 'choice',
      options: [
        { value: 'evict-oldest', label: 'End its oldest session' },
        { value: 'deny', label: 'Refuse the new sign-in' },
      ],
    });
    expect(inputs['mfa.required']).toEqual({
      kind: 'choice',
      options: [
        { value: 'off', label: 'No one' },
        { value: 'admins', label: 'Administrators' },
        { value: 'all', label: 'Everyone' },
      ],
    });
    expect(inputs['session.idleTimeoutMinutes']).toEqual({ kind: 'integer', min: 1, max: 24 * 60, unit: 'minutes' });
    expect(inputs['session.rememberDays']).toEqual({ kind: 'integer', min: 0, max: 90, unit: 'days' });
    expect(inputs['lockout.lockAfterFailures']).toEqual({ kind: 'integer', min: 2, max: 100, unit: 'failedSignIns' });
    expect(v.engine.policy.set(v.admin.caller, 'mfa.trustDeviceDays', '7').input).toEqual({
      kind: 'integer',
      min: 0,
      max: 30,
      unit: 'days',
    });
  });

  it('sets a value from its text form and shows who set it and when', () => {
    const entry = v.engine.policy.set(v.admin.caller, 'session.maxPerAccount', '3');
    expect(entry).toMatchObject({ key: 'session.maxPerAccount', value: 3, default: 5, updatedAt: v.vault.clock.now(), updatedBy: 'admin' });
    expect(valueOf()['session.maxPerAccount']).toBe(3);
    expect(v.engine.policy.set(v.admin.caller, 'session.limitMode', 'deny').value).toBe('deny');
  });

  it('audits every change with the value before and after', () => {
    v.engine.policy.set(v.admin.caller, 'session.idleTimeoutMinutes', '15');
    v.engine.policy.set(v.admin.caller, 'session.idleTimeoutMinutes', '10');
    expect(auditEvents(v.engine, 'policy.changed').map((e) => [e.actor?.name, e.details])).toEqual([
      ['admin', { key: 'session.idleTimeoutMinutes', from: 30, to: 15, default: 30 }],
      ['admin', { key: 'session.idleTimeoutMinutes', from: 15, to: 10, default: 30 }],
    ]);
  });

  it('refuses an unknown key with INVALID_INPUT', async () => {
    await failure(() => v.engine.policy.set(v.admin.caller, 'session.forever', '1'), 'INVALID_INPUT');
    await failure(() => v.engine.policy.set(v.admin.caller, '__proto__', '1'), 'INVALID_INPUT');
  });

  it('refuses a value of the wrong kind or out of range with INVALID_INPUT, and changes nothing', async () => {
    const bad: [string, string][] = [
      ['session.maxPerAccount', 'many'],
      ['session.maxPerAccount', '0'],
      ['session.maxPerAccount', '2.5'],
      ['session.maxPerAccount', ''],
      ['session.rememberDays', ''],
      ['session.rememberDays', '   '],
      ['session.idleTimeoutMinutes', '-5'],
      ['session.limitMode', 'sometimes'],
      ['session.rememberDays', '91'],
      ['lockout.lockAfterFailures', '1'],
    ];
    for (const [key, value] of bad) {
      await failure(() => v.engine.policy.set(v.admin.caller, key, value), 'INVALID_INPUT');
    }
    expect(auditEvents(v.engine, 'policy.changed')).toHaveLength(0);
    expect(v.engine.policy.describe(v.admin.caller).every((entry) => entry.updatedAt === null)).toBe(true);
  });

  it('refuses a lock threshold at or below the delay threshold', async () => {
    await failure(() => v.engine.policy.set(v.admin.caller, 'lockout.lockAfterFailures', '5'), 'INVALID_INPUT');
    await failure(() => v.engine.policy.set(v.admin.caller, 'lockout.delayAfterFailures', '20'), 'INVALID_INPUT');
  });

  it('lets no one but an admin change policy', async () => {
    await addAccount(v.engine, v.admin.caller, 'alice', PASSWORDS.alice);
    const alice = await signIn(v.engine, 'alice', PASSWORDS.alice);
    await failure(() => v.engine.policy.set(alice.caller, 'session.idleTimeoutMinutes', '600'), 'NOT_AUTHORISED');
    expect(valueOf()['session.idleTimeoutMinutes']).toBe(30);
  });

  it('keeps policy when the vault is opened again', async () => {
    v.engine.policy.set(v.admin.caller, 'lockout.lockMinutes', '90');
    v.engine.close();
    const reopened = await v.vault.open();
    expect(valueOf(reopened)['lockout.lockMinutes']).toBe(90);
  });

  it('applies a changed limit to the next sign-in', async () => {
    v.engine.policy.set(v.admin.caller, 'session.maxPerAccount', '1');
    const second = await signIn(v.engine, 'admin', PASSWORDS.admin);
    await failure(() => v.engine.sessions.validate(v.admin.token), 'SESSION_EXPIRED');
    expect(v.engine.sessions.validate(second.token).username).toBe('admin');
  });

  it('shows a plain account the keys that shape its own sign-in and sessions, without who changed them', async () => {
    v.engine.policy.set(v.admin.caller, 'session.idleTimeoutMinutes', '15');
    await addAccount(v.engine, v.admin.caller, 'alice', PASSWORDS.alice);
    const alice = await signIn(v.engine, 'alice', PASSWORDS.alice);
    const shown = v.engine.policy.describe(alice.caller);
    expect(shown.map((entry) => entry.key)).toEqual(POLICY_KEY_NAMES.filter((key) => POLICY_KEYS[key].audience === 'everyone'));
    expect(shown.map((entry) => entry.key)).not.toContain('lockout.lockAfterFailures');
    expect(shown.find((entry) => entry.key === 'session.idleTimeoutMinutes')).toMatchObject({ value: 15, updatedBy: null });
  });
});

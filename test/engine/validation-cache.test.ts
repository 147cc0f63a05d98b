import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MINUTE } from '../../src/main/engine/clock.js';
import type { Engine } from '../../src/main/engine/engine.js';
import { failure } from '../support/errors.js';
import { addAccount, openVaultWithAdmin, QUICK_HASH, signIn, type SignedIn, type VaultWithAdmin } from '../support/signed-in.js';
import { PASSWORDS } from '../support/temp-vault.js';

/**
 * Validation keeps what it read while the vault is unchanged. Another engine on the same file has
 * its own SQLite connection, as another process (the CLI, the cleanup job) would: what it commits
 * must reach the next validation here, never a copy kept from before.
 */
let v: VaultWithAdmin;
let other: Engine;
let alice: SignedIn;
beforeEach(async () => {
  v = await openVaultWithAdmin({ hashParameters: QUICK_HASH });
  await addAccount(v.engine, v.admin.caller, 'alice', PASSWORDS.alice);
  alice = await signIn(v.engine, 'alice', PASSWORDS.alice);
  other = await v.vault.open({ hashParameters: QUICK_HASH });
  // Validated twice here first, so the second answer came from what was kept.
  v.engine.sessions.validate(alice.token);
  v.engine.sessions.validate(alice.token);
});
afterEach(() => v.vault.dispose());

describe('validation across processes', () => {
  it('refuses a session another process revoked', async () => {
    other.sessions.revoke(v.admin.caller, alice.caller.sessionId);
    const error = await failure(() => v.engine.sessions.validate(alice.token), 'SESSION_EXPIRED');
    expect(error.details).toEqual({ reason: 'revoked_by_admin' });
  });

  it('refuses the sessions of an account another process disabled', async () => {
    other.accounts.disable(v.admin.caller, 'alice');
    await failure(() => v.engine.sessions.validate(alice.token), 'SESSION_EXPIRED');
  });

  it('applies an idle timeout another process lowered', async () => {
    v.vault.clock.advance(10 * MINUTE);
    expect(v.engine.sessions.validate(alice.token, { touch: false }).username).toBe('alice');
    other.policy.set(v.admin.caller, 'session.idleTimeoutMinutes', '5');
    const error = await failure(() => v.engine.sessions.validate(alice.token), 'SESSION_EXPIRED');
    expect(error.details).toEqual({ reason: 'idle_timeout' });
  });

  it('still checks the deadlines on every call while nothing is written', async () => {
    v.vault.clock.advance(29 * MINUTE);
    expect(v.engine.sessions.validate(alice.token, { touch: false }).username).toBe('alice');
    v.vault.clock.advance(2 * MINUTE);
    const error = await failure(() => v.engine.sessions.validate(alice.token, { touch: false }), 'SESSION_EXPIRED');
    expect(error.details).toEqual({ reason: 'idle_timeout' });
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChallengeAnswer } from '../../../src/main/engine/auth/sign-in.js';
import { MINUTE, SECOND } from '../../../src/main/engine/clock.js';
import { failure } from '../../support/errors.js';
import {
  TOTP_PERIOD,
  codeAt,
  enableTotp,
  nextCode,
  passwordStep,
  signInWithCode,
  wrongCode,
  type Authenticator,
} from '../../support/mfa.js';
import { countRows } from '../../support/raw-vault.js';
import { QUICK_HASH, addAccount, auditEvents, openVaultWithAdmin, signIn, type VaultWithAdmin } from '../../support/signed-in.js';
import { PASSWORDS, cliClient } from '../../support/temp-vault.js';

let v: VaultWithAdmin;
let alice: Authenticator;
let aliceId: string;
beforeEach(async () => {
  v = await openVaultWithAdmin({ hashParameters: QUICK_HASH });
  aliceId = (await addAccount(v.engine, v.admin.caller, 'alice', PASSWORDS.alice)).id;
  alice = await enableTotp(v.engine, v.vault.clock, (await signIn(v.engine, 'alice', PASSWORDS.alice)).caller);
});
afterEach(() => v.vault.dispose());

const now = (): number => v.vault.clock.now();
const challenge = (options: { staySignedIn?: boolean } = {}) => passwordStep(v.engine, 'alice', PASSWORDS.alice, options);
const answer = (challengeId: string, code: string, extra: Partial<ChallengeAnswer> = {}) =>
  v.engine.signIn.answer({ challengeId, factor: 'totp', code, ...extra });
const liveSessions = (): number => countRows(v.vault.path, 'sessions', `account_id = '${aliceId}' AND active = 1`);
const wrong = (): string => wrongCode(alice.secret, now());

/**
 * Six digits repeat across steps about once in a million: the clock moves on until the code `offset`
 * steps away differs from those at `others`, so a test of the window is not fooled by a repeat.
 */
function skipStepsWhereCodesRepeat(offset: number, others: readonly number[]): void {
  while (others.some((other) => codeAt(alice.secret, now(), other) === codeAt(alice.secret, now(), offset))) {
    v.vault.clock.advance(TOTP_PERIOD);
  }
}

describe('the password step of an account with TOTP', () => {
  it('answers a correct password with MFA_REQUIRED, a challenge id and the factors totp and backup_code', async () => {
    const issued = await challenge();
    expect(issued).toEqual({
      challengeId: expect.stringMatching(/^chal_[0-9a-f]{32}$/),
      factors: ['totp', 'backup_code'],
      expiresAt: now() + 5 * MINUTE,
      attemptsLeft: 5,
      // Neither channel is set up on this vault, and alice has nowhere verified to send a code.
      codeChannels: [
        { channel: 'sms', to: null, problem: 'no_destination' },
        { channel: 'email', to: null, problem: 'no_destination' },
      ],
    });
    expect(auditEvents(v.engine, 'mfa.challenge_issued')).toEqual([
      expect.objectContaining({
        target: expect.objectContaining({ name: 'alice' }),
        details: { challengeId: issued.challengeId, purpose: 'verify' },
      }),
    ]);
  });

  it('starts no session before the second factor passes', async () => {
    const before = countRows(v.vault.path, 'sessions');
    await challenge();
    expect(countRows(v.vault.path, 'sessions')).toBe(before);
    expect(liveSessions()).toBe(1);
  });

  it('answers a wrong password with INVALID_CREDENTIALS and issues no challenge', async () => {
    await failure(
      () => v.engine.signIn.withPassword({ username: 'alice', password: PASSWORDS.bob, client: cliClient() }),
      'INVALID_CREDENTIALS',
    );
    expect(countRows(v.vault.path, 'mfa_challenges')).toBe(0);
  });
});

describe('answering the challenge', () => {
  it('starts a session with assurance two_factor for the current code, and audits how it was won', async () => {
    const issued = await challenge();
    const signedIn = answer(issued.challengeId, nextCode(v.vault.clock, alice.secret));
    expect(signedIn.session).toMatchObject({ username: 'alice', assurance: 'two_factor', active: true });
    expect(signedIn).toMatchObject({ deviceToken: null, backupCodesLeft: null, backupCodes: null, refreshToken: null });
    expect(v.engine.sessions.validate(signedIn.token)).toMatchObject({ username: 'alice', sessionId: signedIn.session.id });
    expect(auditEvents(v.engine, 'signin.succeeded').at(-1)).toMatchObject({
      sessionId: signedIn.session.id,
      details: expect.objectContaining({ factors: 'password+totp' }),
    });
  });

  it('refuses a TOTP code whose time step was already used, with CODE_REPLAYED, and audits mfa.code_replayed', async () => {
    const code = nextCode(v.vault.clock, alice.secret);
    answer((await challenge()).challengeId, code);
    const error = await failure(async () => answer((await challenge()).challengeId, code), 'CODE_REPLAYED');
    expect(error.details).toEqual({ attemptsLeft: 4 });
    expect(auditEvents(v.engine, 'mfa.code_replayed')).toEqual([
      expect.objectContaining({ outcome: 'denied', target: expect.objectContaining({ name: 'alice' }) }),
    ]);
  });

  it('refuses the same code a step later, when it is one step back and inside the window', async () => {
    const code = nextCode(v.vault.clock, alice.secret);
    answer((await challenge()).challengeId, code);
    v.vault.clock.advance(TOTP_PERIOD);
    expect(codeAt(alice.secret, now(), -1)).toBe(code);
    await failure(async () => answer((await challenge()).challengeId, code), 'CODE_REPLAYED');
  });

  it('refuses a code for a step before the last accepted one, though it is inside the window', async () => {
    answer((await challenge()).challengeId, nextCode(v.vault.clock, alice.secret));
    const earlier = codeAt(alice.secret, now(), -1);
    await failure(async () => answer((await challenge()).challengeId, earlier), 'CODE_REPLAYED');
  });

  it('accepts by default a code from one step back, for a phone whose clock lags', async () => {
    v.vault.clock.advance(2 * TOTP_PERIOD);
    const lagging = codeAt(alice.secret, now(), -1);
    expect(answer((await challenge()).challengeId, lagging).session.assurance).toBe('two_factor');
  });

  it('refuses a code from two steps back with CODE_INVALID', async () => {
    v.vault.clock.advance(3 * TOTP_PERIOD);
    skipStepsWhereCodesRepeat(-2, [0, -1]);
    const stale = codeAt(alice.secret, now(), -2);
    await failure(async () => answer((await challenge()).challengeId, stale), 'CODE_INVALID');
  });

  it('refuses the one-step-back code when policy mfa.totpStepsBack is 0', async () => {
    v.engine.policy.set(v.admin.caller, 'mfa.totpStepsBack', '0');
    v.vault.clock.advance(2 * TOTP_PERIOD);
    skipStepsWhereCodesRepeat(-1, [0]);
    const lagging = codeAt(alice.secret, now(), -1);
    const issued = await challenge();
    await failure(() => answer(issued.challengeId, lagging), 'CODE_INVALID');
    expect(answer(issued.challengeId, codeAt(alice.secret, now())).session.assurance).toBe('two_factor');
  });

  it('refuses a code from the next step by default, and accepts it when policy mfa.totpStepsAhead is 1', async () => {
    v.vault.clock.advance(TOTP_PERIOD);
    skipStepsWhereCodesRepeat(1, [0, -1]);
    const ahead = codeAt(alice.secret, now(), 1);
    const first = await challenge();
    await failure(() => answer(first.challengeId, ahead), 'CODE_INVALID');
    v.engine.policy.set(v.admin.caller, 'mfa.totpStepsAhead', '1');
    expect(answer(first.challengeId, ahead).session.assurance).toBe('two_factor');
  });

  it('refuses a code that is not six digits with CODE_INVALID', async () => {
    const issued = await challenge();
    for (const typed of ['', '12345', '1234567', 'abcdef', '12 34 56']) {
      await failure(() => answer(issued.challengeId, typed), 'CODE_INVALID');
    }
  });

  it('accepts a code with spaces around it', async () => {
    const issued = await challenge();
    expect(answer(issued.challengeId, ` ${nextCode(v.vault.clock, alice.secret)}\n`).session.assurance).toBe('two_factor');
  });

  it('carries stay-signed-in from the password step to a refresh token', async () => {
    const issued = await challenge({ staySignedIn: true });
    const signedIn = answer(issued.challengeId, nextCode(v.vault.clock, alice.secret));
    expect(signedIn.session.staySignedIn).toBe(true);
    expect(signedIn.refreshToken).not.toBeNull();
    // The refreshed session keeps the assurance it was won with.
    const refreshed = v.engine.sessions.refresh(signedIn.refreshToken!, cliClient());
    expect(refreshed.session.assurance).toBe('two_factor');
  });

  it('gives no refresh token when stay-signed-in was not asked for at the password step', async () => {
    const issued = await challenge({ staySignedIn: false });
    expect(answer(issued.challengeId, nextCode(v.vault.clock, alice.secret)).refreshToken).toBeNull();
  });
});

describe('the challenge', () => {
  it('is refused with CHALLENGE_INVALID when it was never issued', async () => {
    await failure(() => answer('chal_00000000000000000000000000000000', codeAt(alice.secret, now())), 'CHALLENGE_INVALID');
  });

  it('lasts 5 minutes: answered just before, it works', async () => {
    const issued = await challenge();
    v.vault.clock.advance(5 * MINUTE - 1);
    expect(answer(issued.challengeId, codeAt(alice.secret, now())).session.assurance).toBe('two_factor');
  });

  it('expires after 5 minutes with CHALLENGE_INVALID, even with a right code', async () => {
    const issued = await challenge();
    v.vault.clock.advance(5 * MINUTE);
    await failure(() => answer(issued.challengeId, codeAt(alice.secret, now())), 'CHALLENGE_INVALID');
    expect(liveSessions()).toBe(1);
  });

  it('allows 5 attempts, counting down attemptsLeft, and then is void even with a right code', async () => {
    const issued = await challenge();
    const left: unknown[] = [];
    for (let i = 0; i < 5; i += 1)
      left.push((await failure(() => answer(issued.challengeId, wrong()), 'CODE_INVALID')).details?.attemptsLeft);
    expect(left).toEqual([4, 3, 2, 1, 0]);
    v.vault.clock.advance(MINUTE);
    await failure(() => answer(issued.challengeId, codeAt(alice.secret, now())), 'CHALLENGE_INVALID');
    expect(auditEvents(v.engine, 'mfa.challenge_failed').map((e) => e.reason)).toEqual(Array(5).fill('wrong_totp'));
  });

  it('is single use: a second answer with another valid code is refused with CHALLENGE_INVALID', async () => {
    const issued = await challenge();
    answer(issued.challengeId, nextCode(v.vault.clock, alice.secret));
    await failure(() => answer(issued.challengeId, alice.backupCodes[0]!, { factor: 'backup_code' }), 'CHALLENGE_INVALID');
    await failure(() => answer(issued.challengeId, nextCode(v.vault.clock, alice.secret)), 'CHALLENGE_INVALID');
    expect(v.engine.mfa.statusOf(v.engine.accounts.find('alice')).backupCodesLeft).toBe(10);
    expect(liveSessions()).toBe(2);
  });

  it("cannot be answered for another account, even with that account's own code", async () => {
    await addAccount(v.engine, v.admin.caller, 'bob', PASSWORDS.bob);
    const bob = await enableTotp(v.engine, v.vault.clock, (await signIn(v.engine, 'bob', PASSWORDS.bob)).caller);
    const issued = await challenge();
    v.vault.clock.advance(TOTP_PERIOD);
    await failure(() => answer(issued.challengeId, codeAt(alice.secret, now()), { username: 'bob' }), 'CHALLENGE_INVALID');
    await failure(() => answer(issued.challengeId, codeAt(bob.secret, now()), { username: 'bob' }), 'CHALLENGE_INVALID');
    expect(countRows(v.vault.path, 'sessions', "active = 1 AND account_id = (SELECT id FROM accounts WHERE username = 'bob')")).toBe(1);
    // Its own account may still answer it.
    expect(answer(issued.challengeId, codeAt(alice.secret, now()), { username: 'Alice' }).session.username).toBe('alice');
  });

  it('counts wrong codes toward the lockout: after five, even the right password waits', async () => {
    const issued = await challenge();
    for (let i = 0; i < 5; i += 1) await failure(() => answer(issued.challengeId, wrong()), 'CODE_INVALID');
    expect(v.engine.accounts.show(v.admin.caller, 'alice').failedSignIns).toBe(5);
    const locked = await failure(
      () => v.engine.signIn.withPassword({ username: 'alice', password: PASSWORDS.alice, client: cliClient() }),
      'LOCKED_OUT',
    );
    expect(locked.details).toMatchObject({ retryAfterSeconds: 1 });
  });

  it('keeps counting wrong codes across challenges: a right password in between does not clear them', async () => {
    const first = await challenge();
    for (let i = 0; i < 3; i += 1) await failure(() => answer(first.challengeId, wrong()), 'CODE_INVALID');
    const second = await challenge();
    for (let i = 0; i < 2; i += 1) await failure(() => answer(second.challengeId, wrong()), 'CODE_INVALID');
    await failure(() => answer(second.challengeId, codeAt(alice.secret, now())), 'LOCKED_OUT');
    v.vault.clock.advance(SECOND);
    expect(answer(second.challengeId, nextCode(v.vault.clock, alice.secret)).session.assurance).toBe('two_factor');
    expect(v.engine.accounts.show(v.admin.caller, 'alice').failedSignIns).toBe(0);
  });
});

describe('signing in with both steps', () => {
  it('works again and again, each time with the next code', async () => {
    for (let i = 0; i < 3; i += 1) {
      const signedIn = await signInWithCode(v.engine, v.vault.clock, 'alice', PASSWORDS.alice, alice);
      expect(signedIn.session.assurance).toBe('two_factor');
    }
  });

  it('audits a refusal by the session limit at the code step', async () => {
    v.engine.policy.set(v.admin.caller, 'session.limitMode', 'deny');
    v.engine.policy.set(v.admin.caller, 'session.maxPerAccount', '1');
    const issued = await challenge();
    await failure(() => answer(issued.challengeId, nextCode(v.vault.clock, alice.secret)), 'SESSION_LIMIT_REACHED');
    expect(auditEvents(v.engine, 'session.limit_denied')).toHaveLength(1);
    expect(liveSessions()).toBe(1);
  });
});

import type { Engine } from '../src/main/engine/index.js';
import { createRouter, newConnection } from '../src/main/ipc/router.js';
import type { ClientInfo } from '../src/shared/client.js';
import { codeAt, enableTotp, passwordStep, TOTP_PERIOD, type Authenticator } from '../test/support/mfa.js';
import { addAccount, openVaultWithAdmin, QUICK_HASH, signIn, type VaultWithAdmin } from '../test/support/signed-in.js';
import { PASSWORDS } from '../test/support/temp-vault.js';
import { measure, type Sample } from './harness.js';

const desktop: ClientInfo = { host: 'desktop', deviceName: 'workstation', osUser: 'bench', ip: null, userAgent: 'Latchkey/bench' };

export interface SessionFigures {
  readonly validate: Sample;
  /** Validation right after another process committed: nothing kept can answer. */
  readonly validateAfterCommit: Sample;
  readonly validateThroughRouter: Sample;
  /** Validate called as the router calls its handlers, from an async function awaited: the harness's own cost of an async call cancels out. */
  readonly validateAwaited: Sample;
  readonly create: Sample;
  readonly refresh: Sample;
  readonly revoke: Sample;
  readonly listFive: Sample;
  readonly auditAppend: Sample;
}

/**
 * The session figures, on a real vault in a temp folder with the real keychain. Sessions are made by
 * signing in at the low argon2 cost tests use, so what is timed is the engine's own work.
 */
export async function sessionFigures(): Promise<{ figures: SessionFigures; setup: VaultWithAdmin }> {
  const setup = await openVaultWithAdmin({ hashParameters: QUICK_HASH });
  const { engine, admin } = setup;
  for (const name of ['alice', 'carol', 'dave']) await addAccount(engine, admin.caller, name, PASSWORDS.alice);

  const alice = await signIn(engine, 'alice', PASSWORDS.alice, { staySignedIn: true });
  for (let i = 0; i < 4; i += 1) await signIn(engine, 'alice', PASSWORDS.alice, { device: `laptop-${i}` });
  const validate = await measure('validate', () => engine.sessions.validate(alice.token));
  const otherProcess = await setup.vault.open({ hashParameters: QUICK_HASH });
  let toggle = false;
  const validateAfterCommit = await measure('validate after another process committed', () => engine.sessions.validate(alice.token), {
    beforeEach: () => {
      toggle = !toggle;
      otherProcess.policy.set(admin.caller, 'lockout.lockMinutes', toggle ? '61' : '60');
    },
  });
  if (engine.sessions.list(alice.caller).length !== 5) throw new Error('alice should hold 5 sessions');
  const listFive = await measure('session list (5 sessions)', () => engine.sessions.list(alice.caller));

  const router = createRouter({ engine, version: 'bench', kind: 'desktop', osUser: 'bench' });
  const window = newConnection(desktop);
  const signedIn = await router.route(window, 'auth.signIn', { username: 'carol', password: PASSWORDS.alice });
  if (!signedIn.ok) throw new Error(`router sign-in failed: ${signedIn.error.message}`);
  const validateThroughRouter = await measure('validate through the router (app.peek)', async () => {
    const peeked = await router.route(window, 'app.peek', {});
    if (!peeked.ok) throw new Error('app.peek failed');
  });
  const carol = window.token;
  if (carol === null) throw new Error('the router kept no token for carol');
  // eslint-disable-next-line @typescript-eslint/require-await -- awaited like a router call, to time the same harness path
  const validateAwaited = await measure('validate, awaited', async () => engine.sessions.validate(carol));

  const create = await measure('session create (sign-in at the low test cost)', () => signIn(engine, 'dave', PASSWORDS.alice));

  let refreshToken = alice.started.refreshToken;
  const refresh = await measure('refresh with rotation', () => {
    if (refreshToken === null) throw new Error('no refresh token');
    refreshToken = engine.sessions.refresh(refreshToken, desktop).refreshToken;
  });

  let toRevoke = await signIn(engine, 'dave', PASSWORDS.alice);
  const revoke = await measure('session revoke', () => engine.sessions.revoke(toRevoke.caller, toRevoke.caller.sessionId), {
    beforeEach: async () => {
      toRevoke = await signIn(engine, 'dave', PASSWORDS.alice);
    },
  });

  let flip = false;
  const auditAppend = await measure('audit append (a policy change: its row and its event, one commit)', () => {
    flip = !flip;
    engine.policy.set(admin.caller, 'mfa.trustDeviceDays', flip ? '29' : '30');
  });

  return {
    figures: { validate, validateAfterCommit, validateThroughRouter, validateAwaited, create, refresh, revoke, listFive, auditAppend },
    setup,
  };
}

export interface SecondFactorFigures {
  readonly totp: Sample;
  readonly backupCode: Sample;
}

/** Each answer needs a fresh challenge (the password step, outside the timed window) and, for TOTP, a new time step. */
export async function secondFactorFigures(): Promise<SecondFactorFigures> {
  const setup = await openVaultWithAdmin({ hashParameters: QUICK_HASH });
  try {
    const { engine, admin, vault } = setup;
    await addAccount(engine, admin.caller, 'erin', PASSWORDS.alice);
    const erin = await signIn(engine, 'erin', PASSWORDS.alice);
    let authenticator: Authenticator = await enableTotp(engine, vault.clock, erin.caller);
    let challengeId = '';
    let code = '';
    const totp = await measure(
      'TOTP verify (with the replay-guard write and the session it starts)',
      () => engine.signIn.answer({ challengeId, factor: 'totp', code }),
      {
        beforeEach: async () => {
          vault.clock.advance(TOTP_PERIOD);
          challengeId = (await passwordStep(engine, 'erin', PASSWORDS.alice)).challengeId;
          code = codeAt(authenticator.secret, vault.clock.now());
        },
      },
    );
    let codes: string[] = [];
    const backupCode = await measure(
      'backup-code verify (and the session it starts)',
      () => engine.signIn.answer({ challengeId, factor: 'backup_code', code: codes.pop() ?? '' }),
      {
        beforeEach: async () => {
          if (codes.length === 0) {
            const caller = engine.sessions.validate((await signInTotp(engine, authenticator, setup)).token);
            authenticator = {
              ...authenticator,
              backupCodes: (await engine.mfa.regenerateBackupCodes(caller, PASSWORDS.alice)).backupCodes,
            };
            codes = [...authenticator.backupCodes];
          }
          challengeId = (await passwordStep(engine, 'erin', PASSWORDS.alice)).challengeId;
        },
      },
    );
    return { totp, backupCode };
  } finally {
    await setup.vault.dispose();
  }
}

async function signInTotp(engine: Engine, authenticator: Authenticator, setup: VaultWithAdmin): Promise<{ token: string }> {
  setup.vault.clock.advance(TOTP_PERIOD);
  const { challengeId } = await passwordStep(engine, 'erin', PASSWORDS.alice);
  return engine.signIn.answer({ challengeId, factor: 'totp', code: codeAt(authenticator.secret, setup.vault.clock.now()) });
}

/** Sign-in at the default argon2 cost: what a person waits for, beside the hash alone. */
export async function signInFigure(): Promise<Sample> {
  const setup = await openVaultWithAdmin();
  try {
    await addAccount(setup.engine, setup.admin.caller, 'frank', PASSWORDS.alice);
    return await measure('sign-in with argon2 (default parameters)', () => signIn(setup.engine, 'frank', PASSWORDS.alice));
  } finally {
    await setup.vault.dispose();
  }
}

/** `audit verify` over the log the figures above wrote, per 1,000 rows. */
export async function auditVerifyFigure(setup: VaultWithAdmin): Promise<{ sample: Sample; rows: number }> {
  const verdict = await setup.engine.audit.verify(setup.admin.caller);
  if (!verdict.intact) throw new Error('the bench vault audit log does not verify');
  const sample = await measure('audit verify', () => setup.engine.audit.verify(setup.admin.caller), { time: 3000, iterations: 10 });
  const per = 1000 / verdict.events;
  return { sample: { p50: sample.p50 * per, p99: sample.p99 * per, mean: sample.mean * per, runs: sample.runs }, rows: verdict.events };
}

export interface MonitoringFigures {
  readonly validate: { readonly on: Sample; readonly off: Sample };
  readonly signIn: { readonly on: Sample; readonly off: Sample };
}

/**
 * Validation and a successful sign-in (at the low test argon2 cost, so the engine's own work is
 * what shows) on a vault whose detection rules and report counters follow every write, and on one
 * where they are switched off. Both vaults are open at once and measured in turn, three rounds
 * each, so a slow spell of the shared disk falls on both; each side keeps its median round.
 */
export async function monitoringFigures(): Promise<MonitoringFigures> {
  const open = async (monitoring: boolean) => {
    const setup = await openVaultWithAdmin({ hashParameters: QUICK_HASH, monitoring });
    await addAccount(setup.engine, setup.admin.caller, 'grace', PASSWORDS.alice);
    // Validated on another account's session: the sign-ins below evict grace's oldest at the limit.
    await addAccount(setup.engine, setup.admin.caller, 'heidi', PASSWORDS.alice);
    const held = await signIn(setup.engine, 'heidi', PASSWORDS.alice, { device: 'desk' });
    let n = 0;
    const state = monitoring ? 'on' : 'off';
    return {
      setup,
      validate: () => measure(`validate, monitoring ${state}`, () => setup.engine.sessions.validate(held.token)),
      // A few devices in turn: the rules' windows and the known-device record grow as in real use.
      signIn: () =>
        measure(`sign-in, monitoring ${state}`, () => {
          n += 1;
          return signIn(setup.engine, 'grace', PASSWORDS.alice, { device: `desk-${n % 3}` });
        }),
    };
  };
  const off = await open(false);
  const on = await open(true);
  try {
    const rounds = { validate: { on: [] as Sample[], off: [] as Sample[] }, signIn: { on: [] as Sample[], off: [] as Sample[] } };
    for (let round = 0; round < 3; round += 1) {
      rounds.validate.off.push(await off.validate());
      rounds.validate.on.push(await on.validate());
      rounds.signIn.off.push(await off.signIn());
      rounds.signIn.on.push(await on.signIn());
    }
    return {
      validate: { on: medianRound(rounds.validate.on), off: medianRound(rounds.validate.off) },
      signIn: { on: medianRound(rounds.signIn.on), off: medianRound(rounds.signIn.off) },
    };
  } finally {
    await off.setup.vault.dispose();
    await on.setup.vault.dispose();
  }
}

function medianRound(samples: readonly Sample[]): Sample {
  const sorted = [...samples].sort((a, b) => a.p50 - b.p50);
  const middle = sorted[Math.floor(sorted.length / 2)];
  if (middle === undefined) throw new Error('no rounds measured');
  return middle;
}

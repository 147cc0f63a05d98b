import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RowSeal } from '../../src/main/store/row-seal.js';
import type { LatchkeyError } from '../../src/shared/errors.js';
import { failure } from '../support/errors.js';
import { enableTotp, nextCode, passwordStep, type Authenticator } from '../support/mfa.js';
import { withRawVault } from '../support/raw-vault.js';
import { resealRows, rowSealOf } from '../support/row-seal.js';
import { QUICK_HASH, addAccount, openVaultWithAdmin, signIn, type SignedIn, type VaultWithAdmin } from '../support/signed-in.js';
import { PASSWORDS, cliClient } from '../support/temp-vault.js';

/**
 * A column that holds one of a closed set of values (a role, a state, a reason) is checked where
 * its row is read. Here the value is written the way another program, or a later release, holding
 * the keychain's key would write it: past the schema's CHECK, with the row sealed again, so only
 * the check of the value itself can refuse it.
 */

let v: VaultWithAdmin;
let alice: SignedIn;
let seal: RowSeal;
beforeEach(async () => {
  v = await openVaultWithAdmin({ hashParameters: QUICK_HASH });
  await addAccount(v.engine, v.admin.caller, 'alice', PASSWORDS.alice);
  alice = await signIn(v.engine, 'alice', PASSWORDS.alice);
  seal = await rowSealOf(v.engine, v.vault.keychain);
});
afterEach(() => v.vault.dispose());

const aliceId = (): string => alice.caller.accountId;

/** Sets `column` to `value` in the rows of `table` that `where` picks, and seals those rows again. */
function writeAsAnotherProgram(table: string, column: string, value: string | number, where: string): void {
  withRawVault(v.vault.path, (db) => {
    db.pragma('ignore_check_constraints = ON');
    const changed = db.prepare(`UPDATE ${table} SET ${column} = ? WHERE ${where}`).run(value).changes;
    if (changed === 0) throw new Error(`the write changed nothing: ${table} ${where}`);
    resealRows(db, seal, table, where);
  });
}

/** The refusal of a row holding a value outside its column's set: which table, column and row, and never the value. */
async function refusedAsUnexpected(
  work: () => unknown,
  table: string,
  column: string,
  row: string | null,
  value: string | number,
): Promise<LatchkeyError> {
  const error = await failure(work, 'VAULT_UNREADABLE');
  expect(error.details).toEqual({ problem: 'unexpected_value', table, column, row });
  expect(error.message).toContain(`A row of ${table}`);
  expect(error.message).toContain(`column ${column}`);
  if (typeof value === 'string') expect(error.message).not.toContain(value);
  return error;
}

const signInAlice = (): Promise<unknown> =>
  v.engine.signIn.withPassword({ username: 'alice', password: PASSWORDS.alice, client: cliClient() });

describe('accounts', () => {
  it('refuses an account row whose role is not one Latchkey writes', async () => {
    writeAsAnotherProgram('accounts', 'role', 'owner', `id = '${aliceId()}'`);
    await refusedAsUnexpected(() => v.engine.sessions.validate(alice.token), 'accounts', 'role', aliceId(), 'owner');
  });

  it('refuses an account row whose status is not one Latchkey writes', async () => {
    writeAsAnotherProgram('accounts', 'status', 'suspended', `id = '${aliceId()}'`);
    await refusedAsUnexpected(signInAlice, 'accounts', 'status', aliceId(), 'suspended');
  });

  it('refuses an account row whose second-factor state is not one Latchkey writes', async () => {
    writeAsAnotherProgram('accounts', 'mfa_state', 'PAUSED', `id = '${aliceId()}'`);
    await refusedAsUnexpected(signInAlice, 'accounts', 'mfa_state', aliceId(), 'PAUSED');
  });

  it('refuses an account row whose notice is not one Latchkey writes', async () => {
    writeAsAnotherProgram('accounts', 'notice', 'call_the_help_desk', `id = '${aliceId()}'`);
    await refusedAsUnexpected(signInAlice, 'accounts', 'notice', aliceId(), 'call_the_help_desk');
  });

  it('refuses such an account in a list of every account, rather than leaving it out', async () => {
    writeAsAnotherProgram('accounts', 'role', 'owner', `id = '${aliceId()}'`);
    await refusedAsUnexpected(() => v.engine.accounts.list(v.admin.caller), 'accounts', 'role', aliceId(), 'owner');
  });
});

describe('sessions', () => {
  const sessionId = (): string => alice.caller.sessionId;

  it('refuses a session row whose assurance is not one Latchkey writes', async () => {
    writeAsAnotherProgram('sessions', 'assurance', 'retina_scan', `id = '${sessionId()}'`);
    await refusedAsUnexpected(() => v.engine.sessions.validate(alice.token), 'sessions', 'assurance', sessionId(), 'retina_scan');
  });

  it('refuses a session row whose host is not one Latchkey writes', async () => {
    writeAsAnotherProgram('sessions', 'host', 'toaster', `id = '${sessionId()}'`);
    await refusedAsUnexpected(() => v.engine.sessions.validate(alice.token), 'sessions', 'host', sessionId(), 'toaster');
  });

  it('refuses a session row that is neither active nor ended', async () => {
    writeAsAnotherProgram('sessions', 'active', 7, `id = '${sessionId()}'`);
    await refusedAsUnexpected(() => v.engine.sessions.validate(alice.token), 'sessions', 'active', sessionId(), 7);
  });

  it('refuses an ended session row whose end reason is not one Latchkey writes', async () => {
    v.engine.signIn.signOut(alice.caller);
    writeAsAnotherProgram('sessions', 'end_reason', 'vanished', `id = '${sessionId()}'`);
    await refusedAsUnexpected(() => v.engine.sessions.validate(alice.token), 'sessions', 'end_reason', sessionId(), 'vanished');
  });
});

describe('stay-signed-in families', () => {
  let remembered: { refreshToken: string; familyId: string };
  beforeEach(async () => {
    const started = await v.engine.signIn.withPassword({
      username: 'alice',
      password: PASSWORDS.alice,
      client: cliClient(),
      staySignedIn: true,
    });
    const familyId = withRawVault(v.vault.path, (db) =>
      db.prepare('SELECT family_id FROM sessions WHERE id = ?').pluck().get(started.session.id),
    ) as string;
    remembered = { refreshToken: started.refreshToken ?? '', familyId };
  });
  const refresh = (): unknown => v.engine.sessions.refresh(remembered.refreshToken, cliClient());

  it('refuses a family row whose assurance is not one Latchkey writes', async () => {
    writeAsAnotherProgram('session_families', 'assurance', 'retina_scan', `id = '${remembered.familyId}'`);
    await refusedAsUnexpected(refresh, 'session_families', 'assurance', remembered.familyId, 'retina_scan');
  });

  it('refuses a family row whose revoke reason is not one Latchkey writes', async () => {
    writeAsAnotherProgram('session_families', 'revoke_reason', 'vanished', `id = '${remembered.familyId}'`);
    await refusedAsUnexpected(refresh, 'session_families', 'revoke_reason', remembered.familyId, 'vanished');
  });
});

describe('second factors', () => {
  let authenticator: Authenticator;
  beforeEach(async () => {
    authenticator = await enableTotp(v.engine, v.vault.clock, alice.caller);
  });

  it('refuses a challenge row whose purpose is not one Latchkey writes, without naming the challenge', async () => {
    const { challengeId } = await passwordStep(v.engine, 'alice', PASSWORDS.alice);
    writeAsAnotherProgram('mfa_challenges', 'purpose', 'skip', `id = '${challengeId}'`);
    const error = await refusedAsUnexpected(
      () => v.engine.signIn.answer({ challengeId, factor: 'totp', code: nextCode(v.vault.clock, authenticator.secret) }),
      'mfa_challenges',
      'purpose',
      null,
      'skip',
    );
    expect(error.message).not.toContain(challengeId);
  });

  it('refuses a challenge row whose stay-signed-in flag is neither 0 nor 1', async () => {
    const { challengeId } = await passwordStep(v.engine, 'alice', PASSWORDS.alice);
    writeAsAnotherProgram('mfa_challenges', 'stay_signed_in', 2, `id = '${challengeId}'`);
    await refusedAsUnexpected(
      () => v.engine.signIn.answer({ challengeId, factor: 'totp', code: nextCode(v.vault.clock, authenticator.secret) }),
      'mfa_challenges',
      'stay_signed_in',
      null,
      2,
    );
  });

  it('refuses a TOTP credential whose algorithm is not one Latchkey writes', async () => {
    writeAsAnotherProgram('totp_credentials', 'algorithm', 'MD5', `account_id = '${aliceId()}'`);
    await refusedAsUnexpected(() => v.engine.mfa.status(alice.caller), 'totp_credentials', 'algorithm', aliceId(), 'MD5');
  });

  it('refuses a TOTP credential whose code length is not one Latchkey writes', async () => {
    writeAsAnotherProgram('totp_credentials', 'digits', 4, `account_id = '${aliceId()}'`);
    await refusedAsUnexpected(() => v.engine.mfa.status(alice.caller), 'totp_credentials', 'digits', aliceId(), 4);
  });
});

it('still reports an edited closed column as changed outside Latchkey when its seal no longer holds', async () => {
  withRawVault(v.vault.path, (db) => db.prepare("UPDATE accounts SET role = 'admin' WHERE id = ?").run(aliceId()));
  const error = await failure(() => v.engine.sessions.validate(alice.token), 'VAULT_UNREADABLE');
  expect(error.details).toMatchObject({ problem: 'row_altered', table: 'accounts' });
});

import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt, createCliVault, type CliRun } from '../support/cli.js';
import { runCliInProcess } from '../support/cli-in-process.js';
import { PASSWORDS } from '../support/temp-vault.js';
import { awayFromStepEdge, oathtoolCode, requireWitnesses, zbarDecode } from '../support/witnesses.js';

interface ErrorEnvelope {
  error: { code: string; message: string; details?: Record<string, unknown> };
}
interface SignedInJson {
  session: { username: string; assurance: string };
  notices: { code: string; message: string }[];
  trustedDevice: boolean;
  backupCodesLeft?: number;
}

const BACKUP_CODE = /^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{3}$/;
const STEP = 30_000;

function secretOf(uri: string): string {
  return new URL(uri).searchParams.get('secret') ?? '';
}

/** Backup codes as someone might type them: lower case, no dashes. */
function typed(code: string): string {
  return code.replace(/-/g, '').toLowerCase();
}

describe('two-step sign-in from the CLI', () => {
  const v = createCliVault('latchkey-cli-mfa-', runCliInProcess);
  const cli = v.cli;
  const signin = (args: readonly string[] = [], name = 'root', password: string = PASSWORDS.admin): Promise<CliRun> =>
    cli(['signin', name, '--password-stdin', '--json', ...args], `${password}\n`);
  let uri = '';
  let secret = '';
  let backupCodes: string[] = [];
  let totpCode = '';

  beforeAll(async () => {
    assertCliBuilt();
    requireWitnesses();
    await v.init();
    expect((await signin()).code).toBe(0);
  });

  afterAll(() => v.dispose());

  it('begins TOTP setup with a QR code in a PNG that zbarimg reads as the same otpauth URI', async () => {
    const png = join(v.dir, 'setup.png');
    const begin = await cli(['mfa', 'totp', 'begin', '--qr-png', png, '--json']);
    expect(begin.code).toBe(0);
    const setup = begin.json<{ uri: string; secret: string; expiresAt: number }>();
    uri = setup.uri;
    secret = setup.secret;
    expect(uri).toMatch(/^otpauth:\/\/totp\/Latchkey:root\?/);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(secretOf(uri)).toBe(secret);
    expect(zbarDecode(png)).toBe(uri);
    // The PNG holds the secret: readable by its owner only.
    expect(statSync(png).mode & 0o777).toBe(0o600);
    expect((await cli(['mfa', 'status', '--json'])).json<{ mfa: { state: string } }>().mfa.state).toBe('SETUP_IN_PROGRESS');
  });

  it('confirms the setup with an oathtool code and shows ten backup codes once', async () => {
    // The confirm spends the previous step's code (still accepted: one step back), so the current
    // step's code is fresh for the sign-in that follows, without waiting for the authenticator to turn.
    await awayFromStepEdge();
    const confirm = await cli(['mfa', 'totp', 'confirm', '--code', oathtoolCode(secret, { at: Date.now() - STEP }), '--json']);
    expect(confirm.code).toBe(0);
    backupCodes = confirm.json<{ backupCodes: string[] }>().backupCodes;
    expect(backupCodes).toHaveLength(10);
    for (const code of backupCodes) expect(code).toMatch(BACKUP_CODE);
    const status = (await cli(['mfa', 'status', '--json'])).json<{ mfa: { state: string; backupCodesLeft: number } }>().mfa;
    expect(status).toMatchObject({ state: 'ENABLED', backupCodesLeft: 10 });
  });

  it('signs in with the code oathtool computes, after the password', async () => {
    expect((await cli(['signout'])).code).toBe(0);
    totpCode = oathtoolCode(secret);
    const run = await signin(['--code', totpCode]);
    expect(run.code).toBe(0);
    expect(run.json<SignedInJson>().session).toMatchObject({ username: 'root', assurance: 'two_factor' });
    expect(run.stdout + run.stderr).not.toContain(secret);
  });

  it('refuses the same code a second time with CODE_REPLAYED', async () => {
    const replay = await signin(['--code', totpCode]);
    expect(replay.code).toBe(1);
    expect(replay.json<ErrorEnvelope>().error.code).toBe('CODE_REPLAYED');
  });

  it('without a code and without a terminal, refuses with MFA_REQUIRED carrying the challenge', async () => {
    // A child process: whether there is a terminal to ask on is the process's own standard input.
    const run = await v.childCli(['signin', 'root', '--password-stdin', '--json'], `${PASSWORDS.admin}\n`);
    expect(run.code).toBe(1);
    const error = run.json<ErrorEnvelope>().error;
    expect(error.code).toBe('MFA_REQUIRED');
    expect(error.details).toMatchObject({ challengeId: expect.stringMatching(/^chal_/), factors: ['totp', 'backup_code'] });
    expect(error.message).toContain('--code');
  });

  it('signs in with a backup code typed in lower case without dashes, once', async () => {
    const run = await signin(['--backup-code', typed(backupCodes[0] ?? '')]);
    expect(run.code).toBe(0);
    expect(run.json<SignedInJson>()).toMatchObject({ session: { assurance: 'two_factor' }, backupCodesLeft: 9 });
    const again = await signin(['--backup-code', typed(backupCodes[0] ?? '')]);
    expect(again.code).toBe(1);
    expect(again.json<ErrorEnvelope>().error.code).toBe('CODE_INVALID');
  });

  it('records the steps in the audit log', async () => {
    const events = (await cli(['audit', 'list', '--limit', '200', '--json'])).json<{
      events: { type: string; outcome: string; details: Record<string, unknown> | null }[];
    }>().events;
    const types = events.map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining(['mfa.totp_setup_started', 'mfa.totp_enabled', 'mfa.code_replayed', 'mfa.backup_code_used']),
    );
    const factors = events.filter((e) => e.type === 'signin.succeeded').map((e) => e.details?.['factors']);
    expect(factors).toEqual(expect.arrayContaining(['password', 'password+totp', 'password+backup_code']));
    expect(JSON.stringify(events)).not.toContain(secret);
  });

  it('with --trust-device, keeps a device token so the next sign-in here needs no code', async () => {
    const trusted = await signin(['--backup-code', backupCodes[1] ?? '', '--trust-device']);
    expect(trusted.code).toBe(0);
    expect(trusted.json<SignedInJson>().trustedDevice).toBe(true);
    const token = await v.keychain.get(v.entry('device', 'root'));
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(trusted.stdout + trusted.stderr).not.toContain(token);

    const next = await signin();
    expect(next.code).toBe(0);
    expect(next.json<SignedInJson>().session.assurance).toBe('trusted_device');
  });

  it('lists the trusted device, and after revoking it asks for the code again', async () => {
    const devices = (await cli(['mfa', 'devices', 'list', '--json'])).json<{ devices: { id: string }[] }>().devices;
    expect(devices).toHaveLength(1);
    const revoke = await cli(['mfa', 'devices', 'revoke', devices[0]?.id ?? '', '--json']);
    expect(revoke.code).toBe(0);
    const next = await signin();
    expect(next.json<ErrorEnvelope>().error.code).toBe('MFA_REQUIRED');
    // The token that no longer skips the code is dropped from the keychain.
    expect(await v.keychain.get(v.entry('device', 'root'))).toBeNull();
    expect((await cli(['mfa', 'devices', 'revoke', 'not-an-id'])).code).toBe(2);
  });

  it('refuses to turn TOTP off without the password, or without a code', async () => {
    expect((await signin(['--backup-code', backupCodes[2] ?? ''])).code).toBe(0);
    // No terminal to ask on and no --password-stdin: a usage error. A child process, for the real standard input.
    const noPassword = await v.childCli(['mfa', 'totp', 'disable', '--backup-code', backupCodes[3] ?? '', '--json']);
    expect(noPassword.code).toBe(2);
    expect(noPassword.json<ErrorEnvelope>().error.message).toMatch(/password-stdin/);
    const wrongPassword = await cli(
      ['mfa', 'totp', 'disable', '--backup-code', backupCodes[3] ?? '', '--password-stdin', '--json'],
      'not the password at all\n',
    );
    expect(wrongPassword.code).toBe(1);
    expect(wrongPassword.json<ErrorEnvelope>().error.code).toBe('INVALID_CREDENTIALS');
    const noCode = await cli(['mfa', 'totp', 'disable', '--password-stdin', '--json'], `${PASSWORDS.admin}\n`);
    expect(noCode.code).toBe(2);
    const both = await cli(
      ['mfa', 'totp', 'disable', '--code', '123456', '--backup-code', backupCodes[3] ?? '', '--password-stdin', '--json'],
      `${PASSWORDS.admin}\n`,
    );
    expect(both.code).toBe(2);
    expect((await cli(['mfa', 'status', '--json'])).json<{ mfa: { state: string } }>().mfa.state).toBe('ENABLED');
  });

  it('regenerates the backup codes with the password, voiding the old set', async () => {
    const regenerate = await cli(['mfa', 'backup-codes', 'regenerate', '--password-stdin', '--json'], `${PASSWORDS.admin}\n`);
    expect(regenerate.code).toBe(0);
    const fresh = regenerate.json<{ backupCodes: string[] }>().backupCodes;
    expect(fresh).toHaveLength(10);
    expect(fresh).not.toContain(backupCodes[4]);
    expect((await signin(['--backup-code', backupCodes[4] ?? ''])).json<ErrorEnvelope>().error.code).toBe('CODE_INVALID');
    backupCodes = fresh;
    expect((await cli(['mfa', 'backup-codes', 'count', '--json'])).json()).toEqual({ backupCodesLeft: 10 });
  });

  it('warns on standard error when a sign-in leaves two backup codes or fewer', async () => {
    for (const code of backupCodes.slice(0, 6)) expect((await signin(['--backup-code', code])).code).toBe(0);
    // Above the warning, the sign-in still says how many are left.
    const plenty = await cli(['signin', 'root', '--password-stdin', '--backup-code', backupCodes[6] ?? ''], `${PASSWORDS.admin}\n`);
    expect(plenty.stdout).toContain('You signed in with a backup code: 3 backup codes left.');
    expect(plenty.stderr).toBe('');
    const text = await cli(['signin', 'root', '--password-stdin', '--backup-code', backupCodes[7] ?? ''], `${PASSWORDS.admin}\n`);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Signed in as root.');
    expect(text.stderr).toMatch(/Only 2 backup codes left.*latchkey mfa backup-codes regenerate/);
    const count = await cli(['mfa', 'backup-codes', 'count']);
    expect(count.stdout).toContain('2 unused backup codes');
    expect(count.stderr).toContain('Only 2 backup codes left');
  });

  it('turns TOTP off with the password and a backup code; then the password alone signs in', async () => {
    const disable = await cli(
      ['mfa', 'totp', 'disable', '--backup-code', backupCodes[8] ?? '', '--password-stdin', '--json'],
      `${PASSWORDS.admin}\n`,
    );
    expect(disable.code).toBe(0);
    expect((await cli(['mfa', 'status', '--json'])).json<{ mfa: { state: string; backupCodesLeft: number } }>().mfa).toMatchObject({
      state: 'DISABLED',
      backupCodesLeft: 0,
    });
    const run = await signin();
    expect(run.code).toBe(0);
    expect(run.json<SignedInJson>().session.assurance).toBe('password');
  });

  it("lets an administrator reset another account's TOTP; its holder is told at the next sign-in", async () => {
    expect((await cli(['account', 'add', 'alice', '--password-stdin'], `${PASSWORDS.alice}\n`)).code).toBe(0);
    expect((await signin([], 'alice', PASSWORDS.alice)).code).toBe(0);
    const begin = (await cli(['mfa', 'totp', 'begin', '--json'])).json<{ secret: string }>();
    expect((await cli(['mfa', 'totp', 'confirm', '--code', oathtoolCode(begin.secret)])).code).toBe(0);

    // root has no second factor any more (turned off above), so the password signs it back in.
    expect((await signin()).code).toBe(0);
    const reset = await cli(['account', 'reset-mfa', 'alice', '--json']);
    expect(reset.code).toBe(0);
    const unknown = await cli(['account', 'reset-mfa', 'nobody', '--json']);
    expect(unknown.json<ErrorEnvelope>().error.code).toBe('NOT_FOUND');

    const alice = await cli(['signin', 'alice', '--password-stdin'], `${PASSWORDS.alice}\n`);
    expect(alice.code).toBe(0);
    expect(alice.stderr).toContain('An administrator reset your two-step sign-in; set it up again with `latchkey mfa totp begin`');
    const again = await signin([], 'alice', PASSWORDS.alice);
    expect(again.json<SignedInJson>().notices).toEqual([]);
  });
});

describe('two-step sign-in that policy requires', () => {
  const v = createCliVault('latchkey-cli-forced-', runCliInProcess);
  const cli = v.cli;

  beforeAll(async () => {
    assertCliBuilt();
    requireWitnesses();
    await v.init();
    expect((await cli(['signin', 'root', '--password-stdin'], `${PASSWORDS.admin}\n`)).code).toBe(0);
    expect((await cli(['account', 'add', 'alice', '--password-stdin'], `${PASSWORDS.alice}\n`)).code).toBe(0);
  });

  afterAll(() => v.dispose());

  it('sets mfa.required through the policy table, and refuses a value it does not know', async () => {
    for (const value of ['admins', 'off', 'all']) {
      const set = await cli(['policy', 'set', 'mfa.required', value, '--json']);
      expect(set.code).toBe(0);
      expect(set.json<{ policy: { value: string } }>().policy.value).toBe(value);
    }
    const bad = await cli(['policy', 'set', 'mfa.required', 'everyone', '--json']);
    expect(bad.code).toBe(2);
    expect(bad.json<ErrorEnvelope>().error.code).toBe('INVALID_INPUT');
  });

  it('shows the authenticator setup at sign-in and refuses the sign-in until it is confirmed', async () => {
    const png = join(v.dir, 'forced-text.png');
    const run = await cli(['signin', 'alice', '--password-stdin', '--qr-png', png], `${PASSWORDS.alice}\n`);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/URI: otpauth:\/\/totp\/Latchkey:alice\?/);
    expect(run.stdout).toMatch(/[█▀▄]/);
    expect(run.stderr).toContain('latchkey mfa totp confirm --code CODE');
    expect(run.stderr).toContain('MFA_ENROLLMENT_REQUIRED');
    expect(zbarDecode(png)).toMatch(/^otpauth:\/\/totp\/Latchkey:alice\?/);
  });

  it('says so when a second sign-in during the setup replaces the secret the first one showed', async () => {
    // Signing out forgets the setup under way, so the next sign-in is a first one again.
    expect((await cli(['signout'])).code).toBe(0);
    const first = await cli(['signin', 'alice', '--password-stdin', '--json'], `${PASSWORDS.alice}\n`);
    const firstError = first.json<ErrorEnvelope>().error;
    expect(firstError.details).toMatchObject({ replacedEarlierSetup: false });
    expect(firstError.message).not.toContain('no longer works');

    const second = await cli(['signin', 'alice', '--password-stdin'], `${PASSWORDS.alice}\n`);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain('This is a new secret: the one an earlier `latchkey signin` showed no longer works.');

    const stale = await cli(['mfa', 'totp', 'confirm', '--code', oathtoolCode(secretOf(String(firstError.details?.['uri']))), '--json']);
    expect(stale.code).toBe(1);
    expect(stale.json<ErrorEnvelope>().error.code).toBe('CODE_INVALID');
  });

  it('under --json, prints one error object whose details carry the URI, and confirming completes the sign-in', async () => {
    const png = join(v.dir, 'forced.png');
    const run = await cli(['signin', 'alice', '--password-stdin', '--qr-png', png, '--json'], `${PASSWORDS.alice}\n`);
    expect(run.code).toBe(1);
    const error = run.json<ErrorEnvelope>().error;
    expect(error.code).toBe('MFA_ENROLLMENT_REQUIRED');
    expect(error.message).toContain('latchkey mfa totp confirm --code CODE');
    const uri = String(error.details?.['uri']);
    expect(error.details).toMatchObject({ challengeId: expect.stringMatching(/^chal_/) });
    expect(zbarDecode(png)).toBe(uri);
    expect(await v.keychain.get(v.entry('enrollment'))).toBe(error.details?.['challengeId']);

    const confirm = await cli(['mfa', 'totp', 'confirm', '--code', oathtoolCode(secretOf(uri)), '--trust-device', '--json']);
    expect(confirm.code).toBe(0);
    const done = confirm.json<SignedInJson & { backupCodes: string[] }>();
    expect(done.session).toMatchObject({ username: 'alice', assurance: 'two_factor' });
    expect(done.backupCodes).toHaveLength(10);
    expect(done.trustedDevice).toBe(true);
    expect(await v.keychain.get(v.entry('enrollment'))).toBeNull();
    const whoami = await cli(['whoami', '--json']);
    expect(whoami.json<{ account: { username: string; mfaState: string } }>().account).toMatchObject({
      username: 'alice',
      mfaState: 'ENABLED',
    });
  });

  it('then signs in on the trusted device with the password alone', async () => {
    const run = await cli(['signin', 'alice', '--password-stdin', '--json'], `${PASSWORDS.alice}\n`);
    expect(run.code).toBe(0);
    expect(run.json<SignedInJson>().session.assurance).toBe('trusted_device');
  });

  it('holds administrators to the same rule: root must enroll at its next sign-in', async () => {
    const run = await cli(['signin', 'root', '--password-stdin', '--json'], `${PASSWORDS.admin}\n`);
    expect(run.code).toBe(1);
    expect(run.json<ErrorEnvelope>().error.code).toBe('MFA_ENROLLMENT_REQUIRED');
  });
});

import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OsKeychain } from '../../src/main/secrets/keychain.js';
import { assertCliBuilt, runCli, type CliRun, type CliRunner } from '../support/cli.js';
import { runCliInProcess } from '../support/cli-in-process.js';
import { forgetKeychainService } from '../support/keychain.js';
import { openEngine } from '../../src/main/engine/engine.js';
import { PASSWORDS, cliClient, keychainServiceForTest } from '../support/temp-vault.js';

interface ErrorEnvelope {
  error: { code: string; message: string };
}

describe('the latchkey CLI', () => {
  let dir: string;
  let vault: string;
  let service: string;
  let vaultId: string;
  const through =
    (run: CliRunner) =>
    (args: readonly string[], stdin?: string): Promise<CliRun> =>
      run(['--vault', vault, '--keychain-service', service, ...args], stdin === undefined ? {} : { stdin });
  const cli = through(runCliInProcess);
  const childCli = through(runCli);

  beforeAll(async () => {
    assertCliBuilt();
    dir = mkdtempSync(join(tmpdir(), 'latchkey-cli-'));
    vault = join(dir, 'vault.db');
    service = keychainServiceForTest();
    const init = await cli(['init', '--admin', 'root', '--password-stdin', '--json'], `${PASSWORDS.admin}\n`);
    expect(init.code).toBe(0);
    vaultId = init.json<{ vault: { id: string } }>().vault.id;
  });

  afterAll(async () => {
    await forgetKeychainService(service);
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the first admin once, and refuses a second init with exit 1 and an error envelope', async () => {
    // A child process: the real program, its password read from a pipe, exits 1.
    const again = await childCli(['init', '--admin', 'other', '--password-stdin', '--json'], `${PASSWORDS.bob}\n`);
    expect(again.code).toBe(1);
    expect(again.json<ErrorEnvelope>().error.code).toBe('ALREADY_INITIALISED');
  });

  it('answers the same for an unknown name and a wrong password', async () => {
    const wrong = await cli(['signin', 'root', '--password-stdin', '--json'], 'not the right password at all\n');
    const unknown = await cli(['signin', 'nobody', '--password-stdin', '--json'], 'not the right password at all\n');
    expect(wrong.code).toBe(1);
    expect(unknown.code).toBe(1);
    expect(wrong.json()).toEqual(unknown.json());
    expect(wrong.json<ErrorEnvelope>().error.code).toBe('INVALID_CREDENTIALS');
  });

  it('signs in with the password from stdin and keeps the token in the keychain, never on screen', async () => {
    const signin = await cli(['signin', 'root', '--password-stdin', '--json'], `${PASSWORDS.admin}\n`);
    expect(signin.code).toBe(0);
    const session = signin.json<{ session: { id: string; username: string; host: string } }>().session;
    expect(session).toMatchObject({ username: 'root', host: 'cli' });
    const token = await new OsKeychain(service).get(`cli-session:${vaultId}:${userInfo().username}`);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(signin.stdout + signin.stderr).not.toContain(token);
    expect(signin.stdout + signin.stderr).not.toContain(PASSWORDS.admin);

    const whoami = await cli(['whoami', '--json']);
    expect(whoami.code).toBe(0);
    expect(whoami.json<{ session: { id: string } }>().session.id).toBe(session.id);
  });

  it('lets the admin add an account, refuses a weak password with the rule broken, and lists both', async () => {
    const add = await cli(
      ['account', 'add', 'alice', '--email', 'alice@example.com', '--password-stdin', '--json'],
      `${PASSWORDS.alice}\n`,
    );
    expect(add.code).toBe(0);
    expect(add.json<{ account: { username: string; role: string } }>().account).toMatchObject({ username: 'alice', role: 'user' });

    const weak = await cli(['account', 'add', 'bob', '--password-stdin', '--json'], 'password\n');
    expect(weak.code).toBe(1);
    expect(weak.json<ErrorEnvelope>().error.code).toBe('PASSWORD_REJECTED');

    const list = await cli(['account', 'list', '--json']);
    expect(list.json<{ accounts: { username: string }[] }>().accounts.map((a) => a.username)).toEqual(['alice', 'root']);
  });

  it('changes a role, refuses to make a user of the last administrator, and refuses a role that is not one', async () => {
    const last = await cli(['account', 'role', 'root', 'user', '--json']);
    expect(last.code).toBe(1);
    expect(last.json<ErrorEnvelope>().error.code).toBe('CONFLICT');
    const promoted = await cli(['account', 'role', 'alice', 'admin']);
    expect(promoted.stdout).toContain('Account "alice" is now an administrator.');
    const back = await cli(['account', 'role', 'alice', 'user', '--json']);
    expect(back.json<{ account: { role: string } }>().account.role).toBe('user');
    const wrong = await cli(['account', 'role', 'alice', 'owner', '--json']);
    expect(wrong.code).toBe(2);
    expect(wrong.json<ErrorEnvelope>().error.message).toContain('give admin or user');
  });

  it('never takes a password as an argument: that is a usage error, exit 2', async () => {
    // A child process: the real program exits 2.
    const run = await childCli(['account', 'add', 'carol', '--password', PASSWORDS.bob, '--json']);
    expect(run.code).toBe(2);
    expect(run.json<ErrorEnvelope>().error.code).toBe('INVALID_INPUT');
  });

  it('exits 2 with an INVALID_INPUT envelope on a malformed argument or unknown command', async () => {
    const badId = await cli(['session', 'revoke', 'not-a-session', '--json']);
    expect(badId.code).toBe(2);
    expect(badId.json<ErrorEnvelope>().error.code).toBe('INVALID_INPUT');
    const unknown = await cli(['frobnicate']);
    expect(unknown.code).toBe(2);
    const help = await cli(['session', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('revoke');
  });

  it('lists sessions and revokes one by id, which ends it for its holder', async () => {
    const aliceSignin = await cli(['signin', 'alice', '--password-stdin', '--json'], `${PASSWORDS.alice}\n`);
    const aliceSession = aliceSignin.json<{ session: { id: string } }>().session.id;
    // The CLI holds one session per vault and OS user: signing root in again replaces alice's.
    const rootSignin = await cli(['signin', 'root', '--password-stdin', '--json'], `${PASSWORDS.admin}\n`);
    expect(rootSignin.code).toBe(0);
    const list = await cli(['session', 'list', '--all', '--ended', '--json']);
    const sessions = list.json<{ sessions: { id: string; active: boolean; endReason: string | null }[] }>().sessions;
    expect(sessions.find((s) => s.id === aliceSession)).toMatchObject({ active: false, endReason: 'signed_out' });

    // A second holder: alice signs in on another device, through the same engine the app runs.
    const engine = await openEngine({ vaultPath: vault, secrets: new OsKeychain(service) });
    try {
      const other = await engine.signIn.withPassword({ username: 'alice', password: PASSWORDS.alice, client: cliClient('laptop') });
      const listed = (await cli(['session', 'list', '--account', 'alice', '--json'])).json<{ sessions: { id: string }[] }>();
      expect(listed.sessions.map((s) => s.id)).toEqual([other.session.id]);
      const revoke = await cli(['session', 'revoke', other.session.id, '--json']);
      expect(revoke.code).toBe(0);
      expect(() => engine.sessions.validate(other.token)).toThrow(expect.objectContaining({ code: 'SESSION_EXPIRED' }));
    } finally {
      engine.close();
    }
  });

  it('refuses admin commands to a user with NOT_AUTHORISED', async () => {
    await cli(['signin', 'alice', '--password-stdin'], `${PASSWORDS.alice}\n`);
    const list = await cli(['account', 'list', '--json']);
    expect(list.code).toBe(1);
    expect(list.json<ErrorEnvelope>().error.code).toBe('NOT_AUTHORISED');
    await cli(['signin', 'root', '--password-stdin'], `${PASSWORDS.admin}\n`);
  });

  it('sets policy with an audited change, and rejects an unknown key', async () => {
    const set = await cli(['policy', 'set', 'session.idleTimeoutMinutes', '15', '--json']);
    expect(set.code).toBe(0);
    expect(set.json<{ policy: { value: number } }>().policy.value).toBe(15);
    const bad = await cli(['policy', 'set', 'session.nothing', '1', '--json']);
    expect(bad.code).toBe(2);
    expect(bad.json<ErrorEnvelope>().error.code).toBe('INVALID_INPUT');
    const events = (await cli(['audit', 'list', '--type', 'policy', '--json'])).json<{
      events: { type: string; details: Record<string, unknown> }[];
    }>().events;
    expect(events.at(-1)).toMatchObject({ type: 'policy.changed', details: { key: 'session.idleTimeoutMinutes', from: 30, to: 15 } });
  });

  it('exports the audit log as JSON lines and verifies it, then detects an edited row', async () => {
    const exported = await cli(['audit', 'export']);
    expect(exported.code).toBe(0);
    const lines = exported.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { seq: number });
    expect(lines.map((e) => e.seq)).toEqual(lines.map((_, i) => i + 1));

    const intact = await cli(['audit', 'verify', '--json']);
    expect(intact.code).toBe(0);
    expect(intact.json()).toMatchObject({ intact: true });

    const db = new Database(vault);
    db.prepare("UPDATE audit_events SET reason = 'nothing happened' WHERE seq = 3").run();
    db.close();
    const broken = await cli(['audit', 'verify', '--json']);
    expect(broken.code).toBe(1);
    expect(broken.json()).toMatchObject({ intact: false, brokenAt: 3, problem: 'altered' });
    const raw = readFileSync(vault);
    for (const secret of Object.values(PASSWORDS)) expect(raw.includes(Buffer.from(secret))).toBe(false);
  });

  it('signs out, after which admin commands say you are not signed in', async () => {
    expect((await cli(['signout'])).code).toBe(0);
    const whoami = await cli(['whoami', '--json']);
    expect(whoami.code).toBe(1);
    expect(whoami.json<ErrorEnvelope>().error.code).toBe('NOT_AUTHORISED');
  });

  it('reports KEYCHAIN_UNAVAILABLE with advice when no Secret Service can be reached', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/latchkey-bus' };
    delete env['DISPLAY'];
    // A child process: the keychain's D-Bus address is read once per process, as it starts.
    const run = await runCli(['--vault', vault, '--keychain-service', service, 'status', '--json'], { env });
    expect(run.code).toBe(1);
    const error = run.json<ErrorEnvelope>().error;
    expect(error.code).toBe('KEYCHAIN_UNAVAILABLE');
    expect(error.message).toMatch(/Secret Service/);
  });
});

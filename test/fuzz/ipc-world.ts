import type Database from 'better-sqlite3';
import keytar from 'keytar';
import type { ClientInfo } from '../../src/shared/client.js';
import { isLatchkeyError } from '../../src/shared/errors.js';
import type { Result } from '../../src/shared/result.js';
import type { Engine } from '../../src/main/engine/engine.js';
import { deriveVaultKeys } from '../../src/main/engine/crypto/vault-keys.js';
import { HostKeychain } from '../../src/main/secrets/host-keychain.js';
import { createRouter, newConnection, type Connection, type Router } from '../../src/main/ipc/router.js';
import { codeAt } from '../support/mfa.js';
import { QUICK_HASH } from '../support/signed-in.js';
import { PASSWORDS, cliClient, createTempVault, type TempVault } from '../support/temp-vault.js';
import { keychainMayMove, openVaultReader } from '../support/vault-digest.js';
import { SeededSecrets } from './secrets.js';

/** Who sends a request: nobody signed in, an administrator, and three plain accounts in each state of TOTP. */
export const PERSONAS = ['anonymous', 'admin', 'alice', 'bob', 'carol'] as const;
export type Persona = (typeof PERSONAS)[number];
export type SignedInPersona = Exclude<Persona, 'anonymous'>;

/** The accounts in the vault: alice plain, bob with TOTP and a trusted device, carol half-way through TOTP setup, dave disabled. */
export const ACCOUNTS = {
  admin: { password: PASSWORDS.admin, role: 'admin' },
  alice: { password: PASSWORDS.alice, role: 'user' },
  bob: { password: PASSWORDS.bob, role: 'user' },
  carol: { password: PASSWORDS.next, role: 'user' },
  dave: { password: 'pale orchid beside the window', role: 'user' },
} as const;
export type AccountName = keyof typeof ACCOUNTS;

export interface IpcWorld {
  readonly vault: TempVault;
  readonly engine: Engine;
  /** The router as the desktop app builds it: no test channels. */
  readonly router: Router;
  /** A second connection to the file, for digests. */
  readonly reader: Database.Database;
  readonly connections: Readonly<Record<Persona, Connection>>;
  readonly accountIds: Readonly<Record<AccountName, string>>;
  /** Active session ids by account. */
  readonly sessionIds: Readonly<Record<AccountName, readonly string[]>>;
  readonly bob: {
    readonly totpSecret: string;
    readonly backupCodes: readonly string[];
    readonly deviceId: string;
    /** A sign-in of bob's waiting for its second step. */
    readonly challengeId: string;
  };
  readonly carol: { readonly pendingSecret: string };
  readonly secrets: SeededSecrets;
  /** The keychain entries as they are now, less those that follow the vault as it moves (KEYCHAIN_MAY_MOVE). */
  keychainEntries(): Promise<string[]>;
  close(): Promise<void>;
}

function client(persona: string): ClientInfo {
  return { host: 'desktop', deviceName: `fuzz-${persona}`, osUser: 'tester', ip: null, userAgent: 'Latchkey/fuzz' };
}

function value<T>(result: Result<unknown>, what: string): T {
  if (!result.ok) throw new Error(`seeding the fuzz vault: ${what} failed with ${result.error.code}: ${result.error.message}`);
  return result.value as T;
}

function refusal(result: Result<unknown>, what: string): { code: string; details: Record<string, unknown> } {
  if (result.ok) throw new Error(`seeding the fuzz vault: ${what} was expected to be refused`);
  return { code: result.error.code, details: result.error.details ?? {} };
}

/**
 * A vault with every kind of secret in it, reached through the real router with a real keychain:
 * five passwords and their hashes, a TOTP secret and a pending one, backup codes (one of them spent
 * on trusting a device), session tokens of every persona, a refresh token, a device token, an
 * e-mail verification token, and the vault key with the keys derived from it.
 */
export async function openIpcWorld(): Promise<IpcWorld> {
  const vault = await createTempVault();
  const engine = await vault.open({ hashParameters: QUICK_HASH });
  const router = createRouter({ engine, version: '0.0.0-fuzz', kind: 'desktop', osUser: 'tester' });
  const secrets = new SeededSecrets();
  const connections = Object.fromEntries(PERSONAS.map((p) => [p, newConnection(client(p))])) as Record<Persona, Connection>;
  const call = (connection: Connection, channel: string, input: unknown = {}): Promise<Result<unknown>> =>
    router.route(connection, channel, input);

  value(
    await call(connections.anonymous, 'setup.createAdmin', {
      username: 'admin',
      password: ACCOUNTS.admin.password,
      email: 'admin@example.org',
    }),
    'setup',
  );
  value(await call(connections.admin, 'auth.signIn', { username: 'admin', password: ACCOUNTS.admin.password }), 'admin sign-in');
  for (const name of ['alice', 'bob', 'carol', 'dave'] as const) {
    const email = name === 'alice' ? { email: 'alice@example.org' } : {};
    value(
      await call(connections.admin, 'admin.accounts.create', { username: name, password: ACCOUNTS[name].password, ...email }),
      `create ${name}`,
    );
  }
  value(await call(connections.admin, 'admin.accounts.setStatus', { username: 'dave', status: 'disabled' }), 'disable dave');

  for (const name of ['alice', 'bob', 'carol'] as const) {
    value(await call(connections[name], 'auth.signIn', { username: name, password: ACCOUNTS[name].password }), `${name} sign-in`);
  }
  const bobSetup = value<{ secret: string; uri: string }>(await call(connections.bob, 'mfa.beginTotp'), 'bob TOTP begin');
  const { backupCodes } = value<{ backupCodes: string[] }>(
    await call(connections.bob, 'mfa.confirmTotp', { code: codeAt(bobSetup.secret, vault.clock.now()) }),
    'bob TOTP confirm',
  );

  // A second window of bob's trusts this computer, spending one backup code.
  const bobElsewhere = newConnection(client('bob-elsewhere'));
  const challenged = refusal(
    await call(bobElsewhere, 'auth.signIn', { username: 'bob', password: ACCOUNTS.bob.password }),
    'bob password step',
  );
  value(
    await call(bobElsewhere, 'auth.answerChallenge', {
      challengeId: challenged.details['challengeId'],
      factor: 'backup_code',
      code: backupCodes[0],
      trustDevice: true,
    }),
    'bob trusts a device',
  );
  const keychain = new HostKeychain(engine.secrets, engine.vaultId, 'tester');
  const deviceToken = await keychain.entry('device', 'bob').get();

  // Then a sign-in of bob's is left at its second step, with no device token, as on another computer.
  let challengeId = '';
  try {
    await engine.signIn.withPassword({ username: 'bob', password: ACCOUNTS.bob.password, client: cliClient('bob-laptop') });
  } catch (error) {
    challengeId = isLatchkeyError(error, 'MFA_REQUIRED') ? (error.details?.challengeId ?? '') : '';
  }
  if (!/^chal_[0-9a-f]{32}$/.test(challengeId)) throw new Error('seeding the fuzz vault: no live challenge for bob');

  const carolSetup = value<{ secret: string }>(await call(connections.carol, 'mfa.beginTotp'), 'carol TOTP begin');

  // Stay signed in, and a verification link, made beside the router so no window resumes them.
  const remembered = await engine.signIn.withPassword({
    username: 'alice',
    password: ACCOUNTS.alice.password,
    client: cliClient('alice-laptop'),
    staySignedIn: true,
  });
  const adminCaller = engine.sessions.validate(connections.admin.token ?? '');
  const { link } = engine.emailVerification.issue(adminCaller, 'alice');

  const accountIds = Object.fromEntries(engine.accounts.list(adminCaller).map((account) => [account.username, account.id])) as Record<
    AccountName,
    string
  >;
  const sessionIds = Object.fromEntries(
    (Object.keys(ACCOUNTS) as AccountName[]).map((name) => [
      name,
      engine.sessions.list(adminCaller, { accountId: accountIds[name] }).map((session) => session.id),
    ]),
  ) as Record<AccountName, string[]>;
  const deviceId = engine.trustedDevices.list(engine.sessions.validate(bobElsewhere.token ?? ''))[0]?.id ?? '';

  for (const name of Object.keys(ACCOUNTS) as AccountName[]) secrets.add(`${name}'s password`, ACCOUNTS[name].password);
  secrets.add("bob's TOTP secret", bobSetup.secret);
  secrets.add("carol's pending TOTP secret", carolSetup.secret);
  backupCodes.forEach((code, i) => secrets.addBackupCode(`bob's backup code ${i}${i === 0 ? ' (spent)' : ''}`, code));
  for (const persona of PERSONAS)
    if (connections[persona].token !== null) secrets.add(`${persona}'s session token`, connections[persona].token);
  secrets.add("bob's other window's session token", bobElsewhere.token);
  secrets.add("alice's remembered session token", remembered.token);
  secrets.add("alice's refresh token", remembered.refreshToken);
  secrets.add("bob's device token", deviceToken);
  secrets.add('the e-mail verification token', new URL(link).searchParams.get('token'));
  const vaultKey = await vault.keychain.get(engine.vaultId);
  secrets.add('the vault key', vaultKey);
  const keys = deriveVaultKeys(Buffer.from(vaultKey ?? '', 'base64'), engine.vaultId);
  for (const [purpose, key] of Object.entries(keys)) {
    secrets.add(`the ${purpose} key (hex)`, key.toString('hex'));
    secrets.add(`the ${purpose} key (base64)`, key.toString('base64'));
  }
  const reader = openVaultReader(vault.path);
  for (const row of reader.prepare<[], { username: string; password_hash: string }>('SELECT username, password_hash FROM accounts').all()) {
    secrets.add(`${row.username}'s password hash`, row.password_hash);
  }

  return {
    vault,
    engine,
    router,
    reader,
    connections,
    accountIds,
    sessionIds,
    bob: { totpSecret: bobSetup.secret, backupCodes, deviceId, challengeId },
    carol: { pendingSecret: carolSetup.secret },
    secrets,
    async keychainEntries() {
      const entries = await keytar.findCredentials(vault.keychain.service);
      return entries
        .filter((entry) => !keychainMayMove(entry.account))
        .map((entry) => `${entry.account}=${entry.password}`)
        .sort();
    },
    async close() {
      reader.close();
      await vault.dispose();
    },
  };
}

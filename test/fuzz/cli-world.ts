import type Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import keytar from 'keytar';
import { MAX_IMPORT_BYTES } from '../../src/main/engine/accounts/import.js';
import { deriveVaultKeys } from '../../src/main/engine/crypto/vault-keys.js';
import { openEngine } from '../../src/main/engine/engine.js';
import { totpCodeAt, totpStep } from '../../src/main/engine/mfa/totp.js';
import { type CliRun, assertCliBuilt, createCliVault, runCli, type CliVault } from '../support/cli.js';
import { runCliInProcess } from '../support/cli-in-process.js';
import { copyBuild } from '../support/private-build.js';
import { forgetKeychainService } from '../support/keychain.js';
import { PASSWORDS, cliClient, keychainServiceForTest } from '../support/temp-vault.js';
import { type VaultDigest, digestVault, keychainMayMove, openVaultReader } from '../support/vault-digest.js';
import { SeededSecrets } from './secrets.js';

/** The CLI's accounts: root (administrator, TOTP on, this device trusted), alice (TOTP being set up), bob, dave (disabled). */
export const CLI_ACCOUNTS = {
  root: PASSWORDS.admin,
  alice: PASSWORDS.alice,
  bob: PASSWORDS.bob,
  dave: 'pale orchid beside the window',
} as const;
export type CliAccount = keyof typeof CLI_ACCOUNTS;

/** Places a fuzz case may name as a file: none of them may be created, changed or removed by a refused command. */
export interface Decoys {
  /** A text file that is not a vault. */
  readonly textFile: string;
  readonly emptyFile: string;
  readonly folder: string;
  readonly linkToText: string;
  readonly danglingLink: string;
  /** A path in a folder that does not exist. */
  readonly inMissingFolder: string;
  /** A path nothing is at (yet): a vault, PNG or export that must not come to be. */
  readonly nothing: string;
}

export interface Output {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Everything a refused command must leave as it was. */
export interface CliState {
  readonly vault: VaultDigest;
  readonly keychain: readonly string[];
  readonly otherKeychain: readonly string[];
  readonly files: readonly string[];
}

export interface CliWorld {
  readonly dir: string;
  readonly vault: string;
  readonly service: string;
  /** A keychain service that holds nothing, and must go on holding nothing. */
  readonly otherService: string;
  readonly decoys: Decoys;
  /** A folder for the files a case writes for `import`; not part of the state compared. */
  readonly imports: string;
  /** An import file one byte over the largest an import takes (sparse: it costs no disk). */
  readonly bigImport: string;
  readonly reader: Database.Database;
  readonly secrets: SeededSecrets;
  readonly root: { readonly totpSecret: string; readonly backupCodes: readonly string[]; readonly deviceId: string };
  readonly sessionIds: readonly string[];
  /** `latchkey --vault … --keychain-service … ARGS` in this process. */
  inProcess(args: readonly string[], stdin: string | Uint8Array): Promise<Output>;
  /** The same, as a child process (of a private copy of the build). */
  child(args: readonly string[], stdin: string | Uint8Array): Promise<Output>;
  state(): Promise<CliState>;
  close(): Promise<void>;
}

function expectOk(run: Output, what: string): Record<string, unknown> {
  if (run.code !== 0) throw new Error(`seeding the CLI fuzz vault: ${what} exited ${run.code}:\n${run.stdout}${run.stderr}`);
  return JSON.parse(run.stdout.trim()) as Record<string, unknown>;
}

function decoysIn(dir: string): Decoys {
  const decoys: Decoys = {
    textFile: join(dir, 'notes.txt'),
    emptyFile: join(dir, 'empty.db'),
    folder: join(dir, 'folder'),
    linkToText: join(dir, 'link-to-notes'),
    danglingLink: join(dir, 'dangling'),
    inMissingFolder: join(dir, 'missing', 'vault.db'),
    nothing: join(dir, 'nothing-here'),
  };
  writeFileSync(decoys.textFile, 'username,password_hash\nnot a vault, and not for writing\n');
  writeFileSync(decoys.emptyFile, '');
  mkdirSync(decoys.folder);
  symlinkSync(decoys.textFile, decoys.linkToText);
  symlinkSync(join(dir, 'no-such-target'), decoys.danglingLink);
  return decoys;
}

/** Every name in the folder with its type and, for files, a hash of its bytes; the vault's own files left to the digest. */
function listFiles(dir: string, skip: ReadonlySet<string>): string[] {
  const found: string[] = [];
  const walk = (folder: string): void => {
    for (const name of readdirSync(folder).sort()) {
      const path = join(folder, name);
      if (skip.has(path)) continue;
      const info = lstatSync(path);
      if (info.isDirectory()) {
        found.push(`${path}/`);
        walk(path);
      } else if (info.isFile()) {
        found.push(`${path} ${info.mode.toString(8)} ${createHash('sha256').update(readFileSync(path)).digest('hex')}`);
      } else {
        found.push(`${path} (${info.isSymbolicLink() ? 'link' : 'other'})`);
      }
    }
  };
  walk(dir);
  return found;
}

async function entries(service: string): Promise<string[]> {
  return (await keytar.findCredentials(service))
    .filter((entry) => !keychainMayMove(entry.account))
    .map((entry) => `${entry.account}=${entry.password}`)
    .sort();
}

/**
 * A CLI vault signed in as root, with every kind of secret the CLI handles in it: passwords and
 * their hashes, root's TOTP secret and backup codes, alice's pending secret, the CLI's session and
 * device tokens in the keychain, other sessions' tokens, a refresh token, a verification token,
 * the vault key and the keys derived from it.
 */
export async function openCliWorld(): Promise<CliWorld> {
  assertCliBuilt();
  const v: CliVault = createCliVault('latchkey-fuzz-cli-');
  await v.init();
  const service = v.keychain.service;
  const globals = ['--vault', v.vault, '--keychain-service', service];
  const inProcess = (args: readonly string[], stdin: string | Uint8Array): Promise<Output> =>
    runCliInProcess([...globals, ...args], { stdin });
  // Child processes run a copy of the build, which no one rebuilds under a run of many minutes.
  const build = copyBuild('latchkey-fuzz-build-');
  const child = (args: readonly string[], stdin: string | Uint8Array): Promise<CliRun> =>
    runCli([...globals, ...args], { stdin, entry: build.cli });
  const secrets = new SeededSecrets();

  expectOk(await inProcess(['signin', 'root', '--password-stdin', '--json'], `${CLI_ACCOUNTS.root}\n`), 'root signs in');
  for (const name of ['alice', 'bob', 'dave'] as const) {
    const email = name === 'alice' ? ['--email', 'alice@example.org'] : [];
    expectOk(await inProcess(['account', 'add', name, ...email, '--password-stdin', '--json'], `${CLI_ACCOUNTS[name]}\n`), `add ${name}`);
  }
  expectOk(await inProcess(['account', 'disable', 'dave', '--json'], ''), 'disable dave');
  const setup = expectOk(await inProcess(['mfa', 'totp', 'begin', '--json'], ''), 'root begins TOTP') as { secret: string };
  const code = totpCodeAt(setup.secret, totpStep(Date.now(), 30));
  const { backupCodes } = expectOk(await inProcess(['mfa', 'totp', 'confirm', '--code', code, '--json'], ''), 'root confirms TOTP') as {
    backupCodes: string[];
  };
  expectOk(
    await inProcess(
      ['signin', 'root', '--password-stdin', '--backup-code', backupCodes[0] ?? '', '--trust-device', '--json'],
      `${CLI_ACCOUNTS.root}\n`,
    ),
    'root trusts this device',
  );

  // Beside the CLI: sessions of other accounts, stay signed in, a TOTP setup left half-way, a verification link.
  const engine = await openEngine({ vaultPath: v.vault, secrets: v.keychain, create: false });
  const alice = await engine.signIn.withPassword({
    username: 'alice',
    password: CLI_ACCOUNTS.alice,
    client: cliClient('alice-laptop'),
    staySignedIn: true,
  });
  const bob = await engine.signIn.withPassword({ username: 'bob', password: CLI_ACCOUNTS.bob, client: cliClient('bob-laptop') });
  const alicePending = await engine.mfa.beginTotp(alice.caller);
  const cliToken = await v.keychain.get(v.entry('cli-session'));
  const rootCaller = engine.sessions.validate(cliToken ?? '', { touch: false });
  const { link } = engine.emailVerification.issue(rootCaller, 'alice');
  const deviceId = engine.trustedDevices.list(rootCaller)[0]?.id ?? '';
  const vaultKey = await v.keychain.get(engine.vaultId);
  const keys = deriveVaultKeys(Buffer.from(vaultKey ?? '', 'base64'), engine.vaultId);
  engine.close();

  for (const [name, password] of Object.entries(CLI_ACCOUNTS)) secrets.add(`${name}'s password`, password);
  secrets.add("root's TOTP secret", setup.secret);
  backupCodes.forEach((backup, i) => secrets.addBackupCode(`root's backup code ${i}${i === 0 ? ' (spent)' : ''}`, backup));
  secrets.add("alice's pending TOTP secret", alicePending.secret);
  secrets.add("the CLI's session token", cliToken);
  secrets.add("root's device token", await v.keychain.get(v.entry('device', 'root')));
  secrets.add("alice's session token", alice.token);
  secrets.add("alice's refresh token", alice.refreshToken);
  secrets.add("bob's session token", bob.token);
  secrets.add('the e-mail verification token', new URL(link).searchParams.get('token'));
  secrets.add('the vault key', vaultKey);
  for (const [purpose, key] of Object.entries(keys)) {
    secrets.add(`the ${purpose} key (hex)`, key.toString('hex'));
    secrets.add(`the ${purpose} key (base64)`, key.toString('base64'));
  }
  const reader = openVaultReader(v.vault);
  for (const row of reader.prepare<[], { username: string; password_hash: string }>('SELECT username, password_hash FROM accounts').all()) {
    secrets.add(`${row.username}'s password hash`, row.password_hash);
  }

  const decoys = decoysIn(v.dir);
  const imports = join(v.dir, 'imports');
  mkdirSync(imports);
  const bigImport = join(imports, 'big.csv');
  writeFileSync(bigImport, '');
  truncateSync(bigImport, MAX_IMPORT_BYTES + 1);
  const otherService = keychainServiceForTest();
  const skip = new Set([v.vault, `${v.vault}-wal`, `${v.vault}-shm`, `${v.vault}-journal`, imports]);
  if (existsSync(decoys.nothing)) throw new Error('a decoy that should be nothing is something');

  return {
    dir: v.dir,
    vault: v.vault,
    service,
    otherService,
    decoys,
    imports,
    bigImport,
    reader,
    secrets,
    root: { totpSecret: setup.secret, backupCodes, deviceId },
    sessionIds: [alice.session.id, bob.session.id, rootCaller.sessionId],
    inProcess,
    child,
    async state() {
      return {
        vault: digestVault(reader),
        keychain: await entries(service),
        otherKeychain: await entries(otherService),
        files: listFiles(v.dir, skip),
      };
    },
    async close() {
      reader.close();
      await forgetKeychainService(otherService);
      await v.dispose();
      build.dispose();
    },
  };
}

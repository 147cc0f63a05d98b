import type { Caller } from '../../src/main/engine/caller.js';
import type { Engine } from '../../src/main/engine/engine.js';
import type { HashParameters } from '../../src/main/engine/passwords/password-hasher.js';
import type { StartedSession } from '../../src/main/engine/sessions/sessions.js';
import type { AuditEventView, AccountView, Role } from '../../src/shared/views.js';
import { cliClient, createTempVault, PASSWORDS, type TempVault } from './temp-vault.js';
import { allEvents } from './auditor.js';

/**
 * argon2id at a cost low enough for suites that sign in hundreds of times and measure nothing
 * about hashing (the engine allows lowering it only for such tests).
 */
export const QUICK_HASH: HashParameters = { memoryCost: 1024, timeCost: 1, parallelism: 1 };

export interface SignedIn {
  readonly started: StartedSession;
  readonly token: string;
  /** The caller as the engine sees it once the token is validated. */
  readonly caller: Caller;
}

/** A fresh vault whose first admin ("admin") is signed in; the usual starting point of a test. */
export interface VaultWithAdmin {
  readonly vault: TempVault;
  readonly engine: Engine;
  readonly admin: SignedIn;
}

export async function openVaultWithAdmin(options: { hashParameters?: HashParameters; monitoring?: boolean } = {}): Promise<VaultWithAdmin> {
  const vault = await createTempVault();
  const engine = await vault.open(options);
  await engine.accounts.initialise({ username: 'admin', password: PASSWORDS.admin, email: 'admin@example.org' });
  const admin = await signIn(engine, 'admin', PASSWORDS.admin);
  return { vault, engine, admin };
}

export async function signIn(
  engine: Engine,
  username: string,
  password: string,
  options: { staySignedIn?: boolean; device?: string } = {},
): Promise<SignedIn> {
  const started = await engine.signIn.withPassword({
    username,
    password,
    client: cliClient(options.device),
    ...(options.staySignedIn === undefined ? {} : { staySignedIn: options.staySignedIn }),
  });
  return { started, token: started.token, caller: engine.sessions.validate(started.token) };
}

export function addAccount(
  engine: Engine,
  admin: Caller,
  username: string,
  password: string,
  extra: { role?: Role; email?: string } = {},
): Promise<AccountView> {
  return engine.accounts.add(admin, { username, password, ...extra });
}

export function auditEvents(engine: Engine, type?: string): AuditEventView[] {
  return allEvents(engine).filter((event) => type === undefined || event.type === type);
}

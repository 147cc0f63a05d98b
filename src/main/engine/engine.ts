import type { ClockSkewView } from '../../shared/monitoring.js';
import type { SecretStore } from '../secrets/secret-store.js';
import { AccountService } from './accounts/accounts.js';
import { AccountImporter } from './accounts/import.js';
import { SignIn } from './auth/sign-in.js';
import { type Caller, requireAdmin } from './caller.js';
import { noUptime, systemClock, systemUptime, type Clock, type Uptime } from './clock.js';
import { createContext } from './context.js';
import { Delivery } from './delivery/delivery.js';
import { DeliverySettings } from './delivery/delivery-settings.js';
import { EmailVerification } from './email/email-verification.js';
import { sealRowsOnce } from './integrity/row-sealing.js';
import { AuditService } from './audit/audit-service.js';
import { Lockout } from './lockout/lockout.js';
import { MfaService } from './mfa/mfa-service.js';
import { AlertService } from './monitoring/alerts.js';
import { SecurityReports } from './monitoring/report.js';
import { Phones } from './mfa/phones.js';
import { SentCodes } from './mfa/sent-codes.js';
import { TrustedDevices } from './mfa/trusted-devices.js';
import { PasswordHasher, type HashParameters } from './passwords/password-hasher.js';
import { PolicyService } from './policy/policy-service.js';
import type { Policy } from './policy/policy-keys.js';
import { UnchangedCache } from '../store/unchanged-cache.js';
import { cleanUp, type CleanupReport } from './sessions/cleanup.js';
import { SessionService } from './sessions/sessions.js';
import { KeptTimeMark } from './vault-clock.js';
import { openVault, verifyVault, type VaultVerdict } from './vault.js';

export interface EngineOptions {
  /** The vault file. */
  readonly vaultPath: string;
  readonly secrets: SecretStore;
  readonly clock?: Clock;
  /**
   * The machine's uptime, which tells how much time really passed; by default the system's with the
   * system clock, and none with an injected clock (whose time a test moves on its own).
   */
  readonly uptime?: Uptime;
  /** Only ever lowered by tests that measure nothing about hashing cost. */
  readonly hashParameters?: HashParameters;
  readonly nativeBinding?: string;
  /**
   * Make the vault when there is none at `vaultPath`; true unless said otherwise, so the app and the
   * browser host set one up on first run. False refuses a missing file with NOT_INITIALISED.
   */
  readonly create?: boolean;
  /**
   * Whether the detection rules and the report's counters follow every write. Always on in the
   * hosts; off only where a benchmark measures what they cost.
   */
  readonly monitoring?: boolean;
}

/** The whole of Latchkey's rules over one open vault. Hosts (Electron, CLI, browser host) only drive it. */
export interface Engine {
  readonly vaultId: string;
  readonly vaultPath: string;
  readonly secrets: SecretStore;
  readonly clock: Clock;
  readonly accounts: AccountService;
  readonly accountImport: AccountImporter;
  readonly sessions: SessionService;
  readonly signIn: SignIn;
  readonly mfa: MfaService;
  /** A phone for SMS codes: added, proved by a code, removed. */
  readonly phones: Phones;
  readonly trustedDevices: TrustedDevices;
  /** The policy in force is the engine's own business; hosts read it through these, on someone's behalf. */
  readonly policy: Pick<PolicyService, 'describe' | 'set' | 'setMany' | 'signInFacts'>;
  readonly emailVerification: EmailVerification;
  /** The outbox and where it sends: mail and SMS. */
  readonly delivery: Delivery;
  readonly audit: AuditService;
  /** What the detection rules raised, for administrators to acknowledge and resolve. */
  readonly alerts: AlertService;
  /** The figures of the security report (administrators). */
  readonly reports: SecurityReports;
  /** The background job every host runs on a timer: not on anyone's behalf. */
  cleanUp(): Promise<CleanupReport>;
  /** The same job run now because an administrator asked (`latchkey session cleanup`). */
  cleanUpAs(caller: Caller): Promise<CleanupReport>;
  /** How this machine's clock stands against the vault's time, for the host to tell the person at it; null when it agrees. */
  clockSkew(): ClockSkewView | null;
  /** The vault file's checks: damaged pages, rows that refer to rows not there, security rows whose seal fails. Reads only. */
  verifyVault(): VaultVerdict;
  close(): void;
}

export async function openEngine(options: EngineOptions): Promise<Engine> {
  const vault = await openVault({
    path: options.vaultPath,
    secrets: options.secrets,
    ...(options.create === undefined ? {} : { create: options.create }),
    ...(options.nativeBinding === undefined ? {} : { nativeBinding: options.nativeBinding }),
  });
  const keptMark = new KeptTimeMark(vault.secrets, vault.id, vault.keys.auditChain);
  const time = {
    clock: options.clock ?? systemClock,
    uptime: options.uptime ?? (options.clock === undefined ? systemUptime : noUptime),
    keptMark,
    keptAt: await keptMark.read().catch((error: unknown) => {
      vault.close();
      throw error;
    }),
  };
  const ctx = createContext(vault, time, new PasswordHasher(options.hashParameters), options.monitoring !== false);
  await sealRowsOnce(ctx).catch((error: unknown) => {
    vault.close();
    throw error;
  });
  const policy = new PolicyService(ctx);
  // Read on nearly every call (each validation nothing kept answers, each sign-in): parsed and
  // checked once while the file is unchanged, and frozen, as every service shares the one object.
  const policies = new UnchangedCache<'policy', Policy>(ctx.vaultVersion, 1);
  const current = (): Policy => policies.get('policy', () => Object.freeze(policy.current()));
  const lockout = new Lockout(ctx, current);
  const sessions = new SessionService(ctx, current);
  const deliverySettings = new DeliverySettings(ctx);
  const delivery = new Delivery(ctx, deliverySettings);
  const codes = new SentCodes(ctx);
  const mfa = new MfaService(ctx, current, sessions, lockout, codes, (channel) => deliverySettings.sendProblem(channel));
  const trustedDevices = new TrustedDevices(ctx, current);
  const emailVerification = new EmailVerification(ctx);
  const accounts = new AccountService(ctx, sessions, lockout, emailVerification);
  const phones = new Phones(ctx, codes, delivery, (caller, password, type) => accounts.confirmOwnPassword(caller, password, type));
  return {
    vaultId: vault.id,
    vaultPath: vault.path,
    secrets: vault.secrets,
    clock: ctx.clock,
    accounts,
    accountImport: new AccountImporter(ctx, mfa),
    sessions,
    signIn: new SignIn(ctx, sessions, lockout, mfa, trustedDevices, { codes, phones, delivery }),
    mfa,
    phones,
    trustedDevices,
    policy,
    emailVerification,
    delivery,
    audit: new AuditService(ctx),
    alerts: new AlertService(ctx, current),
    reports: new SecurityReports(ctx),
    cleanUp: () => cleanUp(ctx, sessions, lockout, mfa),
    cleanUpAs: (caller) => {
      requireAdmin(caller);
      return cleanUp(ctx, sessions, lockout, mfa);
    },
    clockSkew: () => ctx.clock.skew(),
    verifyVault: () => verifyVault(vault),
    close: () => vault.close(),
  };
}

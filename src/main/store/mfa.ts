import type { Db } from './database.js';
import { type RowSeal, SealedWrites, type SealedTable, type Stored } from './row-seal.js';
import { FLAGS, type Flag, closedColumns } from './row-values.js';

/** The HMACs a stored TOTP credential may use (RFC 6238 §1.2), and its code lengths. */
export const TOTP_ALGORITHMS = ['SHA1', 'SHA256', 'SHA512'] as const;
export const TOTP_DIGITS = [6, 7, 8] as const;

/** Why a challenge was issued: a second factor to verify, or one to enroll first. */
export const CHALLENGE_PURPOSES = ['verify', 'enroll'] as const;

export interface TotpRow {
  readonly account_id: string;
  readonly secret_enc: string | null;
  readonly pending_secret_enc: string | null;
  readonly pending_expires_at: number | null;
  readonly algorithm: (typeof TOTP_ALGORITHMS)[number];
  readonly digits: (typeof TOTP_DIGITS)[number];
  readonly period: number;
  readonly last_step: number | null;
  readonly enabled_at: number | null;
}

export interface BackupCodeRow {
  readonly account_id: string;
  /** HMAC-SHA-256 of the code under the look-up key (never the code itself). */
  readonly digest: Buffer;
  readonly created_at: number;
  readonly used_at: number | null;
}

export interface ChallengeRow {
  readonly id: string;
  readonly account_id: string;
  readonly purpose: (typeof CHALLENGE_PURPOSES)[number];
  readonly created_at: number;
  readonly expires_at: number;
  readonly attempts: number;
  readonly used_at: number | null;
  readonly stay_signed_in: Flag;
  readonly client: string;
}

export interface TrustedDeviceRow {
  readonly id: string;
  readonly account_id: string;
  readonly token_hash: Buffer;
  readonly device_name: string;
  readonly created_at: number;
  readonly expires_at: number;
  readonly last_used_at: number | null;
  readonly revoked_at: number | null;
  readonly revoke_reason: string | null;
}

/** The secret (already bound to its row by its cipher), the state of a setup and the last accepted step. */
export const TOTP_CREDENTIALS: SealedTable<TotpRow> = {
  name: 'totp_credentials',
  key: ['account_id'],
  sealed: [
    'account_id',
    'secret_enc',
    'pending_secret_enc',
    'pending_expires_at',
    'algorithm',
    'digits',
    'period',
    'last_step',
    'enabled_at',
  ],
  unsealed: {},
  closed: closedColumns<TotpRow>({ algorithm: TOTP_ALGORITHMS, digits: TOTP_DIGITS }),
  rowId: (row) => row.account_id,
  accountId: (row) => row.account_id,
};

/**
 * A backup code's digest does not name its account (the code alone is hashed), so it is the seal,
 * over the account and the digest, that keeps one account's codes from working for another.
 */
export const BACKUP_CODES: SealedTable<BackupCodeRow> = {
  name: 'backup_codes',
  key: ['account_id', 'digest'],
  sealed: ['account_id', 'digest', 'created_at', 'used_at'],
  unsealed: {},
  closed: closedColumns<BackupCodeRow>({}),
  rowId: () => null,
  accountId: (row) => row.account_id,
};

/** Its id is what the sign-in's second step presents, so no message shows it. */
export const MFA_CHALLENGES: SealedTable<ChallengeRow> = {
  name: 'mfa_challenges',
  key: ['id'],
  sealed: ['id', 'account_id', 'purpose', 'created_at', 'expires_at', 'attempts', 'used_at', 'stay_signed_in', 'client'],
  unsealed: {},
  closed: closedColumns<ChallengeRow>({ purpose: CHALLENGE_PURPOSES, stay_signed_in: FLAGS }),
  rowId: () => null,
  accountId: (row) => row.account_id,
};

export const TRUSTED_DEVICES: SealedTable<TrustedDeviceRow> = {
  name: 'trusted_devices',
  key: ['id'],
  sealed: ['id', 'account_id', 'token_hash', 'device_name', 'created_at', 'expires_at', 'last_used_at', 'revoked_at', 'revoke_reason'],
  unsealed: {},
  closed: closedColumns<TrustedDeviceRow>({}),
  rowId: (row) => row.id,
  accountId: (row) => row.account_id,
};

/** Second factors: TOTP credentials, backup codes, sign-in challenges and trusted devices. */
export class MfaRepository {
  readonly #seal: RowSeal;
  readonly #totpWrites: SealedWrites<TotpRow>;
  readonly #codeWrites: SealedWrites<BackupCodeRow>;
  readonly #challengeWrites: SealedWrites<ChallengeRow>;
  readonly #deviceWrites: SealedWrites<TrustedDeviceRow>;
  readonly #totp;
  readonly #deleteTotp;
  readonly #expiredSetups;
  readonly #deleteCodes;
  readonly #code;
  readonly #codesLeft;
  readonly #challenge;
  readonly #deleteDeadChallenges;
  readonly #deviceByToken;
  readonly #devices;
  readonly #device;
  readonly #liveDevicesOf;
  readonly #deleteDeadDevices;

  constructor(db: Db, seal: RowSeal) {
    this.#seal = seal;
    this.#totpWrites = new SealedWrites(db, seal, TOTP_CREDENTIALS);
    this.#codeWrites = new SealedWrites(db, seal, BACKUP_CODES);
    this.#challengeWrites = new SealedWrites(db, seal, MFA_CHALLENGES);
    this.#deviceWrites = new SealedWrites(db, seal, TRUSTED_DEVICES);
    this.#totp = db.prepare<[string], Stored<TotpRow>>('SELECT * FROM totp_credentials WHERE account_id = ?');
    this.#deleteTotp = db.prepare<[string]>('DELETE FROM totp_credentials WHERE account_id = ?');
    this.#expiredSetups = db.prepare<{ now: number; limit: number }, { account_id: string }>(
      `SELECT account_id FROM totp_credentials
       WHERE pending_secret_enc IS NOT NULL AND pending_expires_at <= @now LIMIT @limit`,
    );
    this.#deleteCodes = db.prepare<[string]>('DELETE FROM backup_codes WHERE account_id = ?');
    this.#code = db.prepare<[string, Buffer], Stored<BackupCodeRow>>('SELECT * FROM backup_codes WHERE account_id = ? AND digest = ?');
    this.#codesLeft = db.prepare<[string], Stored<BackupCodeRow>>('SELECT * FROM backup_codes WHERE account_id = ? AND used_at IS NULL');
    this.#challenge = db.prepare<[string], Stored<ChallengeRow>>('SELECT * FROM mfa_challenges WHERE id = ?');
    this.#deleteDeadChallenges = db.prepare<{ now: number; limit: number }>(
      `DELETE FROM mfa_challenges WHERE rowid IN (
         SELECT rowid FROM mfa_challenges WHERE expires_at <= @now
         UNION ALL SELECT rowid FROM mfa_challenges WHERE used_at IS NOT NULL LIMIT @limit)`,
    );
    this.#deviceByToken = db.prepare<[Buffer], Stored<TrustedDeviceRow>>('SELECT * FROM trusted_devices WHERE token_hash = ?');
    this.#devices = db.prepare<[string, number], Stored<TrustedDeviceRow>>(
      'SELECT * FROM trusted_devices WHERE account_id = ? AND revoked_at IS NULL AND expires_at > ? ORDER BY created_at DESC',
    );
    this.#device = db.prepare<[string], Stored<TrustedDeviceRow>>('SELECT * FROM trusted_devices WHERE id = ?');
    this.#liveDevicesOf = db.prepare<[string], Stored<TrustedDeviceRow>>(
      'SELECT * FROM trusted_devices WHERE account_id = ? AND revoked_at IS NULL',
    );
    this.#deleteDeadDevices = db.prepare<{ now: number; limit: number }>(
      `DELETE FROM trusted_devices WHERE rowid IN (
         SELECT rowid FROM trusted_devices WHERE expires_at <= @now
         UNION ALL SELECT rowid FROM trusted_devices WHERE revoked_at IS NOT NULL LIMIT @limit)`,
    );
  }

  totp(accountId: string): TotpRow | undefined {
    return this.#seal.openMaybe(TOTP_CREDENTIALS, this.#totp.get(accountId));
  }

  putTotp(row: TotpRow): void {
    this.#totpWrites.put(row);
  }

  deleteTotp(accountId: string): void {
    this.#deleteTotp.run(accountId);
  }

  /** False when the step is not newer than the last accepted one (a replay, or a race with one). */
  advanceLastStep(accountId: string, step: number): boolean {
    const row = this.totp(accountId);
    // Only ever forward: RFC 6238 §5.2, a step once accepted is never accepted again.
    if (row === undefined || (row.last_step !== null && row.last_step >= step)) return false;
    this.#totpWrites.rewrite({ ...row, last_step: step });
    return true;
  }

  expiredSetups(now: number, limit: number): string[] {
    return this.#expiredSetups.all({ now, limit }).map((row) => row.account_id);
  }

  replaceBackupCodes(accountId: string, digests: readonly Buffer[], at: number): void {
    this.#deleteCodes.run(accountId);
    for (const digest of digests) this.#codeWrites.insert({ account_id: accountId, digest, created_at: at, used_at: null });
  }

  deleteBackupCodes(accountId: string): void {
    this.#deleteCodes.run(accountId);
  }

  /** Marks a code used; false if it is unknown or was used before. */
  /** Whether this account has this backup code and it was used already. */
  backupCodeSpent(accountId: string, digest: Buffer): boolean {
    const row = this.#seal.openMaybe(BACKUP_CODES, this.#code.get(accountId, digest));
    return row !== undefined && row.used_at !== null;
  }

  spendBackupCode(accountId: string, digest: Buffer, at: number): boolean {
    const row = this.#seal.openMaybe(BACKUP_CODES, this.#code.get(accountId, digest));
    if (row === undefined || row.used_at !== null) return false;
    this.#codeWrites.rewrite({ ...row, used_at: at });
    return true;
  }

  /** Each one checked: codes copied in from another account do not count. */
  backupCodesLeft(accountId: string): number {
    return this.#seal.openAll(BACKUP_CODES, this.#codesLeft.all(accountId)).length;
  }

  insertChallenge(row: ChallengeRow): void {
    this.#challengeWrites.insert(row);
  }

  challenge(id: string): ChallengeRow | undefined {
    return this.#seal.openMaybe(MFA_CHALLENGES, this.#challenge.get(id));
  }

  countChallengeAttempt(id: string): void {
    const row = this.challenge(id);
    if (row !== undefined) this.#challengeWrites.rewrite({ ...row, attempts: row.attempts + 1 });
  }

  useChallenge(id: string, at: number): boolean {
    const row = this.challenge(id);
    if (row === undefined || row.used_at !== null) return false;
    this.#challengeWrites.rewrite({ ...row, used_at: at });
    return true;
  }

  deleteDeadChallenges(now: number, limit: number): number {
    return this.#deleteDeadChallenges.run({ now, limit }).changes;
  }

  insertTrustedDevice(row: TrustedDeviceRow): void {
    this.#deviceWrites.insert(row);
  }

  trustedDeviceByToken(hash: Buffer): TrustedDeviceRow | undefined {
    return this.#seal.openMaybe(TRUSTED_DEVICES, this.#deviceByToken.get(hash));
  }

  trustedDevices(accountId: string, now: number): TrustedDeviceRow[] {
    return this.#seal.openAll(TRUSTED_DEVICES, this.#devices.all(accountId, now));
  }

  trustedDevice(id: string): TrustedDeviceRow | undefined {
    return this.#seal.openMaybe(TRUSTED_DEVICES, this.#device.get(id));
  }

  touchTrustedDevice(id: string, at: number): void {
    const row = this.trustedDevice(id);
    if (row !== undefined) this.#deviceWrites.rewrite({ ...row, last_used_at: at });
  }

  revokeTrustedDevice(id: string, at: number, reason: string): boolean {
    const row = this.trustedDevice(id);
    if (row === undefined || row.revoked_at !== null) return false;
    this.#deviceWrites.rewrite({ ...row, revoked_at: at, revoke_reason: reason });
    return true;
  }

  revokeTrustedDevices(accountId: string, at: number, reason: string): number {
    const rows = this.#seal.openAll(TRUSTED_DEVICES, this.#liveDevicesOf.all(accountId));
    for (const row of rows) this.#deviceWrites.rewrite({ ...row, revoked_at: at, revoke_reason: reason });
    return rows.length;
  }

  deleteDeadTrustedDevices(now: number, limit: number): number {
    return this.#deleteDeadDevices.run({ now, limit }).changes;
  }
}

/** The reads of second factors: what a rule may call outside a change (writes go through the write path). */
export const MFA_READS = [
  'totp',
  'expiredSetups',
  'backupCodesLeft',
  'backupCodeSpent',
  'challenge',
  'trustedDeviceByToken',
  'trustedDevices',
  'trustedDevice',
] as const satisfies readonly (keyof MfaRepository)[];
export type MfaReads = Pick<MfaRepository, (typeof MFA_READS)[number]>;

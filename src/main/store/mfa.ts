import type { Db } from './database.js';

export interface TotpRow {
  readonly account_id: string;
  readonly secret_enc: string | null;
  readonly pending_secret_enc: string | null;
  readonly pending_expires_at: number | null;
  readonly algorithm: string;
  readonly digits: number;
  readonly period: number;
  readonly last_step: number | null;
  readonly enabled_at: number | null;
}

export interface ChallengeRow {
  readonly id: string;
  readonly account_id: string;
  readonly purpose: 'verify' | 'enroll';
  readonly created_at: number;
  readonly expires_at: number;
  readonly attempts: number;
  readonly used_at: number | null;
  readonly stay_signed_in: 0 | 1;
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

/** Second factors: TOTP credentials, backup codes, sign-in challenges and trusted devices. */
export class MfaRepository {
  readonly #totp;
  readonly #putTotp;
  readonly #deleteTotp;
  readonly #setLastStep;
  readonly #expiredSetups;
  readonly #insertCode;
  readonly #deleteCodes;
  readonly #spendCode;
  readonly #codesLeft;
  readonly #insertChallenge;
  readonly #challenge;
  readonly #countAttempt;
  readonly #useChallenge;
  readonly #deleteDeadChallenges;
  readonly #insertDevice;
  readonly #deviceByToken;
  readonly #devices;
  readonly #device;
  readonly #useDevice;
  readonly #revokeDevice;
  readonly #revokeDevices;
  readonly #deleteDeadDevices;

  constructor(db: Db) {
    this.#totp = db.prepare<[string], TotpRow>('SELECT * FROM totp_credentials WHERE account_id = ?');
    this.#putTotp = db.prepare<TotpRow>(
      `INSERT INTO totp_credentials (account_id, secret_enc, pending_secret_enc, pending_expires_at, algorithm, digits, period, last_step, enabled_at)
       VALUES (@account_id, @secret_enc, @pending_secret_enc, @pending_expires_at, @algorithm, @digits, @period, @last_step, @enabled_at)
       ON CONFLICT(account_id) DO UPDATE SET secret_enc = excluded.secret_enc, pending_secret_enc = excluded.pending_secret_enc,
         pending_expires_at = excluded.pending_expires_at, algorithm = excluded.algorithm, digits = excluded.digits,
         period = excluded.period, last_step = excluded.last_step, enabled_at = excluded.enabled_at`,
    );
    this.#deleteTotp = db.prepare<[string]>('DELETE FROM totp_credentials WHERE account_id = ?');
    // Only ever forward: RFC 6238 §5.2, a step once accepted is never accepted again.
    this.#setLastStep = db.prepare<[number, string, number]>(
      'UPDATE totp_credentials SET last_step = ? WHERE account_id = ? AND (last_step IS NULL OR last_step < ?)',
    );
    this.#expiredSetups = db.prepare<{ now: number; limit: number }, { account_id: string }>(
      `SELECT account_id FROM totp_credentials
       WHERE pending_secret_enc IS NOT NULL AND pending_expires_at <= @now LIMIT @limit`,
    );
    this.#insertCode = db.prepare<[string, Buffer, number]>('INSERT INTO backup_codes (account_id, digest, created_at) VALUES (?, ?, ?)');
    this.#deleteCodes = db.prepare<[string]>('DELETE FROM backup_codes WHERE account_id = ?');
    this.#spendCode = db.prepare<[number, string, Buffer]>(
      'UPDATE backup_codes SET used_at = ? WHERE account_id = ? AND digest = ? AND used_at IS NULL',
    );
    this.#codesLeft = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM backup_codes WHERE account_id = ? AND used_at IS NULL');
    this.#insertChallenge = db.prepare<ChallengeRow>(
      `INSERT INTO mfa_challenges (id, account_id, purpose, created_at, expires_at, attempts, used_at, stay_signed_in, client)
       VALUES (@id, @account_id, @purpose, @created_at, @expires_at, @attempts, @used_at, @stay_signed_in, @client)`,
    );
    this.#challenge = db.prepare<[string], ChallengeRow>('SELECT * FROM mfa_challenges WHERE id = ?');
    this.#countAttempt = db.prepare<[string]>('UPDATE mfa_challenges SET attempts = attempts + 1 WHERE id = ?');
    this.#useChallenge = db.prepare<[number, string]>('UPDATE mfa_challenges SET used_at = ? WHERE id = ? AND used_at IS NULL');
    this.#deleteDeadChallenges = db.prepare<{ now: number; limit: number }>(
      `DELETE FROM mfa_challenges WHERE rowid IN (
         SELECT rowid FROM mfa_challenges WHERE expires_at <= @now OR used_at IS NOT NULL LIMIT @limit)`,
    );
    this.#insertDevice = db.prepare<TrustedDeviceRow>(
      `INSERT INTO trusted_devices (id, account_id, token_hash, device_name, created_at, expires_at, last_used_at, revoked_at, revoke_reason)
       VALUES (@id, @account_id, @token_hash, @device_name, @created_at, @expires_at, @last_used_at, @revoked_at, @revoke_reason)`,
    );
    this.#deviceByToken = db.prepare<[Buffer], TrustedDeviceRow>('SELECT * FROM trusted_devices WHERE token_hash = ?');
    this.#devices = db.prepare<[string, number], TrustedDeviceRow>(
      'SELECT * FROM trusted_devices WHERE account_id = ? AND revoked_at IS NULL AND expires_at > ? ORDER BY created_at DESC',
    );
    this.#device = db.prepare<[string], TrustedDeviceRow>('SELECT * FROM trusted_devices WHERE id = ?');
    this.#useDevice = db.prepare<[number, string]>('UPDATE trusted_devices SET last_used_at = ? WHERE id = ?');
    this.#revokeDevice = db.prepare<[number, string, string]>(
      'UPDATE trusted_devices SET revoked_at = ?, revoke_reason = ? WHERE id = ? AND revoked_at IS NULL',
    );
    this.#revokeDevices = db.prepare<[number, string, string]>(
      'UPDATE trusted_devices SET revoked_at = ?, revoke_reason = ? WHERE account_id = ? AND revoked_at IS NULL',
    );
    this.#deleteDeadDevices = db.prepare<{ now: number; limit: number }>(
      `DELETE FROM trusted_devices WHERE rowid IN (
         SELECT rowid FROM trusted_devices WHERE expires_at <= @now OR revoked_at IS NOT NULL LIMIT @limit)`,
    );
  }

  totp(accountId: string): TotpRow | undefined {
    return this.#totp.get(accountId);
  }

  putTotp(row: TotpRow): void {
    this.#putTotp.run(row);
  }

  deleteTotp(accountId: string): void {
    this.#deleteTotp.run(accountId);
  }

  /** False when the step is not newer than the last accepted one (a replay, or a race with one). */
  advanceLastStep(accountId: string, step: number): boolean {
    return this.#setLastStep.run(step, accountId, step).changes === 1;
  }

  expiredSetups(now: number, limit: number): string[] {
    return this.#expiredSetups.all({ now, limit }).map((row) => row.account_id);
  }

  replaceBackupCodes(accountId: string, digests: readonly Buffer[], at: number): void {
    this.#deleteCodes.run(accountId);
    for (const digest of digests) this.#insertCode.run(accountId, digest, at);
  }

  deleteBackupCodes(accountId: string): void {
    this.#deleteCodes.run(accountId);
  }

  /** Marks a code used; false if it is unknown or was used before. */
  spendBackupCode(accountId: string, digest: Buffer, at: number): boolean {
    return this.#spendCode.run(at, accountId, digest).changes === 1;
  }

  backupCodesLeft(accountId: string): number {
    return this.#codesLeft.get(accountId)?.n ?? 0;
  }

  insertChallenge(row: ChallengeRow): void {
    this.#insertChallenge.run(row);
  }

  challenge(id: string): ChallengeRow | undefined {
    return this.#challenge.get(id);
  }

  countChallengeAttempt(id: string): void {
    this.#countAttempt.run(id);
  }

  useChallenge(id: string, at: number): boolean {
    return this.#useChallenge.run(at, id).changes === 1;
  }

  deleteDeadChallenges(now: number, limit: number): number {
    return this.#deleteDeadChallenges.run({ now, limit }).changes;
  }

  insertTrustedDevice(row: TrustedDeviceRow): void {
    this.#insertDevice.run(row);
  }

  trustedDeviceByToken(hash: Buffer): TrustedDeviceRow | undefined {
    return this.#deviceByToken.get(hash);
  }

  trustedDevices(accountId: string, now: number): TrustedDeviceRow[] {
    return this.#devices.all(accountId, now);
  }

  trustedDevice(id: string): TrustedDeviceRow | undefined {
    return this.#device.get(id);
  }

  touchTrustedDevice(id: string, at: number): void {
    this.#useDevice.run(at, id);
  }

  revokeTrustedDevice(id: string, at: number, reason: string): boolean {
    return this.#revokeDevice.run(at, reason, id).changes === 1;
  }

  revokeTrustedDevices(accountId: string, at: number, reason: string): number {
    return this.#revokeDevices.run(at, reason, accountId).changes;
  }

  deleteDeadTrustedDevices(now: number, limit: number): number {
    return this.#deleteDeadDevices.run({ now, limit }).changes;
  }
}

/** The reads of second factors: what a rule may call outside a change (writes go through the write path). */
export const MFA_READS = ['totp', 'expiredSetups', 'backupCodesLeft', 'challenge', 'trustedDeviceByToken', 'trustedDevices', 'trustedDevice'] as const satisfies readonly (keyof MfaRepository)[];
export type MfaReads = Pick<MfaRepository, (typeof MFA_READS)[number]>;

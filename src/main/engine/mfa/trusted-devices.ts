import { LatchkeyError } from '../../../shared/errors.js';
import type { TrustedDeviceView } from '../../../shared/views.js';
import type { AccountRow } from '../../store/accounts.js';
import type { TrustedDeviceRow } from '../../store/mfa.js';
import { type Caller, partyOf } from '../caller.js';
import { DAY } from '../clock.js';
import { accountParty } from '../audit/audit-log.js';
import type { EngineContext } from '../context.js';
import { hashToken, newId, newToken } from '../crypto/random.js';
import type { Policy } from '../policy/policy-keys.js';
import type { Change } from '../write-path.js';

/**
 * When a device's trust ends: its own expiry, or sooner when policy has since lowered the days.
 * A lowered policy applies to devices already trusted, too; 0 ends every device's trust at once.
 */
export function trustEndsAt(row: TrustedDeviceRow, policy: Policy): number {
  return Math.min(row.expires_at, row.created_at + policy['mfa.trustDeviceDays'] * DAY);
}

/**
 * "Trust this device": a 256-bit token the host keeps in its keychain, only its hash here. It skips
 * the second factor on that device alone, and such a sign-in is marked as single-factor.
 */
export class TrustedDevices {
  readonly #ctx: EngineContext;
  readonly #policy: () => Policy;

  constructor(ctx: EngineContext, policy: () => Policy) {
    this.#ctx = ctx;
    this.#policy = policy;
  }

  /** Null when policy has turned trusting devices off. */
  trust(tx: Change, account: AccountRow, deviceName: string): string | null {
    const days = this.#policy()['mfa.trustDeviceDays'];
    if (days === 0) return null;
    const token = newToken();
    const now = this.#ctx.clock.now();
    const id = newId('dev');
    tx.repos.mfa.insertTrustedDevice({
      id,
      account_id: account.id,
      token_hash: hashToken(token),
      device_name: deviceName,
      created_at: now,
      expires_at: now + days * DAY,
      last_used_at: null,
      revoked_at: null,
      revoke_reason: null,
    });
    tx.audit({
      type: 'device.trusted',
      outcome: 'success',
      actor: accountParty(account),
      target: accountParty(account),
      device: deviceName,
      details: { deviceId: id, days },
    });
    return token;
  }

  /** The device a token names, if it is live and belongs to this account. */
  recognise(account: AccountRow, token: string): TrustedDeviceRow | null {
    const row = this.#ctx.repos.mfa.trustedDeviceByToken(hashToken(token));
    const now = this.#ctx.clock.now();
    if (row === undefined || row.account_id !== account.id || row.revoked_at !== null || trustEndsAt(row, this.#policy()) <= now)
      return null;
    return row;
  }

  list(caller: Caller): TrustedDeviceView[] {
    const now = this.#ctx.clock.now();
    const policy = this.#policy();
    return this.#ctx.repos.mfa
      .trustedDevices(caller.accountId, now)
      .filter((row) => trustEndsAt(row, policy) > now)
      .map((row) => ({
        id: row.id,
        deviceName: row.device_name,
        createdAt: row.created_at,
        expiresAt: trustEndsAt(row, policy),
        lastUsedAt: row.last_used_at,
      }));
  }

  revoke(caller: Caller, id: string): void {
    const row = this.#ctx.repos.mfa.trustedDevice(id);
    if (row === undefined || row.account_id !== caller.accountId || row.revoked_at !== null) {
      throw new LatchkeyError('NOT_FOUND', `No trusted device ${id} on your account.`);
    }
    this.#ctx.change((tx) => {
      tx.repos.mfa.revokeTrustedDevice(id, this.#ctx.clock.now(), 'revoked');
      tx.audit({
        type: 'device.revoked',
        outcome: 'success',
        actor: partyOf(caller),
        target: { id: caller.accountId, name: caller.username },
        sessionId: caller.sessionId,
        device: row.device_name,
        details: { deviceId: id },
      });
    });
  }
}

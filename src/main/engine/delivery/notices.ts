import { createHmac } from 'node:crypto';
import { BACKUP_CODES_LOW } from '../../../shared/notices.js';
import type { AccountRow } from '../../store/accounts.js';
import type { AuditEntry } from '../audit/audit-log.js';
import type { FieldCipher } from '../crypto/field-cipher.js';
import type { NewMessage } from './outbox.js';
import type { MessageContent } from './templates.js';
import type { WritableRepositories } from '../write-path.js';

type Notice = Extract<MessageContent, { kind: 'notice' }>['notice'];

/**
 * Which audit events mail their account's owner a security notice, declared once: every rule that
 * records one of these events sends the notice with it, in the same transaction, and none can
 * forget to. A notice goes only to a verified address, and never carries a secret or a link.
 */
const NOTICE_OF: { readonly [type: string]: (entry: AuditEntry) => Notice | null } = {
  'signin.succeeded': () => 'new_device',
  'password.changed': (entry) => (entry.outcome === 'success' ? 'password_changed' : null),
  'password.reset': (entry) => (entry.outcome === 'success' ? 'password_changed' : null),
  'mfa.totp_disabled': () => 'mfa_disabled',
  'mfa.reset': () => 'mfa_disabled',
  'mfa.backup_code_used': (entry) => (remainingOf(entry) <= BACKUP_CODES_LOW ? 'backup_codes_low' : null),
  'account.locked': () => 'account_locked',
};

function remainingOf(entry: AuditEntry): number {
  const left = entry.details?.['backupCodesLeft'];
  return typeof left === 'number' ? left : Number.POSITIVE_INFINITY;
}

/** Follows each audit event of a change and queues the notice it calls for. */
export class SecurityNotices {
  readonly #repos: WritableRepositories;
  readonly #cipher: FieldCipher;
  readonly #deviceKey: Buffer;

  constructor(repos: WritableRepositories, cipher: FieldCipher, deviceKey: Buffer) {
    this.#repos = repos;
    this.#cipher = cipher;
    this.#deviceKey = deviceKey;
  }

  /** The message `entry` calls for, if any; inside the change that records it. */
  follow(entry: AuditEntry, now: number): NewMessage | null {
    const notice = NOTICE_OF[entry.type]?.(entry) ?? null;
    const accountId = entry.target?.id ?? null;
    if (notice === null || accountId === null) return null;
    const account = this.#repos.accounts.byId(accountId);
    if (account === undefined) return null;
    if (notice === 'new_device' && !this.#isNewDevice(account, entry, now)) return null;
    const to = verifiedAddress(account, this.#cipher);
    if (to === null) return null;
    const left = remainingOf(entry);
    return {
      channel: 'email',
      to,
      account,
      content: {
        kind: 'notice',
        notice,
        username: account.username,
        at: now,
        device: entry.device ?? null,
        remaining: Number.isFinite(left) ? left : null,
      },
    };
  }

  /**
   * Remembers the device of every sign-in; the first ever sign-in of an account is not news, and
   * neither is one from a device seen before.
   */
  #isNewDevice(account: AccountRow, entry: AuditEntry, now: number): boolean {
    const host = entry.details?.['host'];
    const hash = createHmac('sha256', this.#deviceKey)
      .update(`known-device:${account.id}:${typeof host === 'string' ? host : ''}:${entry.device ?? ''}`)
      .digest();
    const devices = this.#repos.knownDevices;
    const news = !devices.isKnown(account.id, hash) && devices.count(account.id) > 0;
    devices.remember(account.id, hash, now);
    return news;
  }
}

function verifiedAddress(account: AccountRow, cipher: FieldCipher): string | null {
  if (account.email_enc === null || account.email_verified_at === null) return null;
  return cipher.decrypt(account.email_enc, { table: 'accounts', column: 'email', rowId: account.id });
}

import { create } from 'zustand';
import type { InputOf, PolicyEntry, SentVerificationView } from '../../../shared/contract';
import type { Result } from '../../../shared/result';
import type { AccountView, ActivityBucket, AuditEventView, AuditVerdict } from '../../../shared/views';
import { call } from '../api/latchkey';
import { empty, loading, settled, type Loadable } from './loadable';
import { useSession } from './session';

/** What an administrator looks after: accounts, policy and the audit log. */

export interface AuditFilter {
  readonly accountId: string | null;
  readonly type: string | null;
  /** Milliseconds since the epoch; null for any time. */
  readonly since: number | null;
}

interface AdminState {
  readonly accounts: Loadable<readonly AccountView[]>;
  /** Active sessions per account id. */
  readonly sessionCounts: Readonly<Record<string, number>>;
  readonly policy: Loadable<readonly PolicyEntry[]>;
  readonly auditFilter: AuditFilter;
  readonly audit: Loadable<readonly AuditEventView[]>;
  readonly verdict: Loadable<AuditVerdict>;
  readonly activity: Loadable<readonly ActivityBucket[]>;

  loadAccounts: () => Promise<void>;
  createAccount: (input: InputOf<'admin.accounts.create'>) => Promise<Result<AccountView>>;
  setAccountStatus: (username: string, status: AccountView['status']) => Promise<Result<AccountView>>;
  unlockAccount: (username: string) => Promise<Result<AccountView>>;
  resetMfa: (username: string) => Promise<Result<null>>;
  resetPassword: (username: string, newPassword: string) => Promise<Result<null>>;
  setRole: (username: string, role: AccountView['role']) => Promise<Result<AccountView>>;
  /** A new address or none; the administrator's own needs their current password. */
  setEmail: (username: string, email: string | null, currentPassword?: string) => Promise<Result<AccountView>>;
  deleteAccount: (username: string) => Promise<Result<null>>;
  revokeAccountSessions: (accountId: string) => Promise<Result<number>>;
  /** Mails the account a new verification link, tried at once. */
  sendVerification: (username: string) => Promise<Result<SentVerificationView>>;

  loadPolicy: () => Promise<void>;
  /** Several keys at once, all or nothing; the list is replaced by the engine's answer. */
  savePolicy: (changes: InputOf<'admin.policy.setMany'>['changes']) => Promise<Result<readonly PolicyEntry[]>>;

  setAuditFilter: (filter: AuditFilter) => Promise<void>;
  loadAudit: () => Promise<void>;
  verifyAudit: () => Promise<void>;
  loadActivity: () => Promise<void>;
}

export const AUDIT_PAGE = 200;
export const ACTIVITY_DAYS = 14;

const initial = {
  accounts: empty<readonly AccountView[]>(),
  sessionCounts: {},
  policy: empty<readonly PolicyEntry[]>(),
  auditFilter: { accountId: null, type: null, since: null },
  audit: empty<readonly AuditEventView[]>(),
  verdict: empty<AuditVerdict>(),
  activity: empty<readonly ActivityBucket[]>(),
} satisfies Partial<AdminState>;

export const useAdmin = create<AdminState>()((set, get) => {
  /** After a change to one account: the list again (its state and its sessions may both have moved). */
  async function afterAccountChange<T>(result: Result<T>): Promise<Result<T>> {
    if (result.ok) await get().loadAccounts();
    return result;
  }

  return {
    ...initial,

    async loadAccounts() {
      set({ accounts: loading(get().accounts) });
      const [accounts, sessions] = await Promise.all([call('admin.accounts.list'), call('sessions.list', { allAccounts: true })]);
      const counts: Record<string, number> = {};
      if (sessions.ok) for (const session of sessions.value) counts[session.accountId] = (counts[session.accountId] ?? 0) + 1;
      set({ accounts: settled(get().accounts, accounts), sessionCounts: counts });
    },

    createAccount: async (input) => afterAccountChange(await call('admin.accounts.create', input)),
    setAccountStatus: async (username, status) => afterAccountChange(await call('admin.accounts.setStatus', { username, status })),
    unlockAccount: async (username) => afterAccountChange(await call('admin.accounts.unlock', { username })),
    resetMfa: async (username) => afterAccountChange(await call('admin.accounts.resetMfa', { username })),
    resetPassword: async (username, newPassword) =>
      afterAccountChange(await call('admin.accounts.resetPassword', { username, newPassword })),
    setRole: async (username, role) => afterAccountChange(await call('admin.accounts.setRole', { username, role })),
    setEmail: async (username, email, currentPassword) =>
      afterAccountChange(
        await call('admin.accounts.setEmail', { username, email, ...(currentPassword === undefined ? {} : { currentPassword }) }),
      ),
    deleteAccount: async (username) => afterAccountChange(await call('admin.accounts.delete', { username })),
    revokeAccountSessions: async (accountId) => afterAccountChange(await call('admin.sessions.revokeAccount', { accountId })),
    sendVerification: (username) => call('email.sendVerification', { username }),

    async loadPolicy() {
      set({ policy: loading(get().policy) });
      set({ policy: settled(get().policy, await call('admin.policy.get')) });
    },

    async savePolicy(changes) {
      const result = await call('admin.policy.setMany', { changes });
      if (result.ok) set({ policy: { ...get().policy, data: result.value } });
      return result;
    },

    async setAuditFilter(filter) {
      set({ auditFilter: filter });
      await get().loadAudit();
    },

    async loadAudit() {
      const { accountId, type, since } = get().auditFilter;
      set({ audit: loading(get().audit) });
      const result = await call('admin.audit.list', {
        limit: AUDIT_PAGE,
        ...(accountId === null ? {} : { accountId }),
        ...(type === null ? {} : { type }),
        ...(since === null ? {} : { since }),
      });
      set({ audit: settled(get().audit, result.ok ? { ok: true, value: [...result.value].reverse() } : result) });
    },

    async verifyAudit() {
      set({ verdict: loading(get().verdict) });
      set({ verdict: settled(get().verdict, await call('admin.audit.verify')) });
    },

    async loadActivity() {
      set({ activity: loading(get().activity) });
      set({ activity: settled(get().activity, await call('admin.audit.activity', { days: ACTIVITY_DAYS })) });
    },
  };
});

useSession.subscribe((state, previous) => {
  if (previous.signedIn !== null && state.signedIn?.account.id !== previous.signedIn.account.id) useAdmin.setState(initial);
});

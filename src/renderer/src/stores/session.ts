import { create } from 'zustand';
import type { AppStatus, LockReason, SignedInView } from '../../../shared/contract';
import type { Channel, SentCodeView } from '../../../shared/delivery';
import type { ErrorInfo } from '../../../shared/errors';
import type { Result } from '../../../shared/result';
import type { ChallengeView, SecondFactor, TotpSetupView } from '../../../shared/views';
import { call, onSessionEnded } from '../api/latchkey';
import { BACKUP_CODES_LOW, type Notice } from '../../../shared/notices';

/**
 * Who is using the app and which step of getting in they are at. Every screen before the
 * dashboard is one of these phases; the engine decides each move, the store only follows it.
 */
export type Phase =
  | { readonly name: 'starting' }
  | { readonly name: 'unavailable'; readonly error: ErrorInfo }
  | { readonly name: 'first_run' }
  | { readonly name: 'sign_in'; readonly ended: boolean }
  | { readonly name: 'locked'; readonly username: string; readonly cause: LockCause }
  | { readonly name: 'challenge'; readonly step: PendingStep }
  | { readonly name: 'enrollment'; readonly step: PendingStep }
  | { readonly name: 'signed_in' };

/**
 * Why the lock screen shows: the person pressed Lock (`manual`), the app locked itself (`idle`: idle
 * timeout, screen lock, suspend), or the session ended elsewhere (`ended`: revoked, signed out in
 * another window, its time limit). The engine tells only the last two apart, so a window reopened
 * after a manual lock reads it as `idle`.
 */
export type LockCause = 'manual' | LockReason;

/** A password that was right, waiting for its second factor (or, by policy, for enrollment). */
export interface PendingStep {
  readonly username: string;
  readonly challenge: ChallengeView;
  /** Where "Cancel" goes back to: the sign-in screen, or the lock screen it came from. */
  readonly from: 'sign_in' | LockCause;
}

interface SessionState {
  readonly phase: Phase;
  readonly status: AppStatus | null;
  readonly signedIn: SignedInView | null;
  /** Backup codes from a forced enrollment, shown once before the app opens. */
  readonly freshBackupCodes: readonly string[] | null;
  /** Things to tell the person once after signing in (notices, few backup codes left). */
  readonly notices: readonly Notice[];

  start: () => Promise<void>;
  createAdmin: (input: { username: string; password: string; email?: string }) => Promise<Result<unknown>>;
  signIn: (input: { username: string; password: string; staySignedIn: boolean }, from?: PendingStep['from']) => Promise<Result<unknown>>;
  answerChallenge: (factor: SecondFactor, code: string, trustDevice: boolean) => Promise<Result<unknown>>;
  /** A code for the pending step by SMS or e-mail, where the step offers one. */
  sendCode: (channel: Channel) => Promise<Result<SentCodeView>>;
  beginEnrollment: () => Promise<Result<TotpSetupView>>;
  confirmEnrollment: (code: string, trustDevice: boolean) => Promise<Result<unknown>>;
  acknowledgeBackupCodes: () => void;
  dismissNotice: (notice: Notice) => void;
  cancelStep: () => void;
  signInAsSomeoneElse: () => void;
  signOut: () => Promise<Result<unknown>>;
  lock: () => Promise<Result<unknown>>;
  /** Re-reads who is signed in (after a change to the account); counts as activity. */
  refresh: () => Promise<void>;
  /** The cheap poll that does not count as activity: moves to the lock or sign-in screen when the session ended. */
  peek: () => Promise<void>;
}

export const useSession = create<SessionState>()((set, get) => {
  function enterSignedIn(view: SignedInView): void {
    const notices: Notice[] = [...view.notices];
    // After a backup-code sign-in: how many are left, as a warning once few are (or none).
    const left = view.backupCodesLeft;
    if (left !== null && view.backupCodes === null) {
      notices.push(left === 0 ? 'no_backup_codes' : left <= BACKUP_CODES_LOW ? 'low_backup_codes' : 'backup_code_used');
    }
    set({ phase: { name: 'signed_in' }, signedIn: view, freshBackupCodes: view.backupCodes, notices });
  }

  function leave(phase: Phase): void {
    set({ phase, signedIn: null, freshBackupCodes: null, notices: [] });
  }

  /** Moves on from a refused step when the refusal is the next step (MFA) rather than an error. */
  function followRefusal(error: ErrorInfo, username: string, from: PendingStep['from']): boolean {
    if (error.code !== 'MFA_REQUIRED' && error.code !== 'MFA_ENROLLMENT_REQUIRED') return false;
    const challenge = error.details;
    if (challenge === undefined) return false;
    const step: PendingStep = { username, challenge, from };
    set({ phase: error.code === 'MFA_REQUIRED' ? { name: 'challenge', step } : { name: 'enrollment', step } });
    return true;
  }

  function pendingStep(): PendingStep | null {
    const { phase } = get();
    return phase.name === 'challenge' || phase.name === 'enrollment' ? phase.step : null;
  }

  async function loadStatus(): Promise<Result<AppStatus>> {
    const result = await call('app.status');
    if (result.ok) set({ status: result.value });
    return result;
  }

  async function enterLocked(username: string, cause: LockCause): Promise<void> {
    // The lock screen states the idle timeout, which an administrator may have changed since the
    // status was read. Safe to ask now: a locked window never resumes a "stay signed in" session.
    await loadStatus();
    if (get().phase.name === 'signed_in') leave({ name: 'locked', username, cause });
  }

  return {
    phase: { name: 'starting' },
    status: null,
    signedIn: null,
    freshBackupCodes: null,
    notices: [],

    async start() {
      const result = await loadStatus();
      if (!result.ok) {
        set({ phase: { name: 'unavailable', error: result.error } });
        return;
      }
      const status = result.value;
      if (!status.initialised) leave({ name: 'first_run' });
      else if (status.signedIn !== null) enterSignedIn(status.signedIn);
      else if (status.lockedUsername !== null)
        leave({ name: 'locked', username: status.lockedUsername, cause: status.lockReason ?? 'idle' });
      else leave({ name: 'sign_in', ended: false });
    },

    async createAdmin(input) {
      const created = await call('setup.createAdmin', input);
      if (!created.ok) return created;
      await loadStatus();
      return get().signIn({ username: input.username, password: input.password, staySignedIn: false });
    },

    async signIn(input, from = 'sign_in') {
      const result = await call('auth.signIn', input);
      if (result.ok) enterSignedIn(result.value);
      else if (followRefusal(result.error, input.username, from)) return { ok: true, value: null };
      return result;
    },

    async answerChallenge(factor, code, trustDevice) {
      const step = pendingStep();
      if (step === null) return { ok: false, error: { code: 'CHALLENGE_INVALID', message: '' } };
      const result = await call('auth.answerChallenge', { challengeId: step.challenge.challengeId, factor, code, trustDevice });
      if (result.ok) {
        enterSignedIn(result.value);
        return result;
      }
      const { error } = result;
      const attemptsLeft = error.code === 'CODE_INVALID' || error.code === 'CODE_REPLAYED' ? error.details?.attemptsLeft : undefined;
      if (attemptsLeft !== undefined) {
        set({ phase: { name: 'challenge', step: { ...step, challenge: { ...step.challenge, attemptsLeft } } } });
      }
      return result;
    },

    async sendCode(channel) {
      const step = pendingStep();
      if (step === null) return { ok: false, error: { code: 'CHALLENGE_INVALID', message: '' } };
      return call('auth.sendCode', { challengeId: step.challenge.challengeId, channel });
    },

    async beginEnrollment() {
      const step = pendingStep();
      if (step === null) return { ok: false, error: { code: 'CHALLENGE_INVALID', message: '' } };
      return call('auth.beginEnrollment', { challengeId: step.challenge.challengeId });
    },

    async confirmEnrollment(code, trustDevice) {
      const step = pendingStep();
      if (step === null) return { ok: false, error: { code: 'CHALLENGE_INVALID', message: '' } };
      const result = await call('auth.confirmEnrollment', { challengeId: step.challenge.challengeId, code, trustDevice });
      if (result.ok) enterSignedIn(result.value);
      return result;
    },

    acknowledgeBackupCodes() {
      set({ freshBackupCodes: null });
    },

    dismissNotice(notice) {
      set({ notices: get().notices.filter((n) => n !== notice) });
    },

    cancelStep() {
      const step = pendingStep();
      const back: Phase =
        step === null || step.from === 'sign_in'
          ? { name: 'sign_in', ended: false }
          : { name: 'locked', username: step.username, cause: step.from };
      set({ phase: back });
    },

    signInAsSomeoneElse() {
      leave({ name: 'sign_in', ended: false });
    },

    async signOut() {
      const result = await call('auth.signOut');
      // Signed out either way: a session that already ended needs no second sign-out.
      if (result.ok || result.error.code === 'SESSION_EXPIRED') {
        leave({ name: 'sign_in', ended: false });
        return { ok: true, value: null };
      }
      return result;
    },

    async lock() {
      const username = get().signedIn?.account.username ?? null;
      const result = await call('auth.lock');
      if (result.ok && username !== null) await enterLocked(username, 'manual');
      return result;
    },

    async refresh() {
      if (get().phase.name !== 'signed_in') return;
      const result = await loadStatus();
      if (!result.ok) return;
      const { signedIn } = result.value;
      if (signedIn === null) await get().peek();
      else set({ signedIn });
    },

    async peek() {
      if (get().phase.name !== 'signed_in') return;
      const result = await call('app.peek');
      if (!result.ok || get().phase.name !== 'signed_in') return;
      const { state, lockedUsername, reason } = result.value;
      if (state === 'locked' && lockedUsername !== null) {
        await enterLocked(lockedUsername, reason ?? 'idle');
      } else if (state !== 'signed_in') leave({ name: 'sign_in', ended: true });
    },
  };
});

// Any call that finds the session gone makes the app look at once, not at the next poll.
onSessionEnded(() => void useSession.getState().peek());

import { create } from 'zustand';
import type { HostNotice } from '../../../shared/contract';
import { call } from '../api/latchkey';
import { useSession } from './session';

interface HostNoticesState {
  /** What the host told this window, newest last, until the person dismisses it. */
  readonly notices: readonly HostNotice[];
  /** Takes whatever the host queued (e.g. the outcome of a verification link the OS handed to the app). */
  take: () => Promise<void>;
  dismiss: (notice: HostNotice) => void;
}

export const useHostNotices = create<HostNoticesState>()((set, get) => ({
  notices: [],

  async take() {
    const result = await call('app.notices');
    if (!result.ok || result.value.length === 0) return;
    set({ notices: [...get().notices, ...result.value] });
    // A verified address changes what the account screens show.
    if (result.value.some((notice) => notice.kind === 'email_verified')) await useSession.getState().refresh();
  },

  dismiss(notice) {
    set({ notices: get().notices.filter((n) => n !== notice) });
  },
}));

import { create } from 'zustand';
import type { AuditEventView, MfaStatusView, SessionView, TrustedDeviceView } from '../../../shared/views';
import type { Result } from '../../../shared/result';
import { call } from '../api/latchkey';
import { empty, loading, settled, type Loadable } from './loadable';
import { useSession } from './session';

/** The signed-in person's own security picture: sessions, trusted devices, second factor, recent events. */
interface SecurityState {
  readonly sessions: Loadable<readonly SessionView[]>;
  readonly devices: Loadable<readonly TrustedDeviceView[]>;
  readonly mfa: Loadable<MfaStatusView>;
  readonly events: Loadable<readonly AuditEventView[]>;

  loadAll: () => Promise<void>;
  loadSessions: () => Promise<void>;
  loadDevices: () => Promise<void>;
  loadMfa: () => Promise<void>;
  loadEvents: () => Promise<void>;
  revokeSession: (sessionId: string) => Promise<Result<SessionView>>;
  revokeOtherSessions: () => Promise<Result<number>>;
  revokeDevice: (deviceId: string) => Promise<Result<null>>;
}

const RECENT_EVENTS = 25;

const initial = {
  sessions: empty<readonly SessionView[]>(),
  devices: empty<readonly TrustedDeviceView[]>(),
  mfa: empty<MfaStatusView>(),
  events: empty<readonly AuditEventView[]>(),
};

export const useSecurity = create<SecurityState>()((set, get) => ({
  ...initial,

  async loadAll() {
    await Promise.all([get().loadSessions(), get().loadDevices(), get().loadMfa(), get().loadEvents()]);
  },

  async loadSessions() {
    set({ sessions: loading(get().sessions) });
    const result = await call('sessions.list', {});
    set({ sessions: settled(get().sessions, result) });
  },

  async loadDevices() {
    set({ devices: loading(get().devices) });
    const result = await call('devices.list');
    set({ devices: settled(get().devices, result) });
  },

  async loadMfa() {
    set({ mfa: loading(get().mfa) });
    const result = await call('mfa.status');
    set({ mfa: settled(get().mfa, result) });
  },

  async loadEvents() {
    set({ events: loading(get().events) });
    const result = await call('audit.mine', { limit: RECENT_EVENTS });
    // Newest first reads best on a dashboard.
    set({ events: settled(get().events, result.ok ? { ok: true, value: [...result.value].reverse() } : result) });
  },

  async revokeSession(sessionId) {
    const result = await call('sessions.revoke', { sessionId });
    if (result.ok) await Promise.all([get().loadSessions(), get().loadEvents()]);
    return result;
  },

  async revokeOtherSessions() {
    const result = await call('sessions.revokeOthers');
    if (result.ok) await Promise.all([get().loadSessions(), get().loadEvents()]);
    return result;
  },

  async revokeDevice(deviceId) {
    const result = await call('devices.revoke', { deviceId });
    if (result.ok) await Promise.all([get().loadDevices(), get().loadMfa(), get().loadEvents()]);
    return result;
  },
}));

// What one person saw must not linger for the next one.
useSession.subscribe((state, previous) => {
  if (previous.signedIn !== null && state.signedIn?.account.id !== previous.signedIn.account.id) useSecurity.setState(initial);
});

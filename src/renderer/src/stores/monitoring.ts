import { create } from 'zustand';
import type { AlertView, ReportPeriod, SecurityReport } from '../../../shared/monitoring';
import type { Result } from '../../../shared/result';
import { call } from '../api/latchkey';
import { empty, loading, settled, type Loadable } from './loadable';
import { useSession } from './session';

/** What the monitoring rules raised and the security report's figures: an administrator's Security screen. */

/** How many alerts the screen reads at once, newest first, open and resolved together. */
export const ALERTS_PAGE = 200;

interface MonitoringState {
  readonly alerts: Loadable<readonly AlertView[]>;
  readonly period: ReportPeriod;
  readonly report: Loadable<SecurityReport>;

  /** The alerts and the report, afresh. */
  load: () => Promise<void>;
  setPeriod: (period: ReportPeriod) => Promise<void>;
  acknowledge: (alertId: string, note: string | null) => Promise<Result<AlertView>>;
  resolve: (alertId: string, note: string) => Promise<Result<AlertView>>;
}

const initial = {
  alerts: empty<readonly AlertView[]>(),
  period: 30,
  report: empty<SecurityReport>(),
} satisfies Partial<MonitoringState>;

export const useMonitoring = create<MonitoringState>()((set, get) => {
  async function loadAlerts(): Promise<void> {
    set({ alerts: loading(get().alerts) });
    set({ alerts: settled(get().alerts, await call('admin.alerts.list', { limit: ALERTS_PAGE })) });
  }

  async function loadReport(): Promise<void> {
    const period = get().period;
    set({ report: loading(get().report) });
    const result = await call('admin.security.report', { periodDays: period });
    // The period changed while this was on its way: the newer load's answer is the one to keep.
    if (get().period === period) set({ report: settled(get().report, result) });
  }

  /** An alert's state and the report's count of unresolved alerts both moved: both are read again. */
  async function afterChange(result: Result<AlertView>): Promise<Result<AlertView>> {
    if (result.ok) await get().load();
    return result;
  }

  return {
    ...initial,

    async load() {
      await Promise.all([loadAlerts(), loadReport()]);
    },

    async setPeriod(period) {
      set({ period });
      await loadReport();
    },

    acknowledge: async (alertId, note) => afterChange(await call('admin.alerts.acknowledge', { alertId, note })),
    resolve: async (alertId, note) => afterChange(await call('admin.alerts.resolve', { alertId, note })),
  };
});

useSession.subscribe((state, previous) => {
  if (previous.signedIn !== null && state.signedIn?.account.id !== previous.signedIn.account.id) useMonitoring.setState(initial);
});

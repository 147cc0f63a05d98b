import { useEffect } from 'react';
import { Button } from '../../components/Button';
import { PageHeader } from '../../components/PageHeader';
import { useMonitoring } from '../../stores/monitoring';
import { AdminNav } from './AdminNav';
import { SecurityAlerts } from './SecurityAlerts';
import { SecurityReportCard } from './SecurityReportCard';

/** What the monitoring rules noticed, open alerts first, and the figures an administrator watches. */
export function SecurityScreen() {
  const load = useMonitoring((s) => s.load);
  const busy = useMonitoring((s) => s.alerts.loading || s.report.loading);

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <>
      <AdminNav />
      <PageHeader
        title="Security"
        description="Alerts raised by the monitoring rules as events reach the audit log, and the sign-in, session and two-step figures over a period."
        actions={
          <Button busy={busy} onClick={() => void load()}>
            Refresh
          </Button>
        }
      />
      <div className="stack">
        <SecurityAlerts />
        <SecurityReportCard />
      </div>
    </>
  );
}

import { useEffect } from 'react';
import { Button } from '../../components/Button';
import { PageHeader } from '../../components/PageHeader';
import { useSecurity } from '../../stores/security';
import { MfaStatusCard } from './MfaStatusCard';
import { RecentEventsCard } from './RecentEventsCard';
import { SessionsCard } from './SessionsCard';
import { ThisSessionCard } from './ThisSessionCard';
import { TrustedDevicesCard } from './TrustedDevicesCard';

/** The signed-in person's own security at a glance, with the means to end what they do not recognise. */
export function DashboardScreen() {
  const loadAll = useSecurity((s) => s.loadAll);
  const busy = useSecurity((s) => s.sessions.loading || s.devices.loading || s.mfa.loading || s.events.loading);

  useEffect(() => {
    void loadAll();
  }, [loadAll]);

  return (
    <>
      <PageHeader
        title="Security dashboard"
        description="Where you are signed in, how your account is protected, and what has happened on it lately."
        actions={
          <Button busy={busy} onClick={() => void loadAll()}>
            Refresh
          </Button>
        }
      />
      <div className="stack">
        <div className="grid-2">
          <ThisSessionCard />
          <MfaStatusCard />
        </div>
        <SessionsCard />
        <TrustedDevicesCard />
        <RecentEventsCard />
      </div>
    </>
  );
}

import { useEffect } from 'react';
import { ACTIVITY_INTERVAL_MS } from '../../app/use-session-watch';
import { ErrorAlert } from '../../components/Alerts';
import { Button } from '../../components/Button';
import { PageHeader } from '../../components/PageHeader';
import { DELIVERY_REFRESH_MS, useDelivery } from '../../stores/delivery';
import { AdminNav } from './AdminNav';
import { ChannelStatusCard } from './ChannelStatusCard';
import { DeliverySettingsCard, SMS_FORM, SMTP_FORM } from './DeliverySettingsCard';
import { OutboxCard } from './OutboxCard';
import { TestMessageCard } from './TestMessageCard';

/** Where mail and SMS go, whether they can go now, and every message on its way or given up on. */
export function DeliveryScreen() {
  const status = useDelivery((s) => s.status);
  const busy = useDelivery((s) => s.status.loading || s.outbox.loading);
  const load = useDelivery((s) => s.load);
  useRefreshWhileInUse(load);

  const settings = status.data?.settings ?? [];
  return (
    <>
      <AdminNav />
      <PageHeader
        title="Delivery"
        description="How Latchkey sends e-mail and SMS, and every message it has queued. Changes are recorded in the audit log; secrets stay in the system keychain."
        actions={
          <Button busy={busy} onClick={() => void load()}>
            Refresh
          </Button>
        }
      />
      <div className="stack">
        <ErrorAlert error={status.error} />
        {status.data === null ? (
          status.loading && <p className="loading-line">Loading delivery…</p>
        ) : (
          <div className="grid-2">
            {status.data.channels.map((channel) => (
              <ChannelStatusCard key={channel.channel} status={channel} settings={settings} />
            ))}
          </div>
        )}
        <OutboxCard />
        <TestMessageCard />
        {status.data !== null && (
          <>
            <DeliverySettingsCard form={SMTP_FORM} settings={settings} />
            <DeliverySettingsCard form={SMS_FORM} settings={settings} />
          </>
        )}
      </div>
    </>
  );
}

/**
 * Loads now, then every DELIVERY_REFRESH_MS while the window is visible and its person has used it within
 * the last minute. Each load is a call on the session's behalf, which counts as activity: polling
 * on while no one is there would keep the session from ever idling out.
 */
function useRefreshWhileInUse(load: () => Promise<void>): void {
  useEffect(() => {
    void load();
    let lastInput = Date.now();
    const used = (): void => {
      lastInput = Date.now();
    };
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'visible' && Date.now() - lastInput < ACTIVITY_INTERVAL_MS) void load();
    }, DELIVERY_REFRESH_MS);
    window.addEventListener('keydown', used, { capture: true, passive: true });
    window.addEventListener('pointerdown', used, { capture: true, passive: true });
    return () => {
      window.clearInterval(timer);
      window.removeEventListener('keydown', used, { capture: true });
      window.removeEventListener('pointerdown', used, { capture: true });
    };
  }, [load]);
}

import { useRef, useState } from 'react';
import type { TrustedDeviceView } from '../../../../shared/views';
import { useAction } from '../../api/use-action';
import { ErrorAlert, StatusMessage } from '../../components/Alerts';
import { Button } from '../../components/Button';
import { Card } from '../../components/Card';
import { DataTable, EmptyState } from '../../components/DataTable';
import { Time } from '../../components/Time';
import { keepFocusIn } from '../../components/keep-focus';
import { formatDateTime } from '../../format/time';
import { useSecurity } from '../../stores/security';

/** Devices that skip the code at sign-in; revoking one makes it ask again. */
export function TrustedDevicesCard() {
  const devices = useSecurity((s) => s.devices);
  const revokeDevice = useSecurity((s) => s.revokeDevice);
  const mfaOn = useSecurity((s) => s.mfa.data?.state === 'ENABLED');
  const [message, setMessage] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<string | null>(null);
  const listRef = useRef<HTMLDivElement>(null);
  const revoke = useAction(async (device: TrustedDeviceView) => {
    const result = await revokeDevice(device.id);
    if (result.ok) {
      setMessage(`${device.deviceName} is no longer trusted: it will ask for a code at the next sign-in.`);
      keepFocusIn(listRef.current);
    }
    return result;
  });

  const list = devices.data ?? [];
  return (
    <Card
      title="Trusted devices"
      description="Devices where you ticked “Trust this device”: they skip the code at sign-in."
      className="card--flush"
    >
      <div className="card__body">
        <ErrorAlert error={devices.error ?? revoke.error} />
        <StatusMessage>{message}</StatusMessage>
      </div>
      {devices.data === null ? (
        devices.loading && <p className="card__body loading-line">Loading devices…</p>
      ) : list.length === 0 ? (
        <EmptyState>
          {mfaOn
            ? 'No devices are trusted. Every sign-in asks for a code from your authenticator app.'
            : 'No devices are trusted. Two-step sign-in is off, so sign-ins ask for your password alone; a device can be trusted once it is on.'}
        </EmptyState>
      ) : (
        <div ref={listRef} tabIndex={-1} className="focus-frame">
          <DataTable caption="Trusted devices">
            <thead>
              <tr>
                <th scope="col">Device</th>
                <th scope="col">Trusted since</th>
                <th scope="col">Last used</th>
                <th scope="col">Trust ends</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((device) => (
                <tr key={device.id}>
                  <th scope="row">{device.deviceName}</th>
                  <td>
                    <Time at={device.createdAt} />
                  </td>
                  <td>{device.lastUsedAt === null ? <span className="muted">Not yet</span> : <Time at={device.lastUsedAt} relative />}</td>
                  <td>
                    <Time at={device.expiresAt} />
                  </td>
                  <td className="actions">
                    <Button
                      size="small"
                      busy={revoke.busy && revoking === device.id}
                      onClick={() => {
                        setRevoking(device.id);
                        void revoke.run(device);
                      }}
                    >
                      Revoke
                      <span className="visually-hidden">
                        {' '}
                        trust: {device.deviceName}, trusted since {formatDateTime(device.createdAt, true)}
                      </span>
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </DataTable>
        </div>
      )}
    </Card>
  );
}

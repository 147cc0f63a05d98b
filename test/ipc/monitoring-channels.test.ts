import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClientInfo } from '../../src/shared/client.js';
import type { AlertView, SecurityReport } from '../../src/shared/monitoring.js';
import type { Result } from '../../src/shared/result.js';
import { createRouter, newConnection, type Connection, type Router } from '../../src/main/ipc/router.js';
import { QUICK_HASH } from '../support/signed-in.js';
import { PASSWORDS, createTempVault, type TempVault } from '../support/temp-vault.js';
import { errorCode, value } from './envelope.js';

/** The channels of the admin Security screen through the real router: the caller is passed on, the input bounded. */

const desktop = (deviceName: string): ClientInfo => ({
  host: 'desktop',
  deviceName,
  osUser: 'tester',
  ip: null,
  userAgent: 'Latchkey/test',
});

let vault: TempVault;
let router: Router;
let admin: Connection;

const call = (connection: Connection, channel: string, input: unknown = {}): Promise<Result<unknown>> =>
  router.route(connection, channel, input);

async function signedIn(username: string, password: string, device: string): Promise<Connection> {
  const connection = newConnection(desktop(device));
  value(await call(connection, 'auth.signIn', { username, password }));
  return connection;
}

beforeEach(async () => {
  vault = await createTempVault();
  const engine = await vault.open({ hashParameters: QUICK_HASH });
  router = createRouter({ engine, version: '9.9.9', kind: 'desktop', osUser: 'tester' });
  admin = newConnection(desktop('workstation'));
  value(await call(admin, 'setup.createAdmin', { username: 'root', password: PASSWORDS.admin }));
  value(await call(admin, 'auth.signIn', { username: 'root', password: PASSWORDS.admin }));
  value(await call(admin, 'admin.accounts.create', { username: 'alice', password: PASSWORDS.alice }));
});
afterEach(() => vault.dispose());

describe('the security channels', () => {
  it('list an alert, acknowledge it and resolve it with a note', async () => {
    await signedIn('alice', PASSWORDS.alice, 'laptop');
    await signedIn('alice', PASSWORDS.alice, 'kiosk-7');
    const [alert] = value<AlertView[]>(await call(admin, 'admin.alerts.list', { unresolvedOnly: true }));
    expect(alert).toMatchObject({ kind: 'new_device', severity: 'info', state: 'open', accounts: [{ name: 'alice' }] });
    const id = alert?.id ?? '';
    expect(value(await call(admin, 'admin.alerts.acknowledge', { alertId: id }))).toMatchObject({
      state: 'acknowledged',
      acknowledged: { note: null },
    });
    expect(value(await call(admin, 'admin.alerts.resolve', { alertId: id, note: 'alice at the front desk' }))).toMatchObject({
      state: 'resolved',
      resolved: { by: { name: 'root' }, note: 'alice at the front desk' },
    });
    expect(value(await call(admin, 'admin.alerts.list', { unresolvedOnly: true }))).toEqual([]);
  });

  it('give the report for 7, 30 or 90 days', async () => {
    const report = value<SecurityReport>(await call(admin, 'admin.security.report', { periodDays: 7 }));
    expect(report).toMatchObject({ periodDays: 7, totals: { signIns: 1 }, mfaAdoption: { activeAccounts: 2 } });
    expect(value<SecurityReport>(await call(admin, 'admin.security.report', {})).periodDays).toBe(30);
    expect(errorCode(await call(admin, 'admin.security.report', { periodDays: 14 }))).toBe('INVALID_INPUT');
  });

  it('refuse anyone but an administrator, and input out of bounds, before the engine', async () => {
    const alice = await signedIn('alice', PASSWORDS.alice, 'laptop');
    for (const channel of ['admin.alerts.list', 'admin.security.report'])
      expect(errorCode(await call(alice, channel))).toBe('NOT_AUTHORISED');
    const id = `alrt_${'0'.repeat(32)}`;
    expect(errorCode(await call(alice, 'admin.alerts.resolve', { alertId: id, note: 'x' }))).toBe('NOT_AUTHORISED');
    expect(errorCode(await call(admin, 'admin.alerts.resolve', { alertId: id, note: 'x'.repeat(1001) }))).toBe('INVALID_INPUT');
    expect(errorCode(await call(admin, 'admin.alerts.resolve', { alertId: id, note: '  ' }))).toBe('INVALID_INPUT');
    expect(errorCode(await call(admin, 'admin.alerts.acknowledge', { alertId: 'alrt_x' }))).toBe('INVALID_INPUT');
    expect(errorCode(await call(admin, 'admin.alerts.list', { limit: 5000 }))).toBe('INVALID_INPUT');
    expect(errorCode(await call(admin, 'admin.alerts.acknowledge', { alertId: id }))).toBe('NOT_FOUND');
  });
});

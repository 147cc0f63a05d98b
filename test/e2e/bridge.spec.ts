import type { LatchkeyBridge } from '../../src/shared/contract.js';
import { expect, test } from './fixtures.js';

// The one thing every journey stands on: the renderer reaches the engine through window.latchkey.
test('the renderer reaches the engine through window.latchkey, and the first-run state is reported', async ({ latchkey }) => {
  const status = await latchkey.page.evaluate(() =>
    (globalThis as unknown as { latchkey: LatchkeyBridge }).latchkey.invoke('app.status', {}),
  );
  expect(status).toMatchObject({ ok: true, value: { initialised: false, signedIn: null } });
});

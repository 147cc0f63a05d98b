import type { ManualClock } from '../main/engine/index.js';
import type { TestHandlers } from '../main/ipc/handlers.js';
import type { TestTools } from '../main/ipc/router.js';

/**
 * The `test` channels, answered only in the browser host's test mode: a test moves the vault's
 * clock, hands the app a link, or gets the verification link a mail would carry.
 */
export function testChannels(clock: ManualClock): (tools: TestTools) => TestHandlers {
  return ({ engine, windows, openLink }) => ({
    'test.openLink': ({ input }) => {
      openLink(input.link);
      return null;
    },
    'test.issueVerificationLink': ({ input, connection }) => {
      // As a real request would be, this is made by the signed-in person, for themselves or (an admin) for anyone.
      const { link } = engine.emailVerification.issue(windows.caller(connection), input.username);
      return { link };
    },
    'test.advanceClock': ({ input }) => {
      clock.advance(input.ms);
      return { now: clock.now() };
    },
  });
}

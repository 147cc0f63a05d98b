import { isLatchkeyError } from '../../shared/errors.js';
import type { Engine, SignInRequest, StartedSession } from '../engine/index.js';
import type { KeychainEntry } from '../secrets/host-keychain.js';

/**
 * A password sign-in offering the trusted-device token this host keeps for the name, the same in
 * every host. The engine skips the code for a token it recognises; a token offered that still
 * leaves the code to prove is revoked or expired, so the host drops it rather than offer it again.
 * A wrong password says nothing about the token, which is kept.
 */
export async function signInWithKeptDevice(
  engine: Engine,
  kept: KeychainEntry,
  request: Omit<SignInRequest, 'deviceToken'>,
): Promise<StartedSession> {
  const deviceToken = await kept.get();
  try {
    return await engine.signIn.withPassword({ ...request, deviceToken });
  } catch (error) {
    if (deviceToken !== null && isLatchkeyError(error, 'MFA_REQUIRED')) await kept.delete();
    throw error;
  }
}

/**
 * The engine as its hosts see it (the Electron main process, the CLI, the browser host): the one
 * module they import it through, so what the engine offers is read here and a change behind it
 * touches no host. Everything else under engine/ is the engine's own; test/engine/layering.test.ts
 * refuses a host that reaches past this file.
 */
export { openEngine, type Engine, type EngineOptions } from './engine.js';
export { requireAdmin, type Caller } from './caller.js';
export { DAY, HOUR, MINUTE, SECOND, ManualClock, type Clock } from './clock.js';
export type { SignedIn, SignInRequest } from './auth/sign-in.js';
export type { StartedSession } from './sessions/sessions.js';
export type { CleanupReport } from './sessions/cleanup.js';
export type { VaultVerdict } from './vault.js';
export { IMPORT_COLUMNS, MAX_IMPORT_BYTES, type ImportFormat, type ImportRowReport } from './accounts/import.js';
export { POLICY_KEY_NAMES, isPolicyKey, policyInputOf, type PolicyKey } from './policy/policy-keys.js';
export { LINK_SCHEME, tokenOfVerificationLink } from './email/verification-link.js';
export { constantTimeEqual } from './crypto/random.js';
export { describeFileError } from '../store/database.js';

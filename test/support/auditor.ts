import type { Caller } from '../../src/main/engine/caller.js';
import type { Engine } from '../../src/main/engine/engine.js';
import type { AuditEventView } from '../../src/shared/views.js';

/**
 * An administrator as the engine sees one, for tests that read the whole log. The engine trusts
 * the caller a host hands it (hosts pass on the caller of a session they validated), so a test
 * that is not about sessions may stand one up; the tests of who may read what use real sessions.
 */
export const AUDITOR: Caller = {
  sessionId: 'sess_auditor',
  accountId: 'acc_auditor',
  username: 'auditor',
  role: 'admin',
  deviceName: 'test',
};

/** Every event, oldest first, as the export gives them. */
export function allEvents(engine: Engine): AuditEventView[] {
  return [...engine.audit.exportLines(AUDITOR)].map((line) => JSON.parse(line) as AuditEventView);
}

import { LatchkeyError } from '../../../shared/errors.js';
import type { AuditVerdict } from '../../../shared/views.js';
import type { EngineContext } from '../context.js';
import { sealedKeyCheck } from '../crypto/vault-keys.js';

/** What the log may say of itself for a vault's rows to be sealed as they stand. */
const LOG_PROBLEMS_THAT_REFUSE: readonly string[] = ['altered', 'missing', 'truncated', 'rolled_back'];

/**
 * Seals the rows of a vault from before rows were sealed, once, before any rule reads them: the one
 * step in which rows are trusted as they stand, since SQL (the migration) has no key. It runs under
 * the write lock, re-reads the key check there (another process may have sealed the vault first),
 * and is audited. It refuses a vault whose log was edited, cut or put back to an older copy, and
 * one whose log says it was sealed before: only someone putting an older key check back would
 * bring such a vault here, to have rows they edited sealed again.
 */
export async function sealRowsOnce(ctx: EngineContext): Promise<void> {
  if (ctx.vault.rowsSealed) return;
  const sealed = sealedKeyCheck(ctx.vault.keys, ctx.vault.id);
  const log = await ctx.audit.verify();
  ctx.change((tx) => {
    if (tx.repos.integrity.keyCheck() === sealed) return;
    if (!log.intact && LOG_PROBLEMS_THAT_REFUSE.includes(log.problem)) throw cannotSeal(ctx.vault.path, ctx.vault.id, log);
    const before = ctx.audit.list({ type: 'vault.rows_sealed', limit: 1 })[0];
    if (before !== undefined) {
      throw new LatchkeyError(
        'VAULT_UNREADABLE',
        `The vault file at ${ctx.vault.path} was changed outside Latchkey: its rows were sealed (audit event ${before.seq}), ` +
          'but its key check was put back to the form it had before. Latchkey does not seal its rows again; restore the vault from a backup.',
        { problem: 'seal_undone', path: ctx.vault.path },
      );
    }
    const rows = tx.repos.integrity.sealEveryRow();
    tx.repos.integrity.setKeyCheck(sealed);
    tx.audit({ type: 'vault.rows_sealed', outcome: 'success', details: { rows } });
  });
}

function cannotSeal(path: string, vaultId: string, log: Extract<AuditVerdict, { intact: false }>): LatchkeyError {
  const rolledBack = log.problem === 'rolled_back';
  return new LatchkeyError(
    'VAULT_UNREADABLE',
    `The rows of the vault at ${path} cannot be sealed, which this version of Latchkey does once before using them: ` +
      `its audit log does not verify (${log.message}) ` +
      (rolledBack
        ? `If you put this file back from a backup on purpose, remove the keychain entry audit-anchor:${vaultId} to accept it, then open it again.`
        : 'Restore the vault from a backup.'),
    { problem: 'log_broken', path, log: log.problem },
  );
}

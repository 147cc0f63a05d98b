import type { Command } from 'commander';
import type { VaultVerdict } from '../../main/engine/index.js';
import { action } from '../runtime.js';

/** `vault …`: the vault file itself, beside the audit log's own check (`audit verify`). */
export function registerVaultCommands(program: Command): void {
  const vault = program.command('vault').description('Check the vault file itself.');

  vault
    .command('verify')
    .description(
      'Check the vault file: damaged pages, rows that refer to rows that are not there, and security rows whose seal ' +
        'does not match, changed outside Latchkey (exit status 1). Needs no sign-in; `audit verify` checks the audit log.',
    )
    .action(
      action(async (runtime) => {
        const verdict = (await runtime.engine()).verifyVault();
        return { json: verdict, text: describeVerdict(verdict), exitCode: verdict.intact ? 0 : 1 };
      }),
    );
}

function describeVerdict(verdict: VaultVerdict): string[] {
  if (verdict.intact) {
    return [
      `Vault file intact: ${verdict.path} has no damaged page, every row refers to rows that exist, and every security row's seal matches.`,
    ];
  }
  const lines = [`VAULT FILE DAMAGED: ${verdict.path}`];
  const { structure, references, rowSeals } = verdict;
  if (!structure.intact) lines.push(`  ${count(structure.problems, 'problem')} in its pages: restore the vault from a backup.`);
  if (!references.intact) {
    lines.push(
      `  ${count(references.broken, 'row')} refer${references.broken === 1 ? 's' : ''} to a row that is not there (the file was changed outside Latchkey):`,
    );
    for (const row of references.rows) {
      lines.push(`    ${row.table} ${row.rowid === null ? 'row' : `row ${row.rowid}`} refers to a missing row of ${row.refersTo}`);
    }
    const unlisted = references.broken - references.rows.length;
    if (unlisted > 0) lines.push(`    and ${count(unlisted, 'more row')}`);
  }
  if (!rowSeals.intact) {
    lines.push(
      `  ${count(rowSeals.broken, 'security row')} ${rowSeals.broken === 1 ? 'was' : 'were'} changed outside Latchkey (Latchkey refuses ${rowSeals.broken === 1 ? 'it' : 'them'}; restore the vault from a backup):`,
    );
    for (const row of rowSeals.rows) {
      const about = [
        row.id === null ? null : `id ${row.id}`,
        row.account === null || row.account === row.id ? null : `account ${row.account}`,
      ]
        .filter((part) => part !== null)
        .join(', ');
      lines.push(
        `    ${row.table} row ${row.rowid}${about === '' ? '' : ` (${about})`}: ${row.problem === 'missing' ? 'its seal was removed' : 'its seal does not match'}`,
      );
    }
    const unlisted = rowSeals.broken - rowSeals.rows.length;
    if (unlisted > 0) lines.push(`    and ${count(unlisted, 'more row')}`);
  }
  return lines;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Command } from 'commander';
import { LatchkeyError } from '../../shared/errors.js';
import { IMPORT_COLUMNS, MAX_IMPORT_BYTES, type ImportFormat, type ImportRowReport } from '../../main/engine/index.js';
import { parseArg } from '../arguments.js';
import { UsageError } from '../password-input.js';
import { action } from '../runtime.js';

/** A large import reports its progress on standard error every this many rows. */
const PROGRESS_EVERY = 1000;

const FORMAT_BY_EXTENSION: Readonly<Record<string, ImportFormat>> = { '.json': 'json', '.jsonl': 'json', '.ndjson': 'json', '.csv': 'csv' };

/** `import`: bring existing users into the vault. */
export function registerImportCommands(program: Command): void {
  program
    .command('import')
    .summary('Import existing users from a JSON or CSV file (administrators).')
    .description(
      `Import existing users from a JSON or CSV file (administrators). Fields: ${IMPORT_COLUMNS.join(', ')}; ` +
        'password_hash is an argon2id PHC string or a bcrypt hash (replaced by argon2id at the first sign-in), totp_uri an ' +
        'otpauth://totp/ URI. Names that already exist are skipped, so importing a file again adds nothing. Exit status 1 ' +
        'if any row was refused.',
    )
    .argument('<file>', 'a .json (array of objects, or JSON lines) or .csv (with a header row) file')
    .option('--format <format>', 'json or csv (default: from the file name)')
    .action(
      action(async (runtime, file: string, options: { format?: string }) => {
        const path = parseArg('filePath', file, 'file');
        const format = options.format === undefined ? formatOf(path) : parseArg('importFormat', options.format.toLowerCase(), '--format');
        const caller = await runtime.caller();
        const engine = await runtime.engine();
        engine.accountImport.mayRun(caller);
        const text = await readImportFile(path);
        let reported = 0;
        const report = await engine.accountImport.run(caller, text, format, {
          onProgress: (done, total) => {
            if (total < PROGRESS_EVERY || (done - reported < PROGRESS_EVERY && done < total)) return;
            reported = done;
            process.stderr.write(`latchkey: import: ${done} of ${total} rows\n`);
          },
        });
        const summary =
          `Imported ${report.imported} of ${report.total} row${report.total === 1 ? '' : 's'}` +
          `; ${report.duplicates} already existed (skipped); ${report.failed} refused.`;
        return {
          json: report,
          text: [...report.problems.map(describeProblem), summary],
          exitCode: report.failed > 0 ? 1 : 0,
        };
      }),
    );
}

function formatOf(path: string): ImportFormat {
  const format = FORMAT_BY_EXTENSION[extname(path).toLowerCase()];
  if (format === undefined) throw new UsageError('Give --format json or --format csv: the file name does not say which it is.');
  return format;
}

/** The file's text, refused before reading when it is over the size an import takes. */
async function readImportFile(path: string): Promise<string> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new UsageError(`${path} is not a file.`);
    if (info.size > MAX_IMPORT_BYTES) {
      throw new LatchkeyError(
        'INVALID_INPUT',
        `${path} is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MB; split it and import the parts.`,
        {
          maxBytes: MAX_IMPORT_BYTES,
          size: info.size,
        },
      );
    }
    return await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof UsageError || error instanceof LatchkeyError) throw error;
    throw new UsageError(`Cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'read failed'}).`);
  }
}

function describeProblem(problem: ImportRowReport): string {
  const where = `row ${problem.row}${problem.line === null ? '' : ` (line ${problem.line})`}`;
  const who = problem.username === null ? '' : ` "${problem.username}"`;
  return `${where}${who}: ${problem.outcome === 'duplicate' ? 'skipped' : 'refused'}: ${problem.message ?? ''}`;
}

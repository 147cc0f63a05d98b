import { closeSync, openSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { LatchkeyError } from '../../shared/errors.js';
import type { AuditEventView } from '../../shared/views.js';
import { describeFileError } from '../../main/engine/index.js';
import { parseArg, parseSince } from '../arguments.js';
import { table, time } from '../format.js';
import { UsageError } from '../password-input.js';
import { action, isClosedPipe } from '../runtime.js';

function describeParty(party: AuditEventView['actor']): string {
  return party === null ? '-' : party.name;
}

/** `audit …`: read, verify and export the tamper-evident log. */
export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('Read, verify and export the audit log.');

  audit
    .command('list')
    .description('Show recent security events, oldest first. Users see their own; administrators see all.')
    .option('--account <name>', 'events by or about this account')
    .option('--type <type>', 'an event type (signin.failed) or a group (session)')
    .option('--since <when>', 'an ISO date/time, or a span back from now: 30m, 24h, 7d')
    .option('--limit <n>', 'at most this many events (newest kept)', '50')
    .action(
      action(async (runtime, options: { account?: string; type?: string; since?: string; limit: string }) => {
        const limit = parseArg('limit', options.limit, '--limit');
        const type = options.type === undefined ? undefined : parseArg('eventType', options.type, '--type');
        const since = options.since === undefined ? undefined : parseSince(options.since);
        const name = options.account === undefined ? undefined : parseArg('accountName', options.account, '--account');
        const caller = await runtime.caller();
        const { events, recordedName } = (await runtime.engine()).audit.list(caller, {
          limit,
          ...(name === undefined ? {} : { accountName: name }),
          ...(type === undefined ? {} : { type }),
          ...(since === undefined ? {} : { since }),
        });
        return {
          json: { events, ...(recordedName === null ? {} : { recordedName }) },
          text: table(
            ['#', 'TIME', 'EVENT', 'OUTCOME', 'ACTOR', 'TARGET', 'DEVICE', 'REASON'],
            events.map((e) => [
              String(e.seq),
              time(e.at),
              e.type,
              e.outcome,
              describeParty(e.actor),
              describeParty(e.target),
              e.device ?? '-',
              e.reason ?? '-',
            ]),
          ),
          warnings:
            recordedName === null
              ? []
              : [`No account is named "${recordedName}" now: events are matched by the name they recorded (a deleted account's history).`],
        };
      }),
    );

  audit
    .command('verify')
    .description('Check the chain of MACs: any edited, removed or reordered event is reported (exit status 1).')
    .action(
      action(async (runtime) => {
        const caller = await runtime.caller();
        const verdict = await (await runtime.engine()).audit.verify(caller);
        return {
          json: verdict,
          text: verdict.intact
            ? `Audit log intact: ${verdict.events} events verified.`
            : `AUDIT LOG BROKEN at event ${verdict.brokenAt}: ${verdict.message}`,
          exitCode: verdict.intact ? 0 : 1,
        };
      }),
    );

  audit
    .command('export')
    .description('Write every event as JSON lines, to standard output or to a new file (an existing file is never overwritten).')
    .option('--output <file>', 'write to this new file instead of standard output')
    .action(
      action(async (runtime, options: { output?: string }) => {
        const output = options.output === undefined ? undefined : parseArg('filePath', options.output, '--output');
        const caller = await runtime.caller();
        const lines = (await runtime.engine()).audit.exportLines(caller);
        if (output === undefined) {
          await exportToStdout(lines);
          return { json: null, text: [], silent: true };
        }
        const count = exportToFile(lines, output);
        return { json: { exported: count, file: output }, text: `Exported ${count} events to ${output}.` };
      }),
    );
}

async function exportToStdout(lines: Iterable<string>): Promise<void> {
  for (const line of lines) {
    // The reader went away (`| head`): the rest would be written to nobody.
    if (process.stdout.destroyed) return;
    if (!process.stdout.write(line)) await drained(process.stdout);
  }
}

/** Waits until standard output takes more, or has closed because its reader went away. */
function drained(out: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (error: unknown): void => {
      out.removeListener('drain', onDrain);
      out.removeListener('close', onDrain);
      out.removeListener('error', settle);
      if (error === null || isClosedPipe(error)) resolve();
      else reject(error instanceof Error ? error : new Error('standard output failed'));
    };
    const onDrain = (): void => settle(null);
    out.on('drain', onDrain);
    out.on('close', onDrain);
    out.on('error', settle);
  });
}

/**
 * Writes the events to `path`, only if no file is there: an earlier export (kept as evidence,
 * perhaps) is never overwritten. Readable by its owner only, as the log names accounts and devices.
 */
function exportToFile(lines: Iterable<string>, path: string): number {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      throw new LatchkeyError(
        'CONFLICT',
        `${path} already exists, and an export never overwrites a file. Give another --output name, or move the old file away first.`,
        { file: path },
      );
    }
    if (code === 'ENOENT') throw new UsageError(`Cannot write ${path}: the folder ${dirname(path)} does not exist.`);
    throw new UsageError(`Cannot write ${path}: ${describeFileError(error)}.`);
  }
  let count = 0;
  try {
    let chunk = '';
    for (const line of lines) {
      chunk += line;
      count += 1;
      if (chunk.length >= 65_536) {
        writeFileSync(fd, chunk);
        chunk = '';
      }
    }
    writeFileSync(fd, chunk);
  } catch (error) {
    if (error instanceof LatchkeyError || typeof (error as NodeJS.ErrnoException).code !== 'string') throw error;
    throw new UsageError(`Writing ${path} failed: ${describeFileError(error)}. The file is incomplete; delete it and export again.`);
  } finally {
    closeSync(fd);
  }
  return count;
}

import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Command } from 'commander';
import type { AuditEventView } from '../../shared/views.js';
import { requireAdmin } from '../../main/engine/caller.js';
import { parseArg, parseSince } from '../arguments.js';
import { table, time } from '../format.js';
import { action } from '../runtime.js';

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
        const caller = await runtime.caller();
        const engine = await runtime.engine();
        let accountId = options.account === undefined ? undefined : engine.accounts.find(parseArg('accountName', options.account, 'account name')).id;
        if (caller.role !== 'admin') {
          if (accountId !== undefined && accountId !== caller.accountId) requireAdmin(caller);
          accountId = caller.accountId;
        }
        const events = engine.audit.list({
          limit,
          ...(accountId === undefined ? {} : { accountId }),
          ...(type === undefined ? {} : { type }),
          ...(since === undefined ? {} : { since }),
        });
        return {
          json: { events },
          text: table(
            ['#', 'TIME', 'EVENT', 'OUTCOME', 'ACTOR', 'TARGET', 'DEVICE', 'REASON'],
            events.map((e) => [String(e.seq), time(e.at), e.type, e.outcome, describeParty(e.actor), describeParty(e.target), e.device ?? '-', e.reason ?? '-']),
          ),
        };
      }),
    );

  audit
    .command('verify')
    .description('Check the chain of MACs: any edited, removed or reordered event is reported (exit status 1).')
    .action(
      action(async (runtime) => {
        requireAdmin(await runtime.caller());
        const verdict = await (await runtime.engine()).audit.verify();
        return {
          json: verdict,
          text: verdict.intact ? `Audit log intact: ${verdict.events} events verified.` : `AUDIT LOG BROKEN at event ${verdict.brokenAt}: ${verdict.message}`,
          exitCode: verdict.intact ? 0 : 1,
        };
      }),
    );

  audit
    .command('export')
    .description('Write every event as JSON lines, to standard output or a file.')
    .option('--output <file>', 'write to this file instead of standard output')
    .action(
      action(async (runtime, options: { output?: string }) => {
        requireAdmin(await runtime.caller());
        const engine = await runtime.engine();
        const out = options.output === undefined ? process.stdout : createWriteStream(options.output, { flags: 'wx', mode: 0o600 });
        let count = 0;
        for (const event of engine.audit.all()) {
          if (!out.write(`${JSON.stringify(event)}\n`)) await once(out, 'drain');
          count += 1;
        }
        if (options.output !== undefined) {
          out.end();
          await once(out, 'finish');
          return { json: { exported: count, file: options.output }, text: `Exported ${count} events to ${options.output}.` };
        }
        return { json: null, text: [], silent: true };
      }),
    );
}

import type { Command } from 'commander';
import { parseArg } from '../arguments.js';
import { table, time } from '../format.js';
import { UsageError } from '../password-input.js';
import { action } from '../runtime.js';

/** `session …`: list and end sessions, and purge ended ones. */
export function registerSessionCommands(program: Command): void {
  const session = program.command('session').description('List and end sessions.');

  session
    .command('list')
    .description("List active sessions: your own, another account's (--account) or everyone's (--all), as an administrator.")
    .option('--account <name>', 'the account whose sessions to list')
    .option('--all', "every account's sessions")
    .option('--ended', 'include sessions that have ended')
    .action(
      action(async (runtime, options: { account?: string; all?: boolean; ended?: boolean }) => {
        if (options.all === true && options.account !== undefined) throw new UsageError('Give --account or --all, not both.');
        const caller = await runtime.caller();
        const engine = await runtime.engine();
        const accountId =
          options.account === undefined ? undefined : engine.accounts.find(parseArg('accountName', options.account, '--account')).id;
        const sessions = engine.sessions.list(caller, {
          allAccounts: options.all === true,
          includeEnded: options.ended === true,
          ...(accountId === undefined ? {} : { accountId }),
        });
        return {
          json: { sessions, current: caller.sessionId },
          text: table(
            ['ID', 'ACCOUNT', 'HOST', 'DEVICE', 'STARTED', 'LAST ACTIVE', 'STATE'],
            sessions.map((s) => [
              `${s.id}${s.id === caller.sessionId ? ' *' : ''}`,
              s.username,
              s.host,
              s.deviceName,
              time(s.createdAt),
              time(s.lastActiveAt),
              s.active ? 'active' : (s.endReason ?? 'ended'),
            ]),
          ),
        };
      }),
    );

  session
    .command('revoke')
    .description("End a session by id, all your other sessions (--others), or all of an account's (--account, administrators).")
    .argument('[id]', 'session id (sess_…)')
    .option('--others', 'end all your sessions except this one')
    .option('--account <name>', 'end every session of this account')
    .action(
      action(async (runtime, id: string | undefined, options: { others?: boolean; account?: string }) => {
        const chosen = [id !== undefined, options.others === true, options.account !== undefined].filter(Boolean).length;
        if (chosen !== 1) throw new UsageError('Give exactly one of: a session id, --others, or --account NAME.');
        const caller = await runtime.caller();
        const engine = await runtime.engine();
        if (id !== undefined) {
          const ended = engine.sessions.revoke(caller, parseArg('sessionId', id, 'session id'));
          if (ended.id === caller.sessionId) await runtime.forgetSessionToken();
          return { json: { revoked: [ended.id] }, text: `Session ${ended.id} ended.` };
        }
        if (options.others === true) {
          const count = engine.sessions.revokeOthers(caller);
          return { json: { revokedCount: count }, text: `${count} other session${count === 1 ? '' : 's'} ended.` };
        }
        const target = engine.accounts.find(parseArg('accountName', options.account, '--account'));
        const count = engine.sessions.revokeAccount(caller, target.id);
        if (target.id === caller.accountId) await runtime.forgetSessionToken();
        return { json: { revokedCount: count }, text: `${count} session${count === 1 ? '' : 's'} of "${target.username}" ended.` };
      }),
    );

  session
    .command('cleanup')
    .description('End timed-out sessions and delete those that ended over an hour ago (the app also does this by itself).')
    .action(
      action(async (runtime) => {
        const report = await (await runtime.engine()).cleanUpAs(await runtime.caller());
        return {
          json: report,
          text: `Expired ${report.expired}, deleted ${report.deleted} ended session${report.deleted === 1 ? '' : 's'}, ${report.families} stay-signed-in famil${report.families === 1 ? 'y' : 'ies'}, ${report.failureCounters} stale failure counter${report.failureCounters === 1 ? '' : 's'}.`,
        };
      }),
    );
}

import type { Command } from 'commander';
import type { AccountView } from '../../shared/views.js';
import { normaliseUsername } from '../../shared/fields.js';
import { parseArg } from '../arguments.js';
import { fields, table, time } from '../format.js';
import { action } from '../runtime.js';
import { UsageError, askVisible } from '../password-input.js';

function describeAccount(account: AccountView): string[] {
  return fields([
    ['Account', account.username],
    ['Id', account.id],
    ['Role', account.role],
    ['Status', account.status],
    ['E-mail', account.email ?? '-'],
    ['Created', time(account.createdAt)],
    ['Password set', time(account.passwordChangedAt)],
    ['Failed sign-ins', String(account.failedSignIns)],
    ['Locked until', time(account.lockedUntil)],
  ]);
}

/** `account …`: administration of accounts, and a user's own password. */
export function registerAccountCommands(program: Command): void {
  const account = program.command('account').description('Add, inspect and manage accounts (most need a signed-in administrator).');

  account
    .command('add')
    .description('Create an account.')
    .argument('<name>', 'account name')
    .option('--admin', 'make it an administrator')
    .option('--email <address>', 'e-mail address')
    .option('--password-stdin', 'read the new password from standard input instead of a hidden prompt')
    .action(
      action(async (runtime, name: string, options: { admin?: boolean; email?: string; passwordStdin?: boolean }) => {
        const username = parseArg('accountName', name, 'account name');
        const email = options.email === undefined ? null : parseArg('email', options.email, '--email');
        const caller = await runtime.caller();
        const password = await runtime.passwords(options.passwordStdin).next(`Password for ${username}: `, { confirm: true });
        const engine = await runtime.engine();
        const created = await engine.accounts.add(caller, { username, password, email, role: options.admin === true ? 'admin' : 'user' });
        const delivered = await runtime.deliverQueued();
        const mail = created.email === null ? [] : [`A verification link was queued for ${created.email}. ${delivered ?? ''}`.trim()];
        return { json: { account: created }, text: [`Created ${created.role} account "${created.username}".`, ...mail] };
      }),
    );

  account
    .command('list')
    .description('List every account.')
    .action(
      action(async (runtime) => {
        const caller = await runtime.caller();
        const accounts = (await runtime.engine()).accounts.list(caller);
        return {
          json: { accounts },
          text: table(
            ['NAME', 'ROLE', 'STATUS', 'LOCKED UNTIL', 'CREATED'],
            accounts.map((a) => [a.username, a.role, a.status, time(a.lockedUntil), time(a.createdAt)]),
          ),
        };
      }),
    );

  account
    .command('show')
    .description('Show one account (your own, or any for an administrator).')
    .argument('<name>', 'account name')
    .action(
      action(async (runtime, name: string) => {
        const username = parseArg('accountName', name, 'account name');
        const caller = await runtime.caller();
        const shown = (await runtime.engine()).accounts.show(caller, username);
        return { json: { account: shown }, text: describeAccount(shown) };
      }),
    );

  const simple = [
    ['disable', 'Disable an account and end its sessions.', 'disabled'],
    ['enable', 'Enable a disabled account.', 'enabled'],
    ['unlock', 'Clear failed sign-ins and any lock on an account.', 'unlocked'],
  ] as const;
  for (const [verb, description, done] of simple) {
    account
      .command(verb)
      .description(description)
      .argument('<name>', 'account name')
      .action(
        action(async (runtime, name: string) => {
          const username = parseArg('accountName', name, 'account name');
          const caller = await runtime.caller();
          const changed = (await runtime.engine()).accounts[verb](caller, username);
          return { json: { account: changed }, text: `Account "${changed.username}" ${done}.` };
        }),
      );
  }

  account
    .command('role')
    .description('Make an account an administrator or a user; the vault always keeps one active administrator.')
    .argument('<name>', 'account name')
    .argument('<role>', 'admin or user')
    .action(
      action(async (runtime, name: string, given: string) => {
        const username = parseArg('accountName', name, 'account name');
        const role = parseArg('role', given, 'role');
        const caller = await runtime.caller();
        const changed = (await runtime.engine()).accounts.setRole(caller, username, role);
        return {
          json: { account: changed },
          text: `Account "${changed.username}" is now ${changed.role === 'admin' ? 'an administrator' : 'a user'}.`,
        };
      }),
    );

  account
    .command('reset-mfa')
    .description(
      "Turn off an account's two-step sign-in (a lost phone): voids its authenticator, backup codes and trusted devices, and ends its sessions. It is told at its next sign-in.",
    )
    .argument('<name>', 'account name')
    .action(
      action(async (runtime, name: string) => {
        const username = parseArg('accountName', name, 'account name');
        const caller = await runtime.caller();
        (await runtime.engine()).mfa.reset(caller, username);
        const target = normaliseUsername(username);
        // Its trusted devices are void; a token this keychain kept for it is of no more use.
        await (await runtime.keychainEntry('device', target)).delete();
        return {
          json: { reset: target },
          text: `Two-step sign-in for "${target}" is off and ${target === caller.username ? 'your other' : 'its'} sessions were ended; it can be set up again with \`latchkey mfa totp begin\`.`,
        };
      }),
    );

  account
    .command('delete')
    .description(
      'Delete an account, its sessions and its settings; the audit log keeps its history. Asks you to type the name on a terminal; a script gives --yes.',
    )
    .argument('<name>', 'account name')
    .option('--yes', 'delete without asking (needed where standard input is not a terminal)')
    .action(
      action(async (runtime, name: string, options: { yes?: boolean }) => {
        const username = parseArg('accountName', name, 'account name');
        const caller = await runtime.caller();
        const engine = await runtime.engine();
        // Asked only once the engine would allow it: a refusal comes before the question.
        const impact = engine.accounts.deletionImpact(caller, username);
        if (options.yes !== true) {
          const sessions = impact.activeSessions === 1 ? '1 active session' : `${impact.activeSessions} active sessions`;
          const typed = await askVisible(
            `Deleting "${impact.username}" ends its ${sessions} and cannot be undone. Type the account name to delete it: `,
          );
          if (typed === null) throw new UsageError('Deleting an account cannot be undone: give --yes to delete it without being asked.');
          if (normaliseUsername(typed) !== normaliseUsername(impact.username)) {
            throw new UsageError(`That is not "${impact.username}": nothing was deleted.`);
          }
        }
        engine.accounts.delete(caller, username);
        return { json: { deleted: username }, text: `Account "${username}" deleted.` };
      }),
    );

  account
    .command('passwd')
    .description(
      "Change your own password (current, then new), or as an administrator set another account's (new only). " +
        'With --password-stdin, give each password on its own line.',
    )
    .argument('[name]', 'another account, for an administrator')
    .option('--password-stdin', 'read the passwords from standard input, one per line')
    .action(
      action(async (runtime, name: string | undefined, options: { passwordStdin?: boolean }) => {
        const caller = await runtime.caller();
        const engine = await runtime.engine();
        const passwords = runtime.passwords(options.passwordStdin);
        const target = name === undefined ? caller.username : parseArg('accountName', name, 'account name');
        if (engine.accounts.find(target).id === caller.accountId) {
          const current = await passwords.next('Current password: ');
          const next = await passwords.next('New password: ', { confirm: true });
          await engine.accounts.changeOwnPassword(caller, current, next);
          return { json: { changed: caller.username }, text: 'Password changed. Your other sessions were signed out.' };
        }
        const next = await passwords.next(`New password for ${target}: `, { confirm: true });
        await engine.accounts.resetPassword(caller, target, next);
        return { json: { changed: target }, text: `Password for "${target}" set. Its sessions were signed out.` };
      }),
    );
}

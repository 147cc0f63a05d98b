import type { Command } from 'commander';
import { parsePolicySetting } from '../arguments.js';
import { table, time } from '../format.js';
import { action } from '../runtime.js';

/** `policy …`: the admin-set rules; each change is audited. */
export function registerPolicyCommands(program: Command): void {
  const policy = program.command('policy').description("Show and change the vault's security policy.");

  policy
    .command('show')
    .description(
      'Show the policy keys, their values and defaults: all of them to administrators, those that shape your own sign-in and sessions to other accounts.',
    )
    .action(
      action(async (runtime) => {
        const caller = await runtime.caller();
        const entries = (await runtime.engine()).policy.describe(caller);
        return {
          json: { policy: entries },
          text: table(
            ['KEY', 'VALUE', 'DEFAULT', 'CHANGED', 'BY'],
            entries.map((e) => [e.key, String(e.value), String(e.default), time(e.updatedAt), e.updatedBy ?? '-']),
          ),
        };
      }),
    );

  policy
    .command('set')
    .description('Change one policy key (administrators). Run `latchkey policy show` for the keys.')
    .argument('<key>', 'policy key, e.g. session.idleTimeoutMinutes')
    .argument('<value>', 'new value')
    .action(
      action(async (runtime, key: string, value: string) => {
        const setting = parsePolicySetting(key, value);
        const caller = await runtime.caller();
        const entry = (await runtime.engine()).policy.set(caller, setting.key, setting.value);
        return { json: { policy: entry }, text: `${entry.key} = ${String(entry.value)} (default ${String(entry.default)})` };
      }),
    );
}

import type { Command } from 'commander';
import { tokenOfVerificationLink } from '../../main/engine/index.js';
import { parseArg } from '../arguments.js';
import { time } from '../format.js';
import { type CliRuntime, type Output, action } from '../runtime.js';

/** `email …`: proving that an account's address reaches its owner. */
export function registerEmailCommands(program: Command): void {
  const email = program.command('email').description('Verify e-mail addresses: only a verified address receives codes and notices.');

  email
    .command('set')
    .description(
      'Change the e-mail address of your account (your current password is asked) or, as an administrator, of another; ' +
        'the new address is mailed a verification link, and the old one, if it was verified, is told.',
    )
    .argument('<address>', 'the new address')
    .argument('[name]', 'another account, for an administrator')
    .option('--password-stdin', 'read your current password from standard input')
    .action(
      action(async (runtime, given: string, name: string | undefined, options: { passwordStdin?: boolean }) => {
        const address = parseArg('email', given, 'address');
        return changeAddress(runtime, address, name, options.passwordStdin);
      }),
    );

  email
    .command('remove')
    .description('Remove the e-mail address of your account (your current password is asked) or, as an administrator, of another.')
    .argument('[name]', 'another account, for an administrator')
    .option('--password-stdin', 'read your current password from standard input')
    .action(
      action(async (runtime, name: string | undefined, options: { passwordStdin?: boolean }) =>
        changeAddress(runtime, null, name, options.passwordStdin),
      ),
    );

  email
    .command('send-verification')
    .description(
      'Mail a new verification link to your address (or, as an administrator, to another account’s); earlier links stop working.',
    )
    .argument('[name]', 'another account, for an administrator')
    .action(
      action(async (runtime, name: string | undefined) => {
        const caller = await runtime.caller();
        const username = name === undefined ? caller.username : parseArg('accountName', name, 'account name');
        const engine = await runtime.engine();
        const sent = engine.emailVerification.send(caller, username);
        const delivered = await runtime.deliverQueued();
        return {
          json: { messageId: sent.messageId, expiresAt: sent.expiresAt },
          text: [
            `A verification link for "${username}" was queued (message ${sent.messageId}); it works until ${time(sent.expiresAt)}.`,
            ...(delivered === null ? [] : [delivered]),
          ],
        };
      }),
    );

  email
    .command('verify')
    .description(
      'Confirm an address with the token from the verification mail (or the whole latchkey://verify link). Needs no sign-in: the token is the proof.',
    )
    .argument('<token>', 'the token, or the link')
    .action(
      action(async (runtime, given: string) => {
        const checked = parseArg('verificationToken', given, 'token');
        // A link that does not read is refused by the engine as any unknown token is: LINK_INVALID.
        const token = checked.startsWith('latchkey:') ? (tokenOfVerificationLink(checked) ?? '') : checked;
        const verified = (await runtime.engine()).emailVerification.confirm(token);
        return { json: { verified }, text: `Verified ${verified.email} for "${verified.username}".` };
      }),
    );
}

async function changeAddress(
  runtime: CliRuntime,
  address: string | null,
  name: string | undefined,
  passwordStdin: boolean | undefined,
): Promise<Output<unknown>> {
  const caller = await runtime.caller();
  const username = name === undefined ? caller.username : parseArg('accountName', name, 'account name');
  const engine = await runtime.engine();
  const own = engine.accounts.find(username).id === caller.accountId;
  const password = own ? await runtime.passwords(passwordStdin).next('Current password: ') : undefined;
  const account = await engine.accounts.setEmail(caller, username, address, password);
  const delivered = await runtime.deliverQueued();
  return {
    json: { account },
    text: [
      address === null
        ? `"${account.username}" has no e-mail address now.`
        : `The address of "${account.username}" is now ${address}, not yet verified; a link was queued for it.`,
      ...(delivered === null ? [] : [delivered]),
    ],
  };
}

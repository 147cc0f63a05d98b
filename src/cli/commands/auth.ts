import type { Command } from 'commander';
import type { SessionView } from '../../shared/views.js';
import { parseArg } from '../arguments.js';
import { fields, time } from '../format.js';
import { action } from '../runtime.js';

export function describeSession(session: SessionView): string[] {
  return fields([
    ['Session', session.id],
    ['Account', session.username],
    ['Assurance', session.assurance],
    ['Device', `${session.deviceName}${session.osUser === null ? '' : ` (${session.osUser})`}`],
    ['Started', time(session.createdAt)],
    ['Expires', time(session.expiresAt)],
  ]);
}

/** `signin`, `signout`, `whoami`: the CLI's own session, whose token stays in the keychain. */
export function registerAuthCommands(program: Command): void {
  program
    .command('signin')
    .description('Sign in; the session token is kept in the OS keychain and never printed.')
    .argument('<name>', 'account name')
    .option('--password-stdin', 'read the password from standard input instead of a hidden prompt')
    .action(
      action(async (runtime, name: string, options: { passwordStdin?: boolean }) => {
        const username = parseArg('accountName', name, 'account name');
        const password = await runtime.passwords(options.passwordStdin).next('Password: ');
        const engine = await runtime.engine();
        const previous = await runtime.sessionToken();
        const started = await engine.signIn.withPassword({ username, password, client: runtime.client() });
        await runtime.saveSessionToken(started.token);
        // The session this one replaces in the keychain would otherwise linger until it timed out.
        if (previous !== null) {
          try {
            engine.signIn.signOut(engine.sessions.validate(previous));
          } catch {
            // already ended
          }
        }
        return { json: { session: started.session }, text: [`Signed in as ${started.session.username}.`, ...describeSession(started.session)] };
      }),
    );

  program
    .command('signout')
    .description('End this CLI session.')
    .action(
      action(async (runtime) => {
        const engine = await runtime.engine();
        const token = await runtime.sessionToken();
        let sessionId: string | null = null;
        if (token !== null) {
          try {
            const caller = engine.sessions.validate(token);
            engine.signIn.signOut(caller);
            sessionId = caller.sessionId;
          } catch {
            // already ended; forgetting the token is all that is left to do
          }
          await runtime.forgetSessionToken();
        }
        return { json: { signedOut: true, sessionId }, text: sessionId === null ? 'Not signed in.' : 'Signed out.' };
      }),
    );

  program
    .command('whoami')
    .description('Show the signed-in account and session.')
    .action(
      action(async (runtime) => {
        const caller = await runtime.caller();
        const engine = await runtime.engine();
        const account = engine.accounts.show(caller, caller.username);
        const session = engine.sessions.current(caller);
        return { json: { account, session }, text: [`${account.username} (${account.role})`, ...describeSession(session)] };
      }),
    );
}

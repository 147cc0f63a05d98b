import type { Command } from 'commander';
import * as z from 'zod';
import type { Channel } from '../../shared/delivery.js';
import { challengeId } from '../../shared/field-schemas.js';
import type { KeychainEntry } from '../../main/secrets/host-keychain.js';
import { LatchkeyError, isLatchkeyError } from '../../shared/errors.js';
import { ASSURANCE_LABELS, type ChallengeView, type SecondFactor, type SessionView } from '../../shared/views.js';
import { normaliseUsername } from '../../shared/fields.js';
import type { SignedIn, StartedSession } from '../../main/engine/index.js';
import { signInWithKeptDevice } from '../../main/host/kept-device.js';
import { parseArg } from '../arguments.js';
import { fields, time } from '../format.js';
import { UsageError, askVisible } from '../password-input.js';
import { type CliRuntime, type Output, action } from '../runtime.js';
import { type SecondFactorOptions, lowBackupCodesWarning, secondFactorProof, showNewTotpSetup } from '../second-factor.js';
import { BACKUP_CODES_LOW, backupCodesLeftText, type AccountNotice } from '../../shared/notices.js';

export function describeSession(session: SessionView): string[] {
  return fields([
    ['Session', session.id],
    ['Account', session.username],
    ['Assurance', ASSURANCE_LABELS[session.assurance]],
    ['Device', `${session.deviceName}${session.osUser === null ? '' : ` (${session.osUser})`}`],
    ['Started', time(session.createdAt)],
    ['Expires', time(session.expiresAt)],
  ]);
}

/** What the engine's one-time notices mean to the person signing in. */
const NOTICES: Readonly<Record<AccountNotice, string>> = {
  mfa_reset_by_admin: 'An administrator reset your two-step sign-in; set it up again with `latchkey mfa totp begin`.',
};

/**
 * Keeps a new session as this CLI's own: its token goes to the keychain (never to the screen), the
 * session it replaces ends, and a device token from "trust this device" is kept for the next sign-in.
 */
export async function keepSession(
  runtime: CliRuntime,
  signedIn: StartedSession & Partial<Pick<SignedIn, 'deviceToken' | 'backupCodesLeft'>>,
  trustAsked: boolean,
): Promise<Output<Record<string, unknown>>> {
  const engine = await runtime.engine();
  const previous = await runtime.sessionToken();
  await runtime.saveSessionToken(signedIn.token);
  await (await runtime.keychainEntry('enrollment')).delete();
  // The session this one replaces in the keychain would otherwise linger until it timed out.
  if (previous !== null) {
    try {
      engine.signIn.signOut(engine.sessions.validate(previous));
    } catch {
      // already ended
    }
  }
  const { session } = signedIn;
  const deviceToken = signedIn.deviceToken ?? null;
  if (deviceToken !== null) await (await runtime.keychainEntry('device', session.username)).set(deviceToken);
  const trusted = deviceToken !== null;
  const backupCodesLeft = signedIn.backupCodesLeft ?? null;
  const notices = signedIn.notices.map((code) => ({ code, message: NOTICES[code] }));
  const warnings = [
    ...notices.map((notice) => notice.message),
    ...lowBackupCodesWarning(backupCodesLeft),
    ...(trustAsked && session.assurance === 'two_factor' && !trusted
      ? ['Trusting devices is turned off by policy; this device was not trusted.']
      : []),
    ...(trustAsked && session.assurance === 'password'
      ? ['No second factor was asked, so there was nothing to trust this device for.']
      : []),
  ];
  return {
    json: { session, notices, trustedDevice: trusted, ...(backupCodesLeft === null ? {} : { backupCodesLeft }) },
    text: [
      `Signed in as ${session.username}.`,
      ...describeSession(session),
      ...(trusted ? ['This device is trusted: the next sign-ins here skip the code until the trust ends or is revoked.'] : []),
      // Few or none left is a warning on standard error, with what to do.
      ...(backupCodesLeft !== null && backupCodesLeft > BACKUP_CODES_LOW ? [backupCodesLeftText(backupCodesLeft)] : []),
    ],
    warnings,
  };
}

/** `signin`, `signout`, `whoami`: the CLI's own session, whose token stays in the keychain. */
export function registerAuthCommands(program: Command): void {
  program
    .command('signin')
    .summary('Sign in; the session token is kept in the OS keychain and never printed.')
    .description(
      'Sign in; the session token is kept in the OS keychain and never printed. With two-step sign-in on, give --code or ' +
        '--backup-code (or type it when asked on a terminal). Or ask for a code by SMS or e-mail with --send-code, then ' +
        'finish within 5 minutes with a second `latchkey signin NAME --code CODE`, which needs no password.',
    )
    .argument('<name>', 'account name')
    .option('--password-stdin', 'read the password from standard input instead of a hidden prompt')
    .option('--code <code>', 'the code your authenticator app shows')
    .option('--backup-code <code>', 'a backup code, instead of --code')
    .option(
      '--send-code <channel>',
      'send a one-time code by sms or email (where the account and the vault allow it), to finish with --code',
    )
    .option('--trust-device', 'trust this device: later sign-ins here need no code (30 days by default)')
    .option('--qr-png <file>', 'if the account must first set up two-step sign-in, also write the QR code to this PNG file')
    .action(
      action(
        async (
          runtime,
          name: string,
          options: SecondFactorOptions & { passwordStdin?: boolean; trustDevice?: boolean; qrPng?: string; sendCode?: string },
        ) => {
          const username = parseArg('accountName', name, 'account name');
          const sendCode = options.sendCode === undefined ? null : parseArg('channel', options.sendCode, '--send-code');
          if (sendCode !== null && (options.code !== undefined || options.backupCode !== undefined)) {
            throw new UsageError('--send-code asks for a code; give --code in the next `latchkey signin`, once the code has arrived.');
          }
          const kept = await runtime.keychainEntry('sent-code', normaliseUsername(username));
          const waiting = sendCode === null && options.code !== undefined && options.backupCode === undefined ? await kept.get() : null;
          if (waiting !== null)
            return finishWithSentCode(runtime, kept, waiting, {
              username,
              code: options.code ?? '',
              trustDevice: options.trustDevice === true,
            });
          const proof = secondFactorProof(options);
          const qrPng = options.qrPng === undefined ? undefined : parseArg('filePath', options.qrPng, '--qr-png');
          const trustDevice = options.trustDevice === true;
          const password = await runtime.passwords(options.passwordStdin).next('Password: ');
          const engine = await runtime.engine();
          const device = await runtime.keychainEntry('device', normaliseUsername(username));
          let signedIn: StartedSession | SignedIn;
          try {
            signedIn = await signInWithKeptDevice(engine, device, { username, password, client: runtime.client() });
          } catch (error) {
            if (isLatchkeyError(error, 'MFA_ENROLLMENT_REQUIRED')) return beginForcedEnrollment(runtime, error, { qrPng, trustDevice });
            if (!isLatchkeyError(error, 'MFA_REQUIRED')) throw error;
            if (sendCode !== null) return sendSignInCode(runtime, kept, error, { username, channel: sendCode });
            const answer = proof ?? (await askSecondFactor(error, options.passwordStdin === true));
            signedIn = engine.signIn.answer({ challengeId: challengeOf(error).challengeId, ...answer, trustDevice, username });
          }
          return keepSession(runtime, signedIn, trustDevice);
        },
      ),
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
        await (await runtime.keychainEntry('enrollment')).delete();
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

function challengeOf(error: LatchkeyError<'MFA_REQUIRED' | 'MFA_ENROLLMENT_REQUIRED'>): ChallengeView {
  if (error.details === undefined) throw error;
  return error.details;
}

/**
 * The second step by a code sent now: the challenge is kept in the keychain (its 5 minutes) for the
 * next `signin NAME --code CODE`, and this command ends refused, as the sign-in is not done yet.
 */
async function sendSignInCode(
  runtime: CliRuntime,
  kept: KeychainEntry,
  error: LatchkeyError<'MFA_REQUIRED'>,
  { username, channel }: { username: string; channel: Channel },
): Promise<never> {
  const challenge = challengeOf(error);
  const engine = await runtime.engine();
  const sent = await engine.signIn.sendCode(challenge.challengeId, channel, username);
  const factor: SecondFactor = channel === 'sms' ? 'sms_code' : 'email_code';
  await kept.set(JSON.stringify({ challengeId: challenge.challengeId, factor }));
  const how = channel === 'sms' ? 'by SMS' : 'by e-mail';
  throw new LatchkeyError(
    'MFA_REQUIRED',
    `A code was ${sent.sent ? 'sent' : 'queued (it could not be sent yet; it will be tried again)'} ${how} to ${sent.to}; it works until ${time(sent.expiresAt)}. ` +
      `Finish with: latchkey signin ${username} --code CODE (within 5 minutes).`,
    challenge,
  );
}

/** The second `signin` after --send-code: the kept challenge answered with the code that arrived, no password again. */
async function finishWithSentCode(
  runtime: CliRuntime,
  kept: KeychainEntry,
  stored: string,
  { username, code, trustDevice }: { username: string; code: string; trustDevice: boolean },
): Promise<Output<Record<string, unknown>>> {
  const waiting = keptChallenge(stored);
  const engine = await runtime.engine();
  let signedIn: SignedIn;
  try {
    signedIn = engine.signIn.answer({
      challengeId: waiting.challengeId,
      factor: waiting.factor,
      code: parseArg('sentCode', code, '--code'),
      trustDevice,
      username,
    });
  } catch (error) {
    // A step that is over cannot be answered again; a wrong code leaves it for another try.
    if (isLatchkeyError(error, 'CHALLENGE_INVALID') || isLatchkeyError(error, 'LOCKED_OUT')) await kept.delete();
    throw error;
  }
  await kept.delete();
  return keepSession(runtime, signedIn, trustDevice);
}

function keptChallenge(stored: string): { challengeId: string; factor: 'sms_code' | 'email_code' } {
  let value: unknown = null;
  try {
    value = JSON.parse(stored);
  } catch {
    // refused below, as any entry not of this shape
  }
  const parsed = z.object({ challengeId, factor: z.enum(['sms_code', 'email_code']) }).safeParse(value);
  if (!parsed.success)
    throw new LatchkeyError(
      'CHALLENGE_INVALID',
      'The sign-in step kept for this account is not readable. Sign in again with your password.',
    );
  return parsed.data;
}

/** The second step when no code was given: asked on a terminal, else refused with the challenge in the envelope. */
async function askSecondFactor(error: LatchkeyError<'MFA_REQUIRED'>, stdinTaken: boolean): Promise<{ factor: SecondFactor; code: string }> {
  const typed = stdinTaken ? null : await askVisible('Code from your authenticator app (or a backup code): ');
  if (typed === null) {
    const offered = (error.details?.codeChannels ?? []).flatMap((offer) =>
      offer.problem === null
        ? [`--send-code ${offer.channel} for a code ${offer.channel === 'sms' ? 'by SMS' : 'by e-mail'} to ${offer.to ?? ''}`]
        : [],
    );
    const sendable = offered.length === 0 ? '' : ` Or with ${offered.join(', or ')}.`;
    throw new LatchkeyError('MFA_REQUIRED', `${error.message} Run again with --code CODE or --backup-code CODE.${sendable}`, error.details);
  }
  if (typed === '') throw new UsageError('No code was entered.');
  const digits = typed.replace(/\s/g, '');
  return /^\d+$/.test(digits)
    ? { factor: 'totp', code: parseArg('totpCode', digits, 'code') }
    : { factor: 'backup_code', code: parseArg('backupCode', typed, 'backup code') };
}

/**
 * Policy requires a second factor this account lacks: the authenticator secret is shown now, the
 * challenge is kept in the keychain for `mfa totp confirm`, and the sign-in ends refused (exit 1)
 * until then. Under --json the one error object carries the URI.
 */
async function beginForcedEnrollment(
  runtime: CliRuntime,
  error: LatchkeyError<'MFA_ENROLLMENT_REQUIRED'>,
  { qrPng, trustDevice }: { qrPng: string | undefined; trustDevice: boolean },
): Promise<never> {
  const engine = await runtime.engine();
  const challenge = challengeOf(error);
  const { challengeId } = challenge;
  const pending = await runtime.keychainEntry('enrollment');
  // Each sign-in begins the setup afresh: the engine voids the secret shown before, and this entry
  // (which `mfa totp confirm` answers) keeps only the newest sign-in. Someone who scanned the old
  // secret must be told, or its codes fail with nothing to say why.
  const replacesEarlier = (await pending.get()) !== null;
  const { setup, lines } = await showNewTotpSetup(qrPng, async () => {
    const begun = await engine.signIn.beginEnrollment(challengeId);
    await pending.set(challengeId);
    return begun;
  });
  if (runtime.globals.json !== true) process.stdout.write(`${lines.join('\n')}\n`);
  throw new LatchkeyError(
    'MFA_ENROLLMENT_REQUIRED',
    (replacesEarlier
      ? 'This is a new secret: the one an earlier `latchkey signin` showed no longer works. If you added that one to an authenticator ' +
        'app, delete it there and add this one instead. '
      : '') +
      'This account must set up two-step sign-in before it can be used. Add it to an authenticator app, then run ' +
      `\`latchkey mfa totp confirm --code CODE${trustDevice ? ' --trust-device' : ''}\` with the code the app shows (within 15 minutes).`,
    {
      ...challenge,
      uri: setup.uri,
      secret: setup.secret,
      setupExpiresAt: setup.expiresAt,
      qrPng: qrPng ?? null,
      replacedEarlierSetup: replacesEarlier,
    },
  );
}

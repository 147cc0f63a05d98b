import type { Command } from 'commander';
import type { SentCodeView } from '../../shared/delivery.js';
import { LatchkeyError, isLatchkeyError } from '../../shared/errors.js';
import { parseArg } from '../arguments.js';
import { fields, table, time } from '../format.js';
import { UsageError } from '../password-input.js';
import { type CliRuntime, type Output, action } from '../runtime.js';
import { type SecondFactorOptions, backupCodeLines, lowBackupCodesWarning, secondFactorProof, showNewTotpSetup } from '../second-factor.js';
import { keepSession } from './auth.js';

const TURNED_ON = 'Two-step sign-in is on: each sign-in now asks for the code from your authenticator app.';

/** `mfa …`: the signed-in account's second factor: authenticator app, backup codes, trusted devices. */
export function registerMfaCommands(program: Command): void {
  const mfa = program.command('mfa').description('Two-step sign-in: an authenticator app (TOTP), backup codes and trusted devices.');

  mfa
    .command('status')
    .description('Show whether two-step sign-in is on, how many backup codes are left, and whether policy requires it.')
    .action(
      action(async (runtime) => {
        const caller = await runtime.caller();
        const engine = await runtime.engine();
        const status = engine.mfa.status(caller);
        const phone = engine.phones.view(caller);
        return {
          json: { mfa: status, phone },
          text: fields([
            ['Two-step sign-in', { ENABLED: 'on', SETUP_IN_PROGRESS: 'being set up', DISABLED: 'off' }[status.state]],
            ['On since', time(status.enabledAt)],
            ['Setup expires', time(status.setupExpiresAt)],
            ['Backup codes left', String(status.backupCodesLeft)],
            ['Trusted devices', String(status.trustedDevices)],
            ['Required by policy', status.required ? 'yes' : 'no'],
            ['Phone for SMS codes', phone === null ? '-' : `${phone.masked} (${phone.verifiedAt === null ? 'not verified' : 'verified'})`],
          ]),
          warnings: lowBackupCodesWarning(status.state === 'ENABLED' ? status.backupCodesLeft : null),
        };
      }),
    );

  const sms = mfa
    .command('sms')
    .description('A phone for sign-in codes by SMS: offered next to the authenticator app, never instead of it.');

  const describeSent = (sent: SentCodeView): string =>
    `A code was ${sent.sent ? 'sent' : 'queued (it could not be sent yet; it will be tried again)'} by SMS to ${sent.to}; it works until ${time(sent.expiresAt)}.`;

  sms
    .command('add')
    .description(
      'Add (or replace) your phone (your current password is asked); a code is sent to it to prove it is yours. SMS is weaker than an authenticator app: a number can be moved to another SIM.',
    )
    .argument('<number>', 'the phone number, with +country code or in the vault’s region')
    .option('--password-stdin', 'read your current password from standard input')
    .action(
      action(async (runtime, number: string, options: { passwordStdin?: boolean }) => {
        const phone = parseArg('phone', number, 'phone number');
        const caller = await runtime.caller();
        const password = await runtime.passwords(options.passwordStdin).next('Current password: ');
        const sent = await (await runtime.engine()).phones.add(caller, phone, password);
        return { json: { sent }, text: [describeSent(sent), 'Finish with: latchkey mfa sms verify CODE'] };
      }),
    );

  sms
    .command('resend')
    .description('Send a new code to the phone not yet proved (one a minute, five an hour).')
    .action(
      action(async (runtime) => {
        const caller = await runtime.caller();
        const sent = await (await runtime.engine()).phones.resend(caller);
        return { json: { sent }, text: describeSent(sent) };
      }),
    );

  sms
    .command('verify')
    .description('Prove the phone with the code from the SMS; from then on sign-ins offer a code by SMS.')
    .argument('<code>', 'the 6-digit code')
    .action(
      action(async (runtime, typed: string) => {
        const code = parseArg('sentCode', typed, 'code');
        const caller = await runtime.caller();
        const phone = (await runtime.engine()).phones.verify(caller, code);
        return { json: { phone }, text: `The phone ${phone.masked} is verified: sign-ins can now send a code to it.` };
      }),
    );

  sms
    .command('remove')
    .description('Remove your phone: no more codes by SMS.')
    .action(
      action(async (runtime) => {
        const caller = await runtime.caller();
        (await runtime.engine()).phones.remove(caller);
        return { json: { removed: true }, text: 'The phone was removed.' };
      }),
    );

  const totp = mfa.command('totp').description('Set up, confirm or turn off the authenticator app.');

  totp
    .command('begin')
    .description('Start setting up an authenticator app: shows the QR code, the secret and the otpauth:// URI once.')
    .option('--qr-png <file>', 'also write the QR code to this PNG file (it holds the secret: delete it once scanned)')
    .action(
      action(async (runtime, options: { qrPng?: string }) => {
        const qrPng = options.qrPng === undefined ? undefined : parseArg('filePath', options.qrPng, '--qr-png');
        const caller = await runtime.caller();
        const engine = await runtime.engine();
        const { setup, lines } = await showNewTotpSetup(qrPng, () => engine.mfa.beginTotp(caller));
        return {
          json: { uri: setup.uri, secret: setup.secret, expiresAt: setup.expiresAt, qrPng: qrPng ?? null },
          text: lines,
        };
      }),
    );

  totp
    .command('confirm')
    .description(
      'Finish the setup with the code the app shows; prints the backup codes once. After a sign-in that required ' +
        'setup, this also completes that sign-in.',
    )
    .requiredOption('--code <code>', 'the code your authenticator app shows')
    .option('--trust-device', 'when completing a sign-in: trust this device, so later sign-ins here need no code')
    .action(
      action(async (runtime, options: { code: string; trustDevice?: boolean }) => {
        const code = parseArg('totpCode', options.code, '--code');
        const pending = await runtime.keychainEntry('enrollment');
        const challengeId = await pending.get();
        if (challengeId !== null) return confirmForcedEnrollment(runtime, challengeId, code, options.trustDevice === true);
        const caller = await runtime.caller();
        const { backupCodes } = (await runtime.engine()).mfa.confirmTotp(caller, code);
        return {
          json: { enabled: true, backupCodes },
          text: [TURNED_ON, ...backupCodeLines(backupCodes)],
          warnings:
            options.trustDevice === true
              ? ['--trust-device applies when signing in: use `latchkey signin NAME --trust-device` next time.']
              : [],
        };
      }),
    );

  totp
    .command('disable')
    .description(
      'Turn two-step sign-in off: needs your password and a current code or a backup code. Voids the backup codes and ' +
        'trusted devices, and signs out your other sessions.',
    )
    .option('--code <code>', 'the code your authenticator app shows')
    .option('--backup-code <code>', 'a backup code, instead of --code')
    .option('--password-stdin', 'read the password from standard input instead of a hidden prompt')
    .action(
      action(async (runtime, options: SecondFactorOptions & { passwordStdin?: boolean }) => {
        const proof = secondFactorProof(options);
        if (proof === null) throw new UsageError('Give --code CODE or --backup-code CODE to turn two-step sign-in off.');
        const caller = await runtime.caller();
        const password = await runtime.passwords(options.passwordStdin).next('Password: ');
        await (await runtime.engine()).mfa.disableTotp(caller, password, proof);
        await (await runtime.keychainEntry('device', caller.username)).delete();
        return {
          json: { enabled: false },
          text: 'Two-step sign-in is off. Your backup codes and trusted devices were voided and your other sessions signed out.',
        };
      }),
    );

  const codes = mfa.command('backup-codes').description('Backup codes: one-time codes for when the authenticator app is not at hand.');

  codes
    .command('regenerate')
    .description('Make a new set of 10 backup codes (needs your password); the old set stops working.')
    .option('--password-stdin', 'read the password from standard input instead of a hidden prompt')
    .action(
      action(async (runtime, options: { passwordStdin?: boolean }) => {
        const caller = await runtime.caller();
        const password = await runtime.passwords(options.passwordStdin).next('Password: ');
        const { backupCodes } = await (await runtime.engine()).mfa.regenerateBackupCodes(caller, password);
        return { json: { backupCodes }, text: ['New backup codes made; the old ones no longer work.', ...backupCodeLines(backupCodes)] };
      }),
    );

  codes
    .command('count')
    .description('Show how many unused backup codes you have.')
    .action(
      action(async (runtime) => {
        const caller = await runtime.caller();
        const { state, backupCodesLeft } = (await runtime.engine()).mfa.status(caller);
        return {
          json: { backupCodesLeft },
          text: `${backupCodesLeft} unused backup code${backupCodesLeft === 1 ? '' : 's'}.`,
          warnings: lowBackupCodesWarning(state === 'ENABLED' ? backupCodesLeft : null),
        };
      }),
    );

  const devices = mfa.command('devices').description('Devices that skip the code at sign-in ("trust this device").');

  devices
    .command('list')
    .description('List the devices your account trusts.')
    .action(
      action(async (runtime) => {
        const caller = await runtime.caller();
        const trusted = (await runtime.engine()).trustedDevices.list(caller);
        return {
          json: { devices: trusted },
          text: table(
            ['ID', 'DEVICE', 'TRUSTED', 'LAST USED', 'EXPIRES'],
            trusted.map((d) => [d.id, d.deviceName, time(d.createdAt), time(d.lastUsedAt), time(d.expiresAt)]),
          ),
        };
      }),
    );

  devices
    .command('revoke')
    .description('Stop trusting a device: its next sign-in asks for the code again.')
    .argument('<id>', 'device id (dev_…), from `latchkey mfa devices list`')
    .action(
      action(async (runtime, id: string) => {
        const deviceId = parseArg('deviceId', id, 'device id');
        const caller = await runtime.caller();
        (await runtime.engine()).trustedDevices.revoke(caller, deviceId);
        return { json: { revoked: deviceId }, text: `Device ${deviceId} is no longer trusted.` };
      }),
    );
}

/**
 * The second half of a sign-in that policy held back for enrollment: the code turns the authenticator
 * on and starts the session, which this CLI then keeps like any sign-in.
 */
async function confirmForcedEnrollment(
  runtime: CliRuntime,
  challengeId: string,
  code: string,
  trustDevice: boolean,
): Promise<Output<unknown>> {
  const engine = await runtime.engine();
  let signedIn;
  try {
    signedIn = engine.signIn.confirmEnrollment(challengeId, code, { trustDevice });
  } catch (error) {
    if (isLatchkeyError(error) && error.code === 'CHALLENGE_INVALID') {
      await (await runtime.keychainEntry('enrollment')).delete();
      throw new LatchkeyError(
        'CHALLENGE_INVALID',
        'The sign-in that required this setup has expired or was already completed. Sign in again.',
      );
    }
    throw error;
  }
  const kept = await keepSession(runtime, signedIn, trustDevice);
  const backupCodes = signedIn.backupCodes ?? [];
  return {
    ...kept,
    json: { ...kept.json, enabled: true, backupCodes },
    text: [TURNED_ON, ...kept.text, ...backupCodeLines(backupCodes)],
  };
}

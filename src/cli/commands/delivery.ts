import type { Command } from 'commander';
import { CHANNELS, OUTBOX_STATES, type DeliveryStatusView, type OutboxMessageView } from '../../shared/delivery.js';
import { parseArg } from '../arguments.js';
import { fields, table, time } from '../format.js';
import { PasswordInput } from '../password-input.js';
import { action } from '../runtime.js';

function describeMessage(m: OutboxMessageView): string[] {
  return fields([
    ['Message', m.id],
    ['Kind', `${m.kind} by ${m.channel}`],
    ['To', `${m.recipient}${m.username === null ? '' : ` (${m.username})`}`],
    ['State', m.state],
    ['Attempts', `${m.attempts} of ${m.maxAttempts}`],
    ['Next attempt', time(m.nextAttemptAt)],
    ['Last error', m.lastError ?? '-'],
    ['Sent', time(m.sentAt)],
    ['Expires', time(m.expiresAt)],
  ]);
}

function describeStatus(status: DeliveryStatusView): string[] {
  const lines: string[] = [];
  for (const channel of status.channels) {
    const name = channel.channel === 'email' ? 'E-mail' : 'SMS';
    lines.push(`${name}: ${channel.configured ? 'ready' : `not configured (${channel.problems.join('; ')})`}`);
    if (channel.warning !== null) lines.push(`  WARNING: ${channel.warning}`);
  }
  lines.push('');
  lines.push(
    ...table(
      ['KEY', 'VALUE', 'SET', 'MEANING'],
      status.settings.map((s) => [
        s.key,
        s.secret ? (s.set ? '(secret, set)' : '(secret, not set)') : (s.value ?? '-'),
        s.set ? 'yes' : 'default',
        s.describe,
      ]),
    ),
  );
  const counts = OUTBOX_STATES.map((state) => `${state} ${status.counts[state] ?? 0}`).join(', ');
  lines.push('', `Outbox: ${counts}`);
  return lines;
}

/** `outbox …` and `config …`: where mail and SMS go, and what waits to go (administrators). */
export function registerDeliveryCommands(program: Command): void {
  const outbox = program.command('outbox').description('Messages waiting to be sent, sent, or given up on (administrators).');

  outbox
    .command('list')
    .description('List messages, newest first: state, attempts, next attempt, last error. Never the body.')
    .option('--state <state>', `only messages in this state: ${OUTBOX_STATES.join(', ')}`)
    .option('--limit <n>', 'at most this many (default 100)')
    .action(
      action(async (runtime, options: { state?: string; limit?: string }) => {
        const state = options.state === undefined ? undefined : parseArg('outboxState', options.state, '--state');
        const limit = options.limit === undefined ? undefined : parseArg('limit', options.limit, '--limit');
        const caller = await runtime.caller();
        const messages = (await runtime.engine()).delivery.list(caller, {
          ...(state === undefined ? {} : { state }),
          ...(limit === undefined ? {} : { limit }),
        });
        return {
          json: { messages },
          text: table(
            ['ID', 'KIND', 'TO', 'STATE', 'ATTEMPTS', 'NEXT ATTEMPT', 'LAST ERROR'],
            messages.map((m) => [
              m.id,
              `${m.kind}/${m.channel}`,
              m.recipient,
              m.state,
              `${m.attempts}/${m.maxAttempts}`,
              time(m.nextAttemptAt),
              m.lastError ?? '-',
            ]),
          ),
        };
      }),
    );

  outbox
    .command('send')
    .description(
      'Send every message that is due now (the app does this on its own every 30 s); one waiting out its backoff goes at its next attempt, or now with `outbox retry ID`.',
    )
    .action(
      action(async (runtime) => {
        const caller = await runtime.caller();
        const engine = await runtime.engine();
        const report = await engine.delivery.sendDueAs(caller);
        // Said so, lest a message that did not go look lost: it waits for the time its backoff set.
        const later = engine.delivery
          .list(caller, { state: 'failed', limit: 500 })
          .flatMap((message) => (message.nextAttemptAt === null ? [] : [message.nextAttemptAt]));
        const next = later.length === 0 ? '' : ` ${later.length} wait for their next attempt, the first at ${time(Math.min(...later))}.`;
        return {
          json: { report, waitingForNextAttempt: later.length },
          text: `Sent ${report.sent}; ${report.failed} failed and will be retried; ${report.abandoned} given up on; ${report.waiting} wait for their channel to be configured.${next}`,
        };
      }),
    );

  outbox
    .command('retry')
    .description('Queue a failed or abandoned message again, now, with its attempts counted afresh.')
    .argument('<id>', 'message id (msg_…), from `latchkey outbox list`')
    .action(
      action(async (runtime, id: string) => {
        const messageId = parseArg('messageId', id, 'message id');
        const caller = await runtime.caller();
        const engine = await runtime.engine();
        const message = await engine.delivery.retry(caller, messageId);
        return { json: { message }, text: describeMessage(message) };
      }),
    );

  outbox
    .command('cancel')
    .description('Stop a message that is not sent yet; its body is erased.')
    .argument('<id>', 'message id (msg_…)')
    .action(
      action(async (runtime, id: string) => {
        const messageId = parseArg('messageId', id, 'message id');
        const caller = await runtime.caller();
        const message = (await runtime.engine()).delivery.cancel(caller, messageId);
        return { json: { message }, text: describeMessage(message) };
      }),
    );

  outbox
    .command('test')
    .description('Send a test message now, to see that delivery works.')
    .argument('<channel>', `${CHANNELS.join(' or ')}`)
    .argument('<to>', 'an e-mail address, or a phone number')
    .action(
      action(async (runtime, channel: string, to: string) => {
        const which = parseArg('channel', channel, 'channel');
        const recipient = parseArg(which === 'email' ? 'email' : 'phone', to, 'recipient');
        const caller = await runtime.caller();
        const message = await (await runtime.engine()).delivery.sendTest(caller, which, recipient);
        return { json: { message }, text: describeMessage(message), exitCode: message.state === 'sent' ? 0 : 1 };
      }),
    );

  const config = program.command('config').description('Where mail and SMS go: SMTP and SMS gateway settings (administrators).');

  config
    .command('show')
    .description('Show the delivery settings (secrets only as set or not), whether each channel is ready, and the outbox counts.')
    .action(
      action(async (runtime) => {
        const caller = await runtime.caller();
        const status = await (await runtime.engine()).delivery.status(caller);
        return { json: status, text: describeStatus(status) };
      }),
    );

  config
    .command('set')
    .description('Set one delivery setting; `latchkey config show` lists them.')
    .argument('<key>', 'e.g. smtp.host')
    .argument('<value>', 'new value')
    .action(
      action(async (runtime, key: string, value: string) => {
        const settingKey = parseArg('settingKey', key, 'setting');
        const settingValue = parseArg('settingValue', value, 'value');
        const caller = await runtime.caller();
        const setting = (await runtime.engine()).delivery.settings.set(caller, settingKey, settingValue);
        return { json: { setting }, text: `${setting.key} = ${setting.value ?? '-'}` };
      }),
    );

  config
    .command('unset')
    .description(
      'Put one delivery setting back to its default (or to unset); for smtp.password or sms.authToken, remove it from the keychain.',
    )
    .argument('<key>', 'e.g. smtp.user')
    .action(
      action(async (runtime, key: string) => {
        const settingKey = parseArg('settingKey', key, 'setting');
        const caller = await runtime.caller();
        await (await runtime.engine()).delivery.settings.unset(caller, settingKey);
        return { json: { unset: settingKey }, text: `${settingKey} is back to its default.` };
      }),
    );

  config
    .command('set-secret')
    .description(
      'Set smtp.password or sms.authToken, read from standard input (or a hidden prompt); kept in the OS keychain, never in the vault.',
    )
    .argument('<key>', 'smtp.password or sms.authToken')
    .action(
      action(async (runtime, key: string) => {
        const settingKey = parseArg('settingKey', key, 'secret');
        const caller = await runtime.caller();
        const secret = await new PasswordInput(process.stdin.isTTY !== true).next(`${settingKey}: `);
        await (await runtime.engine()).delivery.settings.setSecret(caller, settingKey, secret);
        return { json: { set: settingKey }, text: `${settingKey} stored in the keychain.` };
      }),
    );
}

import { spawn } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, MINUTE, SECOND } from '../../src/main/engine/clock.js';
import { LEASE } from '../../src/main/engine/delivery/outbox.js';
import { openEngine } from '../../src/main/engine/engine.js';
import { AUDITOR, allEvents } from '../support/auditor.js';
import { assertCliBuilt, CLI, createCliVault } from '../support/cli.js';
import { withRawVault } from '../support/raw-vault.js';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp-capture.js';
import { PASSWORDS } from '../support/temp-vault.js';

/**
 * `kill -9` of a process in the middle of sending: the message it had claimed is neither lost nor
 * stuck. Once the claim's lease runs out, another process takes it and delivers it, once.
 */
describe('a sender killed mid-attempt', () => {
  const v = createCliVault('latchkey-outbox-kill-');
  let smtp: SmtpCapture;
  let silent: Server;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    assertCliBuilt();
    smtp = await startSmtpCapture();
    // Takes the connection and never greets: the attempt hangs until the process is killed.
    silent = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    await v.init();
    await v.cli(['signin', 'root', '--password-stdin'], `${PASSWORDS.admin}\n`);
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
    await smtp.close();
    await v.dispose();
  });

  const stateOf = (username: string): string | undefined =>
    withRawVault(v.vault, (db) =>
      db
        .prepare<[string], { state: string }>('SELECT o.state FROM outbox o JOIN accounts a ON a.id = o.account_id WHERE a.username = ?')
        .get(username),
    )?.state;

  it('is tried again by another process once its lease runs out, and delivered once', async () => {
    // Queued while mail is not set up yet, then pointed at the server that never answers.
    await v.cli(
      ['account', 'add', 'alice', '--email', 'alice@example.com', '--password-stdin'],
      `${PASSWORDS.alice}\n${PASSWORDS.alice}\n`,
    );
    expect(stateOf('alice')).toBe('queued');
    for (const [key, value] of [
      ['smtp.host', '127.0.0.1'],
      ['smtp.secure', 'none'],
      ['smtp.port', String((silent.address() as { port: number }).port)],
      ['smtp.from', 'latchkey@example.org'],
    ] as const)
      expect((await v.cli(['config', 'set', key, value])).code).toBe(0);

    const sender = spawn(process.execPath, [CLI, '--vault', v.vault, '--keychain-service', v.keychain.service, 'outbox', 'send'], {
      stdio: 'ignore',
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => sender.once('exit', (_code, signal) => resolve(signal)));
    await expect.poll(() => stateOf('alice'), { timeout: 15_000, interval: 50 }).toBe('sending');
    sender.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(stateOf('alice')).toBe('sending');

    // Before the lease runs out nothing is taken from the process that held it (it may be slow, not dead).
    const early = await openEngine({ vaultPath: v.vault, secrets: v.keychain, clock: new ManualClock(Date.now()) });
    try {
      expect(await early.delivery.sendDue()).toMatchObject({ sent: 0 });
    } finally {
      early.close();
    }

    // Another process, later than the lease: the claim of the dead one has run out.
    const clock = new ManualClock(Date.now() + LEASE + SECOND);
    const engine = await openEngine({ vaultPath: v.vault, secrets: v.keychain, clock });
    try {
      engine.delivery.settings.set(AUDITOR, 'smtp.port', String(smtp.port));
      const report = await engine.delivery.sendDue();
      expect(report).toMatchObject({ sent: 1 });
      expect(smtp.messages.filter((m) => m.to.includes('alice@example.com'))).toHaveLength(1);
      const failed = allEvents(engine).filter((e) => e.type === 'message.failed');
      expect(failed.map((e) => e.reason)).toEqual([expect.stringMatching(/did not finish/)]);
      expect(engine.delivery.list(AUDITOR).find((m) => m.username === 'alice')).toMatchObject({ state: 'sent', attempts: 2 });
      clock.advance(10 * MINUTE);
      expect(await engine.delivery.sendDue()).toMatchObject({ sent: 0 });
    } finally {
      engine.close();
    }
  });
});

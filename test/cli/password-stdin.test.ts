import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt, createCliVault } from '../support/cli.js';
import { runCliInProcess } from '../support/cli-in-process.js';
import { PASSWORDS } from '../support/temp-vault.js';

interface ErrorEnvelope {
  error: { code: string; message: string };
}

const NOT_UTF8 = 'Standard input is not valid UTF-8 text, so the password in it cannot be read exactly as written. Send it as UTF-8.';

/** A password line whose last character is a byte that is not UTF-8 (Latin-1 "é"), which a lenient decoder reads as U+FFFD. */
function withStrayByte(password: string): Buffer {
  return Buffer.concat([Buffer.from(password, 'utf8'), Buffer.from([0xe9, 0x0a])]);
}

describe('passwords on standard input', () => {
  const v = createCliVault('latchkey-cli-password-stdin-', runCliInProcess);
  const cli = v.cli;

  beforeAll(async () => {
    assertCliBuilt();
    await v.init();
  });

  afterAll(() => v.dispose());

  it('refuses a sign-in whose password is not valid UTF-8 rather than reading it as U+FFFD, and counts no attempt', async () => {
    // A child process: the stray byte reaches the real program through a pipe, as a script would send it.
    const run = await v.childCli(['signin', 'root', '--password-stdin', '--json'], withStrayByte(PASSWORDS.admin));
    expect(run.code).toBe(2);
    expect(run.json<ErrorEnvelope>().error).toEqual({ code: 'INVALID_INPUT', message: NOT_UTF8 });
    expect((await cli(['signin', 'root', '--password-stdin'], `${PASSWORDS.admin}\n`)).code).toBe(0);
    const failed = await cli(['audit', 'list', '--type', 'signin.failed', '--json']);
    expect(failed.json<{ events: unknown[] }>().events).toEqual([]);
  });

  it('refuses a new password that is not valid UTF-8, and one holding U+FFFD, so neither can stand for the other', async () => {
    expect((await cli(['signin', 'root', '--password-stdin'], `${PASSWORDS.admin}\n`)).code).toBe(0);
    const stray = await cli(['account', 'add', 'alice', '--password-stdin', '--json'], withStrayByte(PASSWORDS.alice));
    expect(stray.code).toBe(2);
    expect(stray.json<ErrorEnvelope>().error).toEqual({ code: 'INVALID_INPUT', message: NOT_UTF8 });
    const replaced = await cli(['account', 'add', 'alice', '--password-stdin', '--json'], `${PASSWORDS.alice}\ufffd\n`);
    expect(replaced.code).toBe(1);
    expect(replaced.json<ErrorEnvelope>().error.code).toBe('PASSWORD_REJECTED');
    expect((await cli(['account', 'show', 'alice', '--json'])).code).toBe(1);
  });
});

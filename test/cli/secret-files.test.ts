import { chmodSync, chownSync, existsSync, lstatSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt, createCliVault, type CliRun } from '../support/cli.js';
import { runCliInProcess } from '../support/cli-in-process.js';
import { PASSWORDS } from '../support/temp-vault.js';
import { requireWitnesses, zbarDecode } from '../support/witnesses.js';

interface ErrorEnvelope {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/** The user id of `nobody` on Debian and most Linux systems. */
const NOBODY = 65534;

describe('files that hold a secret (--qr-png)', () => {
  const v = createCliVault('latchkey-cli-secret-files-', runCliInProcess);
  const cli = v.cli;
  const begin = (png: string): Promise<CliRun> => cli(['mfa', 'totp', 'begin', '--qr-png', png, '--json']);
  const mfaState = async (): Promise<string> => (await cli(['mfa', 'status', '--json'])).json<{ mfa: { state: string } }>().mfa.state;

  function expectRefused(run: CliRun, png: string): void {
    expect(run.code).toBe(1);
    expect(run.json<ErrorEnvelope>().error).toMatchObject({
      code: 'CONFLICT',
      message:
        `${png} already exists, and a file that holds a secret never replaces one, nor is written through a link. ` +
        'Give another --qr-png name, or move the old file away first.',
      details: { file: png },
    });
  }

  beforeAll(async () => {
    assertCliBuilt();
    requireWitnesses();
    await v.init();
    expect((await cli(['signin', 'root', '--password-stdin'], `${PASSWORDS.admin}\n`)).code).toBe(0);
    expect((await cli(['account', 'add', 'alice', '--password-stdin'], `${PASSWORDS.alice}\n`)).code).toBe(0);
  });

  afterAll(() => v.dispose());

  it('refuses to write the QR code over an existing file, leaves it as it was and begins no setup', async () => {
    const png = join(v.dir, 'holiday.png');
    writeFileSync(png, 'a picture someone keeps');
    expectRefused(await begin(png), png);
    expect(readFileSync(png, 'utf8')).toBe('a picture someone keeps');
    expect(await mfaState()).toBe('DISABLED');
  });

  it('does not follow a symbolic link to a world-writable file of another user', async () => {
    const target = join(v.dir, 'shared.txt');
    writeFileSync(target, 'their notes');
    chmodSync(target, 0o666);
    if (process.getuid?.() === 0) chownSync(target, NOBODY, NOBODY);
    const png = join(v.dir, 'link.png');
    symlinkSync(target, png);
    expectRefused(await begin(png), png);
    expect(readFileSync(target, 'utf8')).toBe('their notes');
    expect(readlinkSync(png)).toBe(target);
  });

  it('does not follow a symbolic link that points nowhere yet', async () => {
    const target = join(v.dir, 'planted.png');
    const png = join(v.dir, 'dangling.png');
    symlinkSync(target, png);
    expectRefused(await begin(png), png);
    expect(existsSync(target)).toBe(false);
    expect(lstatSync(png).isSymbolicLink()).toBe(true);
  });

  it('writes a new file readable by its owner only, even under umask 000', async () => {
    const png = join(v.dir, 'fresh.png');
    const umask = process.umask(0o000);
    let run: CliRun;
    try {
      // A child process: it starts with the umask of the shell that runs it, as a person's would.
      run = await v.childCli(['mfa', 'totp', 'begin', '--qr-png', png, '--json']);
    } finally {
      process.umask(umask);
    }
    expect(run.code).toBe(0);
    expect(lstatSync(png).mode & 0o777).toBe(0o600);
    expect(zbarDecode(png)).toBe(run.json<{ uri: string }>().uri);
  });

  it('refuses an existing file at a sign-in that must set up two-step sign-in, before the setup begins', async () => {
    expect((await cli(['policy', 'set', 'mfa.required', 'all'])).code).toBe(0);
    const png = join(v.dir, 'forced.png');
    writeFileSync(png, 'kept');
    const run = await cli(['signin', 'alice', '--password-stdin', '--qr-png', png, '--json'], `${PASSWORDS.alice}\n`);
    expectRefused(run, png);
    expect(readFileSync(png, 'utf8')).toBe('kept');
    expect(await v.keychain.get(v.entry('enrollment'))).toBeNull();
  });
});

import { copyFileSync, rmSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt, createCliVault, type CliVault } from '../support/cli.js';
import { runCliInProcess } from '../support/cli-in-process.js';
import { PASSWORDS } from '../support/temp-vault.js';

beforeAll(assertCliBuilt);

describe('a vault file put back to an older copy', () => {
  let vault: CliVault;
  afterEach(() => vault.dispose());

  it('is reported by audit verify (exit 1), since every command anchors the log outside the file', async () => {
    vault = createCliVault('latchkey-rollback-', runCliInProcess);
    await vault.init();
    expect((await vault.cli(['signin', 'root', '--password-stdin'], `${PASSWORDS.admin}\n`)).code).toBe(0);
    // Each command closes the vault, so the file on disk is whole between commands.
    copyFileSync(vault.vault, `${vault.vault}.old`);
    const before = (await vault.cli(['audit', 'verify', '--json'])).json<{ events: number }>().events;

    expect((await vault.cli(['account', 'add', 'alice', '--password-stdin'], `${PASSWORDS.alice}\n`)).code).toBe(0);
    expect((await vault.cli(['audit', 'verify', '--json'])).json()).toMatchObject({ intact: true });

    for (const suffix of ['-wal', '-shm']) rmSync(`${vault.vault}${suffix}`, { force: true });
    copyFileSync(`${vault.vault}.old`, vault.vault);
    // A child process: the real program, started on the older copy, exits 1.
    const verdict = await vault.childCli(['audit', 'verify', '--json']);
    expect(verdict.code).toBe(1);
    expect(verdict.json()).toMatchObject({ intact: false, problem: 'rolled_back', brokenAt: before + 1 });
    const text = await vault.cli(['audit', 'verify']);
    expect(text.stdout + text.stderr).toContain('replaced by an older copy');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt, createCliVault } from '../support/cli.js';
import { PASSWORDS } from '../support/temp-vault.js';

interface ErrorEnvelope {
  error: { code: string; message: string };
}

describe('latchkey account delete', () => {
  const v = createCliVault('latchkey-cli-delete-');

  beforeAll(async () => {
    assertCliBuilt();
    await v.init();
    expect((await v.cli(['signin', 'root', '--password-stdin'], `${PASSWORDS.admin}\n`)).code).toBe(0);
    expect((await v.cli(['account', 'add', 'bob', '--password-stdin'], `${PASSWORDS.bob}\n`)).code).toBe(0);
  });
  afterAll(() => v.dispose());

  it('will not delete without --yes where it cannot ask (exit 2), and the account stays', async () => {
    const run = await v.cli(['account', 'delete', 'bob', '--json']);
    expect(run.code).toBe(2);
    expect(run.json<ErrorEnvelope>().error.message).toBe(
      'Deleting an account cannot be undone: give --yes to delete it without being asked.',
    );
    expect((await v.cli(['account', 'show', 'bob'])).code).toBe(0);
  });

  it('refuses what the engine would refuse before it asks anything', async () => {
    const ghost = await v.cli(['account', 'delete', 'nobody-here', '--json']);
    expect(ghost.code).toBe(1);
    expect(ghost.json<ErrorEnvelope>().error.code).toBe('NOT_FOUND');
    const self = await v.cli(['account', 'delete', 'root', '--json']);
    expect(self.json<ErrorEnvelope>().error.code).toBe('CONFLICT');
  });

  it('deletes with --yes', async () => {
    const run = await v.cli(['account', 'delete', 'bob', '--yes']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Account "bob" deleted.');
    expect((await v.cli(['account', 'show', 'bob', '--json'])).json<ErrorEnvelope>().error.code).toBe('NOT_FOUND');
  });
});

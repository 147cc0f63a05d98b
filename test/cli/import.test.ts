import { hash as argon2id } from '@node-rs/argon2';
import { hashSync } from 'bcryptjs';
import { truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Secret } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportReport } from '../../src/main/engine/accounts/import.js';
import { assertCliBuilt, createCliVault } from '../support/cli.js';
import { runCliInProcess } from '../support/cli-in-process.js';
import { withRawVault } from '../support/raw-vault.js';
import { PASSWORDS } from '../support/temp-vault.js';
import { oathtoolCode, requireWitnesses } from '../support/witnesses.js';

interface ErrorEnvelope {
  error: { code: string; message: string };
}

describe('latchkey import', () => {
  const v = createCliVault('latchkey-cli-import-', runCliInProcess);
  const { cli, childCli, dir, vault } = v;
  const secret = new Secret({ size: 20 }).base32;
  const file = (name: string, content: string): string => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const storedHash = (username: string): string =>
    withRawVault(
      vault,
      (db) =>
        (db.prepare('SELECT password_hash FROM accounts WHERE username = ?').get(username) as { password_hash: string }).password_hash,
    );
  let usersJson: string;

  beforeAll(async () => {
    assertCliBuilt();
    requireWitnesses();
    await v.init();
    expect((await cli(['signin', 'root', '--password-stdin'], `${PASSWORDS.admin}\n`)).code).toBe(0);
    usersJson = file(
      'users.json',
      JSON.stringify([
        { username: 'bob', email: 'bob@example.org', password_hash: hashSync(PASSWORDS.bob, 10) },
        {
          username: 'carol',
          role: 'admin',
          password_hash: await argon2id(PASSWORDS.next, { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 }),
        },
        {
          username: 'dave',
          password_hash: hashSync(PASSWORDS.alice, 10),
          totp_uri: `otpauth://totp/OldVault:dave?secret=${secret}&issuer=OldVault`,
        },
      ]),
    );
  });

  afterAll(() => v.dispose());

  it('imports a JSON file of users and prints a summary', async () => {
    const run = await cli(['import', usersJson]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Imported 3 of 3 rows; 0 already existed (skipped); 0 refused.');
    const accounts = (await cli(['account', 'list', '--json'])).json<{ accounts: { username: string; role: string; mfaState: string }[] }>()
      .accounts;
    expect(accounts.map((a) => [a.username, a.role, a.mfaState])).toEqual([
      ['bob', 'user', 'DISABLED'],
      ['carol', 'admin', 'DISABLED'],
      ['dave', 'user', 'ENABLED'],
      ['root', 'admin', 'DISABLED'],
    ]);
    const events = (await cli(['audit', 'list', '--type', 'account.imported', '--json'])).json<{ events: { target: { name: string } }[] }>()
      .events;
    expect(events.map((e) => e.target.name)).toEqual(['bob', 'carol', 'dave']);
  });

  it('signs in with an imported bcrypt password, after which the vault holds an argon2id hash', async () => {
    expect(storedHash('bob')).toMatch(/^\$2b\$10\$/);
    const run = await cli(['signin', 'bob', '--password-stdin', '--json'], `${PASSWORDS.bob}\n`);
    expect(run.code).toBe(0);
    expect(storedHash('bob')).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect((await cli(['signin', 'carol', '--password-stdin'], `${PASSWORDS.next}\n`)).code).toBe(0);
  });

  it('signs in with a code oathtool computes from the imported TOTP secret', async () => {
    // The step showing at import time counts as used (the old system may have accepted its code),
    // so the first code to work is the next step's: let the policy accept one step ahead rather than wait.
    expect((await cli(['policy', 'set', 'mfa.totpStepsAhead', '1'])).code).toBe(0);
    const next = oathtoolCode(secret, { at: Date.now() + 30_000 });
    const run = await cli(['signin', 'dave', '--password-stdin', '--code', next, '--json'], `${PASSWORDS.alice}\n`);
    expect(run.code).toBe(0);
    expect(run.json<{ session: { assurance: string } }>().session.assurance).toBe('two_factor');
    // No backup codes came with the import: the holder is told to make them.
    const count = await cli(['mfa', 'backup-codes', 'count']);
    expect(count.stdout).toContain('0 unused backup codes');
    expect(count.stderr).toContain('latchkey mfa backup-codes regenerate');
  });

  it('refuses a user who is not an administrator', async () => {
    const run = await cli(['import', usersJson, '--json']);
    expect(run.code).toBe(1);
    expect(run.json<ErrorEnvelope>().error.code).toBe('NOT_AUTHORISED');
    expect((await cli(['signin', 'root', '--password-stdin'], `${PASSWORDS.admin}\n`)).code).toBe(0);
  });

  it('imports nothing when the same file is imported again', async () => {
    const run = await cli(['import', usersJson, '--json']);
    expect(run.code).toBe(0);
    expect(run.json<ImportReport>()).toMatchObject({ total: 3, imported: 0, duplicates: 3, failed: 0 });
  });

  it('imports CSV, reports a bad row by its line without stopping, and exits 1', async () => {
    const csv = file(
      'more.csv',
      [
        'username,email,role,password_hash,totp_uri',
        `erin,"erin@example.org",user,"${hashSync(PASSWORDS.bob, 10).replace(/^\$2b\$/, '$2y$')}",`,
        `frank,,user,{SSHA}c29tZXRoaW5nc2FsdHk=,`,
        `"gina",,admin,"${await argon2id(PASSWORDS.bob, { algorithm: 2 })}",`,
        `henry,,user,"${hashSync(PASSWORDS.bob, 4)}","otpauth://totp/x?secret=NOT-BASE32"`,
      ].join('\n'),
    );
    // A child process: a command that finishes with refused rows exits 1 from the real program.
    const run = await childCli(['import', csv]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/row 2 \(line 3\) "frank": refused: password_hash is not a usable/);
    expect(run.stdout).toMatch(/row 4 \(line 5\) "henry": refused: totp_uri is not an otpauth:\/\/ URI/);
    expect(run.stdout).toContain('Imported 2 of 4 rows; 0 already existed (skipped); 2 refused.');
    expect(run.stdout).not.toContain('{SSHA}');
    expect((await cli(['signin', 'erin', '--password-stdin'], `${PASSWORDS.bob}\n`)).code).toBe(0);
    expect(storedHash('erin')).toMatch(/^\$argon2id\$/);
    expect((await cli(['signin', 'root', '--password-stdin'], `${PASSWORDS.admin}\n`)).code).toBe(0);
  });

  it('shows progress on standard error for a large file', async () => {
    const hash = hashSync(PASSWORDS.bob, 4);
    const lines = Array.from({ length: 1500 }, (_, i) => JSON.stringify({ username: `bulk${i}`, password_hash: hash }));
    const run = await cli(['import', file('bulk.jsonl', lines.join('\n')), '--json']);
    expect(run.code).toBe(0);
    expect(run.json<ImportReport>()).toMatchObject({ total: 1500, imported: 1500 });
    expect(run.stderr).toContain('import: 1000 of 1500 rows');
    expect(run.stderr).toContain('import: 1500 of 1500 rows');
  });

  it('refuses a file over 50 MB before reading it, and asks for --format when the name does not say', async () => {
    const huge = join(dir, 'huge.json');
    writeFileSync(huge, '');
    truncateSync(huge, 50 * 1024 * 1024 + 1);
    const tooBig = await cli(['import', huge, '--json']);
    expect(tooBig.code).toBe(1);
    expect(tooBig.json<ErrorEnvelope>().error).toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('larger than 50 MB'),
    });

    const unnamed = file('users.txt', '[]');
    expect((await cli(['import', unnamed])).code).toBe(2);
    expect((await cli(['import', unnamed, '--format', 'xml'])).code).toBe(2);
    const empty = await cli(['import', unnamed, '--format', 'json', '--json']);
    expect(empty.json<ImportReport>()).toMatchObject({ total: 0, imported: 0 });
    expect((await cli(['import', join(dir, 'missing.csv')])).code).toBe(2);
  });
});

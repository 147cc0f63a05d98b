import { hashSync } from 'bcryptjs';
import { Secret } from 'otpauth';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  MAX_IMPORT_BYTES,
  MAX_IMPORT_ROW_BYTES,
  parseCsv,
  readImportText,
  type ImportReport,
} from '../../src/main/engine/accounts/import.js';
import { PasswordHasher, storedHashScheme } from '../../src/main/engine/passwords/password-hasher.js';
import type { SignedIn } from '../../src/main/engine/auth/sign-in.js';
import type { ChallengeView } from '../../src/shared/views.js';
import { failure } from '../support/errors.js';
import { vaultBytes, withRawVault } from '../support/raw-vault.js';
import { QUICK_HASH, addAccount, auditEvents, openVaultWithAdmin, signIn, type VaultWithAdmin } from '../support/signed-in.js';
import { PASSWORDS, cliClient } from '../support/temp-vault.js';
import { oathtoolCode, requireWitnesses } from '../support/witnesses.js';
import { AUDITOR } from '../support/auditor.js';

/** bcrypt at its lowest cost: the tests measure nothing about hashing time. */
const bcrypt = (password: string, variant: '2a' | '2b' | '2y' = '2b'): string => hashSync(password, 4).replace(/^\$2b\$/, `$${variant}$`);

const newSecret = (): string => new Secret({ size: 20 }).base32;

describe('legacy bcrypt hashes', () => {
  const hasher = new PasswordHasher(QUICK_HASH);

  it('verifies a $2a$, $2b$ or $2y$ hash and asks for it to be replaced', async () => {
    for (const variant of ['2a', '2b', '2y'] as const) {
      const stored = bcrypt(PASSWORDS.bob, variant);
      expect(await hasher.verify(stored, PASSWORDS.bob)).toEqual({ valid: true, needsRehash: true });
      expect(await hasher.verify(stored, PASSWORDS.alice)).toEqual({ valid: false, needsRehash: false });
    }
  });

  it('still makes only argon2id hashes', async () => {
    expect(await hasher.hash(PASSWORDS.bob)).toMatch(/^\$argon2id\$/);
  });

  it('accepts only hashes it can check at a bounded cost', async () => {
    expect(storedHashScheme(bcrypt('x'))).toBe('bcrypt');
    expect(storedHashScheme(await hasher.hash('x'))).toBe('argon2id');
    const costly = bcrypt(PASSWORDS.bob).replace(/^\$2b\$04\$/, '$2b$31$');
    expect(storedHashScheme(costly)).toBeNull();
    expect(await hasher.verify(costly, PASSWORDS.bob)).toEqual({ valid: false, needsRehash: false });
    expect(storedHashScheme('$argon2id$v=19$m=4194304,t=2,p=1$c29tZXNhbHRzb21l$aGFzaGhhc2hoYXNoaGFzaA')).toBeNull();
    expect(storedHashScheme('$argon2i$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21l$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA')).toBeNull();
    expect(storedHashScheme('$1$saltsalt$hashhashhashhashhash')).toBeNull();
    expect(storedHashScheme('5f4dcc3b5aa765d61d8327deb882cf99')).toBeNull();
  });
});

describe('reading an import file', () => {
  it('parses CSV quotes, doubled quotes, commas and line breaks inside fields, and CRLF', () => {
    const records = parseCsv('a,b,c\r\n"x, y","say ""hi""",plain\r\n"two\nlines",,last\n');
    expect(records.map((r) => [r.line, r.fields, r.problem])).toEqual([
      [1, ['a', 'b', 'c'], null],
      [2, ['x, y', 'say "hi"', 'plain'], null],
      [3, ['two\nlines', '', 'last'], null],
    ]);
  });

  it('keeps a CSV problem on its own record and goes on at the next line', () => {
    const records = parseCsv('a,b\nx"y,z\n"q"r,s\nok,fine\n"never closed,\nmore');
    expect(records.map((r) => [r.line, r.problem === null ? null : r.problem.split(' ')[0]])).toEqual([
      [1, null],
      [2, 'a'],
      [3, 'text'],
      [4, null],
      [5, 'a'],
    ]);
    expect(records[4]?.problem).toContain('never closed');
  });

  it('reads a JSON array, JSON lines and a single object alike', () => {
    const row = { username: 'bob', password_hash: 'h' };
    expect(readImportText(JSON.stringify([row, row]), 'json').map((r) => [r.row, r.line])).toEqual([
      [1, null],
      [2, null],
    ]);
    const lines = readImportText(`${JSON.stringify(row)}\n\nnot json\n${JSON.stringify(row)}\n`, 'json');
    expect(lines.map((r) => [r.row, r.line, r.problem])).toEqual([
      [1, 1, null],
      [2, 3, 'not valid JSON (one object per line is expected)'],
      [3, 4, null],
    ]);
    expect(readImportText(JSON.stringify(row, null, 2), 'json')).toHaveLength(1);
  });

  it('refuses a broken JSON array, a CSV header with an unknown or missing column, and a file over 50 MB', async () => {
    expect(() => readImportText('[{"username": "bob"},', 'json')).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(() => readImportText('username,password,email\n', 'csv')).toThrow(/unknown column "password".*missing column "password_hash"/);
    expect(() => readImportText('username,password_hash,username\n', 'csv')).toThrow(/repeated column "username"/);
    const error = await failure(() => readImportText('x'.repeat(MAX_IMPORT_BYTES + 1), 'csv'), 'INVALID_INPUT');
    expect(error.message).toContain('larger than 50 MB');
  });
});

describe('importing accounts', () => {
  let v: VaultWithAdmin;
  let bobHash: string;
  let carolHash: string;
  let daveSecret: string;

  beforeAll(() => requireWitnesses());

  beforeEach(async () => {
    v = await openVaultWithAdmin({ hashParameters: QUICK_HASH });
    bobHash = bcrypt(PASSWORDS.bob);
    carolHash = await new PasswordHasher(QUICK_HASH).hash(PASSWORDS.alice);
    daveSecret = newSecret();
  });
  afterEach(() => v.vault.dispose());

  const rows = (): object[] => [
    { username: 'bob', email: 'bob@example.org', password_hash: bobHash },
    { username: 'Carol', role: 'admin', password_hash: carolHash },
    { username: 'dave', password_hash: bobHash, totp_uri: `otpauth://totp/Legacy:dave?secret=${daveSecret}&issuer=Legacy` },
  ];
  const importJson = (data: unknown, caller = v.admin.caller): Promise<ImportReport> =>
    v.engine.accountImport.run(caller, JSON.stringify(data), 'json');

  /** The password step for an account with a second factor: the challenge it hands back. */
  async function challengeFor(username: string, password: string): Promise<ChallengeView> {
    const error = await failure(() => v.engine.signIn.withPassword({ username, password, client: cliClient() }), 'MFA_REQUIRED');
    if (error.details === undefined) throw error;
    return error.details;
  }

  it('imports each row with its role and e-mail, and audits each one', async () => {
    const report = await importJson(rows());
    expect(report).toEqual({ total: 3, imported: 3, duplicates: 0, failed: 0, problems: [] });
    expect(v.engine.accounts.list(v.admin.caller).map((a) => [a.username, a.role, a.email, a.mfaState])).toEqual([
      ['admin', 'admin', 'admin@example.org', 'DISABLED'],
      ['bob', 'user', 'bob@example.org', 'DISABLED'],
      ['carol', 'admin', null, 'DISABLED'],
      ['dave', 'user', null, 'ENABLED'],
    ]);
    const imported = auditEvents(v.engine, 'account.imported');
    expect(imported.map((e) => [e.target?.name, e.actor?.name, e.details])).toEqual([
      ['bob', 'admin', { role: 'user', passwordHash: 'bcrypt', totp: false, hasEmail: true }],
      ['carol', 'admin', { role: 'admin', passwordHash: 'argon2id', totp: false, hasEmail: false }],
      ['dave', 'admin', { role: 'user', passwordHash: 'bcrypt', totp: true, hasEmail: false }],
    ]);
    expect(JSON.stringify(imported)).not.toContain(daveSecret);
    expect(await v.engine.audit.verify(AUDITOR)).toMatchObject({ intact: true });
  });

  it('signs a bcrypt account in with its old password and stores the hash as argon2id from then on', async () => {
    await importJson(rows());
    await signIn(v.engine, 'bob', PASSWORDS.bob);
    const stored = withRawVault(
      v.vault.path,
      (db) => (db.prepare("SELECT password_hash FROM accounts WHERE username = 'bob'").get() as { password_hash: string }).password_hash,
    );
    expect(stored).toMatch(/^\$argon2id\$/);
    expect(auditEvents(v.engine, 'password.rehashed').map((e) => e.target?.name)).toEqual(['bob']);
    await signIn(v.engine, 'bob', PASSWORDS.bob);
    await failure(() => signIn(v.engine, 'bob', PASSWORDS.alice), 'INVALID_CREDENTIALS');
  });

  it('turns an imported authenticator on at once, encrypted at rest and without backup codes', async () => {
    await importJson(rows());
    const challenge = await challengeFor('dave', PASSWORDS.bob);
    expect(challenge.factors).toEqual(['totp']);
    v.vault.clock.advance(30_000);
    const signedIn: SignedIn = v.engine.signIn.answer({
      challengeId: challenge.challengeId,
      factor: 'totp',
      code: oathtoolCode(daveSecret, { at: v.vault.clock.now() }),
    });
    expect(signedIn.session.assurance).toBe('two_factor');
    expect(v.engine.mfa.status(v.engine.sessions.validate(signedIn.token))).toMatchObject({ state: 'ENABLED', backupCodesLeft: 0 });
    expect(vaultBytes(v.vault.path).includes(Buffer.from(daveSecret))).toBe(false);
  });

  it('refuses the code showing at import time, which the old system may already have accepted', async () => {
    await importJson(rows());
    const challenge = await challengeFor('dave', PASSWORDS.bob);
    const code = oathtoolCode(daveSecret, { at: v.vault.clock.now() });
    await failure(() => v.engine.signIn.answer({ challengeId: challenge.challengeId, factor: 'totp', code }), 'CODE_REPLAYED');
  });

  it('keeps the algorithm, digits and period the URI names', async () => {
    const secret = newSecret();
    const uri = `otpauth://totp/erin?secret=${secret}&algorithm=SHA256&digits=8&period=60`;
    await importJson([{ username: 'erin', password_hash: bobHash, totp_uri: uri }]);
    const challenge = await challengeFor('erin', PASSWORDS.bob);
    v.vault.clock.advance(60_000);
    const code = oathtoolCode(secret, { at: v.vault.clock.now(), algorithm: 'SHA256', digits: 8, period: 60 });
    expect(code).toMatch(/^\d{8}$/);
    expect(v.engine.signIn.answer({ challengeId: challenge.challengeId, factor: 'totp', code }).session.username).toBe('erin');
  });

  it('skips names that already exist, so importing the same file again imports nothing', async () => {
    await importJson(rows());
    const again = await importJson(rows());
    expect(again).toMatchObject({ total: 3, imported: 0, duplicates: 3, failed: 0 });
    expect(again.problems.map((p) => [p.username, p.outcome])).toEqual([
      ['bob', 'duplicate'],
      ['carol', 'duplicate'],
      ['dave', 'duplicate'],
    ]);
    expect(auditEvents(v.engine, 'account.imported')).toHaveLength(3);
    const twice = await importJson([
      { username: 'frank', password_hash: bobHash },
      { username: 'FRANK', password_hash: carolHash },
    ]);
    expect(twice).toMatchObject({ imported: 1, duplicates: 1 });
  });

  it('reports each bad row and imports the others', async () => {
    const report = await importJson([
      { username: 'bad name!', password_hash: bobHash },
      { username: 'gina', password_hash: 'plaintext-password' },
      { username: 'hank', password_hash: bobHash, totp_uri: 'otpauth://hotp/x?secret=JBSWY3DPEHPK3PXP&counter=1' },
      { username: 'ivan', password_hash: bobHash, totp_uri: 'https://example.org/?secret=JBSWY3DPEHPK3PXP' },
      { username: 'jill', password_hash: bobHash, totp_uri: 'otpauth://totp/x?secret=JBSWY3DP' },
      { username: 'kate', password_hash: bobHash, role: 'owner' },
      { username: 'liam', password_hash: bobHash, email: 'not-an-address' },
      { username: 'mona', password: 'hunter2', password_hash: bobHash },
      { username: 'ned' },
      'not an object',
      { username: 'olga', password_hash: bobHash, email: 'x'.repeat(MAX_IMPORT_ROW_BYTES) },
      { username: 'pete', password_hash: bobHash },
    ]);
    expect(report).toMatchObject({ total: 12, imported: 1, duplicates: 0, failed: 11 });
    expect(report.problems.map((p) => [p.row, p.username, p.message])).toEqual([
      [1, 'bad name!', expect.stringContaining('An account name is 1 to 64')],
      [2, 'gina', expect.stringContaining('password_hash is not a usable argon2id')],
      [3, 'hank', expect.stringContaining('counter-based (hotp)')],
      [4, 'ivan', expect.stringContaining('totp_uri is not an otpauth:// URI')],
      [5, 'jill', 'totp_uri secret is shorter than 80 bits'],
      [6, 'kate', 'role must be admin or user'],
      [7, 'liam', expect.stringContaining('e-mail address')],
      [8, 'mona', 'unknown field "password"'],
      [9, 'ned', 'password_hash is missing'],
      [10, null, expect.stringContaining('not a JSON object')],
      [11, null, 'larger than 64 KB'],
    ]);
    // A refused row's message never repeats a hash or a secret from the file.
    expect(JSON.stringify(report)).not.toMatch(/plaintext-password|JBSWY3DP|hunter2/);
    expect(v.engine.accounts.list(v.admin.caller).map((a) => a.username)).toEqual(['admin', 'pete']);
  });

  it('imports CSV with a header in any order and case, skipping blank lines', async () => {
    const csv = [
      'Password_Hash,USERNAME,email,totp_uri,role',
      `"${bobHash}",quinn,"quinn@example.org",,`,
      '',
      `"${carolHash}",rosa,,"otpauth://totp/Legacy:rosa?secret=${daveSecret}&issuer=Legacy",admin`,
      `${bobHash},sam`,
      `${carolHash},tess,,,`,
      '',
    ].join('\r\n');
    const report = await v.engine.accountImport.run(v.admin.caller, csv, 'csv');
    expect(report).toMatchObject({ total: 4, imported: 2, failed: 2 });
    expect(report.problems).toEqual([
      { row: 3, line: 5, username: null, outcome: 'failed', message: 'has 2 fields where the header has 5' },
      {
        row: 4,
        line: 6,
        username: null,
        outcome: 'failed',
        message: 'has 7 fields where the header has 5 (an argon2id hash holds commas: put it in double quotes)',
      },
    ]);
    expect(v.engine.accounts.find('rosa')).toMatchObject({ role: 'admin', mfa_state: 'ENABLED' });
  });

  it('is for administrators only', async () => {
    await addAccount(v.engine, v.admin.caller, 'alice', PASSWORDS.alice);
    const alice = await signIn(v.engine, 'alice', PASSWORDS.alice);
    await failure(() => importJson(rows(), alice.caller), 'NOT_AUTHORISED');
    expect(auditEvents(v.engine, 'account.imported')).toEqual([]);
  });

  it('reports progress after each batch of a large file', async () => {
    const many = Array.from({ length: 450 }, (_, i) => JSON.stringify({ username: `user${i}`, password_hash: bobHash })).join('\n');
    const progress: [number, number][] = [];
    const report = await v.engine.accountImport.run(v.admin.caller, many, 'json', {
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(report.imported).toBe(450);
    expect(progress).toEqual([
      [200, 450],
      [400, 450],
      [450, 450],
    ]);
  });
});

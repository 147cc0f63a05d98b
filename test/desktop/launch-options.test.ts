import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLaunchOptions, type LaunchOptionsResult } from '../../src/main/launch-options.js';
import { defaultVaultPath } from '../../src/main/host/vault-location.js';

const CWD = '/home/ada/projects';
// How Playwright's _electron.launch starts the built app: its own switches, the script, then ours.
const PLAYWRIGHT = ['/opt/electron/electron', '--inspect=0', '--remote-debugging-port=0', 'out/main/index.js'];

function options(result: LaunchOptionsResult): { vaultPath: string; keychainService: string } {
  if (!result.ok) throw new Error(`expected valid options, got: ${result.message}`);
  return result.options;
}

function problem(result: LaunchOptionsResult): string {
  if (result.ok) throw new Error('expected the options to be refused');
  return result.message;
}

describe('launch options', () => {
  it("reads --vault and --keychain-service from among Electron's and Playwright's own arguments", () => {
    const argv = [...PLAYWRIGHT, '--vault', '/tmp/e2e/vault.db', '--keychain-service', 'latchkey-e2e-0a1b2c'];
    expect(options(parseLaunchOptions(argv, {}, CWD))).toEqual({ vaultPath: '/tmp/e2e/vault.db', keychainService: 'latchkey-e2e-0a1b2c' });
  });

  it('takes the --name=value form as well', () => {
    const argv = [...PLAYWRIGHT, '--vault=/tmp/v.db', '--keychain-service=latchkey-test'];
    expect(options(parseLaunchOptions(argv, {}, CWD))).toEqual({ vaultPath: '/tmp/v.db', keychainService: 'latchkey-test' });
  });

  it('falls back to LATCHKEY_VAULT and LATCHKEY_KEYCHAIN_SERVICE, and a flag wins over its variable', () => {
    const env = { LATCHKEY_VAULT: '/srv/env.db', LATCHKEY_KEYCHAIN_SERVICE: 'from-env' };
    expect(options(parseLaunchOptions(PLAYWRIGHT, env, CWD))).toEqual({ vaultPath: '/srv/env.db', keychainService: 'from-env' });
    expect(options(parseLaunchOptions([...PLAYWRIGHT, '--vault', '/srv/flag.db'], env, CWD)).vaultPath).toBe('/srv/flag.db');
  });

  it('opens the per-user default vault with the latchkey keychain service when nothing is given', () => {
    const env = { XDG_DATA_HOME: '/home/ada/.data', LATCHKEY_VAULT: '', LATCHKEY_KEYCHAIN_SERVICE: '' };
    expect(options(parseLaunchOptions(['/usr/bin/latchkey'], env, CWD))).toEqual({
      vaultPath: defaultVaultPath(env),
      keychainService: 'latchkey',
    });
  });

  it('makes a relative vault path absolute against the directory the app was started in', () => {
    expect(options(parseLaunchOptions(['latchkey', '--vault', 'team/vault.db'], {}, CWD)).vaultPath).toBe(join(CWD, 'team/vault.db'));
  });

  it('refuses a flag without a value', () => {
    expect(problem(parseLaunchOptions(['latchkey', '--vault'], {}, CWD))).toContain('--vault needs a value');
    expect(problem(parseLaunchOptions(['latchkey', '--vault', '--keychain-service', 'x'], {}, CWD))).toContain('--vault needs a value');
  });

  it('refuses a flag given twice rather than guessing which one was meant', () => {
    expect(problem(parseLaunchOptions(['latchkey', '--vault', '/a.db', '--vault=/b.db'], {}, CWD))).toContain('more than once');
  });

  it('refuses an empty vault path and one with a NUL character', () => {
    expect(problem(parseLaunchOptions(['latchkey', '--vault='], {}, CWD))).toMatch(/vault path \(from --vault\) is empty/);
    expect(problem(parseLaunchOptions(['latchkey'], { LATCHKEY_VAULT: '/tmp/a\0b' }, CWD))).toMatch(/LATCHKEY_VAULT.*NUL/);
  });

  it('refuses a keychain service name outside letters, digits and . _ @ -, or too long, naming where it came from', () => {
    expect(problem(parseLaunchOptions(['latchkey', '--keychain-service', 'two words'], {}, CWD))).toMatch(/from --keychain-service/);
    expect(problem(parseLaunchOptions(['latchkey'], { LATCHKEY_KEYCHAIN_SERVICE: '-leading-dash' }, CWD))).toMatch(
      /from LATCHKEY_KEYCHAIN_SERVICE/,
    );
    expect(problem(parseLaunchOptions(['latchkey', `--keychain-service=${'k'.repeat(101)}`], {}, CWD))).toMatch(/longer than 100/);
    expect(options(parseLaunchOptions(['latchkey', '--keychain-service', 'Latchkey.test_2@host-1'], {}, CWD)).keychainService).toBe(
      'Latchkey.test_2@host-1',
    );
  });

  it('reports every bad option at once', () => {
    const message = problem(parseLaunchOptions(['latchkey', '--vault=', '--keychain-service', 'a b'], {}, CWD));
    expect(message).toContain('vault path');
    expect(message).toContain('keychain service');
  });
});

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ALERT_KINDS } from '../../src/shared/monitoring.js';
import { assertCliBuilt } from '../support/cli.js';

const SCRIPT = fileURLToPath(new URL('../../scripts/provoke-rules.sh', import.meta.url));

function run(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [SCRIPT], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * The README's way for an administrator to see every rule fire, run as they would run it: the
 * built CLI and browser host, the real keychain, oathtool, faketime, secret-tool and sqlite3.
 */
// Linux only: it copies keychain entries with secret-tool (the Secret Service) and moves clocks with faketime.
describe.skipIf(process.platform !== 'linux')('scripts/provoke-rules.sh', () => {
  it('raises an alert of every kind from the command line, each named in its list', { timeout: 180_000 }, async () => {
    assertCliBuilt();
    const { code, stdout, stderr } = await run();
    expect(stderr).not.toMatch(/provoke-rules:/);
    expect(code).toBe(0);
    expect(stdout).toContain('Every rule raised its alert.');
    // The script's own list is checked against every kind there is: a new rule needs a recipe.
    const script = readFileSync(SCRIPT, 'utf8');
    for (const kind of ALERT_KINDS) expect(script, kind).toMatch(new RegExp(`\\b${kind}\\b`));
    // Its passwords, codes and tokens are the script's own business: none reaches what it prints.
    expect(stdout + stderr).not.toContain('maple river quartz 83');
  });
});

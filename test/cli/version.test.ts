import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assertCliBuilt, runCli } from '../support/cli.js';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

describe('latchkey --version', () => {
  it('prints the version alone, as the full command table would', async () => {
    assertCliBuilt();
    for (const flag of ['--version', '-V']) {
      const run = await runCli([flag]);
      expect(run).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: '' });
    }
  });

  it('leaves --version among other arguments to the command table', async () => {
    const run = await runCli(['--version', 'whoami']);
    expect(run.stdout).toBe(`${version}\n`);
    expect(run.code).toBe(0);
  });
});

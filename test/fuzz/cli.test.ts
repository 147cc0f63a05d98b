import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/shared/errors.js';
import { changedTables } from '../support/vault-digest.js';
import { type CliCase, checkFuzzTables, cliCases, commandSpecs, importPaths } from './cli-inputs.js';
import { type CliState, type CliWorld, type Output, openCliWorld } from './cli-world.js';
import { CLI_CHILD_RUNS, CLI_CHILD_SAMPLE, CLI_IN_PROCESS_RUNS, assertProperty, testTimeout, timeLimit } from './runs.js';

const STACK = /\n\s+at\s|\bat\s+\S+\s+\(|node:internal|\.[cm]?[jt]s:\d+:\d+/;
const KNOWN = new Set<string>(ERROR_CODES);
/** Exit statuses a kind of case may end with. */
const IN_PROCESS_LIMIT = timeLimit(CLI_IN_PROCESS_RUNS, 40);
const CHILD_LIMIT = timeLimit(Math.max(CLI_CHILD_RUNS, CLI_CHILD_SAMPLE), 1_000);
// A read may also answer 3: `alerts list --fail-on` found an open alert (the fuzz's wrong sign-ins raise some).
const EXITS: Readonly<Record<CliCase['kind'], readonly number[]>> = { usage: [2], environment: [1, 2], wrong: [1, 2], read: [0, 1, 2, 3] };

let world: CliWorld;
let last: CliState;

beforeAll(async () => {
  checkFuzzTables();
  world = await openCliWorld();
  last = await world.state();
}, 180_000);

afterAll(async () => {
  await world?.close();
});

function text(input: string | Uint8Array): string {
  return typeof input === 'string' ? input : Buffer.from(input).toString('latin1');
}

/** Under --json, a refusal is one line: the error envelope (or, for an import with refused rows, its report). */
function checkJson(c: CliCase, out: Output): void {
  const printed = out.stdout.trim().split('\n');
  expect(printed, `one JSON line on stdout, got:\n${out.stdout.slice(0, 500)}`).toHaveLength(1);
  const value = JSON.parse(printed[0] ?? '') as { error?: { code?: string; message?: unknown }; failed?: number };
  if (value.error === undefined) {
    expect(
      c.command === 'import' && out.code === 1 && (value.failed ?? 0) > 0,
      `exit ${out.code} without an error envelope: ${printed[0]?.slice(0, 300)}`,
    ).toBe(true);
    return;
  }
  expect(KNOWN.has(value.error.code ?? ''), `unknown code ${value.error.code}`).toBe(true);
  expect(value.error.code).not.toBe('INTERNAL');
  expect(typeof value.error.message).toBe('string');
  if (out.code === 2) expect(value.error.code).toBe('INVALID_INPUT');
}

/** Without --json, a refusal says why on stderr: `latchkey: … (CODE)`, or a usage message. */
function checkText(c: CliCase, out: Output): void {
  if (out.code === 2) {
    expect(out.stderr, 'a usage message on stderr').toMatch(/^(latchkey: |error: )/m);
    return;
  }
  if (c.command === 'import' && out.stderr.trim() === '') return; // refused rows: the report is on stdout
  const lastLine = out.stderr.trim().split('\n').at(-1) ?? '';
  const code = /\(([A-Z_]+)\)$/.exec(lastLine)?.[1];
  expect(code !== undefined && KNOWN.has(code), `a refusal names its code: ${lastLine.slice(0, 300)}`).toBe(true);
  expect(code).not.toBe('INTERNAL');
}

/**
 * The two commands whose well-formed refusals can end in success: `status` reports a vault that is
 * not there, and an import of a file with no new row (none, or only names that exist) imports nothing.
 */
function finishedWithoutChange(c: CliCase, out: Output): boolean {
  if (c.command === 'status') return true;
  if (c.command !== 'import') return false;
  return c.json ? (JSON.parse(out.stdout) as { imported?: number }).imported === 0 : /^Imported 0 of /m.test(out.stdout);
}

async function runOnce(c: CliCase, runner: 'in-process' | 'child'): Promise<void> {
  for (const path of importPaths(world)) writeFileSync(path, c.importFile);
  const before = last;
  const out = runner === 'in-process' ? await world.inProcess(c.argv, c.stdin) : await world.child(c.argv, c.stdin);
  last = await world.state();
  const both = `${out.stdout}\n${out.stderr}`;
  const shown = `exit ${out.code}\nstdout: ${out.stdout.slice(0, 600)}\nstderr: ${out.stderr.slice(0, 600)}`;

  expect(
    EXITS[c.kind].includes(out.code ?? -1) || (out.code === 0 && finishedWithoutChange(c, out)),
    `a ${c.kind} case ended with ${shown}`,
  ).toBe(true);
  expect(both, `a stack trace or source location in ${shown}`).not.toMatch(STACK);
  expect(both).not.toMatch(/\(INTERNAL\)|"INTERNAL"|internal error/i);
  if (out.code !== 0) {
    if (c.json) checkJson(c, out);
    else checkText(c, out);
  }
  const sent = `${c.argv.join(' ')}\n${text(c.stdin)}\n${c.command === 'import' ? text(c.importFile) : ''}`;
  expect(world.secrets.leaksIn(both, sent), `secrets in ${shown}`).toEqual([]);
  expect(changedTables(before.vault, last.vault), 'vault tables a refused command changed').toEqual([]);
  expect(last.keychain, 'keychain entries').toEqual(before.keychain);
  expect(last.otherKeychain, 'the other keychain service').toEqual([]);
  expect(last.files, 'files beside the vault').toEqual(before.files);
}

describe('every CLI command, fuzzed', () => {
  const commands = commandSpecs();

  it("finds every command in the CLI's own table", () => {
    expect(commands.length).toBeGreaterThan(30);
  });

  for (const command of commands) {
    it(
      `${command.name}: in-process, refuses usage mistakes, other vaults and wrong values without a trace, a change or a leak`,
      async () => {
        await assertProperty(
          `cli in-process ${command.name}`,
          fc.asyncProperty(cliCases(world, command), (c) => runOnce(c, 'in-process')),
          CLI_IN_PROCESS_RUNS,
          IN_PROCESS_LIMIT,
        );
      },
      testTimeout(IN_PROCESS_LIMIT),
    );
  }

  if (CLI_CHILD_RUNS > 0) {
    for (const command of commands) {
      it(
        `${command.name}: as a child process, the same`,
        async () => {
          await assertProperty(
            `cli child ${command.name}`,
            fc.asyncProperty(cliCases(world, command), (c) => runOnce(c, 'child')),
            CLI_CHILD_RUNS,
            CHILD_LIMIT,
          );
        },
        testTimeout(CHILD_LIMIT),
      );
    }
  } else {
    it(
      `commands drawn at random, as child processes, the same (${CLI_CHILD_SAMPLE} cases)`,
      async () => {
        const anyCommand = fc.constantFrom(...commands).chain((command) => cliCases(world, command));
        await assertProperty(
          'cli child sample',
          fc.asyncProperty(anyCommand, (c) => runOnce(c, 'child')),
          CLI_CHILD_SAMPLE,
          CHILD_LIMIT,
        );
      },
      testTimeout(CHILD_LIMIT),
    );
  }
});

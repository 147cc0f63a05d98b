import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNEL_NAMES, type ChannelName } from '../../src/shared/contract.js';
import { ERROR_CODES } from '../../src/shared/errors.js';
import type { Result } from '../../src/shared/result.js';
import { AUDITOR } from '../support/auditor.js';
import { type VaultDigest, changedTables, digestVault } from '../support/vault-digest.js';
import { type FuzzCase, casesFor } from './ipc-inputs.js';
import { PERSONAS, type IpcWorld, openIpcWorld } from './ipc-world.js';
import { FUZZ_RUNS, assertProperty, testTimeout, timeLimit } from './runs.js';
import { textOf } from './secrets.js';

/** What a stack trace or a source location looks like in a message. */
const STACK = /\n\s+at\s|\bat\s+\S+\s+\(|node:internal|\.[cm]?[jt]s:\d+/;

/** The built-in prototypes a request could try to pollute through `__proto__` or `constructor`. */
function prototypes(): string {
  return [Object.prototype, Array.prototype, Function.prototype, String.prototype]
    .map((proto) => Object.getOwnPropertyNames(proto).sort().join(','))
    .join('|');
}

const LIMIT = timeLimit(FUZZ_RUNS, 10);

let world: IpcWorld;
let keychainAtStart: string[];
/** The vault as the last case left it: nothing else writes between cases, so it is the next case's "before". */
let lastDigest: VaultDigest;
const pristinePrototypes = prototypes();

beforeAll(async () => {
  world = await openIpcWorld();
  keychainAtStart = await world.keychainEntries();
  lastDigest = digestVault(world.reader);
}, 120_000);

afterAll(async () => {
  await world?.close();
});

async function answerOnce(channel: ChannelName, c: FuzzCase): Promise<void> {
  const connection = world.connections[c.persona];
  const before = { digest: lastDigest, connection: { ...connection } };
  let answer: Result<unknown>;
  try {
    answer = await world.router.route(connection, channel, c.input);
  } catch (error) {
    throw new Error(`the router threw instead of answering: ${error instanceof Error ? error.stack : String(error)}`, { cause: error });
  }
  const text = textOf(answer);
  expect(typeof answer === 'object' && answer !== null && typeof answer.ok === 'boolean', `not an envelope: ${text.slice(0, 200)}`).toBe(
    true,
  );
  if (answer.ok) throw new Error(`a ${c.kind} request from ${c.persona} was accepted: ${text.slice(0, 400)}`);
  const { code, message } = answer.error;
  expect(ERROR_CODES, `unknown code in ${text.slice(0, 200)}`).toContain(code);
  expect(code, `an unexpected failure: ${message}`).not.toBe('INTERNAL');
  if (c.expect !== null) expect(code, message).toBe(c.expect);
  expect(typeof message).toBe('string');
  expect(message).not.toMatch(STACK);
  expect(world.secrets.leaksIn(text, textOf(c.input)), 'secrets in the answer').toEqual([]);
  lastDigest = digestVault(world.reader);
  expect(changedTables(before.digest, lastDigest), 'tables a refusal changed').toEqual([]);
  expect({ ...connection }, "the window's session").toEqual(before.connection);
  expect(prototypes(), 'built-in prototypes').toBe(pristinePrototypes);
  expect(world.reader.prepare('SELECT count(*) AS n FROM sign_in_checks').get(), 'password checks left reserved').toEqual({ n: 0 });
}

describe('every IPC channel, fuzzed through the real router with a real vault', () => {
  it('has a case for every channel of the contract', () => {
    expect(CHANNEL_NAMES.length).toBeGreaterThan(30);
  });

  for (const channel of CHANNEL_NAMES) {
    it(
      `${channel}: refuses malformed, unauthorised and wrong input with a typed error, changes nothing, leaks nothing`,
      async () => {
        const kinds = { malformed: 0, unauthorised: 0, wrong: 0 };
        await assertProperty(
          `ipc ${channel}`,
          fc.asyncProperty(casesFor(world, channel, PERSONAS), async (c) => {
            kinds[c.kind] += 1;
            await answerOnce(channel, c);
          }),
          FUZZ_RUNS,
          LIMIT,
        );
        expect(kinds.malformed).toBeGreaterThan(0);

        // What a run of refusals may append, it must append as a chain that still verifies.
        expect(await world.engine.audit.verify(AUDITOR)).toMatchObject({ intact: true });
        const log = [...world.engine.audit.exportLines(AUDITOR)].join('');
        expect(world.secrets.leaksIn(log, ''), 'secrets in the audit log').toEqual([]);
        expect(await world.keychainEntries(), 'keychain entries').toEqual(keychainAtStart);
      },
      testTimeout(LIMIT),
    );
  }
});

import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt } from '../support/cli.js';

beforeAll(assertCliBuilt);

/**
 * Several programs opening one new vault at the same moment (the app and a script): the file
 * exists, empty, and each one checks it and makes it WAL while another is making its schema.
 * Threads rather than processes, so hundreds of rounds start within a millisecond of each other;
 * each thread has its own SQLite connection, as a process would.
 */
describe('a new, empty vault file opened by several threads at once', () => {
  const THREADS = 4;
  const ROUNDS = 200;
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-first-open-'));
  let workers: Worker[] = [];

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.terminate()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('is opened by every one of them, with no SQLITE_BUSY and no "another program\'s database"', async () => {
    const barrier = new SharedArrayBuffer(8);
    const module = pathToFileURL(resolve('out/node/main/store/database.js')).href;
    workers = Array.from(
      { length: THREADS },
      () => new Worker(resolve('test/support/first-open-worker.mjs'), { workerData: { module, barrier, threads: THREADS } }),
    );
    const refusals: string[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const path = join(dir, `vault-${round}.db`);
      // The state `init` leaves between making the file and making its schema.
      closeSync(openSync(path, 'wx', 0o600));
      const answers = await Promise.all(
        workers.map(
          (worker) =>
            new Promise<string>((answer) => {
              worker.once('message', answer);
              worker.postMessage({ path, round });
            }),
        ),
      );
      refusals.push(...answers.filter((answer) => answer !== 'opened'));
    }
    expect(refusals).toEqual([]);
  }, 120_000);
});

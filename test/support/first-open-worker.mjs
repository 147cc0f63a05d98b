// One of several threads opening the same brand-new vault file at once (test/engine/first-open.test.ts).
// Each round: wait for the path, wait at the barrier until every thread is there, open, report.
import { parentPort, workerData } from 'node:worker_threads';

const { module, barrier, threads } = workerData;
const { openDatabase } = await import(module);
const gate = new Int32Array(barrier);

parentPort.on('message', ({ path, round }) => {
  // The barrier counts arrivals; the last to arrive opens the gate for the round.
  if (Atomics.add(gate, 0, 1) + 1 === threads * (round + 1)) {
    Atomics.store(gate, 1, round + 1);
    Atomics.notify(gate, 1);
  } else {
    while (Atomics.load(gate, 1) < round + 1) Atomics.wait(gate, 1, round, 1000);
  }
  try {
    const { db } = openDatabase(path, { create: true });
    db.close();
    parentPort.postMessage('opened');
  } catch (error) {
    parentPort.postMessage(error instanceof Error ? error.message : String(error));
  }
});

// A process that takes the data folder's lock, for lock.test.ts: prints "loaded", then (with GO=1)
// waits for a line on stdin before trying; prints "won <pid>" or "refused <message>", then holds the
// store until stdin ends.
import { createInterface } from 'node:readline';
import { openStore } from '../../server/stores/index.js';

const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
console.log('loaded');
if (process.env.GO) await lines.next();
try {
  const store = await openStore({ file: process.env.DATA_FILE! });
  console.log(`won ${process.pid}`);
  while (!(await lines.next()).done);
  await store.close();
} catch (error) {
  console.log(`refused ${(error as Error).message}`);
}
// stdin may stay open (a refused starter is not told to stop).
process.exit(0);

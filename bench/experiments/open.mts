/**
 * The embedded store's start-up alone: opens a copy of a data folder (the events bench's, with its
 * 1,000,000 events, say) three times and prints how long each open took. SERVER=1 starts the built
 * server on it instead, timed from spawn to its first 200 on /health (as the events bench's E3).
 * IMAGE=1 opens and closes the copy first, so that each timed start has the start image of a clean stop.
 *   node --import tsx bench/experiments/open.mts /tmp/user-badges-bench/runs/events-.../lowdb/db.json [rounds]
 */
import { cp, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { LowdbStore } from '../../server/stores/lowdb/lowdb-store.ts';
import { startServer } from '../lib/servers.ts';

const source = process.argv[2]!;
const copy = join('/tmp', `open-${process.pid}`);
for (let round = 0; round < Number(process.argv[3] ?? 3); round++) {
  await rm(copy, { recursive: true, force: true });
  await cp(dirname(source), copy, { recursive: true });
  if (process.env.IMAGE) await (await LowdbStore.open({ file: join(copy, basename(source)) })).close();
  if (process.env.SERVER) {
    const server = await startServer({ file: join(copy, basename(source)) }, { env: { REQUEST_LOG: 'off' }, nodeFlags: process.env.PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/pgx/prof-open'] : [] });
    console.log(`server up in ${server.startupMs.toFixed(0)} ms; rss ${server.memory().rssMB.toFixed(0)} MB`);
    await server.stop();
    continue;
  }
  const started = performance.now();
  const store = await LowdbStore.open({ file: join(copy, basename(source)) });
  const ms = performance.now() - started;
  console.log(`open ${ms.toFixed(0)} ms; heap ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB, rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`);
  await store.close();
}
await rm(copy, { recursive: true, force: true });

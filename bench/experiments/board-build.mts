/** How long the embedded store's first leaderboard reads take, and how long the event loop stalls meanwhile. Run: node --import tsx bench/experiments/board-build.mts <db.json> */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { LowdbStore } from '../../server/stores/lowdb/lowdb-store.js';
import { currentStart } from '../../server/core/standings.js';

const store = await LowdbStore.open({ file: process.argv[2]! });
const now = new Date();
const badges = (await store.listBadges('bench')).map((b) => b.name);
const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();
for (const [period, badge] of [['all'], ['month'], ['week'], ['all', badges[0]], ['month', badges[1]]] as const) {
  for (const pass of ['first', 'again']) {
    const t = performance.now();
    await store.board('bench', { period, start: currentStart(period, now), badge }, null, 25);
    console.log(`${period}${badge ? ' ' + badge : ''} ${pass}: ${(performance.now() - t).toFixed(1)} ms`);
  }
}
const t = performance.now();
await store.holdersPage('bench', badges[0]!, null, 25);
console.log(`holders first: ${(performance.now() - t).toFixed(1)} ms`);
delay.disable();
console.log(`event loop delay max ${(delay.max / 1e6).toFixed(0)} ms`);
await store.close();

/**
 * Where a growing embedded store's resident memory goes: grows a service to <users> users (three
 * awards each, through the domain, as grown-data.mts) with the server's heap setting, then prints
 * resident memory, the V8 heap by space, and the same after a full collection.
 *   node --expose-gc --import tsx bench/experiments/grown-memory.mts /tmp/pgx/gm/db.json [users]
 */
import { getHeapSpaceStatistics } from 'node:v8';
import { composeDomain } from '../../server/app/domain.js';
import { keepHeapNearData } from '../../server/config/heap.js';
import { openStore } from '../../server/stores/index.js';
import { generate } from '../generate.js';

keepHeapNearData();
const [file, count = '100000'] = process.argv.slice(2);
const data = await generate({ file: file!, users: 1 });
const store = await openStore({ file: file! });
const domain = composeDomain(store);
const MB = (n: number) => (n / 1e6).toFixed(0);
const report = (label: string) => {
  const m = process.memoryUsage();
  const spaces = getHeapSpaceStatistics().map((s) => `${s.space_name.replace('_space', '')} ${MB(s.space_used_size)}/${MB(s.space_size)}`);
  console.log(`${label}: rss ${MB(m.rss)} heapTotal ${MB(m.heapTotal)} heapUsed ${MB(m.heapUsed)} external ${MB(m.external)} arrayBuffers ${MB(m.arrayBuffers)}\n  ${spaces.join(', ')}`);
};
for (let start = 0; start < Number(count); start += 50) {
  const writes: Promise<unknown>[] = [];
  for (let i = start; i < Math.min(Number(count), start + 50); i++) for (const badge of data.badges.slice(0, 3)) writes.push(domain.award(data.service, `grow-${i}`, [badge]));
  await Promise.all(writes);
  if (start % 25_000 === 0) report(`${start} users`);
}
report('grown');
(globalThis as { gc?: () => void }).gc!();
report('after a full collection');
await store.close();

/** What the embedded store's memory holds, part by part: opens a data folder and drops its parts one by one. */
import { LowdbStore } from '../../server/stores/lowdb/lowdb-store.js';
const gc = (globalThis as { gc?: () => void }).gc!;
const used = () => (gc(), process.memoryUsage().heapUsed / 1e6);
const t = performance.now();
const store = await LowdbStore.open({ file: process.argv[2]! });
await store.checkpoint();
console.log('open ms', (performance.now() - t).toFixed(0), 'rss', (process.memoryUsage().rss / 1e6).toFixed(0));
const state = (store as unknown as { state: { services: Map<string, { items: Map<string, { size: number }>; users: { size: number } | null; holders: Map<string, unknown> }> } }).state;
let before = used();
console.log('heap used', before.toFixed(0), 'MB');
for (const [name, service] of state.services) {
  for (const kind of [...service.items.keys()]) {
    const size = service.items.get(kind)!.size;
    service.items.delete(kind);
    const now = used();
    console.log(`${name}/${kind}: ${size} items, ${(before - now).toFixed(1)} MB, ${(((before - now) * 1e6) / Math.max(1, size)).toFixed(0)} B each`);
    before = now;
  }
  const users = service.users!.size;
  service.users = null;
  service.holders.clear();
  (store as unknown as { snapshots: { shardMembers: Map<string, unknown> } }).snapshots.shardMembers.clear();
  const now = used();
  console.log(`${name}: ${users} users, ${(before - now).toFixed(1)} MB, ${(((before - now) * 1e6) / Math.max(1, users)).toFixed(0)} B each`);
  before = now;
}
console.log('rest', before.toFixed(0), 'MB');
process.exit(0);

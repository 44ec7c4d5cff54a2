/**
 * Bytes per item of an ItemIndex filled as a start fills it (from file places):
 *   node --expose-gc --import tsx bench/experiments/index-mem.mts [items/<service>/<kind>/<hour>.jsonl]
 * Without a file, 300,000 made-up activity lines of 100,000 owners.
 */
import { readFileSync } from 'node:fs';
import { ItemIndex } from '../../server/stores/lowdb/item-index.ts';
const gc = (globalThis as { gc?: () => void }).gc!;
const used = () => (gc(), gc(), process.memoryUsage().heapUsed);
const made = (i: number) => JSON.stringify({ kind: 'activity', id: Math.random().toString(36).slice(2, 14), owner: `grow-${Math.floor(i / 3)}`, subject: `grow-${Math.floor(i / 3)}`, at: new Date(1.7e12 + i * 7).toISOString(), v: { type: 'award', badge: 'x', count: 1 } });
const lines = process.argv[2] ? readFileSync(process.argv[2], 'utf8').split('\n').filter(Boolean).map((l) => Buffer.from(l).toString()) : Array.from({ length: 300_000 }, (_, i) => Buffer.from(made(i)).toString());
const file = { path: 'x' } as never;
(globalThis as { lines?: unknown }).lines = lines;
let index: ItemIndex | null = new ItemIndex('activity');
let offset = 0;
for (const line of lines) {
  const item = JSON.parse(line);
  index.put(item, { file, offset, length: line.length });
  offset += line.length + 1;
}
index.settle();
const after = used();
index = null;
const before = used();
console.log(`${((after - before) / lines.length).toFixed(0)} B per item (${lines.length} items)`);

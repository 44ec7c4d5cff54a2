/** A data folder as issue 25's check leaves it: a service of N users given three badges each, made through the domain. */
import { composeDomain } from '../../server/app/domain.js';
import { openStore } from '../../server/stores/index.js';
import { generate } from '../generate.js';

const [file, count = '100000'] = process.argv.slice(2);
const data = await generate({ file: file!, users: 1 });
const store = await openStore({ file: file! });
const domain = composeDomain(store);
const started = performance.now();
for (let start = 0; start < Number(count); start += 1000) {
  const writes: Promise<unknown>[] = [];
  for (let i = start; i < Math.min(Number(count), start + 1000); i++) for (const badge of data.badges.slice(0, 3)) writes.push(domain.award(data.service, `grow-${i}`, [badge]));
  await Promise.all(writes);
}
console.log(`${Number(count) * 3} awards in ${((performance.now() - started) / 1000).toFixed(1)} s`);
await store.close();

/**
 * Issue 25's outside check, as an experiment: a fresh embedded store, a service growing from 0 to N users,
 * each given three badges (three PUTs) by 50 clients at once. Prints awards/s and memory.
 *   node --import tsx bench/experiments/grow.ts [--users 100000] [--prof DIR]
 */
import autocannon from 'autocannon';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generate } from '../generate.js';
import { startServer } from '../lib/servers.js';

const { values } = parseArgs({ options: { users: { type: 'string', default: '100000' }, prof: { type: 'string' }, heap: { type: 'boolean' } } });
const users = Number(values.users);
const dir = await mkdtemp(join(tmpdir(), 'grow-'));
const data = await generate({ file: join(dir, 'db.json'), users: 1 });
const nodeFlags = values.prof ? ['--cpu-prof', `--cpu-prof-dir=${values.prof}`] : [];
const server = await startServer({ file: data.file }, { nodeFlags });
console.log(`started in ${server.startupMs.toFixed(0)} ms, RSS ${server.memory().rssMB.toFixed(0)} MB`);
const badges = data.badges.slice(0, 3);
let k = 0;
const samples: number[] = [];
const sampler = setInterval(() => samples.push(server.memory().rssMB), 500);
const t0 = performance.now();
const result = await autocannon({
  url: server.url,
  connections: 50,
  amount: users * 3,
  timeout: 10,
  headers: { authorization: data.key, 'content-type': 'application/json' },
  requests: [
    {
      method: 'PUT',
      setupRequest: (request) => {
        const i = k++;
        return { ...request, method: 'PUT', path: `/v1/${data.service}/users/grow-${Math.floor(i / 3)}.json`, body: JSON.stringify({ badges: [badges[i % 3]] }) };
      },
    },
  ],
});
const seconds = (performance.now() - t0) / 1000;
clearInterval(sampler);
const mem = server.memory();
console.log(`${result['2xx']} awards (non2xx ${result.non2xx}, errors ${result.errors}) in ${seconds.toFixed(1)} s: ${(result['2xx'] / seconds).toFixed(0)} awards/s; p99 ${result.latency.p99} ms`);
console.log(`RSS now ${mem.rssMB.toFixed(0)} MB, peak ${mem.hwmMB.toFixed(0)} MB; samples ${samples.filter((_, i) => i % 10 === 0).map((n) => n.toFixed(0)).join(' ')}`);
if (values.heap) {
  process.kill(server.pid, 'SIGUSR2');
}
await server.stop();
console.log(dir);

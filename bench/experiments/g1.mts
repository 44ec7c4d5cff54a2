/**
 * G1 alone: a fresh embedded store, a service growing to <users> users, three awards each, 50 clients.
 *   node --import tsx /tmp/pgx/g1.mts [users] ; PROF=1 writes the server's CPU profile to /tmp/pgx/prof-g1; FLAGS="..." passes node flags to the server; SERVER_ENV='{"K":"v"}' adds to its environment
 */
import { readFileSync, rmSync } from 'node:fs';
import { generate } from '../generate.ts';
import { startServer } from '../lib/servers.ts';
import { runLoad } from '../load.ts';

const users = Number(process.argv[2] ?? 100_000);
const dir = `/tmp/pgx/g1-${process.pid}`;
const empty = await generate({ file: `${dir}/db.json`, users: 1 });
const flags = process.env.PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/pgx/prof-g1'] : process.env.HEAPPROF ? ['--heap-prof', '--heap-prof-dir=/tmp/pgx/heap-g1', '--heap-prof-interval=65536'] : process.env.GC ? ['--trace-gc'] : process.env.FLAGS ? process.env.FLAGS.split(' ') : [];
const server = await startServer({ file: empty.file }, { env: { REQUEST_LOG: 'off', ...(process.env.SERVER_ENV ? JSON.parse(process.env.SERVER_ENV) : {}) }, nodeFlags: flags });
try {
  const r = await runLoad({ title: 'g1', url: server.url, connections: 50, duration: 3600, writes: { service: empty.service, key: empty.key, users, badges: empty.badges, seed: 25, grow: { perUser: 3 } } });
  const m = server.memory();
  if (process.env.SMAPS) {
    // Resident memory by mapping: malloc's heap, anonymous maps (V8's pages, large allocations), files.
    const by = new Map<string, number>();
    let name = '';
    for (const line of readFileSync(`/proc/${server.pid}/smaps`, 'utf8').split('\n')) {
      const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
      if (head) name = head[1]!.startsWith('/') ? 'file' : head[1] || 'anon';
      const rss = /^Rss:\s+(\d+) kB/.exec(line);
      if (rss) by.set(name, (by.get(name) ?? 0) + Number(rss[1]));
    }
    console.log([...by].map(([k, v]) => `${k} ${(v / 1024).toFixed(0)} MB`).join(', '));
  }
  console.log(`${r.ok} awards in ${r.seconds.toFixed(1)} s: ${(r.ok / r.seconds).toFixed(0)}/s p50 ${r.latency.p50} p99 ${r.latency.p99} non2xx ${r.non2xx} errors ${r.errors}; peak ${m.hwmMB.toFixed(0)} MB, now ${m.rssMB.toFixed(0)} MB`);
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}

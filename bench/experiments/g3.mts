/**
 * Where a cached read's time goes in the real server: 10,000 users (cached generator), the reads of
 * figure 1 for <seconds> s under --cpu-prof (profile in /tmp/pgx/prof-g3), and the server's CPU per response.
 *   node --import tsx bench/experiments/g3.mts [seconds]   (needs a current `npm run build`)
 * QUERY=&tags=community,staff appends that to every read (the other variants of G3).
 */
import { rmSync } from 'node:fs';
import { cpuTime } from '../lib/measure.ts';
import { readPaths, readSpec } from '../lib/api.ts';
import { generateCached } from '../generate.ts';
import { startServer } from '../lib/servers.ts';
import { runLoad } from '../load.ts';

const seconds = Number(process.argv[2] ?? 10);
const dir = `/tmp/pgx/g3-${process.pid}`;
const data = await generateCached({ file: `${dir}/db.json`, users: 10_000 });
const flags = process.env.PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/pgx/prof-g3'] : [];
const server = await startServer({ file: data.file }, { env: { REQUEST_LOG: process.env.REQUEST_LOG ?? 'off' }, nodeFlags: flags });
try {
  const spec = readSpec(server.url, readPaths(data, 1).map((p) => p + (process.env.QUERY ?? "")), 'g3', 50);
  await runLoad({ ...spec, duration: 2 });
  const before = cpuTime(server.pid)!;
  const r = await runLoad({ ...spec, duration: seconds });
  const after = cpuTime(server.pid)!;
  const us = ((after.user + after.system - before.user - before.system) * 1000) / r.ok;
  console.log(`${(r.ok / r.seconds).toFixed(0)} req/s; server ${us.toFixed(1)} us CPU per response; p99 ${r.latency.p99} ms`);
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}

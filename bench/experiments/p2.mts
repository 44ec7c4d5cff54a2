/**
 * P2 taken apart: two instances on a copy of live<users>, 25 + 25 award clients as the bench's,
 * each instance's queries counted and timed per batch (qtrace.mjs).
 *   node --import tsx /tmp/pgx/p2.mts postgres://.../postgres 100000 [seconds]
 */
import autocannon from 'autocannon';
import pg from 'pg';
import { serviceKey, userNames } from '../generate.ts';
import { startServer } from '../lib/servers.ts';

const base = process.argv[2]!;
const users = Number(process.argv[3] ?? 100_000);
const seconds = Number(process.argv[4] ?? 15);
const clone = `t${Date.now()}`;
const admin = new pg.Client({ connectionString: base });
await admin.connect();
await admin.query(`CREATE DATABASE ${clone} TEMPLATE live${users}`);
const database = base.replace(/\/postgres$/, `/${clone}`);
const names = userNames(users);
const key = serviceKey(users);
const flags = ['--import', new URL('./qtrace.mjs', import.meta.url).pathname, ...(process.env.PROF ? ['--cpu-prof', `--cpu-prof-dir=/tmp/pgx/prof-p2`] : [])];
const servers = await Promise.all([0, 1].map(() => startServer({ database }, { env: { REQUEST_LOG: 'off', ...(process.env.QDUMP ? { QDUMP: process.env.QDUMP } : {}) }, nodeFlags: flags })));
try {
  const badges = ((await (await fetch(`${servers[0]!.url}/v1/bench/badges.json`)).json()) as { badges: { name: string }[] }).badges.map((b) => b.name);
  let s = 7;
  let created = 0;
  const run = (url: string, duration: number) => autocannon({
    url, connections: 25, duration,
    headers: { authorization: key, 'content-type': 'application/json' },
    requests: [{ method: 'PUT', setupRequest: (q: Record<string, unknown>) => { s = (s * 48271) % 2147483647; const name = s % 20 === 0 ? `bench-new-p2-${process.pid}-${created++}` : names[s % names.length]!; return { ...q, method: 'PUT', path: `/v1/bench/users/${encodeURIComponent(name)}.json`, body: JSON.stringify({ badges: [badges[s % badges.length]] }) }; } }],
  });
  await Promise.all(servers.map((sv) => run(sv.url, 3)));
  for (const sv of servers) process.kill(sv.pid, 'SIGUSR2');
  await new Promise((r) => setTimeout(r, 300));
  const marks = servers.map((sv) => sv.output().length);
  const results = await Promise.all(servers.map((sv) => run(sv.url, seconds)));
  const rate = results.reduce((a, r) => a + r.requests.total, 0) / seconds;
  console.log(`awards ${rate.toFixed(0)}/s; p50 ${results.map((r) => r.latency.p50)} p99 ${results.map((r) => r.latency.p99)}; non2xx ${results.map((r) => r.non2xx)} errors ${results.map((r) => r.errors)}`);
  for (const sv of servers) process.kill(sv.pid, 'SIGUSR2');
  await new Promise((r) => setTimeout(r, 500));
  servers.forEach((sv, i) => console.log(`--- instance ${i} (since warm-up; counts are cumulative)\n` + sv.output().slice(marks[i]).split('\n').filter((l) => l.includes('qtrace') || l.startsWith('  ')).join('\n')));
} finally {
  await Promise.all(servers.map((sv) => sv.stop()));
  await admin.query(`DROP DATABASE ${clone} WITH (FORCE)`);
  await admin.end();
}

/**
 * The live bench's PL4 taken apart: each leaderboard path alone, its plan, then each path's server
 * time under the bench's load (8 award clients, 8 read clients). Works on a copy of a database that
 * holds the bench's data set, so that the import (6 minutes at 100,000 users) is made once:
 *
 *   npx user-badges import <the bench's export>.jsonl --database postgres://.../live100000
 *   node --import tsx bench/experiments/pl4.mts postgres://.../postgres 100000 [analyze]
 *
 * The first argument is any database of that server (the copy is made and dropped from it);
 * `analyze` runs ANALYZE on the copy first. GC=1 prints the server's longer collections, PROF=1
 * writes its CPU profile to /tmp/pgx/prof-pl4.
 */
import autocannon from 'autocannon';
import pg from 'pg';
import { serviceKey, userNames } from '/work/main/bench/generate.ts';
import { startServer } from '/work/main/bench/lib/servers.ts';
import { boardQuery } from '/work/main/server/stores/postgres/postgres-store.ts';
import { currentStart } from '/work/main/server/core/standings.ts';

const base = process.argv[2]!;
const users = Number(process.argv[3] ?? 100_000);
const clone = `t${Date.now()}`;
const admin = new pg.Client({ connectionString: base });
await admin.connect();
await admin.query(`CREATE DATABASE ${clone} TEMPLATE live${users}`);
const database = base.replace(/\/postgres$/, `/${clone}`);
const names = userNames(users);
const key = serviceKey(users);
if (process.argv[4] === 'analyze') {
  const c = new pg.Client({ connectionString: database });
  await c.connect();
  await c.query('ANALYZE');
  await c.end();
}
const server = await startServer({ database }, { env: { REQUEST_LOG: 'off' }, nodeFlags: process.env.GC ? ['--trace-gc'] : process.env.PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/pgx/prof-pl4'] : [] });
try {
  const badges = ((await (await fetch(`${server.url}/v1/bench/badges.json`)).json()) as { badges: { name: string }[] }).badges.map((b) => b.name);
  const boards = ['period=all', 'period=month', 'period=week', `badge=${badges[0]}`, `badge=${badges[1]}&period=month`];
  const paths: string[] = [];
  for (const board of boards) {
    const path = `/v1/bench/leaderboard.json?${board}&limit=25`;
    paths.push(path);
    const first = (await (await fetch(server.url + path)).json()) as { next?: string };
    if (first.next) paths.push(`${path}&cursor=${encodeURIComponent(first.next)}`);
  }
  const serverTime = async (path: string) => {
    const r = await fetch(server.url + path);
    await r.arrayBuffer();
    return Number(r.headers.get('x-response-time')?.replace('ms', ''));
  };
  const pct = (xs: number[], p: number) => xs.sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;
  console.log('alone, 50 each, server time p50/max:');
  for (const path of paths) {
    const times: number[] = [];
    for (let i = 0; i < 50; i++) times.push(await serverTime(path));
    console.log(`  ${pct(times, 50)} / ${pct(times, 100)} ms  ${path.slice(25, 110)}`);
  }
  const db = new pg.Client({ connectionString: database });
  await db.connect();
  const now = new Date();
  for (const [period, badge] of [['all'], ['month'], ['week'], ['all', badges[0]], ['month', badges[1]]] as const) {
    const { text, values } = boardQuery('bench', period, currentStart(period, now), badge, null, 26);
    const plan = await db.query(`EXPLAIN (ANALYZE, BUFFERS) ${text}`, values);
    console.log(`\n${period} ${badge ?? ''}:\n` + plan.rows.map((r) => '  ' + r['QUERY PLAN']).join('\n'));
  }
  let seed = 9;
  let created = 0;
  const writes = autocannon({
    url: server.url,
    connections: 8,
    duration: 12,
    headers: { authorization: key, 'content-type': 'application/json' },
    requests: [{ method: 'PUT', setupRequest: (q: Record<string, unknown>) => { seed = (seed * 48271) % 2147483647; const name = seed % 20 === 0 ? `bench-new-x-${created++}` : names[seed % names.length]!; return { ...q, method: 'PUT', path: `/v1/bench/users/${encodeURIComponent(name)}.json`, body: JSON.stringify({ badges: [badges[seed % badges.length]] }) }; } }],
  });
  await new Promise((r) => setTimeout(r, 1000));
  const reads = autocannon({ url: server.url, connections: 8, duration: 10, requests: paths.map((path) => ({ path })) });
  const sampled = new Map<string, number[]>(paths.map((p) => [p, []]));
  const sampling = (async () => {
    const end = Date.now() + 9500;
    for (let i = 0; Date.now() < end; i++) {
      const path = paths[i % paths.length]!;
      sampled.get(path)!.push(await serverTime(path));
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const [w, r] = await Promise.all([writes, reads, sampling]);
  console.log(`\nunder load: awards ${w.requests.average}/s p99 ${w.latency.p99}; reads ${r.requests.average}/s p50 ${r.latency.p50} p99 ${r.latency.p99} ms`);
  for (const [path, times] of sampled) console.log(`  server p50 ${pct(times, 50)} p99 ${pct(times, 99)} max ${pct(times, 100)} (${times.length})  ${path.slice(25, 110)}`);
  await db.end();
  if (process.env.GC) console.log(server.output().split('\n').filter((l) => /Mark-Compact|Scavenge/.test(l) && / (\d{2,})\.\d+ \/ /.test(l)).join('\n'));
} finally {
  await server.stop();
  await admin.query(`DROP DATABASE ${clone} WITH (FORCE)`);
  await admin.end();
}

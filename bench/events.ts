/**
 * Figures of issue 9: events ingested per second with 20 rules active on a 100,000-user service
 * that holds 1,000,000 stored events, the p99 of reads meanwhile, and (embedded store) the resident
 * memory with those events. On lowdb (one server) and PostgreSQL (two instances on one database).
 *
 *   node --import tsx bench/events.ts [--store lowdb|postgres|both] [--events 1000000] [--duration 10]
 *
 * Or from `npm run bench -- events`. Alone, it writes bench/results/events.{json,md}.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { composeDomain } from '../server/app/domain.js';
import { KIND } from '../server/core/events/kinds.js';
import { openStore } from '../server/stores/index.js';
import { benchTemp, generateCached, prng, userNames, type Generated } from './generate.js';
import { startPostgres, transfer } from './postgres.js';
import type { Group } from './lib/group.js';
import { startServer } from './lib/servers.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const USERS = 100_000;
const TYPES = [
  { source: 'issueTracker', type: 'task', action: 'close' },
  { source: 'issueTracker', type: 'task', action: 'reopen' },
  { source: 'ci', type: 'build', action: 'failed' },
  { source: 'crm', type: 'call', action: 'made' },
];
/** rssMB and startupMs: issue 25's (it was 600 MB and no start-up target). */
const TARGETS = { lowdbRate: 2000, pgRate: 1000, p99Ms: 50, rssMB: 500, startupMs: 2000 };

export interface EventFigure {
  id: string;
  figure: string;
  measured: string;
  target: string;
  pass: boolean | null;
}

const log = (message: string) => console.error(`[events] ${message}`);

/** 1M events over the 60 days before `end`, in time order, for random users; written in units of 5,000. */
export async function storeEvents(target: { file: string } | { database: string }, service: string, count: number, end: number): Promise<number> {
  const started = performance.now();
  const store = await openStore({ ...target, ...('file' in target ? { checkpointBytes: Number.MAX_SAFE_INTEGER } : {}) });
  const domain = composeDomain(store, { now: () => end });
  const names = userNames(USERS);
  const random = prng(9);
  const span = 60 * 86_400_000;
  try {
    await domain.run(service, async (tx) => {
      for (const t of TYPES) tx.put({ t: 'item', s: service, v: { kind: KIND.eventType, id: `${t.source}/${t.type}/${t.action}`, owner: null, at: new Date(end - span).toISOString(), v: t } });
    });
    const UNIT = 5000;
    const writes: Promise<unknown>[] = [];
    for (let start = 0; start < count; start += UNIT) {
      writes.push(
        domain.run(service, async (tx) => {
          for (let i = start; i < Math.min(count, start + UNIT); i++) {
            const t = TYPES[Math.floor(random() * TYPES.length)]!;
            const v = { t: `${t.source}/${t.type}/${t.action}`, ...(i % 4 === 0 ? { p: `Task ${i}` } : {}), ...(i % 8 === 0 ? { d: { priority: i % 16 === 0 ? 'high' : 'low' } } : {}) };
            tx.put({ t: 'item', s: service, v: { kind: KIND.event, id: `h${i}`, owner: names[Math.floor(random() * USERS)]!, at: new Date(end - span + Math.floor((i / count) * span)).toISOString(), v } });
          }
        }),
      );
      if (writes.length >= 4) await Promise.all(writes.splice(0));
    }
    await Promise.all(writes);
  } finally {
    await store.close();
  }
  if ('database' in target) {
    // What autovacuum would do shortly after a bulk load; without it the planner knows nothing of a million rows.
    const client = new pg.Client({ connectionString: target.database });
    await client.connect();
    await client.query('ANALYZE items');
    await client.end();
  }
  return performance.now() - started;
}

/** 20 rules over the four types: counts ever and in windows, repeatable, first, days, data, meta-badges. */
function rules(badges: string[]) {
  const [a, b, c, d, e, f, g, h] = badges as [string, string, string, string, string, string, string, string];
  const ty = (i: number) => [TYPES[i]!];
  return [
    { badge: a, condition: 'first', eventTypes: ty(0) },
    { badge: b, condition: 'first', eventTypes: ty(2) },
    { badge: c, condition: 'first', eventTypes: ty(3) },
    { badge: a, condition: 'count', eventTypes: ty(0), count: 10 },
    { badge: b, condition: 'count', eventTypes: ty(0), count: 5, repeatable: true },
    { badge: c, condition: 'count', eventTypes: ty(1), count: 3 },
    { badge: d, condition: 'count', eventTypes: ty(2), count: 3, window: 'P7D' },
    { badge: e, condition: 'count', eventTypes: ty(2), count: 5, window: 'P1D', revoke: true },
    { badge: f, condition: 'count', eventTypes: ty(3), count: 2, window: 'P7D', repeatable: true },
    { badge: g, condition: 'count', eventTypes: [TYPES[0]!, TYPES[1]!], count: 20 },
    { badge: h, condition: 'count', eventTypes: ty(0), data: { priority: 'high' }, count: 2 },
    { badge: d, condition: 'days', eventTypes: ty(0), count: 3 },
    { badge: e, condition: 'days', eventTypes: ty(3), count: 5, window: 'P30D' },
    { badge: f, condition: 'days', eventTypes: TYPES, count: 10 },
    { badge: g, condition: 'count', eventTypes: TYPES, count: 50, repeatable: true },
    { badge: h, condition: 'count', eventTypes: ty(1), count: 2, window: 'PT12H' },
    { badge: a, condition: 'count', eventTypes: ty(3), count: 4, window: 'P3D' },
    { badge: b, condition: 'count', eventTypes: ty(2), data: { priority: 'low' }, count: 3 },
    { badge: 'meta-1', condition: 'badges', badges: [a, b] },
    { badge: 'meta-2', condition: 'badges', badges: [c, d, 'meta-1'] },
  ];
}

const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** The built server, REQUEST_LOG off; BENCH_SERVER_FLAGS: node flags for it alone (the generator here needs more memory than it). */
export async function serve(target: { file: string } | { database: string }) {
  const server = await startServer(target, {
    track: (child) => (children.add(child), child),
    nodeFlags: process.env.BENCH_SERVER_FLAGS?.split(' ').filter(Boolean) ?? [],
    env: { REQUEST_LOG: 'off' },
  });
  return { ...server, stop: async (signal?: NodeJS.Signals) => void (await server.stop(signal)) };
}

export async function api(url: string, key: string, method: string, path: string, body?: unknown) {
  const r = await fetch(url + path, { method, headers: { authorization: key, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = await r.json();
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(json)}`);
  return json;
}

interface Ingestion {
  events: number;
  rejected: number;
  awards: number;
  seconds: number;
  rate: number;
  batchP99Ms: number;
  reads: { count: number; p50: number; p99: number; max: number; errors: number };
}

export const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN);

/**
 * `writers` clients per URL post batches of `batch` new events for random users as fast as they are
 * answered, while 10 clients read users.json?names= (3 names) from the last URL; for `seconds`.
 */
async function ingest(urls: string[], data: Generated, seconds: number, writers: number, batch: number, seed: number): Promise<Ingestion> {
  const names = data.userNames;
  const random = prng(seed);
  let events = 0;
  let rejected = 0;
  let awards = 0;
  let next = 0;
  const batchTimes: number[] = [];
  const readTimes: number[] = [];
  let readErrors = 0;
  const end = performance.now() + seconds * 1000;
  const writer = async (url: string, w: number) => {
    while (performance.now() < end) {
      const list = Array.from({ length: batch }, () => {
        const i = next++;
        const t = TYPES[Math.floor(random() * TYPES.length)]!;
        return { eventType: t, id: `live-${seed}-${w}-${i}`, user: names[Math.floor(random() * names.length)], ...(i % 4 === 0 ? { preview: `Live ${i}` } : {}), ...(i % 8 === 0 ? { data: { priority: i % 16 ? 'low' : 'high' } } : {}) };
      });
      const t0 = performance.now();
      const answer = await api(url, data.key, 'POST', `/v1/${data.service}/events.json`, { events: list });
      batchTimes.push(performance.now() - t0);
      events += answer.recorded;
      rejected += answer.rejected;
      for (const e of answer.events) awards += e.awards?.length ?? 0;
    }
  };
  const reader = async (url: string) => {
    const r = prng(seed + 1000);
    while (performance.now() < end) {
      const path = `/v1/${data.service}/users.json?names=${[0, 1, 2].map(() => encodeURIComponent(names[Math.floor(r() * names.length)]!)).join(',')}`;
      const t0 = performance.now();
      const ok = await fetch(url + path).then(async (res) => (await res.arrayBuffer(), res.status === 200), () => false);
      readTimes.push(performance.now() - t0);
      if (!ok) readErrors++;
    }
  };
  const started = performance.now();
  await Promise.all([...urls.flatMap((url) => Array.from({ length: writers }, (_, w) => writer(url, w + urls.indexOf(url) * 100))), ...Array.from({ length: 10 }, () => reader(urls.at(-1)!))]);
  const took = (performance.now() - started) / 1000;
  batchTimes.sort((a, b) => a - b);
  readTimes.sort((a, b) => a - b);
  return {
    events,
    rejected,
    awards,
    seconds: took,
    rate: events / took,
    batchP99Ms: percentile(batchTimes, 99),
    reads: { count: readTimes.length, p50: percentile(readTimes, 50), p99: percentile(readTimes, 99), max: readTimes.at(-1) ?? NaN, errors: readErrors },
  };
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function setUp(url: string, data: Generated) {
  await api(url, data.key, 'PUT', `/v1/${data.service}/badges.json`, { badges: [{ name: 'meta-1' }, { name: 'meta-2' }] });
  for (const rule of rules(data.badges)) await api(url, data.key, 'POST', `/v1/${data.service}/rules.json`, rule);
}

export async function eventFigures(options: { store: 'lowdb' | 'postgres' | 'both'; events: number; duration: number }): Promise<{ figures: EventFigure[]; raw: Record<string, unknown> }> {
  const runDir = join(benchTemp(), 'runs', `events-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`);
  await mkdir(runDir, { recursive: true });
  const figures: EventFigure[] = [];
  const raw: Record<string, unknown> = {};
  const now = Date.now();
  log(`100,000 users (cached generator), then ${fmt(options.events)} stored events`);
  const data = await generateCached({ file: join(runDir, 'lowdb', 'db.json'), users: USERS });
  const writeMs = await storeEvents({ file: data.file }, data.service, options.events, now);
  log(`  events written in ${fmt(writeMs / 1000, 1)} s`);
  raw.generateEventsMs = writeMs;

  if (options.store !== 'postgres') {
    const server = await serve({ file: data.file });
    const idle = server.memory();
    log(`lowdb server with ${fmt(options.events)} events: up in ${fmt(server.startupMs)} ms, RSS ${fmt(idle.rssMB)} MB`);
    await setUp(server.url, data);
    await ingest([server.url], data, 2, 4, 100, 1); // warm-up
    const run = await ingest([server.url], data, options.duration, 4, 100, 2);
    const loaded = server.memory();
    // Killed, so that no start image is left: the next start reads every line and replays the journal.
    await server.stop('SIGKILL');
    const crashed = await serve({ file: data.file });
    await crashed.stop();
    log(`  after kill -9: up in ${fmt(crashed.startupMs)} ms`);
    raw.lowdb = { startupMs: server.startupMs, crashStartupMs: crashed.startupMs, memoryIdle: idle, memoryLoaded: loaded, run };
    figures.push(
      { id: 'E1', figure: `Events ingested, lowdb, 100k users, ${fmt(options.events)} stored events, 20 rules: POST events.json, batches of 100, 4 clients`, measured: `${fmt(run.rate)} events/s (${fmt(run.events)} in ${fmt(run.seconds, 1)} s; ${fmt(run.awards)} awards; batch p99 ${fmt(run.batchP99Ms)} ms; rejected ${run.rejected})`, target: `>= ${fmt(TARGETS.lowdbRate)} events/s`, pass: run.rate >= TARGETS.lowdbRate },
      { id: 'E2', figure: 'Reads during ingestion, lowdb: 10 clients, users.json?names= (3 names)', measured: `p99 ${fmt(run.reads.p99, 1)} ms (p50 ${fmt(run.reads.p50, 1)}, max ${fmt(run.reads.max)}); ${fmt(run.reads.count)} reads, ${run.reads.errors} errors`, target: `p99 <= ${TARGETS.p99Ms} ms`, pass: run.reads.p99 <= TARGETS.p99Ms },
      { id: 'E3', figure: `Resident memory, lowdb, 100k users and ${fmt(options.events)} stored events (VmHWM, start to end)`, measured: `peak ${fmt(loaded.hwmMB)} MB; after start ${fmt(idle.rssMB)} MB, after ingestion ${fmt(loaded.rssMB)} MB; startup ${fmt(server.startupMs)} ms after a clean stop (from the start image), ${fmt(crashed.startupMs)} ms after kill -9`, target: `<= ${TARGETS.rssMB} MB; start-up <= ${fmt(TARGETS.startupMs)} ms`, pass: loaded.hwmMB <= TARGETS.rssMB && server.startupMs <= TARGETS.startupMs },
    );
  }

  if (options.store !== 'lowdb') {
    const postgres = await startPostgres(join(runDir, 'pg'), log);
    try {
      const database = await postgres.createDatabase('events100k');
      log('PostgreSQL: the 100k users through export/import, then the events written directly');
      // The users only: the events go in directly, far faster than through JSON Lines.
      const users = await generateCached({ file: join(runDir, 'users-only', 'db.json'), users: USERS });
      const moved = await transfer(ROOT, users.file, database, join(runDir, 'users.jsonl'), USERS);
      const pgWriteMs = await storeEvents({ database }, data.service, options.events, now);
      log(`  users imported in ${fmt(moved.importMs / 1000, 1)} s, events written in ${fmt(pgWriteMs / 1000, 1)} s`);
      const a = await serve({ database });
      const b = await serve({ database });
      await setUp(a.url, data);
      await ingest([a.url, b.url], data, 2, 2, 100, 3);
      const run = await ingest([a.url, b.url], data, options.duration, 2, 100, 4);
      raw.postgres = { importMs: moved.importMs, writeEventsMs: pgWriteMs, startupMs: { a: a.startupMs, b: b.startupMs }, memory: { a: a.memory(), b: b.memory() }, run };
      await Promise.all([a.stop(), b.stop()]);
      figures.push(
        { id: 'PE1', figure: `Events ingested, PostgreSQL, two instances, 100k users, ${fmt(options.events)} stored events, 20 rules: batches of 100, 2 + 2 clients`, measured: `${fmt(run.rate)} events/s (${fmt(run.events)} in ${fmt(run.seconds, 1)} s; ${fmt(run.awards)} awards; batch p99 ${fmt(run.batchP99Ms)} ms; rejected ${run.rejected})`, target: `>= ${fmt(TARGETS.pgRate)} events/s`, pass: run.rate >= TARGETS.pgRate },
        { id: 'PE2', figure: 'Reads during ingestion, PostgreSQL: 10 clients on instance B', measured: `p99 ${fmt(run.reads.p99, 1)} ms (p50 ${fmt(run.reads.p50, 1)}, max ${fmt(run.reads.max)}); ${fmt(run.reads.count)} reads, ${run.reads.errors} errors`, target: `p99 <= ${TARGETS.p99Ms} ms`, pass: run.reads.p99 <= TARGETS.p99Ms },
      );
    } finally {
      await postgres.stop();
    }
  }
  return { figures, raw };
}

export const events: Group = {
  name: 'events',
  summary: 'Events ingested with 20 rules over 1,000,000 stored events, reads meanwhile, memory (E1-E3; PE1, PE2 on PostgreSQL)',
  figures: ['events'],
  run: (bench) => {
    if (!bench.wants('events')) return Promise.resolve();
    const { lowdb, postgres, quick, duration } = bench.options;
    return eventFigures({ store: lowdb && postgres ? 'both' : lowdb ? 'lowdb' : 'postgres', events: quick ? 100_000 : 1_000_000, duration });
  },
};

export function eventTable(figures: EventFigure[]): string {
  const rows = figures.map((f) => `| ${f.id} | ${f.figure} | ${f.measured} | ${f.target} | ${f.pass === null ? '' : f.pass ? '**PASS**' : '**FAIL**'} |`);
  return ['| # | Figure | Measured | Target | Result |', '|---|---|---|---|---|', ...rows].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({ options: { store: { type: 'string', default: 'both' }, events: { type: 'string', default: '1000000' }, duration: { type: 'string', default: '10' } } });
  const started = new Date();
  const { figures, raw } = await eventFigures({ store: values.store as 'both', events: Number(values.events), duration: Number(values.duration) });
  const table = eventTable(figures);
  console.log(table);
  const out = join(ROOT, 'bench', 'results');
  await writeFile(join(out, 'events.json'), JSON.stringify({ startedAt: started.toISOString(), figures, raw }, null, 2) + '\n');
  await writeFile(join(out, 'events.md'), `Events benchmark (issue 9), ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC\n\n${table}\n`);
  process.exit(0);
}

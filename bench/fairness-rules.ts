/**
 * Figures of issue 18, item 2: one tenant's windowed rule over a long history slows nobody else.
 * Service "busy" has a valid rule that never holds (`count` 1,000,000 in `P520W`) and one user who
 * sends 1,000-event batches; service "quiet" awards badges meanwhile (4 clients, one award each per
 * request). Measured against the built server in a child process, on the embedded store and on
 * PostgreSQL:
 *
 *   F1  a 1,000-event batch once 50,000 events are stored in the window      target <= 200 ms
 *   F2  quiet's award p99 while busy ingests                                    target <= 50 ms
 *   F3  quiet's award p99 while busy previews the rule over its history         target <= 50 ms
 *   F4  quiet's award p99 while busy backfills the rule                         target <= 50 ms
 *
 * F0, quiet's awards with nothing else running, is printed beside them: on a loaded machine it
 * says how much of F2-F4 is the machine's.
 *
 *   npm run bench -- fairness-rules [--store lowdb|postgres|both]   (as R0-R4 beside the other groups)
 *   node --import tsx bench/fairness-rules.ts [--store lowdb|postgres|both] [--stored 50000]
 *
 * Builds the server first when dist/ is older than the sources.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { composeDomain } from '../server/app/domain.js';
import { putEventTypes } from '../server/core/events/event-types.js';
import { createRule } from '../server/core/events/rules.js';
import { openStore } from '../server/stores/index.js';
import { api, eventTable, percentile, serve, type EventFigure } from './events.js';
import { benchTemp } from './generate.js';
import type { Group } from './lib/group.js';
import { startPostgres } from './postgres.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const TARGETS = { batchMs: 200, writeP99Ms: 50 };
const BATCH = 1000;
const close = { source: 'app', type: 'task', action: 'close' };
const KEYS = { busy: 'busy-key-0123456789abcdef', quiet: 'quiet-key-0123456789abcdef' };

const log = (message: string) => console.error(`[fairness-rules] ${message}`);
const fmt = (n: number, digits = 0) => n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Builds dist/ when a server source is newer than the compiled CLI. */
function buildIfStale(): void {
  const cli = join(ROOT, 'dist/server/cli/main.js');
  const newest = (dir: string): number =>
    Math.max(0, ...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newest(join(dir, e.name)) : e.name.endsWith('.ts') ? statSync(join(dir, e.name)).mtimeMs : 0)));
  if (existsSync(cli) && statSync(cli).mtimeMs >= Math.max(newest(join(ROOT, 'server')), newest(join(ROOT, 'types')))) return;
  log('building the server (dist/ is older than the sources)');
  execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'inherit' });
}

/** The two services, written before the server starts: busy with its rule, quiet with a badge. */
async function setUp(target: { file: string } | { database: string }): Promise<void> {
  const store = await openStore(target);
  try {
    const domain = composeDomain(store);
    await domain.createService('busy', KEYS.busy);
    await domain.createService('quiet', KEYS.quiet);
    await domain.putBadges('busy', [{ name: 'veteran', fields: {} }]);
    await domain.putBadges('quiet', [{ name: 'q', fields: {} }]);
    await domain.run('busy', (tx) => putEventTypes(tx, 'busy', [close]));
    await domain.run('busy', (tx) => createRule(tx, 'busy', { badge: 'veteran', condition: 'count', eventTypes: [close], count: 1_000_000, window: 'P520W' }, 'veteran'));
  } finally {
    await store.close();
  }
}

/** Quiet's awards, 4 clients, until `stop()`: each answer's time, sorted. */
function quietWrites(url: string): { stop: () => Promise<number[]> } {
  const times: number[] = [];
  let running = true;
  let n = 0;
  const client = async () => {
    while (running) {
      const started = performance.now();
      await api(url, KEYS.quiet, 'PUT', `/v1/quiet/users/u${n++ % 1000}.json`, { badges: ['q'] });
      times.push(performance.now() - started);
    }
  };
  const clients = Promise.all(Array.from({ length: 4 }, client));
  return {
    async stop() {
      running = false;
      await clients;
      return times.sort((a, b) => a - b);
    },
  };
}

const writeFigure = (times: number[]) => `p99 ${fmt(percentile(times, 99), 1)} ms (p50 ${fmt(percentile(times, 50), 1)}, max ${fmt(times.at(-1) ?? NaN)}; ${fmt(times.length)} awards)`;

async function measure(store: string, target: { file: string } | { database: string }, stored: number): Promise<EventFigure[]> {
  await setUp(target);
  const server = await serve(target);
  const { url } = server;
  const events = (from: number, count: number) =>
    Array.from({ length: count }, (_, i) => ({ eventType: close, id: `e${from + i}`, user: 'ann', at: new Date(Date.now() - 86_400_000 + (from + i) * 1000).toISOString() }));
  try {
    // The same awards with nothing else going on: what the machine gives, for reading the rest.
    const alone = quietWrites(url);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const aloneWrites = await alone.stop();
    log(`${store}: ${fmt(stored)} events for one user, ${fmt(BATCH)} a batch`);
    for (let sent = 0; sent < stored; sent += BATCH) await api(url, KEYS.busy, 'POST', '/v1/busy/events.json', { events: events(sent, BATCH) });

    // F1, F2: five more batches on top of the stored ones, while quiet awards.
    const during = quietWrites(url);
    const batches: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      const answer = await api(url, KEYS.busy, 'POST', '/v1/busy/events.json', { events: events(stored + i * BATCH, BATCH) });
      batches.push(performance.now() - started);
      if (answer.recorded !== BATCH) throw new Error(`a batch recorded ${answer.recorded} events`);
    }
    const ingestWrites = await during.stop();
    batches.sort((a, b) => a - b);

    // F3: previews of the rule over the whole history, while quiet awards.
    const previewing = quietWrites(url);
    const previews: number[] = [];
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      const preview = await api(url, KEYS.busy, 'GET', '/v1/busy/rules/veteran/preview.json');
      previews.push(performance.now() - started);
      if (preview.scanned < stored) throw new Error(`a preview scanned ${preview.scanned} events`);
    }
    const previewWrites = await previewing.stop();

    // F4: a backfill of the rule, while quiet awards.
    const backfilling = quietWrites(url);
    const started = performance.now();
    await api(url, KEYS.busy, 'POST', '/v1/busy/rules/veteran/backfill.json');
    for (;;) {
      const progress = await api(url, KEYS.busy, 'GET', '/v1/busy/rules/veteran/backfill.json');
      if (progress.status !== 'running') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const backfillMs = performance.now() - started;
    const backfillWrites = await backfilling.stop();

    const total = stored + 5 * BATCH;
    return [
      { id: `F0 ${store}`, figure: "quiet's awards alone (4 clients, 3 s): the machine's baseline for F2-F4", measured: writeFigure(aloneWrites), target: 'context', pass: null },
      { id: `F1 ${store}`, figure: `busy: POST events.json, ${fmt(BATCH)} events of one user, ${fmt(stored)} already stored in the rule's P520W window`, measured: `max ${fmt(batches.at(-1)!)} ms (p50 ${fmt(percentile(batches, 50))} ms; 5 batches)`, target: `<= ${TARGETS.batchMs} ms`, pass: batches.at(-1)! <= TARGETS.batchMs },
      { id: `F2 ${store}`, figure: "quiet's awards while busy ingests those batches", measured: writeFigure(ingestWrites), target: `p99 <= ${TARGETS.writeP99Ms} ms`, pass: percentile(ingestWrites, 99) <= TARGETS.writeP99Ms },
      { id: `F3 ${store}`, figure: `quiet's awards while busy previews the rule over ${fmt(total)} events (${previews.map((ms) => fmt(ms)).join(', ')} ms each)`, measured: writeFigure(previewWrites), target: `p99 <= ${TARGETS.writeP99Ms} ms`, pass: percentile(previewWrites, 99) <= TARGETS.writeP99Ms },
      { id: `F4 ${store}`, figure: `quiet's awards while busy backfills the rule over ${fmt(total)} events (${fmt(backfillMs)} ms)`, measured: writeFigure(backfillWrites), target: `p99 <= ${TARGETS.writeP99Ms} ms`, pass: percentile(backfillWrites, 99) <= TARGETS.writeP99Ms },
    ];
  } finally {
    await server.stop();
  }
}

export async function fairnessRuleFigures(options: { store: 'lowdb' | 'postgres' | 'both'; stored: number }): Promise<EventFigure[]> {
  buildIfStale();
  const runDir = join(benchTemp(), 'runs', `fairness-rules-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`);
  await mkdir(runDir, { recursive: true });
  const figures: EventFigure[] = [];
  try {
    if (options.store !== 'postgres') figures.push(...(await measure('lowdb', { file: join(runDir, 'lowdb', 'db.json') }, options.stored)));
    if (options.store !== 'lowdb') {
      const postgres = await startPostgres(join(runDir, 'pg'), log);
      try {
        figures.push(...(await measure('PostgreSQL', { database: await postgres.createDatabase('fairness_rules') }, options.stored)));
      } finally {
        await postgres.stop();
      }
    }
  } finally {
    await rm(runDir, { recursive: true, force: true });
  }
  return figures;
}

/** The figures as a group of `npm run bench` (`npm run bench -- fairness-rules`), on the stores `--store` names. */
export const fairnessRules: Group = {
  name: 'fairness-rules',
  summary: "Windowed rules over 50,000 stored events: one tenant's batches, preview and backfill beside another service's awards (F0-F4 of rules, each store)",
  figures: ['fairness-rules'],
  postgres: true,
  async run(bench) {
    if (!bench.wants('fairness-rules')) return;
    const stored = bench.options.quick ? 10_000 : 50_000;
    const figures: EventFigure[] = [];
    if (bench.options.lowdb) figures.push(...(await measure('lowdb', { file: join(bench.runDir, 'fairness-rules', 'db.json') }, stored)));
    if (bench.options.postgres) figures.push(...(await measure('PostgreSQL', { database: await (await bench.postgres()).createDatabase('fairness_rules') }, stored)));
    return { figures: figures.map((f) => ({ ...f, id: `R${f.id.slice(1)}` })) };
  },
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { store: { type: 'string', default: 'both' }, stored: { type: 'string', default: '50000' } } });
  const store = values.store as 'lowdb' | 'postgres' | 'both';
  if (!['lowdb', 'postgres', 'both'].includes(store)) throw new Error('--store is lowdb, postgres or both');
  const figures = await fairnessRuleFigures({ store, stored: Number(values.stored) });
  console.log(eventTable(figures));
  process.exit(figures.every((f) => f.pass !== false) ? 0 : 1);
}

/**
 * Issue 25's figures that no other group prints, on both stores:
 *
 * G1, G2: a fresh embedded store and a service growing from 0 to 100,000 users, each given three
 *   badges (three PUTs, users in order) by 50 clients: awards per second and peak resident memory.
 * G3, PG3: reads of `users.json?names=` (3 names) at 100,000 users, plain and with `states=all` and
 *   `tags=`, beside bare node:http sending a body of the same size, in interleaved slices.
 * G4, PG4: page 1,000 of `users.json` (10 a page), reached by following each page's `next` link from
 *   the first, read 300 times one after another: p99.
 *
 * The other figures of the issue are those of other groups with the issue's targets: E3 (memory and
 * start-up with 1,000,000 events) and P2 (two PostgreSQL instances).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { generate, generateCached, type Generated } from './generate.js';
import { readPaths, readSpec } from './lib/api.js';
import type { Group } from './lib/group.js';
import { compare, snapshot, withUsage } from './lib/measure.js';
import { fmt, type Figure } from './lib/report.js';
import { sampleRss, type ServerHandle } from './lib/servers.js';

export const GROWTH_TARGETS = {
  awardsPerSecond: 6000,
  peakMB: 300,
  readRatio: 0.75,
  pageP99Ms: 5,
};

const PER_USER = 3;
const PAGE = 1000;
const PAGE_SIZE = 10;
const PAGE_READS = 300;
const run = promisify(execFile);

export const growth: Group = {
  name: 'growth',
  summary: 'Issue 25: awards and memory while a service grows to 100,000 users; reads beside node:http with states and tags; page 1,000 (G1-G4, PG3, PG4)',
  figures: ['growth'],
  postgres: true,
  async run(bench) {
    if (!bench.wants('growth')) return;
    const users = bench.options.quick ? 10_000 : 100_000;
    const label = `${fmt(users)} users`;
    const { figures, pgFigures, raw } = bench;

    if (bench.options.lowdb) {
      // G1, G2: a data set of one service and its badges, no users.
      const empty = await generate({ file: join(bench.runDir, 'growth/db.json'), users: 1 });
      const server = await bench.startServer({ file: empty.file });
      const sampler = sampleRss(server);
      bench.log(`growing a service to ${label}, ${PER_USER} awards each, 50 clients`);
      const loader = bench.loader();
      const before = snapshot(bench, server.pid, loader.pid);
      const run = await loader.run({
        title: `growth to ${label}`,
        url: server.url,
        connections: bench.options.connections,
        duration: 3600,
        writes: { service: empty.service, key: empty.key, users, badges: empty.badges, seed: 25, grow: { perUser: PER_USER } },
      });
      const grown = withUsage(bench, run, before, snapshot(bench, server.pid, loader.pid));
      const samples = sampler.stop();
      const memory = server.memory();
      const rate = grown.ok / grown.seconds;
      bench.log(`  ${fmt(grown.ok)} awards in ${fmt(grown.seconds, 1)} s: ${fmt(rate)}/s, p99 ${grown.latency.p99} ms; peak RSS ${fmt(memory.hwmMB)} MB`);
      figures.push(
        {
          id: 'G1',
          figure: `Awards while a service grows from 0 to ${label} (${PER_USER} badges each, one PUT per badge, ${bench.options.connections} clients), activity entries included`,
          measured: `${fmt(rate)} awards/s (${fmt(grown.ok)} in ${fmt(grown.seconds, 1)} s); p50 ${grown.latency.p50} ms, p99 ${grown.latency.p99} ms; non-2xx ${grown.non2xx}, errors ${grown.errors}`,
          target: `>= ${fmt(GROWTH_TARGETS.awardsPerSecond)} awards/s`,
          pass: rate >= GROWTH_TARGETS.awardsPerSecond && grown.non2xx === 0 && grown.errors === 0,
        },
        {
          id: 'G2',
          figure: `Peak resident memory (VmHWM) of the embedded store growing to ${label} under those writes`,
          measured: `peak ${fmt(memory.hwmMB)} MB; ${fmt(memory.rssMB)} MB after; samples every 5 s: ${samples.filter((_, i) => i % 10 === 0).map((n) => fmt(n)).join(' ')}`,
          target: `<= ${GROWTH_TARGETS.peakMB} MB`,
          pass: memory.hwmMB <= GROWTH_TARGETS.peakMB,
        },
      );
      raw.growth = { run: grown, memory, samplesMB: samples.map(Math.round) };
      await server.stop();
    }

    // G3, G4 and PG3, PG4 on the cached data set of that size.
    const data = await generateCached({ file: join(bench.runDir, `growth-${users}/db.json`), users });
    const pgServer = bench.options.postgres ? await bench.startServer({ database: await bench.moveToPostgres(data, `bench_growth_${users}`, users) }) : null;
    const server = bench.options.lowdb ? await bench.startServer({ file: data.file }) : null;
    const servers = [
      ...(server ? [{ key: 'lowdb', server, prefix: 'G', into: figures }] : []),
      ...(pgServer ? [{ key: 'postgres', server: pgServer, prefix: 'PG', into: pgFigures }] : []),
    ];
    for (const { key, server: s, prefix, into } of servers) {
      into.push(...(await readRatios(bench, s, data, key, label, prefix)));
      into.push(await pageFigure(s, data, key, label, prefix));
    }
    await server?.stop();
    await pgServer?.stop();
  },
};

const VARIANTS = [
  { name: 'names', query: '' },
  { name: 'states=all', query: '&states=all' },
  { name: 'tags', query: '&tags=community,staff' },
];

async function readRatios(bench: Parameters<Group['run']>[0], server: ServerHandle, data: Generated, store: string, label: string, prefix: string): Promise<Figure[]> {
  const rows: Figure[] = [];
  for (const variant of VARIANTS) {
    const paths = readPaths(data, 7).map((path) => path + variant.query);
    const sizes = await Promise.all(paths.slice(0, 32).map(async (path) => (await (await fetch(server.url + path)).arrayBuffer()).byteLength));
    const size = Math.round(sizes.reduce((a, b) => a + b, 0) / sizes.length);
    const bare = await bench.startReference(size, false);
    const measured = await compare(bench, bench.loader(), [
      { key: 'bare', spec: readSpec(bare.url, paths, `node:http, ${size} B`, bench.options.connections), pid: bare.pid },
      { key: 'reads', spec: readSpec(server.url, paths, `${store} users.json?names= (${variant.name}), ${label}`, bench.options.connections), pid: server.pid },
    ]);
    await bare.stop();
    const ratio = measured.reads!.okRate / measured.bare!.okRate;
    rows.push({
      id: `${prefix}3 ${variant.name}`,
      figure: `Reads ÷ bare node:http, ${store}, ${label}: users.json?names= (3 names)${variant.query ? ` with ${variant.query.slice(1)}` : ''}`,
      measured: `${fmt(measured.reads!.okRate)} req/s = ${fmt(ratio, 2)} x node:http (${fmt(measured.bare!.okRate)} req/s, ${size} B); p99 ${measured.reads!.latency.p99} ms; non-2xx ${measured.reads!.non2xx}`,
      target: `>= ${GROWTH_TARGETS.readRatio} x node:http`,
      pass: ratio >= GROWTH_TARGETS.readRatio && measured.reads!.non2xx === 0,
    });
  }
  return rows;
}

/** Page 1,000 as a client reaches it: by the `next` link of each page before it. */
async function pageFigure(server: ServerHandle, data: Generated, store: string, label: string, prefix: string): Promise<Figure> {
  let url = `${server.url}/v1/${data.service}/users.json?page_size=${PAGE_SIZE}`;
  for (let page = 1; page < PAGE; page++) {
    const answer = (await (await fetch(url)).json()) as { paging?: { next?: string | null }; next?: string | null };
    const next = answer.paging?.next ?? answer.next;
    if (!next) throw new Error(`${store}: page ${page} of users.json has no next link`);
    url = new URL(next, server.url).href;
  }
  // Timed by a client process of its own over one kept-alive node:http socket: fetch's own work and this
  // process's garbage collections (it holds the data sets) were a share of the milliseconds measured.
  const { stdout } = await run(process.execPath, [fileURLToPath(new URL('./sequential-reads.mjs', import.meta.url)), url, String(PAGE_READS)], { timeout: 120_000, maxBuffer: 1 << 20 });
  const { times } = JSON.parse(stdout) as { times: number[] };
  times.sort((a, b) => a - b);
  const p = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
  const form = new URL(url).searchParams.has('cursor') ? 'by cursor' : 'by page number';
  return {
    id: `${prefix}4`,
    figure: `Page ${fmt(PAGE)} of users.json (${PAGE_SIZE} a page, ${form}), ${store}, ${label}: ${PAGE_READS} reads one after another`,
    measured: `p50 ${fmt(p(0.5), 2)} ms, p99 ${fmt(p(0.99), 2)} ms (a client process of its own, node:http, one kept-alive socket)`,
    target: `p99 <= ${GROWTH_TARGETS.pageP99Ms} ms`,
    pass: p(0.99) <= GROWTH_TARGETS.pageP99Ms,
  };
}

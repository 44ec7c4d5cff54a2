/**
 * Figures P2-P4 and P dur: the 100,000-user data set moved into PostgreSQL, two instances on the one
 * database, the clients split between them as a load balancer would.
 */
import { join } from 'node:path';
import { generateCached } from './generate.js';
import type { LoadResult } from './load.js';
import { readPaths, readSpec, TARGETS, totalAwards, writeSpec } from './lib/api.js';
import type { Group } from './lib/group.js';
import { describe, together, type Together } from './lib/measure.js';
import { fmt } from './lib/report.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sumOk = (runs: LoadResult[]) => runs.reduce((sum, r) => sum + r.ok, 0);
const coresLine = (c: Together['cores']) =>
  `CPU: instances ${fmt(c.servers, 2)}, PostgreSQL ${fmt(c.database, 2)}, load generators ${fmt(c.loaders, 2)}, other ${c.other === null ? '?' : fmt(c.other, 2)} cores`;

export const postgres100k: Group = {
  name: 'postgres-100k',
  summary: 'PostgreSQL at 100,000 users, two instances on one database: awards, reads under writes, startup, memory, durability (P2, P3, P4a, P4b, P dur)',
  figures: ['2', '3', '4'],
  postgres: true,
  async run(bench) {
    const { connections: CONNECTIONS, readConnections: READ_CONNECTIONS, duration: DURATION, warmup: WARMUP } = bench.options;
    if (!bench.options.postgres || !(bench.wants('2') || bench.wants('3') || bench.wants('4'))) return;
    const { pgFigures, raw, notes } = bench;
    const loader = bench.loader();
    const data = await generateCached({ file: join(bench.runDir, 'pg100k/db.json'), users: 100_000 });
    const database = await bench.moveToPostgres(data, 'bench_100k', 100_000);
    let a = await bench.startServer({ database });
    const idle = a.memory();
    bench.log(`100k PostgreSQL-backed instance A ready in ${a.startupMs.toFixed(0)} ms at ${a.url}; RSS ${idle.rssMB.toFixed(0)} MB`);
    const b = await bench.startServer({ database });
    bench.log(`100k PostgreSQL-backed instance B ready in ${b.startupMs.toFixed(0)} ms at ${b.url}`);
    const second = bench.newLoader();
    await second.whenReady();
    const before = await totalAwards(a.url, data.service);
    const writeRuns: LoadResult[] = [];
    // The award clients are split between the instances, as a load balancer would.
    const half = Math.max(1, Math.round(CONNECTIONS / 2));
    const awardsOnBoth = (seed: number, title: string, duration: number) => [
      { loader, spec: { ...writeSpec(a.url, data, seed, `${title} (A)`, half), duration } },
      { loader: second, spec: { ...writeSpec(b.url, data, seed + 1000, `${title} (B)`, CONNECTIONS - half), duration } },
    ];

    if (bench.wants('2')) {
      if (WARMUP > 0) writeRuns.push(...(await Promise.all(awardsOnBoth(31, 'awards, PostgreSQL (warm-up)', WARMUP).map((p) => p.loader.run(p.spec)))));
      bench.log(`measuring awards on two PostgreSQL-backed instances (${half} + ${CONNECTIONS - half} clients), 100k users, for ${DURATION} s`);
      const measured = await together(bench, 'awards, PostgreSQL, 2 instances, 100k users', awardsOnBoth(32, 'awards, PostgreSQL, 100k users', DURATION), [a.pid, b.pid]);
      writeRuns.push(...measured.runs);
      const [onA, onB] = measured.runs as [LoadResult, LoadResult];
      const rate = (onA.ok + onB.ok) / Math.max(onA.seconds, onB.seconds);
      for (const r of measured.runs) bench.log(`  ${r.title}: ${describe(r)}`);
      bench.log(`  ${fmt(rate)} awards/s together; ${coresLine(measured.cores)}`);
      pgFigures.push({
        id: 'P2',
        figure: `PostgreSQL writes: PUT users/:name.json (durable), two instances on one database, 100k users, ${half} + ${CONNECTIONS - half} clients`,
        measured:
          `${fmt(rate)} awards/s (A ${fmt(onA.okRate)}, B ${fmt(onB.okRate)}); p50 ${onA.latency.p50}/${onB.latency.p50} ms, p99 ${onA.latency.p99}/${onB.latency.p99} ms; ` +
          `non-2xx ${onA.non2xx + onB.non2xx}, errors ${onA.errors + onB.errors}; ${coresLine(measured.cores)}`,
        target: `>= ${fmt(TARGETS.pgAwards100k)} awards/s`,
        pass: rate >= TARGETS.pgAwards100k,
      });
      raw.pgWrites100k = { rate, onA, onB, cores: measured.cores };
    }

    if (bench.wants('3')) {
      const paths = readPaths(data, 3);
      const readLoader = bench.newLoader();
      await readLoader.whenReady();
      if (WARMUP > 0) await readLoader.run({ ...readSpec(b.url, paths, 'reads, PostgreSQL, 100k users (warm-up)', READ_CONNECTIONS), duration: WARMUP });
      const alone = await readLoader.run({ ...readSpec(b.url, paths, 'reads alone, PostgreSQL, 100k users', READ_CONNECTIONS), duration: Math.min(DURATION, 5) });
      bench.log(`  reads alone on B, ${READ_CONNECTIONS} clients: ${describe(alone)}`);
      bench.log(`measuring reads (${READ_CONNECTIONS} clients) on B during awards (${CONNECTIONS} clients) on A and B, PostgreSQL, 100k users, for ${DURATION} s`);
      // The writes start first and end last, so every read is measured under write load.
      const writing = Promise.all(awardsOnBoth(33, 'awards during reads, PostgreSQL', DURATION + 2).map((p) => p.loader.run(p.spec)));
      await sleep(1000);
      const measured = await together(
        bench,
        'reads during awards, PostgreSQL, 100k users',
        [{ loader: readLoader, spec: { ...readSpec(b.url, paths, 'reads during awards, PostgreSQL, 100k users', READ_CONNECTIONS), duration: DURATION } }],
        [a.pid, b.pid],
      );
      const writes = await writing;
      readLoader.close();
      writeRuns.push(...writes);
      const reads = measured.runs[0]!;
      const awardRate = writes.reduce((sum, w) => sum + w.okRate, 0);
      bench.log(`  reads:  ${describe(reads)}`);
      for (const w of writes) bench.log(`  ${w.title}: ${describe(w)}`);
      pgFigures.push({
        id: 'P3',
        figure: `PostgreSQL reads under write load: ${READ_CONNECTIONS} read clients on B during ${CONNECTIONS} award clients on A and B, 100k users`,
        measured:
          `read p99 ${reads.latency.p99} ms (p50 ${reads.latency.p50}, p97.5 ${reads.latency.p97_5}, max ${reads.latency.max}); ${fmt(reads.okRate)} reads/s with ${fmt(awardRate)} awards/s; ` +
          `alone: ${fmt(alone.okRate)} reads/s, p99 ${alone.latency.p99} ms; ${coresLine(measured.cores)}`,
        target: `p99 <= ${TARGETS.readP99UnderWritesMs} ms`,
        pass: reads.latency.p99 <= TARGETS.readP99UnderWritesMs && reads.non2xx === 0 && reads.errors === 0,
      });
      raw.pgReadsUnderWrites = { reads, writes, readsAlone: alone, cores: measured.cores };
    }
    second.close();

    const loaded = a.memory();
    pgFigures.push(
      {
        id: 'P4a',
        figure: 'PostgreSQL startup, 100k users: spawn to first 200 on /health (instance A, schema already migrated)',
        measured: `${fmt(a.startupMs)} ms (B: ${fmt(b.startupMs)} ms)`,
        target: `<= ${fmt(TARGETS.startupMs)} ms`,
        pass: a.startupMs <= TARGETS.startupMs,
      },
      {
        id: 'P4b',
        figure: 'PostgreSQL resident memory, 100k users: instance A (the database server not counted)',
        measured: `peak ${fmt(loaded.hwmMB)} MB; after start ${fmt(idle.rssMB)} MB, after the loads ${fmt(loaded.rssMB)} MB; B peak ${fmt(b.memory().hwmMB)} MB`,
        target: `<= ${TARGETS.rssMB} MB`,
        pass: loaded.hwmMB <= TARGETS.rssMB,
      },
    );
    raw.pgServer100k = { startupMs: { a: a.startupMs, b: b.startupMs }, memoryIdle: idle, memoryLoaded: loaded, memoryB: b.memory() };

    // Durability: kill both instances without warning; every acknowledged award must be in the database.
    if (writeRuns.length > 0 && !bench.options.profile) {
      const acked = sumOk(writeRuns);
      const sent = writeRuns.reduce((sum, r) => sum + r.sent, 0);
      await Promise.all([a.stop('SIGKILL'), b.stop('SIGKILL')]);
      a = await bench.startServer({ database }, { profile: false });
      const after = await totalAwards(a.url, data.service);
      const gained = after - before;
      pgFigures.push({
        id: 'P dur',
        figure: 'PostgreSQL durability: SIGKILL both instances after the write loads, start one, count awards',
        measured: `${fmt(gained)} awards kept of ${fmt(acked)} acknowledged (${fmt(sent)} sent); restart ${fmt(a.startupMs)} ms`,
        target: 'every acknowledged award kept',
        pass: gained >= acked && gained <= sent,
      });
      raw.pgDurability = { before, after, acked, sent, restartMs: a.startupMs };
    } else if (bench.options.profile) {
      notes.push('PostgreSQL durability check skipped with --profile (a killed process writes no profile).');
    }
    await Promise.all([a.stop(), b.stop()]);
    bench.log('100k PostgreSQL-backed instances stopped');
  },
};

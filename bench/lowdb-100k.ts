/**
 * Figures 2b (awards), 3 (reads under write load), 4a (startup), 4b (memory) and 2 dur (every
 * acknowledged award kept after SIGKILL) of the embedded store, on one server over the
 * 100,000-user data set.
 */
import { join } from 'node:path';
import { generateCached } from './generate.js';
import type { LoadResult } from './load.js';
import { readPaths, readSpec, TARGETS, totalAwards, writeFigure, writeSpec } from './lib/api.js';
import type { Group } from './lib/group.js';
import { describe, measure, snapshot, withUsage } from './lib/measure.js';
import { fmt } from './lib/report.js';
import { sampleRss } from './lib/servers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const lowdb100k: Group = {
  name: 'lowdb-100k',
  summary: 'The embedded store at 100,000 users: awards, reads under writes, startup, memory, durability (2b, 3, 4a, 4b, 2 dur)',
  figures: ['2', '3', '4'],
  async run(bench) {
    const { connections: CONNECTIONS, readConnections: READ_CONNECTIONS, duration: DURATION, warmup: WARMUP } = bench.options;
    if (!bench.options.lowdb || !(bench.wants('2') || bench.wants('3') || bench.wants('4'))) return;
    const { figures, raw, notes } = bench;
    const data = await generateCached({ file: join(bench.runDir, '100k/db.json'), users: 100_000 });
    bench.log(`100k data: ${data.cached ? 'copied from cache' : 'generated'} in ${data.seconds.toFixed(1)} s`);
    let server = await bench.startServer({ file: data.file });
    const idle = server.memory();
    bench.log(`100k server ready in ${server.startupMs.toFixed(0)} ms at ${server.url}; RSS ${idle.rssMB.toFixed(0)} MB`);
    const sampler = sampleRss({ memory: () => server.memory() });
    const before = await totalAwards(server.url, data.service);
    const writeRuns: LoadResult[] = [];

    if (bench.wants('2')) {
      const { result: writes, warmup } = await measure(bench, bench.loader(), writeSpec(server.url, data, 12, 'awards, 100k users', CONNECTIONS), {
        serverPid: server.pid,
        warmup: { writes: writeSpec(server.url, data, 11, '', CONNECTIONS).writes! },
      });
      writeRuns.push(writes, ...(warmup ? [warmup] : []));
      figures.push(writeFigure('2b', '100k', CONNECTIONS, writes, TARGETS.awards100k));
      raw.writes100k = { writes, warmup };
    }

    if (bench.wants('3')) {
      const paths = readPaths(data, 3);
      const readLoader = bench.newLoader();
      await readLoader.whenReady();
      if (WARMUP > 0) await readLoader.run({ ...readSpec(server.url, paths, 'reads, 100k users (warm-up)', READ_CONNECTIONS), duration: WARMUP });
      const alone = await readLoader.run({ ...readSpec(server.url, paths, 'reads alone, 100k users', READ_CONNECTIONS), duration: Math.min(DURATION, 5) });
      bench.log(`  reads alone at 100k, ${READ_CONNECTIONS} clients: ${describe(alone)}`);
      bench.log(`measuring reads (${READ_CONNECTIONS} clients) during awards (${CONNECTIONS} clients), 100k users, for ${DURATION} s`);
      // The writes start first and end last, so every read is measured under write load.
      const writing = bench.loader().run({ ...writeSpec(server.url, data, 13, 'awards during reads, 100k users', CONNECTIONS), duration: DURATION + 2 });
      await sleep(1000);
      const cpu0 = snapshot(bench, server.pid, readLoader.pid, [bench.loader().pid]);
      const readRun = await readLoader.run({ ...readSpec(server.url, paths, 'reads during awards, 100k users', READ_CONNECTIONS), duration: DURATION });
      const reads = withUsage(bench, readRun, cpu0, snapshot(bench, server.pid, readLoader.pid, [bench.loader().pid]));
      const writes = await writing;
      readLoader.close();
      writeRuns.push(writes);
      bench.log(`  reads:  ${describe(reads)}`);
      bench.log(`  writes: ${describe(writes)}`);
      figures.push({
        id: '3',
        figure: `Reads under write load: ${READ_CONNECTIONS} read clients during ${CONNECTIONS} award clients, 100k users`,
        measured: `read p99 ${reads.latency.p99} ms (p50 ${reads.latency.p50}, p97.5 ${reads.latency.p97_5}, max ${reads.latency.max}); ${fmt(reads.okRate)} reads/s with ${fmt(writes.okRate)} awards/s; alone: ${fmt(alone.okRate)} reads/s, p99 ${alone.latency.p99} ms`,
        target: `p99 <= ${TARGETS.readP99UnderWritesMs} ms`,
        pass: reads.latency.p99 <= TARGETS.readP99UnderWritesMs && reads.non2xx === 0 && reads.errors === 0,
      });
      raw.readsUnderWrites = { reads, writes, readsAlone: alone };
    }

    const rssSamples = sampler.stop();
    const loaded = server.memory();
    figures.push(
      {
        id: '4a',
        figure: 'Startup, 100k users: spawn to first 200 on /health',
        measured: `${fmt(server.startupMs)} ms`,
        target: `<= ${fmt(TARGETS.startupMs)} ms`,
        pass: server.startupMs <= TARGETS.startupMs,
      },
      {
        id: '4b',
        figure: 'Resident memory, 100k users (peak VmHWM over the whole run)',
        measured: `peak ${fmt(loaded.hwmMB)} MB; after start ${fmt(idle.rssMB)} MB, after the loads ${fmt(loaded.rssMB)} MB`,
        target: `<= ${TARGETS.rssMB} MB`,
        pass: loaded.hwmMB <= TARGETS.rssMB,
      },
    );
    raw.server100k = { startupMs: server.startupMs, memoryIdle: idle, memoryLoaded: loaded, rssSamplesMB: rssSamples.map((n) => Math.round(n)) };

    // Durability: kill the server without warning; every acknowledged award must be there after restart.
    if (writeRuns.length > 0 && !bench.options.profile) {
      const acked = writeRuns.reduce((sum, r) => sum + r.ok, 0);
      const sent = writeRuns.reduce((sum, r) => sum + r.sent, 0);
      await server.stop('SIGKILL');
      server = await bench.startServer({ file: data.file }, { profile: false });
      const after = await totalAwards(server.url, data.service);
      const gained = after - before;
      const durable = gained >= acked && gained <= sent;
      figures.push({
        id: '2 dur',
        figure: 'Durability: SIGKILL after the write loads, restart, count awards',
        measured: `${fmt(gained)} awards kept of ${fmt(acked)} acknowledged (${fmt(sent)} sent); restart with journal replay ${fmt(server.startupMs)} ms`,
        target: 'every acknowledged award kept',
        pass: durable,
      });
      raw.durability = { before, after, acked, sent, restartMs: server.startupMs };
    } else if (bench.options.profile) {
      notes.push('Durability check skipped with --profile (a killed process writes no profile).');
    }
    const stopped = await server.stop();
    raw.server100k = { ...(raw.server100k as object), shutdownMs: stopped.ms, exitCode: stopped.code };
    bench.log(`100k server stopped (exit ${stopped.code}) in ${stopped.ms.toFixed(0)} ms`);
  },
};

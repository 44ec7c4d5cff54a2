/**
 * Figures 1 (reads beside bare node:http and Koa), 1 304 (revalidations), 2a (awards) and P1 (figure
 * 1 on PostgreSQL), all on the 10,000-user data set: the reads measured in interleaved slices against
 * reference servers started in the same run.
 */
import { join } from 'node:path';
import { generateCached } from './generate.js';
import { probe, readPaths, readSpec, TARGETS, writeFigure, writeSpec } from './lib/api.js';
import type { Group } from './lib/group.js';
import { compare, measure, type Measured } from './lib/measure.js';
import { fmt } from './lib/report.js';

const usPer = (m: Measured) => (m.serverCpu ? `${fmt(m.serverCpu.usPerResponse)} us` : '?');

export const reads10k: Group = {
  name: 'reads-10k',
  summary: 'Reads beside node:http and Koa, revalidations, awards at 10,000 users (1, 1 304, 2a; P1 on PostgreSQL)',
  figures: ['1', '2'],
  postgres: true,
  async run(bench) {
    const { lowdb: LOWDB, postgres: PG, connections: CONNECTIONS } = bench.options;
    if (!(bench.wants('1') || (LOWDB && bench.wants('2')))) return;
    const { figures, pgFigures, raw } = bench;
    const data = await generateCached({ file: join(bench.runDir, '10k/db.json'), users: 10_000 });
    bench.log(`10k data: ${data.cached ? 'copied from cache' : 'generated'} in ${data.seconds.toFixed(1)} s`);
    // Moved before the lowdb server starts, which would own the files (an export then goes through it).
    const pgServer = PG && bench.wants('1') ? await bench.startServer({ database: await bench.moveToPostgres(data, 'bench_10k', 10_000) }) : null;
    if (pgServer) bench.log(`10k PostgreSQL-backed server ready in ${pgServer.startupMs.toFixed(0)} ms at ${pgServer.url}`);
    const server = LOWDB ? await bench.startServer({ file: data.file }) : null;
    if (server) bench.log(`10k server ready in ${server.startupMs.toFixed(0)} ms at ${server.url}`);
    if (server) raw.server10k = { startupMs: server.startupMs };

    if (bench.wants('1')) {
      const paths = readPaths(data, 1);
      const { sizes, etags, notModified } = await probe((server ?? pgServer)!.url, paths);
      const size = Math.round(sizes.reduce((a, b) => a + b, 0) / sizes.length);
      bench.log(`read responses: ${Math.min(...sizes)}-${Math.max(...sizes)} bytes, mean ${size}; ${notModified}/${paths.length} answered 304 to If-None-Match`);
      // The stores promise the same answers byte for byte; a figure over different answers would compare nothing.
      const pgSizes = server && pgServer ? (await probe(pgServer.url, paths)).sizes : sizes;
      if (pgSizes.some((n, i) => n !== sizes[i])) throw new Error('the PostgreSQL-backed server answers reads with other sizes than the lowdb one');

      const bareRef = await bench.startReference(size, false);
      const koaRef = await bench.startReference(size, true);
      const measured = await compare(bench, bench.loader(), [
        { key: 'bare', spec: readSpec(bareRef.url, paths, `reference node:http (${size} B)`, CONNECTIONS), pid: bareRef.pid },
        { key: 'koa', spec: readSpec(koaRef.url, paths, `reference Koa + @koa/router (${size} B)`, CONNECTIONS), pid: koaRef.pid },
        ...(server
          ? [
              { key: 'reads', spec: readSpec(server.url, paths, 'reads, 10k users, 3 names', CONNECTIONS), pid: server.pid },
              {
                key: 'revalidations',
                spec: readSpec(server.url, paths, 'revalidations (If-None-Match), 10k users', CONNECTIONS, (i) => ({ 'if-none-match': etags[i]! })),
                pid: server.pid,
              },
            ]
          : []),
        ...(pgServer ? [{ key: 'pgReads', spec: readSpec(pgServer.url, paths, 'reads, PostgreSQL, 10k users, 3 names', CONNECTIONS), pid: pgServer.pid }] : []),
      ]);
      await bareRef.stop();
      await koaRef.stop();
      const references = { bare: measured.bare!, koa: measured.koa! };
      const bare = references.bare!;
      if (pgServer) {
        const pgReads = measured.pgReads!;
        const pgRatio = pgReads.okRate / bare.okRate;
        pgFigures.push({
          id: 'P1',
          figure: `PostgreSQL reads: as 1, one instance on the database, 10k users, ${CONNECTIONS} clients`,
          measured: `${fmt(pgReads.okRate)} req/s = ${fmt(pgRatio, 2)} x bare node:http (${fmt(bare.okRate)} req/s, same slices); p50 ${pgReads.latency.p50} ms, p99 ${pgReads.latency.p99} ms; server CPU ${usPer(pgReads)}/response; non-2xx ${pgReads.non2xx}`,
          target: `>= ${TARGETS.readRatio} x node:http`,
          pass: pgRatio >= TARGETS.readRatio && pgReads.non2xx === 0 && pgReads.errors === 0,
        });
        raw.pgReads = { reads: pgReads, ratio: pgRatio, server: { startupMs: pgServer.startupMs, memory: pgServer.memory() } };
        if (!server) raw.reads = { responseBytes: { min: Math.min(...sizes), max: Math.max(...sizes), mean: size }, references };
      }
      if (server) {
        const reads = measured.reads!;
        const revalidations = measured.revalidations!;
        const ratio = reads.okRate / bare.okRate;
        const share304 = (revalidations.statusCodes['304'] ?? 0) / Math.max(1, revalidations.completed);
        figures.push(
          {
            id: '1',
            figure: `Reads: GET users.json?names= (3 names), 10k users, ${CONNECTIONS} clients`,
            measured: `${fmt(reads.okRate)} req/s = ${fmt(ratio, 2)} x bare node:http (${fmt(bare.okRate)} req/s, same ${size} B body); p50 ${reads.latency.p50} ms, p99 ${reads.latency.p99} ms; non-2xx ${reads.non2xx}`,
            target: `>= ${TARGETS.readRatio} x node:http`,
            pass: ratio >= TARGETS.readRatio && reads.non2xx === 0 && reads.errors === 0,
          },
          {
            id: '1 ref',
            figure: 'Reference: Koa + @koa/router, fixed body of the same size',
            measured: `${fmt(references.koa!.okRate)} req/s = ${fmt(references.koa!.okRate / bare.okRate, 2)} x node:http; real server = ${fmt(reads.okRate / references.koa!.okRate, 2)} x this. Server CPU per response: node:http ${usPer(bare)}, Koa ${usPer(references.koa!)}, real ${usPer(reads)}`,
            target: 'context',
            pass: null,
          },
          {
            id: '1 304',
            figure: 'Repeat views: same reads with If-None-Match',
            measured: `${fmt(share304 * 100, 1)}% answered 304, ${fmt(revalidations.rate)} req/s (${fmt(revalidations.rate / bare.okRate, 2)} x node:http); p99 ${revalidations.latency.p99} ms`,
            target: 'validator on every answer; 304 when it matches',
            pass: share304 === 1 && notModified === paths.length && revalidations.errors === 0,
          },
        );
        raw.reads = { responseBytes: { min: Math.min(...sizes), max: Math.max(...sizes), mean: size }, references, reads, revalidations, ratio };
      }
    }
    if (pgServer) await pgServer.stop();

    if (server && bench.wants('2')) {
      const { result: writes, warmup } = await measure(bench, bench.loader(), writeSpec(server.url, data, 2, 'awards, 10k users', CONNECTIONS), {
        serverPid: server.pid,
        warmup: { writes: writeSpec(server.url, data, 1, '', CONNECTIONS).writes! },
      });
      figures.push(writeFigure('2a', '10k', CONNECTIONS, writes, TARGETS.awards10k));
      raw.writes10k = { writes, warmup };
    }
    if (server) {
      raw.memory10k = server.memory();
      const stopped = await server.stop();
      raw.server10k = { ...(raw.server10k as object), shutdownMs: stopped.ms, exitCode: stopped.code };
      bench.log(`10k server stopped (exit ${stopped.code}) in ${stopped.ms.toFixed(0)} ms`);
    }
  },
};

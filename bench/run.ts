/**
 * `npm run bench`: the performance figures, each beside its target, measured against the real server
 * (built `dist/`, started as a child process) with autocannon in other child processes, and
 * reference servers started in the same run. This file runs the groups of figures (bench/groups.ts,
 * one file each) and writes the report.
 *
 *   npm run bench [-- GROUP ...] [--duration 10 --warmup 2 --quick --only 1,2,3,4,5,6,events --store lowdb|postgres|both --profile --keep]
 *
 * Writes a table to stdout and bench/results/latest.{md,json} for a full run (quick.* with --quick,
 * partial.* for some groups or figures); only latest.md is committed. See bench/README.md.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from '../test/support/serve.js';
import { benchTemp } from './generate.js';
import { GROUPS } from './groups.js';
import { Bench, type BenchOptions } from './lib/context.js';
import { TARGETS } from './lib/api.js';
import { fmt, machine, machineLine, markdownTable, textTable, type Figure } from './lib/report.js';
import { formatHot, hotFunctions } from './profile.js';

const ALL_FIGURES = [...new Set(GROUPS.flatMap((g) => g.figures))];

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    duration: { type: 'string' },
    warmup: { type: 'string' },
    connections: { type: 'string', default: '50' },
    'read-connections': { type: 'string', default: '10' },
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    store: { type: 'string', default: 'both' },
    slices: { type: 'string' },
    profile: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    out: { type: 'string' },
    'max-minutes': { type: 'string', default: '30' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (args.help) {
  const width = Math.max(...GROUPS.map((g) => g.name.length));
  console.log(`Usage: npm run bench -- [GROUP ...] [options]

Groups (all by default, in this order):
${GROUPS.map((g) => `  ${g.name.padEnd(width)}  ${g.summary}`).join('\n')}

Options:
  --duration S         seconds per measurement (default 10; --quick: 2)
  --warmup S           seconds of warm-up load before each measurement (default 2; --quick: 0.5)
  --connections N      concurrent clients of the main loads (default 50)
  --read-connections N clients of the read load that runs during writes (default 10)
  --slices N           read figure: measure servers in N interleaved slices each (default 5; --quick: 1)
  --quick              smoke check: short measurements, results to bench/results/quick.*
  --only LIST          figures to measure, of ${ALL_FIGURES.join(', ')} (4 needs the 100k server, as 2 and 3 do)
  --store S            lowdb, postgres or both (default): which stores the figures of both measure;
                       PostgreSQL is DATABASE_URL when set, else a throwaway embedded server
  --profile            run the server children with --cpu-prof and print their hottest functions
  --keep               keep the run's data folder
  --no-build           do not rebuild dist/ even if server sources are newer
  --out DIR            where results go (default bench/results)
  --max-minutes M      stop everything after M minutes (default 30)`);
  process.exit(0);
}
const unknown = positionals.filter((name) => !GROUPS.some((g) => g.name === name));
if (unknown.length > 0) throw new Error(`no group ${unknown.join(', ')}; the groups are ${GROUPS.map((g) => g.name).join(', ')}`);
if (!['lowdb', 'postgres', 'both'].includes(args.store)) throw new Error('--store must be lowdb, postgres or both');
const groups = positionals.length > 0 ? GROUPS.filter((g) => positionals.includes(g.name)) : GROUPS;
const quick = args.quick;
const options: BenchOptions = {
  duration: Number(args.duration ?? (quick ? 2 : 10)),
  warmup: Number(args.warmup ?? (quick ? 0.5 : 2)),
  connections: Number(args.connections),
  readConnections: Number(args['read-connections']),
  slices: Number(args.slices ?? (quick ? 1 : 5)),
  quick,
  lowdb: args.store !== 'postgres',
  postgres: args.store !== 'lowdb',
  profile: args.profile,
  only: new Set((args.only ?? ALL_FIGURES.join(',')).split(',').map((s) => s.trim())),
};
for (const [name, value, max] of [
  ['duration', options.duration, 600],
  ['warmup', options.warmup, 60],
  ['connections', options.connections, 1000],
  ['read-connections', options.readConnections, 1000],
  ['slices', options.slices, 100],
] as const) {
  if (!(value >= (name === 'warmup' ? 0 : 0.1) && value <= max)) throw new Error(`--${name} must be a number up to ${max}`);
}
const OUT = resolve(args.out ?? join(ROOT, 'bench/results'));
// Only a full run replaces the committed summary; a part of one would leave it half a table.
const full = groups.length === GROUPS.length && args.only === undefined && args.store === 'both';
const BASENAME = quick ? 'quick' : full ? 'latest' : 'partial';

// ---------------------------------------------------------------------------------------------
// Build: the benchmark runs the compiled server, so make sure it is current.

function newest(folder: string): number {
  let latest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) latest = Math.max(latest, newest(path));
    else if (entry.name.endsWith('.ts')) latest = Math.max(latest, statSync(path).mtimeMs);
  }
  return latest;
}

function ensureBuilt(log: (message: string) => void): string {
  const cli = join(ROOT, 'dist/server/cli/main.js');
  let built = 0;
  try {
    built = statSync(cli).mtimeMs;
  } catch {
    // not built
  }
  const sources = Math.max(newest(join(ROOT, 'server')), newest(join(ROOT, 'types')));
  if (built >= sources) return 'dist/ up to date';
  if (args['no-build']) return built ? 'dist/ older than sources (--no-build)' : 'dist/ missing';
  log('dist/ is older than server sources: npm run build:server');
  try {
    execFileSync('npm', ['run', '-s', 'build:server'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], timeout: 300_000 });
    return 'rebuilt dist/ before the run';
  } catch (error) {
    if (!built) throw new Error(`dist/ is missing and the build failed: ${(error as Error).message}`);
    log('build failed; measuring the existing dist/');
    return 'build failed; measured an older dist/';
  }
}

// ---------------------------------------------------------------------------------------------
// The run

async function main(): Promise<void> {
  const startedAt = new Date();
  const runDir = join(benchTemp(), 'runs', `${startedAt.toISOString().replace(/[:.]/g, '-')}-${process.pid}`);
  const profileDir = args.profile ? join(OUT, 'profiles', startedAt.toISOString().replace(/[:.]/g, '-')) : null;
  const bench = new Bench(options, runDir, profileDir);
  stopEverythingWith(bench);
  const build = ensureBuilt((m) => bench.log(m));
  const info = machine();
  bench.log(`machine: ${machineLine(info)}`);
  bench.log(`${build}; ${options.duration} s per measurement after ${options.warmup} s warm-up, ${options.connections} connections; groups: ${groups.map((g) => g.name).join(', ')}`);
  await mkdir(runDir, { recursive: true });
  if (profileDir) await mkdir(profileDir, { recursive: true });

  const others: Figure[] = [];
  const lastOnPostgres = groups.map((g) => g.postgres === true).lastIndexOf(true);
  for (const [index, group] of groups.entries()) {
    const result = await group.run(bench);
    if (result) {
      others.push(...result.figures);
      if (result.raw !== undefined) bench.raw[group.name] = result.raw;
    }
    // The run's PostgreSQL (and the load generator) end after the last group on it: later groups measure without them.
    if (index === lastOnPostgres) {
      await bench.stopPostgres();
      bench.closeLoader();
    }
  }
  bench.closeLoader();
  const figures = [...bench.figures, ...movesFigure(bench), ...bench.pgFigures, ...others];

  // --- Profiles -------------------------------------------------------------------------------
  const profiles: Record<string, unknown> = {};
  if (profileDir) {
    for (const file of readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile'))) {
      const hot = await hotFunctions(join(profileDir, file), 15);
      profiles[relative(ROOT, join(profileDir, file))] = hot;
      console.log(`\nCPU profile ${relative(ROOT, join(profileDir, file))}\n${formatHot(hot)}`);
    }
  }

  // --- Output ---------------------------------------------------------------------------------
  const { notes, noise } = bench;
  const noisiest = noise.reduce((worst, n) => (n.otherCores > worst.otherCores ? n : worst), { title: '', otherCores: 0 });
  if (noisiest.otherCores > 0.25) {
    notes.push(
      `Noise: other processes on the machine used up to ${noisiest.otherCores.toFixed(2)} cores during a measurement (${noisiest.title}); ` +
        `req/s figures of that run are pessimistic. Server CPU per response (in ${BASENAME}.json) is steadier.`,
    );
  }
  const finishedAt = new Date();
  const results = {
    generatedBy: 'npm run bench',
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    machine: info,
    settings: { ...options, only: [...options.only], groups: groups.map((g) => g.name), build },
    targets: TARGETS,
    figures,
    notes,
    noise: noise.map((n) => ({ ...n, otherCores: Math.round(n.otherCores * 100) / 100 })),
    raw: bench.raw,
    ...(profileDir ? { profiles } : {}),
  };
  const header = `user-badges benchmark, ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC (${((finishedAt.getTime() - startedAt.getTime()) / 1000).toFixed(0)} s)${full ? '' : `: ${groups.map((g) => g.name).join(', ')}`}`;
  const settingsLine = `${options.duration} s per measurement after ${options.warmup} s warm-up; autocannon, ${options.connections} connections on 127.0.0.1; server, load generators and reference servers each in their own process.`;
  const table = figures.length > 0 ? textTable(figures) : '(no figure: the groups asked for measure none of --only on --store)';
  console.log(`\n${header}\nMachine: ${machineLine(info)}\n${settingsLine}\n\n${table}${notes.length ? `\n\n${notes.join('\n')}` : ''}\n`);
  await mkdir(OUT, { recursive: true });
  await writeFile(join(OUT, `${BASENAME}.json`), JSON.stringify(results, null, 2) + '\n');
  await writeFile(
    join(OUT, `${BASENAME}.md`),
    `${header}\n\nMachine: ${machineLine(info)}\n\n${settingsLine}\n\n${markdownTable(figures)}\n${notes.length ? `\n${notes.join('\n')}\n` : ''}`,
  );
  bench.log(`results: ${relative(ROOT, join(OUT, BASENAME))}.md and .json`);
}

/** Figure P0: the data sets moved to PostgreSQL on the way, if any. */
function movesFigure(bench: Bench): Figure[] {
  if (!bench.options.postgres || bench.transfers.length === 0) return [];
  bench.raw.transfers = bench.transfers;
  const describeMove = (t: Bench['transfers'][number]) =>
    `${fmt(t.users)} users: export ${fmt(t.exportMs / 1000, 1)} s, import ${fmt(t.importMs / 1000, 1)} s (${fmt(t.users / (t.importMs / 1000))} users/s; ${fmt(t.fileMB, 1)} MB)`;
  return [
    {
      id: 'P0',
      figure: 'Moving to PostgreSQL: user-badges export (lowdb), then import --database, each spawn to exit',
      measured: bench.transfers.map(describeMove).join('; '),
      target: 'reported',
      pass: null,
    },
  ];
}

/** Everything the run started is killed when it exits, however it exits, and the run stops itself after --max-minutes. */
function stopEverythingWith(bench: Bench): void {
  process.on('exit', () => bench.cleanup(args.keep));
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      console.error(`\nbench: ${signal}, stopping`);
      process.exit(130);
    });
  }
  const deadline = setTimeout(
    () => {
      console.error(`bench: still running after ${args['max-minutes']} minutes; stopping everything`);
      process.exit(1);
    },
    Number(args['max-minutes']) * 60_000,
  );
  deadline.unref();
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(`bench: ${error.stack ?? error.message}`);
    process.exit(1);
  },
);

/**
 * `npm run bench`: the performance figures of issue "benchmark", each beside its target, measured
 * against the real server (built `dist/`, started as a child process) with autocannon in other child
 * processes, and reference servers started in the same run.
 *
 *   npm run bench [-- --duration 10 --warmup 2 --quick --only 1,2,3,4,5,6,events --store lowdb|postgres|both --profile --keep]
 *
 * Writes a table to stdout and bench/results/latest.{json,md} (quick runs: quick.{json,md}).
 * See bench/README.md for what each figure means.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { closeSync, fdatasyncSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchTemp, generateCached, prng, type Generated } from './generate.js';
import type { LoadResult, LoadSpec, RequestSpec } from './load.js';
import { startPostgres, transfer, type BenchPostgres, type Transfer } from './postgres.js';
import { formatHot, hotFunctions } from './profile.js';
import { accessFigures } from './access.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// ---------------------------------------------------------------------------------------------
// Options

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string' },
    warmup: { type: 'string' },
    connections: { type: 'string', default: '50' },
    'read-connections': { type: 'string', default: '10' },
    quick: { type: 'boolean', default: false },
    only: { type: 'string', default: '1,2,3,4,5,6,events' },
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
  console.log(`Usage: npm run bench -- [options]
  --duration S         seconds per measurement (default 10; --quick: 2)
  --warmup S           seconds of warm-up load before each measurement (default 2; --quick: 0.5)
  --connections N      concurrent clients of the main loads (default 50)
  --read-connections N clients of the read load that runs during writes (default 10)
  --slices N           read figure: measure servers in N interleaved slices each (default 5; --quick: 1)
  --quick              smoke check: short measurements, results to bench/results/quick.*
  --only 1,2,3,4,5,6,events  figures to measure (4 needs the 100k server, as 2 and 3 do); 6: awards by
                       address and webhooks (issue 11); events: bench/events.ts (issue 9)
  --store S            lowdb, postgres or both (default): which stores figures 1-4 measure;
                       PostgreSQL is DATABASE_URL when set, else a throwaway embedded server
  --profile            run the server children with --cpu-prof and print their hottest functions
  --keep               keep the run's data folder
  --no-build           do not rebuild dist/ even if server sources are newer
  --out DIR            where results go (default bench/results)
  --max-minutes M      stop everything after M minutes (default 30)`);
  process.exit(0);
}
const quick = args.quick;
const DURATION = Number(args.duration ?? (quick ? 2 : 10));
const WARMUP = Number(args.warmup ?? (quick ? 0.5 : 2));
const CONNECTIONS = Number(args.connections);
const SLICES = Number(args.slices ?? (quick ? 1 : 5));
const READ_CONNECTIONS = Number(args['read-connections']);
const ONLY = new Set(args.only.split(',').map((s) => s.trim()));
if (!['lowdb', 'postgres', 'both'].includes(args.store)) throw new Error('--store must be lowdb, postgres or both');
const LOWDB = args.store !== 'postgres';
const PG = args.store !== 'lowdb';
const OUT = resolve(args.out ?? join(ROOT, 'bench/results'));
const BASENAME = quick ? 'quick' : 'latest';
for (const [name, value, max] of [
  ['duration', DURATION, 600],
  ['warmup', WARMUP, 60],
  ['connections', CONNECTIONS, 1000],
  ['read-connections', READ_CONNECTIONS, 1000],
  ['slices', SLICES, 100],
] as const) {
  if (!(value >= (name === 'warmup' ? 0 : 0.1) && value <= max)) throw new Error(`--${name} must be a number up to ${max}`);
}

const TARGETS = {
  readRatio: 0.4,
  awards10k: 1000,
  awards100k: 500,
  readP99UnderWritesMs: 50,
  startupMs: 3000,
  rssMB: 400,
  /** PostgreSQL: two instances on one database. */
  pgAwards100k: 1000,
};
const READ_NAMES = 3;
/** Distinct `?names=` triples each connection cycles through. */
const READ_VARIANTS = 256;
const NEW_USER_SHARE = 0.05;

// ---------------------------------------------------------------------------------------------
// Children: every process we start is tracked and killed when we exit, however we exit.

const children = new Set<ChildProcess>();
let runDir: string | null = null;
let postgres: BenchPostgres | null = null;

function track<T extends ChildProcess>(child: T): T {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

function cleanup(): void {
  postgres?.stopNow();
  for (const child of children) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  if (runDir && !args.keep) rmSync(runDir, { recursive: true, force: true });
}
process.on('exit', cleanup);
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The URL a child prints as "listening on http://...". Its stdout is read on afterwards (a full pipe
 * would stall it; the server's is its request log) and handed to `keep`, nothing else kept.
 */
function listeningUrl(child: ChildProcess, keep: (chunk: Buffer) => void = () => {}): Promise<string> {
  return new Promise((resolve) => {
    let buffered: string | null = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      keep(chunk);
      if (buffered === null) return;
      buffered += chunk.toString();
      const match = /listening on (http:\/\/[^\s]+)/.exec(buffered);
      if (match) {
        buffered = null;
        resolve(match[1]!);
      }
    });
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms / 1000} s`)), ms))),
  ]);
}

const log = (message: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${message}`);

// ---------------------------------------------------------------------------------------------
// The server under test

interface Memory {
  rssMB: number;
  hwmMB: number;
}

interface ServerHandle {
  pid: number;
  url: string;
  startupMs: number;
  memory(): Memory;
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; ms: number }>;
  output: string[];
}

// DATABASE_URL is for the bench's PostgreSQL; in a server's environment it would turn a lowdb server into one on it.
const { DATABASE_URL: _databaseUrl, ...serverEnv } = process.env;

function readMemory(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMB: kb('VmRSS') / 1024, hwmMB: kb('VmHWM') / 1024 };
}

/** What a server serves: lowdb files, or a PostgreSQL database. */
type StoreTarget = { file: string } | { database: string };

/** Starts `user-badges serve` and times it from spawn to the first 200 on /health. */
async function startServer(target: StoreTarget, profileDir: string | null): Promise<ServerHandle> {
  const started = performance.now();
  const child = track(
    spawn(
      process.execPath,
      [
        ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
        join(ROOT, 'bin/user-badges.js'),
        'serve',
        '--port',
        '0',
        '--host',
        '127.0.0.1',
        ...('file' in target ? ['--data', target.file] : ['--database', target.database]),
        '--no-seed',
      ],
      { cwd: ROOT, env: { ...serverEnv, TEST_SERVICE: 'off', NODE_ENV: 'production' }, stdio: ['ignore', 'pipe', 'pipe'] },
    ),
  );
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const keep = (chunk: Buffer) => {
    if (output.length < 200) output.push(...chunk.toString().split('\n').filter(Boolean));
  };
  child.stderr!.on('data', keep);
  const url = await withTimeout(
    Promise.race([
      listeningUrl(child, keep),
      exited.then((code): never => {
        throw new Error(`server exited with ${code} before listening:\n${output.join('\n')}`);
      }),
    ]),
    120_000,
    'server start',
  );
  for (let attempt = 0; ; attempt++) {
    const ok = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5000) }).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    if (attempt >= 500) throw new Error(`${url}/health did not answer 200`);
    await sleep(10);
  }
  const startupMs = performance.now() - started;
  return {
    pid: child.pid!,
    url,
    startupMs,
    output,
    memory: () => readMemory(child.pid!),
    async stop(signal = 'SIGTERM') {
      const t = performance.now();
      if (child.exitCode !== null || child.signalCode !== null) return { code: child.exitCode, ms: 0 };
      child.kill(signal);
      const code = await withTimeout(exited, 120_000, 'server stop').catch(() => {
        child.kill('SIGKILL');
        return null;
      });
      return { code, ms: performance.now() - t };
    },
  };
}

/** A reference server (bench/ref-server.mjs) in a child process. */
async function startReference(size: number, koa: boolean): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  const child = track(
    spawn(process.execPath, [join(ROOT, 'bench/ref-server.mjs'), '--size', String(size), ...(koa ? ['--koa'] : [])], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['pipe', 'pipe', 'inherit'],
    }),
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await withTimeout(
    Promise.race([
      listeningUrl(child),
      exited.then((): never => {
        throw new Error('reference server exited before listening');
      }),
    ]),
    30_000,
    'reference server start',
  );
  return {
    url,
    pid: child.pid!,
    async stop() {
      child.kill('SIGTERM');
      await withTimeout(exited, 10_000, 'reference server stop').catch(() => child.kill('SIGKILL'));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Load generators (bench/load.ts in child processes)

class Loader {
  private readonly child: ChildProcess;
  private readonly ready: Promise<void>;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (r: LoadResult) => void; reject: (e: Error) => void }>();

  constructor() {
    this.child = track(
      spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/load.ts'), '--child'], {
        cwd: ROOT,
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      }),
    );
    this.ready = withTimeout(
      new Promise<void>((resolve, reject) => {
        this.child.on('message', (message: { type: string; id: number; result: LoadResult; error: string }) => {
          if (message.type === 'ready') resolve();
          const waiter = this.pending.get(message.id);
          if (!waiter) return;
          this.pending.delete(message.id);
          if (message.type === 'result') waiter.resolve(message.result);
          else waiter.reject(new Error(message.error));
        });
        this.child.once('exit', (code) => {
          const error = new Error(`load generator exited with ${code}`);
          reject(error);
          for (const waiter of this.pending.values()) waiter.reject(error);
        });
      }),
      60_000,
      'load generator start',
    );
  }

  async run(spec: LoadSpec): Promise<LoadResult> {
    await this.ready;
    const id = this.nextId++;
    const result = new Promise<LoadResult>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.child.send({ type: 'run', id, spec });
    return withTimeout(result, (spec.duration + 60) * 1000, `load "${spec.title}"`);
  }

  get pid(): number {
    return this.child.pid!;
  }

  whenReady(): Promise<void> {
    return this.ready;
  }

  close(): void {
    if (this.child.connected) this.child.disconnect();
  }
}

/** CPU time (user, system) a process has used so far, in ms, from /proc/PID/stat. */
function cpuTime(pid: number): { user: number; system: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the file, 12th and 13th after the name.
    return { user: Number(fields[11]) * TICK_MS, system: Number(fields[12]) * TICK_MS };
  } catch {
    return null;
  }
}
const TICK_MS = (() => {
  try {
    return 1000 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  } catch {
    return 10;
  }
})();

export interface CpuUse {
  /** Share of one core used during the measurement. */
  utilization: number;
  userMs: number;
  systemMs: number;
  /** CPU time per completed response, microseconds. */
  usPerResponse: number;
}

function cpuBetween(before: ReturnType<typeof cpuTime>, after: ReturnType<typeof cpuTime>, result: LoadResult): CpuUse | null {
  if (!before || !after) return null;
  const userMs = after.user - before.user;
  const systemMs = after.system - before.system;
  return {
    utilization: (userMs + systemMs) / (result.seconds * 1000),
    userMs,
    systemMs,
    usPerResponse: ((userMs + systemMs) * 1000) / Math.max(1, result.completed),
  };
}

/** CPU busy time of the whole machine so far (all cores), in ms, from /proc/stat. */
function machineBusy(): number | null {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal
    return (f[0]! + f[1]! + f[2]! + f[5]! + f[6]!) * TICK_MS;
  } catch {
    return null;
  }
}

type Measured = LoadResult & {
  serverCpu: CpuUse | null;
  loaderCpu: CpuUse | null;
  /** Cores' worth of CPU used by everything else on the machine meanwhile: noise. */
  otherCores: number | null;
};

interface Snapshot {
  server: ReturnType<typeof cpuTime>;
  loader: ReturnType<typeof cpuTime>;
  machine: number | null;
  /** CPU ms of our other processes (a second load generator). */
  extra: number;
}
const snapshot = (serverPid: number, loaderPid: number, extraPids: number[] = []): Snapshot => ({
  server: cpuTime(serverPid),
  loader: cpuTime(loaderPid),
  machine: machineBusy(),
  // The database's CPU is part of the work measured, not noise from the rest of the machine.
  extra: [...extraPids, ...(postgres?.pids() ?? [])].reduce((sum, pid) => {
    const t = cpuTime(pid);
    return sum + (t ? t.user + t.system : 0);
  }, 0),
});

/** Every measurement's background load, for the noise note under the table. */
const noise: { title: string; otherCores: number }[] = [];

function withUsage(run: LoadResult, a: Snapshot, b: Snapshot): Measured {
  const serverCpu = cpuBetween(a.server, b.server, run);
  const loaderCpu = cpuBetween(a.loader, b.loader, run);
  const ours = (serverCpu ? serverCpu.userMs + serverCpu.systemMs : 0) + (loaderCpu ? loaderCpu.userMs + loaderCpu.systemMs : 0) + (b.extra - a.extra);
  const otherCores = a.machine !== null && b.machine !== null ? Math.max(0, (b.machine - a.machine - ours) / (run.seconds * 1000)) : null;
  if (otherCores !== null) noise.push({ title: run.title, otherCores });
  return { ...run, serverCpu, loaderCpu, otherCores };
}

/** A warm-up run (not reported), then the measured run, with the CPU the server and the loader used. */
async function measure(
  loader: Loader,
  spec: Omit<LoadSpec, 'duration'>,
  { serverPid, warmup: warmupSpec }: { serverPid: number; warmup?: Partial<LoadSpec> },
): Promise<{ result: Measured; warmup: LoadResult | null }> {
  const warmup = WARMUP > 0 ? await loader.run({ ...spec, ...warmupSpec, title: `${spec.title} (warm-up)`, duration: WARMUP }) : null;
  log(`measuring ${spec.title} for ${DURATION} s`);
  const before = snapshot(serverPid, loader.pid);
  const run = await loader.run({ ...spec, duration: DURATION });
  const result = withUsage(run, before, snapshot(serverPid, loader.pid));
  log(`  ${describe(result)}`);
  return { result, warmup };
}

/** Sums measured slices into one result; latency percentiles are the response-weighted mean of the slices'. */
function merge(parts: Measured[]): Measured {
  const sum = (f: (m: Measured) => number) => parts.reduce((total, m) => total + f(m), 0);
  const seconds = sum((m) => m.seconds);
  const completed = sum((m) => m.completed);
  const weighted = (f: (m: Measured) => number) => (completed ? sum((m) => f(m) * m.completed) / completed : 0);
  const statusCodes: Record<string, number> = {};
  for (const m of parts) for (const [code, n] of Object.entries(m.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + n;
  const cpu = (f: (m: Measured) => CpuUse | null): CpuUse | null => {
    if (parts.some((m) => !f(m))) return null;
    const userMs = sum((m) => f(m)!.userMs);
    const systemMs = sum((m) => f(m)!.systemMs);
    return { userMs, systemMs, utilization: (userMs + systemMs) / (seconds * 1000), usPerResponse: ((userMs + systemMs) * 1000) / Math.max(1, completed) };
  };
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    title: parts[0]!.title,
    connections: parts[0]!.connections,
    seconds,
    sent: sum((m) => m.sent),
    completed,
    ok: sum((m) => m.ok),
    non2xx: sum((m) => m.non2xx),
    statusCodes,
    errors: sum((m) => m.errors),
    timeouts: sum((m) => m.timeouts),
    resets: sum((m) => m.resets),
    rate: completed / seconds,
    okRate: sum((m) => m.ok) / seconds,
    latency: {
      mean: round(weighted((m) => m.latency.mean)),
      p50: round(weighted((m) => m.latency.p50)),
      p90: round(weighted((m) => m.latency.p90)),
      p97_5: round(weighted((m) => m.latency.p97_5)),
      p99: round(weighted((m) => m.latency.p99)),
      max: Math.max(...parts.map((m) => m.latency.max)),
    },
    bytes: sum((m) => m.bytes),
    serverCpu: cpu((m) => m.serverCpu),
    loaderCpu: cpu((m) => m.loaderCpu),
    otherCores: parts.some((m) => m.otherCores === null) ? null : sum((m) => (m.otherCores ?? 0) * m.seconds) / seconds,
  };
}

/**
 * Measures several targets against each other: after a warm-up of each, the measurement time of each
 * is cut into slices taken in turn (A B C, B C A, ...), so noise from the rest of the machine falls
 * on all of them alike and the ratios stay fair.
 */
async function compare(loader: Loader, targets: { key: string; spec: Omit<LoadSpec, 'duration'>; pid: number }[]): Promise<Record<string, Measured>> {
  if (WARMUP > 0) for (const t of targets) await loader.run({ ...t.spec, title: `${t.spec.title} (warm-up)`, duration: WARMUP });
  const slices = Math.max(1, Math.min(SLICES, Math.floor(DURATION)));
  log(`measuring ${targets.map((t) => t.key).join(', ')}: ${DURATION} s each, in ${slices} interleaved slices`);
  const parts = new Map<string, Measured[]>(targets.map((t) => [t.key, []]));
  for (let slice = 0; slice < slices; slice++) {
    for (let i = 0; i < targets.length; i++) {
      const t = targets[(slice + i) % targets.length]!;
      const before = snapshot(t.pid, loader.pid);
      const run = await loader.run({ ...t.spec, duration: DURATION / slices });
      parts.get(t.key)!.push(withUsage(run, before, snapshot(t.pid, loader.pid)));
    }
  }
  const results: Record<string, Measured> = {};
  for (const t of targets) {
    results[t.key] = { ...merge(parts.get(t.key)!), title: t.spec.title };
    log(`  ${t.spec.title}: ${describe(results[t.key]!)}`);
  }
  return results;
}

function describe(r: LoadResult & Partial<Measured>): string {
  const codes = Object.entries(r.statusCodes)
    .map(([code, n]) => `${code}:${n}`)
    .join(' ');
  const cpu = (c: CpuUse | null | undefined) => (c ? `${(c.utilization * 100).toFixed(0)}% CPU` : '?');
  return (
    `${r.rate.toFixed(0)} responses/s (${codes}${r.errors ? ` errors:${r.errors}` : ''}${r.timeouts ? ` timeouts:${r.timeouts}` : ''}), ` +
    `latency p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms` +
    (r.serverCpu !== undefined ? `; server ${cpu(r.serverCpu)}, ${r.serverCpu ? r.serverCpu.usPerResponse.toFixed(0) : '?'} us/response; load generator ${cpu(r.loaderCpu)}` : '') +
    (r.otherCores !== undefined && r.otherCores !== null ? `; other processes ${r.otherCores.toFixed(2)} cores` : '')
  );
}

/** Figure 2a/2b: durable awards per second at one data size. */
function writeFigure(id: string, users: string, writes: LoadResult, target: number) {
  return {
    id,
    figure: `Writes: PUT users/:name.json (durable), random users, ${users} users, ${CONNECTIONS} clients`,
    measured: `${fmt(writes.okRate)} awards/s; p50 ${writes.latency.p50} ms, p99 ${writes.latency.p99} ms; non-2xx ${writes.non2xx}, errors ${writes.errors}`,
    target: `>= ${fmt(target)} awards/s`,
    pass: writes.okRate >= target,
  };
}

// ---------------------------------------------------------------------------------------------
// Helpers over the API

/** Deterministic `?names=` triples of existing users. */
function readPaths(data: Generated, seed: number): string[] {
  const random = prng(seed);
  const paths: string[] = [];
  for (let i = 0; i < READ_VARIANTS; i++) {
    const chosen = new Set<string>();
    while (chosen.size < READ_NAMES) chosen.add(data.userNames[Math.floor(random() * data.userNames.length)]!);
    paths.push(`/v1/${data.service}/users.json?names=${[...chosen].map(encodeURIComponent).join(',')}`);
  }
  return paths;
}

/** Fetches each path once: its size and validator, checking the answer is the real thing. */
async function probe(url: string, paths: string[]): Promise<{ sizes: number[]; etags: string[]; notModified: number }> {
  const sizes: number[] = [];
  const etags: string[] = [];
  let notModified = 0;
  for (const path of paths) {
    const response = await fetch(url + path, { signal: AbortSignal.timeout(10_000) });
    const body = Buffer.from(await response.arrayBuffer());
    if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${body.toString().slice(0, 200)}`);
    const json = JSON.parse(body.toString()) as { users: unknown[] };
    if (json.users.length !== READ_NAMES) throw new Error(`GET ${path}: ${json.users.length} users, expected ${READ_NAMES}`);
    const etag = response.headers.get('etag');
    if (!etag) throw new Error(`GET ${path}: no ETag`);
    sizes.push(body.length);
    etags.push(etag);
    const again = await fetch(url + path, { headers: { 'if-none-match': etag }, signal: AbortSignal.timeout(10_000) });
    await again.arrayBuffer();
    if (again.status === 304) notModified++;
  }
  return { sizes, etags, notModified };
}

async function totalAwards(url: string, service: string): Promise<number> {
  const response = await fetch(`${url}/v1/${service}/badges.json`, { signal: AbortSignal.timeout(10_000) });
  if (response.status !== 200) throw new Error(`GET badges.json: ${response.status}`);
  const { badges } = (await response.json()) as { badges: { count: number }[] };
  return badges.reduce((sum, b) => sum + b.count, 0);
}

const writeSpec = (url: string, data: Generated, seed: number, title: string, connections = CONNECTIONS): Omit<LoadSpec, 'duration'> => ({
  title,
  url,
  connections,
  writes: { service: data.service, key: data.key, users: data.userNames.length, badges: data.badges, seed, newUsers: NEW_USER_SHARE },
});

const readSpec = (url: string, paths: string[], title: string, connections = CONNECTIONS, headers?: (i: number) => Record<string, string>): Omit<LoadSpec, 'duration'> => ({
  title,
  url,
  connections,
  requests: paths.map((path, i): RequestSpec => ({ path, headers: headers?.(i) })),
});

// ---------------------------------------------------------------------------------------------
// Machine

function machine() {
  const cpus = os.cpus();
  const fsType = (() => {
    try {
      return execFileSync('stat', ['-f', '-c', '%T', benchTemp()], { encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  })();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    dataFs: fsType,
    fdatasync: fdatasyncLatency(),
  };
}

/** What one durable append costs on the disk the data lives on: the floor under a write's latency. */
function fdatasyncLatency(): { p50ms: number; p90ms: number } {
  mkdirSync(benchTemp(), { recursive: true });
  const file = join(benchTemp(), `fsync-probe-${process.pid}`);
  const fd = openSync(file, 'a');
  const times: number[] = [];
  try {
    const line = Buffer.alloc(600, 'x');
    for (let i = 0; i < 50; i++) {
      const t = performance.now();
      writeSync(fd, line);
      fdatasyncSync(fd);
      times.push(performance.now() - t);
    }
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
  times.sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 100) / 100;
  return { p50ms: round(times[25]!), p90ms: round(times[45]!) };
}

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

function ensureBuilt(): string {
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
// Widget (figure 5) comes from the widget's own benchmark, when it exists.

function widgetFigures(): { available: true; data: Record<string, unknown> } | { available: false; reason: string } {
  let stdout: string;
  try {
    stdout = execFileSync('npm', ['run', '-s', 'bench:widget', '--', '--json'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 300_000,
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    return { available: false, reason: `npm run bench:widget failed: ${(error as Error).message.split('\n')[0]}` };
  }
  const start = stdout.indexOf('{');
  const end = stdout.lastIndexOf('}');
  if (start < 0 || end < start) return { available: false, reason: `bench:widget printed no JSON (${JSON.stringify(stdout.trim().slice(0, 80))})` };
  try {
    const data = JSON.parse(stdout.slice(start, end + 1)) as unknown;
    if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new Error('not an object');
    return { available: true, data: data as Record<string, unknown> };
  } catch (error) {
    return { available: false, reason: `bench:widget output is not a JSON object: ${(error as Error).message}` };
  }
}

// ---------------------------------------------------------------------------------------------
// Report

interface Figure {
  id: string;
  figure: string;
  measured: string;
  target: string;
  /** null: informational, no target. */
  pass: boolean | null;
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const usPer = (m: Measured) => (m.serverCpu ? `${fmt(m.serverCpu.usPerResponse)} us` : '?');
const verdict = (pass: boolean | null) => (pass === null ? '' : pass ? 'PASS' : 'FAIL');

/** Two lines a figure: what, target and verdict; then the measurement, indented. */
function textTable(figures: Figure[]): string {
  const idWidth = Math.max(...figures.map((f) => f.id.length));
  const figureWidth = Math.min(80, Math.max(...figures.map((f) => f.figure.length)));
  const targetWidth = Math.max(...figures.map((f) => f.target.length));
  return figures
    .map(
      (f) =>
        `${f.id.padEnd(idWidth)}  ${f.figure.padEnd(figureWidth)}  ${f.target.padEnd(targetWidth)}  ${verdict(f.pass)}`.trimEnd() +
        `\n${' '.repeat(idWidth + 2)}-> ${f.measured}`,
    )
    .join('\n');
}

function markdownTable(figures: Figure[]): string {
  const escape = (s: string) => s.replace(/\|/g, '\\|');
  return [
    '| # | Figure | Measured | Target | Result |',
    '|---|---|---|---|---|',
    ...figures.map((f) => `| ${f.id} | ${escape(f.figure)} | ${escape(f.measured)} | ${escape(f.target)} | ${f.pass === null ? '' : f.pass ? '**PASS**' : '**FAIL**'} |`),
  ].join('\n');
}

function machineLine(m: ReturnType<typeof machine>): string {
  return `${m.cpu}, ${m.cores} cores, ${m.memoryGB} GB RAM, ${m.os}, Node ${m.node}, data on ${m.dataFs} (fdatasync p50 ${m.fdatasync.p50ms} ms, p90 ${m.fdatasync.p90ms} ms)`;
}

// ---------------------------------------------------------------------------------------------
// The run

async function main(): Promise<void> {
  const startedAt = new Date();
  const build = ensureBuilt();
  const info = machine();
  log(`machine: ${machineLine(info)}`);
  log(`${build}; ${DURATION} s per measurement after ${WARMUP} s warm-up, ${CONNECTIONS} connections`);

  runDir = join(benchTemp(), 'runs', `${startedAt.toISOString().replace(/[:.]/g, '-')}-${process.pid}`);
  await mkdir(runDir, { recursive: true });
  const profileDir = args.profile ? join(OUT, 'profiles', startedAt.toISOString().replace(/[:.]/g, '-')) : null;
  if (profileDir) await mkdir(profileDir, { recursive: true });

  const figures: Figure[] = [];
  const raw: Record<string, unknown> = {};
  // Started when a figure first needs it: a run of the events figures alone never does, and a load
  // generator left waiting through their long set-up lost its channel.
  let loaderProcess: Loader | null = null;
  const loader = () => (loaderProcess ??= new Loader());
  const notes: string[] = [];
  /** PostgreSQL's rows, shown after the lowdb figures they mirror. */
  const pgFigures: Figure[] = [];
  const transfers: Transfer[] = [];

  if (PG && ['1', '2', '3', '4', '6'].some((f) => ONLY.has(f))) {
    postgres = await startPostgres(join(runDir, 'pg'), log);
    raw.postgres = { where: postgres.where, version: postgres.version, settings: postgres.settings, fsync: 'on' };
  }
  /** A lowdb data set into a fresh database through `user-badges export` and `import`, timed. */
  const moveToPostgres = async (data: Generated, name: string, users: number): Promise<string> => {
    const database = await postgres!.createDatabase(name);
    log(`moving ${fmt(users)} users to PostgreSQL: user-badges export, then import --database`);
    const moved = await transfer(ROOT, data.file, database, join(runDir!, `${name}.jsonl`), users);
    log(`  export ${fmt(moved.exportMs)} ms, import ${fmt(moved.importMs)} ms (${fmt(moved.fileMB, 1)} MB of JSON Lines)`);
    transfers.push(moved);
    return database;
  };

  // --- 10,000 users: reads (1), revalidation, writes (2a) ---------------------------------
  if (ONLY.has('1') || (LOWDB && ONLY.has('2'))) {
    const data = await generateCached({ file: join(runDir, '10k/db.json'), users: 10_000 });
    log(`10k data: ${data.cached ? 'copied from cache' : 'generated'} in ${data.seconds.toFixed(1)} s`);
    // Moved before the lowdb server starts: the export opens the same files, which a server owns.
    const pgServer = PG && ONLY.has('1') ? await startServer({ database: await moveToPostgres(data, 'bench_10k', 10_000) }, profileDir) : null;
    if (pgServer) log(`10k PostgreSQL-backed server ready in ${pgServer.startupMs.toFixed(0)} ms at ${pgServer.url}`);
    const server = LOWDB ? await startServer({ file: data.file }, profileDir) : null;
    if (server) log(`10k server ready in ${server.startupMs.toFixed(0)} ms at ${server.url}`);
    if (server) raw.server10k = { startupMs: server.startupMs };

    if (ONLY.has('1')) {
      const paths = readPaths(data, 1);
      const { sizes, etags, notModified } = await probe((server ?? pgServer)!.url, paths);
      const size = Math.round(sizes.reduce((a, b) => a + b, 0) / sizes.length);
      log(`read responses: ${Math.min(...sizes)}-${Math.max(...sizes)} bytes, mean ${size}; ${notModified}/${paths.length} answered 304 to If-None-Match`);
      // The stores promise the same answers byte for byte; a figure over different answers would compare nothing.
      const pgSizes = server && pgServer ? (await probe(pgServer.url, paths)).sizes : sizes;
      if (pgSizes.some((n, i) => n !== sizes[i])) throw new Error('the PostgreSQL-backed server answers reads with other sizes than the lowdb one');

      const bareRef = await startReference(size, false);
      const koaRef = await startReference(size, true);
      const measured = await compare(loader(), [
        { key: 'bare', spec: readSpec(bareRef.url, paths, `reference node:http (${size} B)`), pid: bareRef.pid },
        { key: 'koa', spec: readSpec(koaRef.url, paths, `reference Koa + @koa/router (${size} B)`), pid: koaRef.pid },
        ...(server
          ? [
              { key: 'reads', spec: readSpec(server.url, paths, 'reads, 10k users, 3 names'), pid: server.pid },
              {
                key: 'revalidations',
                spec: readSpec(server.url, paths, 'revalidations (If-None-Match), 10k users', CONNECTIONS, (i) => ({ 'if-none-match': etags[i]! })),
                pid: server.pid,
              },
            ]
          : []),
        ...(pgServer ? [{ key: 'pgReads', spec: readSpec(pgServer.url, paths, 'reads, PostgreSQL, 10k users, 3 names'), pid: pgServer.pid }] : []),
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

    if (server && ONLY.has('2')) {
      const { result: writes, warmup } = await measure(loader(), writeSpec(server.url, data, 2, 'awards, 10k users'), {
        serverPid: server.pid,
        warmup: { writes: writeSpec(server.url, data, 1, '').writes! },
      });
      figures.push(writeFigure('2a', '10k', writes, TARGETS.awards10k));
      raw.writes10k = { writes, warmup };
    }
    if (server) {
      raw.memory10k = server.memory();
      const stopped = await server.stop();
      raw.server10k = { ...(raw.server10k as object), shutdownMs: stopped.ms, exitCode: stopped.code };
      log(`10k server stopped (exit ${stopped.code}) in ${stopped.ms.toFixed(0)} ms`);
    }
  }

  // --- 100,000 users: startup and memory (4), writes (2b), reads under writes (3) -----------
  if (LOWDB && (ONLY.has('2') || ONLY.has('3') || ONLY.has('4'))) {
    const data = await generateCached({ file: join(runDir, '100k/db.json'), users: 100_000 });
    log(`100k data: ${data.cached ? 'copied from cache' : 'generated'} in ${data.seconds.toFixed(1)} s`);
    let server = await startServer({ file: data.file }, profileDir);
    const idle = server.memory();
    log(`100k server ready in ${server.startupMs.toFixed(0)} ms at ${server.url}; RSS ${idle.rssMB.toFixed(0)} MB`);
    const rssSamples: number[] = [];
    const sampler = setInterval(() => {
      try {
        rssSamples.push(server.memory().rssMB);
      } catch {
        // exited
      }
    }, 500);
    const before = await totalAwards(server.url, data.service);
    const writeRuns: LoadResult[] = [];

    if (ONLY.has('2')) {
      const { result: writes, warmup } = await measure(loader(), writeSpec(server.url, data, 12, 'awards, 100k users'), {
        serverPid: server.pid,
        warmup: { writes: writeSpec(server.url, data, 11, '').writes! },
      });
      writeRuns.push(writes, ...(warmup ? [warmup] : []));
      figures.push(writeFigure('2b', '100k', writes, TARGETS.awards100k));
      raw.writes100k = { writes, warmup };
    }

    if (ONLY.has('3')) {
      const paths = readPaths(data, 3);
      const readLoader = new Loader();
      await readLoader.whenReady();
      if (WARMUP > 0) await readLoader.run({ ...readSpec(server.url, paths, 'reads, 100k users (warm-up)', READ_CONNECTIONS), duration: WARMUP });
      const alone = await readLoader.run({ ...readSpec(server.url, paths, 'reads alone, 100k users', READ_CONNECTIONS), duration: Math.min(DURATION, 5) });
      log(`  reads alone at 100k, ${READ_CONNECTIONS} clients: ${describe(alone)}`);
      log(`measuring reads (${READ_CONNECTIONS} clients) during awards (${CONNECTIONS} clients), 100k users, for ${DURATION} s`);
      // The writes start first and end last, so every read is measured under write load.
      const writing = loader().run({ ...writeSpec(server.url, data, 13, 'awards during reads, 100k users'), duration: DURATION + 2 });
      await sleep(1000);
      const cpu0 = snapshot(server.pid, readLoader.pid, [loader().pid]);
      const readRun = await readLoader.run({ ...readSpec(server.url, paths, 'reads during awards, 100k users', READ_CONNECTIONS), duration: DURATION });
      const reads = withUsage(readRun, cpu0, snapshot(server.pid, readLoader.pid, [loader().pid]));
      const writes = await writing;
      readLoader.close();
      writeRuns.push(writes);
      log(`  reads:  ${describe(reads)}`);
      log(`  writes: ${describe(writes)}`);
      figures.push({
        id: '3',
        figure: `Reads under write load: ${READ_CONNECTIONS} read clients during ${CONNECTIONS} award clients, 100k users`,
        measured: `read p99 ${reads.latency.p99} ms (p50 ${reads.latency.p50}, p97.5 ${reads.latency.p97_5}, max ${reads.latency.max}); ${fmt(reads.okRate)} reads/s with ${fmt(writes.okRate)} awards/s; alone: ${fmt(alone.okRate)} reads/s, p99 ${alone.latency.p99} ms`,
        target: `p99 <= ${TARGETS.readP99UnderWritesMs} ms`,
        pass: reads.latency.p99 <= TARGETS.readP99UnderWritesMs && reads.non2xx === 0 && reads.errors === 0,
      });
      raw.readsUnderWrites = { reads, writes, readsAlone: alone };
    }

    clearInterval(sampler);
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
    if (writeRuns.length > 0 && !args.profile) {
      const acked = writeRuns.reduce((sum, r) => sum + r.ok, 0);
      const sent = writeRuns.reduce((sum, r) => sum + r.sent, 0);
      await server.stop('SIGKILL');
      server = await startServer({ file: data.file }, null);
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
    } else if (args.profile) {
      notes.push('Durability check skipped with --profile (a killed process writes no profile).');
    }
    const stopped = await server.stop();
    raw.server100k = { ...(raw.server100k as object), shutdownMs: stopped.ms, exitCode: stopped.code };
    log(`100k server stopped (exit ${stopped.code}) in ${stopped.ms.toFixed(0)} ms`);
  }

  if (PG && (ONLY.has('2') || ONLY.has('3') || ONLY.has('4'))) await postgres100k(loader(), pgFigures, raw, notes, moveToPostgres, profileDir);
  if (PG && transfers.length > 0) {
    const describeMove = (t: Transfer) =>
      `${fmt(t.users)} users: export ${fmt(t.exportMs / 1000, 1)} s, import ${fmt(t.importMs / 1000, 1)} s (${fmt(t.users / (t.importMs / 1000))} users/s; ${fmt(t.fileMB, 1)} MB)`;
    pgFigures.unshift({
      id: 'P0',
      figure: 'Moving to PostgreSQL: user-badges export (lowdb), then import --database, each spawn to exit',
      measured: transfers.map(describeMove).join('; '),
      target: 'reported',
      pass: null,
    });
    raw.transfers = transfers;
  }
  figures.push(...pgFigures);
  // --- Awards by address and webhooks (6) -----------------------------------------------------
  if (ONLY.has('6')) {
    const stores = [
      ...(LOWDB ? [{ kind: 'lowdb' as const }] : []),
      ...(PG ? [{ kind: 'postgres' as const, database: () => postgres!.createDatabase(`access_${Date.now()}`) }] : []),
    ];
    const access = await accessFigures({ root: ROOT, dir: runDir, stores, quick, log, track });
    figures.push(...access.figures);
    raw.access = access.raw;
  }
  if (postgres) {
    await postgres.stop();
    postgres = null;
  }
  (loaderProcess as Loader | null)?.close();

  // --- Widget (5) ---------------------------------------------------------------------------
  if (ONLY.has('5')) {
    log('widget: npm run -s bench:widget -- --json');
    const widget = widgetFigures();
    raw.widget = widget;
    if (widget.available) {
      figures.push(...widgetRows(widget.data));
    } else {
      figures.push({ id: '5', figure: 'Widget: bundle size beside jQuery; requests for 200 elements', measured: `not available (${widget.reason})`, target: 'reported', pass: null });
    }
  }

  // --- Events, rules (issue 9): its own data set of 1,000,000 stored events (bench/events.ts) ----
  if (ONLY.has('events')) {
    const { eventFigures } = await import('./events.js');
    const events = await eventFigures({ store: LOWDB && PG ? 'both' : LOWDB ? 'lowdb' : 'postgres', events: quick ? 100_000 : 1_000_000, duration: DURATION });
    figures.push(...events.figures);
    raw.events = events.raw;
  }

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
  const noisiest = noise.reduce((worst, n) => (n.otherCores > worst.otherCores ? n : worst), { title: '', otherCores: 0 });
  if (noisiest.otherCores > 0.25) {
    notes.push(
      `Noise: other processes on the machine used up to ${noisiest.otherCores.toFixed(2)} cores during a measurement (${noisiest.title}); ` +
        'req/s figures of that run are pessimistic. Server CPU per response (in latest.json) is steadier.',
    );
  }
  const finishedAt = new Date();
  const results = {
    generatedBy: 'npm run bench',
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    machine: info,
    settings: { duration: DURATION, warmup: WARMUP, connections: CONNECTIONS, readConnections: READ_CONNECTIONS, quick, only: [...ONLY], build },
    targets: TARGETS,
    figures,
    notes,
    noise: noise.map((n) => ({ ...n, otherCores: Math.round(n.otherCores * 100) / 100 })),
    raw,
    ...(profileDir ? { profiles } : {}),
  };
  const header = `user-badges benchmark, ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC (${((finishedAt.getTime() - startedAt.getTime()) / 1000).toFixed(0)} s)`;
  const settingsLine = `${DURATION} s per measurement after ${WARMUP} s warm-up; autocannon, ${CONNECTIONS} connections on 127.0.0.1; server, load generators and reference servers each in their own process.`;
  console.log(`\n${header}\nMachine: ${machineLine(info)}\n${settingsLine}\n\n${textTable(figures)}${notes.length ? `\n\n${notes.join('\n')}` : ''}\n`);
  await mkdir(OUT, { recursive: true });
  await writeFile(join(OUT, `${BASENAME}.json`), JSON.stringify(results, null, 2) + '\n');
  await writeFile(
    join(OUT, `${BASENAME}.md`),
    `${header}\n\nMachine: ${machineLine(info)}\n\n${settingsLine}\n\n${markdownTable(figures)}\n${notes.length ? `\n${notes.join('\n')}\n` : ''}`,
  );
  log(`results: ${relative(ROOT, join(OUT, BASENAME))}.json and .md`);
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL at 100,000 users: two instances on one database

/** CPU ms used so far by some processes together. */
const cpuOf = (pids: number[]) =>
  pids.reduce((sum, pid) => {
    const t = cpuTime(pid);
    return sum + (t ? t.user + t.system : 0);
  }, 0);

interface Together {
  runs: LoadResult[];
  /** Cores' worth of CPU during the runs: both servers, the database, the load generators, everything else. */
  cores: { servers: number; database: number; loaders: number; other: number | null };
}

/** Runs loads at once (each its own generator), with what each part of the machine used meanwhile. */
async function together(title: string, parts: { loader: Loader; spec: LoadSpec }[], serverPids: number[]): Promise<Together> {
  const loaderPids = parts.map((p) => p.loader.pid);
  const dbPids = () => postgres?.pids() ?? [];
  const before = { servers: cpuOf(serverPids), database: cpuOf(dbPids()), loaders: cpuOf(loaderPids), machine: machineBusy() };
  const started = performance.now();
  const runs = await Promise.all(parts.map((p) => p.loader.run(p.spec)));
  const ms = performance.now() - started;
  const servers = (cpuOf(serverPids) - before.servers) / ms;
  const database = (cpuOf(dbPids()) - before.database) / ms;
  const loaders = (cpuOf(loaderPids) - before.loaders) / ms;
  const after = machineBusy();
  const other = before.machine !== null && after !== null ? Math.max(0, (after - before.machine) / ms - servers - database - loaders) : null;
  if (other !== null) noise.push({ title, otherCores: other });
  return { runs, cores: { servers, database, loaders, other } };
}

const sumOk = (runs: LoadResult[]) => runs.reduce((sum, r) => sum + r.ok, 0);
const coresLine = (c: Together['cores']) =>
  `CPU: instances ${fmt(c.servers, 2)}, PostgreSQL ${fmt(c.database, 2)}, load generators ${fmt(c.loaders, 2)}, other ${c.other === null ? '?' : fmt(c.other, 2)} cores`;

async function postgres100k(
  loader: Loader,
  pgFigures: Figure[],
  raw: Record<string, unknown>,
  notes: string[],
  moveToPostgres: (data: Generated, name: string, users: number) => Promise<string>,
  profileDir: string | null,
): Promise<void> {
  const data = await generateCached({ file: join(runDir!, 'pg100k/db.json'), users: 100_000 });
  const database = await moveToPostgres(data, 'bench_100k', 100_000);
  let a = await startServer({ database }, profileDir);
  const idle = a.memory();
  log(`100k PostgreSQL-backed instance A ready in ${a.startupMs.toFixed(0)} ms at ${a.url}; RSS ${idle.rssMB.toFixed(0)} MB`);
  const b = await startServer({ database }, profileDir);
  log(`100k PostgreSQL-backed instance B ready in ${b.startupMs.toFixed(0)} ms at ${b.url}`);
  const second = new Loader();
  await second.whenReady();
  const before = await totalAwards(a.url, data.service);
  const writeRuns: LoadResult[] = [];
  // The award clients are split between the instances, as a load balancer would.
  const half = Math.max(1, Math.round(CONNECTIONS / 2));
  const awardsOnBoth = (seed: number, title: string, duration: number) => [
    { loader, spec: { ...writeSpec(a.url, data, seed, `${title} (A)`, half), duration } },
    { loader: second, spec: { ...writeSpec(b.url, data, seed + 1000, `${title} (B)`, CONNECTIONS - half), duration } },
  ];

  if (ONLY.has('2')) {
    if (WARMUP > 0) writeRuns.push(...(await Promise.all(awardsOnBoth(31, 'awards, PostgreSQL (warm-up)', WARMUP).map((p) => p.loader.run(p.spec)))));
    log(`measuring awards on two PostgreSQL-backed instances (${half} + ${CONNECTIONS - half} clients), 100k users, for ${DURATION} s`);
    const measured = await together('awards, PostgreSQL, 2 instances, 100k users', awardsOnBoth(32, 'awards, PostgreSQL, 100k users', DURATION), [a.pid, b.pid]);
    writeRuns.push(...measured.runs);
    const [onA, onB] = measured.runs as [LoadResult, LoadResult];
    const rate = (onA.ok + onB.ok) / Math.max(onA.seconds, onB.seconds);
    for (const r of measured.runs) log(`  ${r.title}: ${describe(r)}`);
    log(`  ${fmt(rate)} awards/s together; ${coresLine(measured.cores)}`);
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

  if (ONLY.has('3')) {
    const paths = readPaths(data, 3);
    const readLoader = new Loader();
    await readLoader.whenReady();
    if (WARMUP > 0) await readLoader.run({ ...readSpec(b.url, paths, 'reads, PostgreSQL, 100k users (warm-up)', READ_CONNECTIONS), duration: WARMUP });
    const alone = await readLoader.run({ ...readSpec(b.url, paths, 'reads alone, PostgreSQL, 100k users', READ_CONNECTIONS), duration: Math.min(DURATION, 5) });
    log(`  reads alone on B, ${READ_CONNECTIONS} clients: ${describe(alone)}`);
    log(`measuring reads (${READ_CONNECTIONS} clients) on B during awards (${CONNECTIONS} clients) on A and B, PostgreSQL, 100k users, for ${DURATION} s`);
    // The writes start first and end last, so every read is measured under write load.
    const writing = Promise.all(awardsOnBoth(33, 'awards during reads, PostgreSQL', DURATION + 2).map((p) => p.loader.run(p.spec)));
    await sleep(1000);
    const measured = await together(
      'reads during awards, PostgreSQL, 100k users',
      [{ loader: readLoader, spec: { ...readSpec(b.url, paths, 'reads during awards, PostgreSQL, 100k users', READ_CONNECTIONS), duration: DURATION } }],
      [a.pid, b.pid],
    );
    const writes = await writing;
    readLoader.close();
    writeRuns.push(...writes);
    const reads = measured.runs[0]!;
    const awardRate = writes.reduce((sum, w) => sum + w.okRate, 0);
    log(`  reads:  ${describe(reads)}`);
    for (const w of writes) log(`  ${w.title}: ${describe(w)}`);
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
  if (writeRuns.length > 0 && !args.profile) {
    const acked = sumOk(writeRuns);
    const sent = writeRuns.reduce((sum, r) => sum + r.sent, 0);
    await Promise.all([a.stop('SIGKILL'), b.stop('SIGKILL')]);
    a = await startServer({ database }, null);
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
  } else if (args.profile) {
    notes.push('PostgreSQL durability check skipped with --profile (a killed process writes no profile).');
  }
  await Promise.all([a.stop(), b.stop()]);
  log('100k PostgreSQL-backed instances stopped');
}

/** Rows for figure 5 from what the widget benchmark reports (bench/widget.mjs --json). */
function widgetRows(data: Record<string, unknown>): Figure[] {
  type Sizes = { raw?: number; gzip?: number; brotli?: number; file?: string; version?: string };
  const kb = (n: number | undefined) => (typeof n === 'number' ? `${fmt(n / 1024, 1)} KB` : '?');
  const sizes = (s: Sizes) => `${kb(s.raw)} raw, ${kb(s.gzip)} gzip, ${kb(s.brotli)} brotli`;
  const rows: Figure[] = [];
  const bundles = data.bundles as Record<string, Sizes> | undefined;
  const jquery = data.jquery as Sizes | undefined;
  const budget = data.budget as { brotli?: number; within?: boolean } | undefined;
  if (bundles && typeof bundles === 'object') {
    const parts = Object.entries(bundles).map(([name, s]) => `${name} ${sizes(s)}`);
    if (jquery) parts.push(`jQuery ${jquery.version ?? ''} min: ${sizes(jquery)}`.replace('  ', ' '));
    const smallest = Math.min(...Object.values(bundles).map((s) => s.brotli ?? Infinity));
    if (jquery?.brotli && Number.isFinite(smallest)) parts.push(`classic/jQuery brotli = ${fmt((bundles.classic?.brotli ?? smallest) / jquery.brotli, 2)}`);
    rows.push({
      id: '5a',
      figure: 'Widget bundle size beside jQuery (minified)',
      measured: parts.join('; '),
      target: budget?.brotli ? `reported; budget ${kb(budget.brotli)} brotli` : 'reported',
      pass: budget && typeof budget.within === 'boolean' ? budget.within : null,
    });
  }
  const many = data.manyElements as { elements?: number; distinctUsers?: number; drawn?: number; requests?: number; namesPerRequest?: number[]; allDrawnMs?: number } | undefined;
  if (many && typeof many === 'object') {
    rows.push({
      id: '5b',
      figure: `Widget: requests for a page with ${many.elements ?? '?'} elements`,
      measured:
        `${many.requests ?? '?'} requests (names per request: ${(many.namesPerRequest ?? []).join(', ')}) for ${many.distinctUsers ?? '?'} distinct users; ` +
        `${many.drawn ?? '?'} drawn in ${many.allDrawnMs ?? '?'} ms`,
      target: 'reported',
      pass: null,
    });
  }
  if (rows.length === 0) rows.push({ id: '5', figure: 'Widget (bench:widget --json)', measured: JSON.stringify(data).slice(0, 300), target: 'reported', pass: null });
  return rows;
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(`bench: ${error.stack ?? error.message}`);
    process.exit(1);
  },
);

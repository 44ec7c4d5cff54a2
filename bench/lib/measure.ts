/**
 * Measuring loads: the load generators (bench/load.ts in child processes), the CPU each process used
 * meanwhile, and the ways a figure is taken (one target after a warm-up, several interleaved, or
 * several loads at once).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadResult, LoadSpec } from '../load.js';
import type { Bench } from './context.js';

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms / 1000} s`)), ms))),
  ]);
}

export class Loader {
  private readonly child: ChildProcess;
  private readonly ready: Promise<void>;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (r: LoadResult) => void; reject: (e: Error) => void }>();

  constructor(bench: Bench) {
    this.child = bench.track(
      spawn(process.execPath, ['--import', 'tsx', join(bench.root, 'bench/load.ts'), '--child'], {
        cwd: bench.root,
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
export function cpuTime(pid: number): { user: number; system: number } | null {
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

export type Measured = LoadResult & {
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

export const snapshot = (bench: Bench, serverPid: number, loaderPid: number, extraPids: number[] = []): Snapshot => ({
  server: cpuTime(serverPid),
  loader: cpuTime(loaderPid),
  machine: machineBusy(),
  // The database's CPU is part of the work measured, not noise from the rest of the machine.
  extra: [...extraPids, ...bench.postgresPids()].reduce((sum, pid) => {
    const t = cpuTime(pid);
    return sum + (t ? t.user + t.system : 0);
  }, 0),
});

export function withUsage(bench: Bench, run: LoadResult, a: Snapshot, b: Snapshot): Measured {
  const serverCpu = cpuBetween(a.server, b.server, run);
  const loaderCpu = cpuBetween(a.loader, b.loader, run);
  const ours = (serverCpu ? serverCpu.userMs + serverCpu.systemMs : 0) + (loaderCpu ? loaderCpu.userMs + loaderCpu.systemMs : 0) + (b.extra - a.extra);
  const otherCores = a.machine !== null && b.machine !== null ? Math.max(0, (b.machine - a.machine - ours) / (run.seconds * 1000)) : null;
  if (otherCores !== null) bench.noise.push({ title: run.title, otherCores });
  return { ...run, serverCpu, loaderCpu, otherCores };
}

/** A warm-up run (not reported), then the measured run, with the CPU the server and the loader used. */
export async function measure(
  bench: Bench,
  loader: Loader,
  spec: Omit<LoadSpec, 'duration'>,
  { serverPid, warmup: warmupSpec }: { serverPid: number; warmup?: Partial<LoadSpec> },
): Promise<{ result: Measured; warmup: LoadResult | null }> {
  const { duration, warmup: warmupSeconds } = bench.options;
  const warmup = warmupSeconds > 0 ? await loader.run({ ...spec, ...warmupSpec, title: `${spec.title} (warm-up)`, duration: warmupSeconds }) : null;
  bench.log(`measuring ${spec.title} for ${duration} s`);
  const before = snapshot(bench, serverPid, loader.pid);
  const run = await loader.run({ ...spec, duration });
  const result = withUsage(bench, run, before, snapshot(bench, serverPid, loader.pid));
  bench.log(`  ${describe(result)}`);
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
export async function compare(bench: Bench, loader: Loader, targets: { key: string; spec: Omit<LoadSpec, 'duration'>; pid: number }[]): Promise<Record<string, Measured>> {
  const { duration, warmup } = bench.options;
  if (warmup > 0) for (const t of targets) await loader.run({ ...t.spec, title: `${t.spec.title} (warm-up)`, duration: warmup });
  const slices = Math.max(1, Math.min(bench.options.slices, Math.floor(duration)));
  bench.log(`measuring ${targets.map((t) => t.key).join(', ')}: ${duration} s each, in ${slices} interleaved slices`);
  const parts = new Map<string, Measured[]>(targets.map((t) => [t.key, []]));
  for (let slice = 0; slice < slices; slice++) {
    for (let i = 0; i < targets.length; i++) {
      const t = targets[(slice + i) % targets.length]!;
      const before = snapshot(bench, t.pid, loader.pid);
      const run = await loader.run({ ...t.spec, duration: duration / slices });
      parts.get(t.key)!.push(withUsage(bench, run, before, snapshot(bench, t.pid, loader.pid)));
    }
  }
  const results: Record<string, Measured> = {};
  for (const t of targets) {
    results[t.key] = { ...merge(parts.get(t.key)!), title: t.spec.title };
    bench.log(`  ${t.spec.title}: ${describe(results[t.key]!)}`);
  }
  return results;
}

export function describe(r: LoadResult & Partial<Measured>): string {
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

/** CPU ms used so far by some processes together. */
const cpuOf = (pids: number[]) =>
  pids.reduce((sum, pid) => {
    const t = cpuTime(pid);
    return sum + (t ? t.user + t.system : 0);
  }, 0);

export interface Together {
  runs: LoadResult[];
  /** Cores' worth of CPU during the runs: both servers, the database, the load generators, everything else. */
  cores: { servers: number; database: number; loaders: number; other: number | null };
}

/** Runs loads at once (each its own generator), with what each part of the machine used meanwhile. */
export async function together(bench: Bench, title: string, parts: { loader: Loader; spec: LoadSpec }[], serverPids: number[]): Promise<Together> {
  const loaderPids = parts.map((p) => p.loader.pid);
  const dbPids = () => bench.postgresPids();
  const before = { servers: cpuOf(serverPids), database: cpuOf(dbPids()), loaders: cpuOf(loaderPids), machine: machineBusy() };
  const started = performance.now();
  const runs = await Promise.all(parts.map((p) => p.loader.run(p.spec)));
  const ms = performance.now() - started;
  const servers = (cpuOf(serverPids) - before.servers) / ms;
  const database = (cpuOf(dbPids()) - before.database) / ms;
  const loaders = (cpuOf(loaderPids) - before.loaders) / ms;
  const after = machineBusy();
  const other = before.machine !== null && after !== null ? Math.max(0, (after - before.machine) / ms - servers - database - loaders) : null;
  if (other !== null) bench.noise.push({ title, otherCores: other });
  return { runs, cores: { servers, database, loaders, other } };
}

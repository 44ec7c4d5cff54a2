/**
 * The processes a figure measures: the built server (`bin/user-badges.js serve`, started by the
 * spawner the tests use), and the reference servers of figure 1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, serve } from '../../test/support/serve.js';
import { withTimeout } from './measure.js';

export interface Memory {
  rssMB: number;
  hwmMB: number;
}

export interface ServerHandle {
  pid: number;
  url: string;
  /** From spawn to the first 200 on /health (to the listening line without `health`). */
  startupMs: number;
  memory(): Memory;
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; ms: number }>;
  /** The first lines it printed, for a failure's message. */
  output(): string;
}

/** What a server serves: lowdb files, or a PostgreSQL database. */
export type StoreTarget = { file: string } | { database: string };

export interface StartOptions {
  /** Every child is registered, so that whatever ends the run ends them too. */
  track?: (child: ChildProcess) => ChildProcess;
  /** Node flags for the server: --cpu-prof, --max-old-space-size, ... */
  nodeFlags?: string[];
  /** Variables beside NODE_ENV=production and TEST_SERVICE=off. */
  env?: Record<string, string>;
  /** Wait for the first 200 on /health after the listening line (the startup figures do). */
  health?: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A server's RSS every half second until `stop`, which answers the samples (MB). */
export function sampleRss(server: Pick<ServerHandle, 'memory'>): { stop: () => number[] } {
  const samples: number[] = [];
  const timer = setInterval(() => {
    try {
      samples.push(server.memory().rssMB);
    } catch {
      // exited
    }
  }, 500);
  return { stop: () => (clearInterval(timer), samples) };
}

/** Starts `user-badges serve` (built) on a store and times it from spawn to the first 200 on /health. */
export async function startServer(target: StoreTarget, options: StartOptions = {}): Promise<ServerHandle> {
  const served = await serve([...('file' in target ? ['--data', target.file] : ['--database', target.database]), '--no-seed'], {
    built: true,
    nodeFlags: options.nodeFlags,
    // DATABASE_URL is for the bench's PostgreSQL; in a server's environment it would turn a lowdb server into one on it.
    env: { DATABASE_URL: undefined, TEST_SERVICE: 'off', NODE_ENV: 'production', ...options.env },
    timeoutMs: 120_000,
    // Its stdout is the request log: only the start is of use (in a failure's message).
    keepBytes: 64 * 1024,
  });
  options.track?.(served.child);
  if (options.health !== false) {
    for (let attempt = 0; ; attempt++) {
      const ok = await fetch(`${served.base}/health`, { signal: AbortSignal.timeout(5000) }).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) break;
      if (attempt >= 500) throw new Error(`${served.base}/health did not answer 200`);
      await sleep(10);
    }
  }
  const startupMs = performance.now() - served.spawnedAt;
  return {
    pid: served.pid,
    url: served.base,
    startupMs,
    output: () => served.output() + served.stderr(),
    memory: () => {
      const { rssMB, peakMB } = served.memory();
      return { rssMB, hwmMB: peakMB };
    },
    async stop(signal = 'SIGTERM') {
      const t = performance.now();
      if (served.child.exitCode !== null || served.child.signalCode !== null) return { code: served.child.exitCode, ms: 0 };
      const code = await withTimeout(served.stop(signal), 120_000, 'server stop').catch(() => {
        served.child.kill('SIGKILL');
        return null;
      });
      return { code, ms: performance.now() - t };
    },
  };
}

/**
 * The URL a child prints as "listening on http://...". Its stdout is read on afterwards (a full pipe
 * would stall it) and nothing else kept.
 */
function listeningUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve) => {
    let buffered: string | null = '';
    child.stdout!.on('data', (chunk: Buffer) => {
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

/** A reference server (bench/ref-server.mjs) in a child process. */
export async function startReference(track: (child: ChildProcess) => ChildProcess, size: number, koa: boolean): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
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

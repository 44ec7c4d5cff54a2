import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * `user-badges serve` and the other commands in processes of their own, for the tests and the
 * benchmark alike: the sources through tsx (tests), or the built CLI as a user runs it (`built`,
 * the benchmark). One way to start a server, wait for it, read what it prints and stop it.
 */

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// Resolved here: a child may run in another folder, where `--import tsx` would not be found.
const SOURCES = ['--import', import.meta.resolve('tsx'), `${ROOT}server/cli/main.ts`];
const BUILT = [`${ROOT}bin/user-badges.js`];

export interface ProcessOptions {
  /** Added to this process's environment; `undefined` removes a variable (DATABASE_URL, ...). */
  env?: Record<string, string | undefined>;
  /** The built CLI (`bin/user-badges.js`, needs `npm run build`) instead of the sources. */
  built?: boolean;
  /** Flags for node itself: `--cpu-prof`, `--max-old-space-size=...`. */
  nodeFlags?: string[];
  cwd?: string;
}

export interface ServeOptions extends ProcessOptions {
  /** Resolve once a line matching this is printed as well (the seed's, the admin notice). */
  until?: RegExp;
  /** How long to wait for the start (default 60 s). */
  timeoutMs?: number;
  /** Bytes of stdout kept for `output()` (default 1 MiB): under load the request log is large. */
  keepBytes?: number;
}

export interface Served {
  child: ChildProcess;
  pid: number;
  /** `http://127.0.0.1:PORT` */
  base: string;
  port: number;
  /** When it was spawned (performance.now()): startup figures are measured from here. */
  spawnedAt: number;
  /** What it printed on stdout so far (up to `keepBytes`), and on stderr. */
  output: () => string;
  stderr: () => string;
  /** The next line of stdout from now on that matches. */
  line: (pattern: RegExp) => Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** From /proc: resident now and the peak so far, in MB. */
  memory: () => { rssMB: number; peakMB: number };
  /** A signal (SIGTERM by default), then its exit code; at once if it has exited already. */
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

/**
 * The environment of a child: ours, with `env` over it. The settings file is /dev/null unless said:
 * a developer's user-badges.env in the working folder must not change what a test or a figure sees.
 */
function environment(env: ProcessOptions['env'] = {}): NodeJS.ProcessEnv {
  const merged: NodeJS.ProcessEnv = { ...process.env, SETTINGS_FILE: '/dev/null', ...env };
  for (const [name, value] of Object.entries(merged)) if (value === undefined) delete merged[name];
  return merged;
}

const argsOf = (options: ProcessOptions, args: string[]) => [...(options.nodeFlags ?? []), ...(options.built ? BUILT : SOURCES), ...args];

/** `user-badges serve` on a port the OS picks, on 127.0.0.1; resolves once it listens. */
export async function serve(args: string[], options: ServeOptions = {}): Promise<Served> {
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, argsOf(options, ['serve', '--port', '0', '--host', '127.0.0.1', ...args]), {
    cwd: options.cwd ?? ROOT,
    env: environment(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = options.keepBytes ?? 1 << 20;
  let out = '';
  let errors = '';
  let partial = '';
  const waiting: { pattern: RegExp; resolve: (line: string) => void; reject: (error: Error) => void }[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  child.stderr!.on('data', (chunk: Buffer) => {
    if (errors.length < keep) errors += chunk;
  });
  child.stdout!.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    if (out.length < keep) out += text;
    // Lines are looked at only while someone waits for one: the request log of a loaded server is long.
    if (waiting.length === 0) return void (partial = '');
    const lines = (partial + text).split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      for (let i = waiting.length - 1; i >= 0; i--) if (waiting[i]!.pattern.test(line)) waiting.splice(i, 1)[0]!.resolve(line);
    }
  });
  void exited.then(({ code, signal }) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`serve exited (${code ?? signal}) before printing ${w.pattern}:\n${out}${errors}`));
  });
  const line = (pattern: RegExp) => new Promise<string>((resolve, reject) => waiting.push({ pattern, resolve, reject }));
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return (await exited).code;
  };
  const timeoutMs = options.timeoutMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`serve did not print ${options.until ?? 'its listening line'} within ${timeoutMs / 1000} s:\n${out}${errors}`)), timeoutMs);
  });
  let base: string;
  try {
    const listening = line(/listening on http:\/\/[\d.]+:\d+/);
    const until = options.until ? line(options.until) : undefined;
    base = /(http:\/\/[\d.]+:\d+)/.exec(await Promise.race([listening, deadline]))![1]!;
    if (until) await Promise.race([until, deadline]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  } finally {
    clearTimeout(timer);
  }
  const memory = () => {
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const mb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) / 1024;
    return { rssMB: mb('VmRSS'), peakMB: mb('VmHWM') };
  };
  return { child, pid: child.pid!, base, port: Number(new URL(base).port), spawnedAt, output: () => out, stderr: () => errors, line, exited, memory, stop };
}

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command of the CLI to its end; resolves with its exit code and output. */
export function cli(args: string[], env: ProcessOptions['env'] = {}, options: Omit<ProcessOptions, 'env'> & { input?: string } = {}): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, argsOf(options, args), { cwd: options.cwd ?? ROOT, env: environment(env), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.stdin.end(options.input ?? '');
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';

const CLI = new URL('../../server/cli/main.ts', import.meta.url).pathname;

export interface ServerProcess {
  child: ChildProcess;
  base: string;
  port: number;
  /** Resolves with the first line of stdout (from now on) that matches. */
  line: (pattern: RegExp) => Promise<string>;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** kB, from /proc: resident now, and the peak so far. */
  memory: () => Promise<{ rss: number; peak: number }>;
}

/** `user-badges serve` in its own process, on a port the OS picks. */
export async function serveProcess(file: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve', '--port', '0', '--host', '127.0.0.1', '--data', file, '--no-seed'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let errors = '';
  child.stderr!.on('data', (chunk: Buffer) => (errors += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const waiting: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  createInterface({ input: child.stdout! }).on('line', (text) => {
    const at = waiting.findIndex((w) => w.pattern.test(text));
    if (at >= 0) waiting.splice(at, 1)[0]!.resolve(text);
  });
  const line = (pattern: RegExp) =>
    new Promise<string>((resolve, reject) => {
      waiting.push({ pattern, resolve });
      exited.then(({ code }) => reject(new Error(`server exited (${code}) before printing ${pattern}: ${errors}`)));
    });
  const listening = await line(/listening on http:\/\/[\d.]+:\d+/);
  const base = /(http:\/\/[\d.]+:\d+)/.exec(listening)![1]!;
  const memory = async () => {
    const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)![1]);
    return { rss: kb('VmRSS'), peak: kb('VmHWM') };
  };
  return { child, base, port: Number(new URL(base).port), line, stderr: () => errors, exited, memory };
}

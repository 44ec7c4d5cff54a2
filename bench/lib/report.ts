/** What the benchmark reports: figures beside their targets, the machine, and the tables. */
import { execFileSync } from 'node:child_process';
import { closeSync, fdatasyncSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { benchTemp } from '../generate.js';

export interface Figure {
  id: string;
  figure: string;
  measured: string;
  target: string;
  /** null: informational, no target. */
  pass: boolean | null;
}

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const verdict = (pass: boolean | null) => (pass === null ? '' : pass ? 'PASS' : 'FAIL');

/** Two lines a figure: what, target and verdict; then the measurement, indented. */
export function textTable(figures: Figure[]): string {
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

export function markdownTable(figures: Figure[]): string {
  const escape = (s: string) => s.replace(/\|/g, '\\|');
  return [
    '| # | Figure | Measured | Target | Result |',
    '|---|---|---|---|---|',
    ...figures.map((f) => `| ${f.id} | ${escape(f.figure)} | ${escape(f.measured)} | ${escape(f.target)} | ${f.pass === null ? '' : f.pass ? '**PASS**' : '**FAIL**'} |`),
  ].join('\n');
}

export type Machine = ReturnType<typeof machine>;

export function machine() {
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

export function machineLine(m: Machine): string {
  return `${m.cpu}, ${m.cores} cores, ${m.memoryGB} GB RAM, ${m.os}, Node ${m.node}, data on ${m.dataFs} (fdatasync p50 ${m.fdatasync.p50ms} ms, p90 ${m.fdatasync.p90ms} ms)`;
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

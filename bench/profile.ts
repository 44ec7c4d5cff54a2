/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): the functions with the most self time.
 *
 *   node --import tsx bench/profile.ts FILE.cpuprofile [--top 20]
 */
import { readFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface HotFunction {
  name: string;
  where: string;
  selfMs: number;
  share: number;
}

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');

/** Where a function lives, coarsely: the project's code, a package, Node's internals, or native/V8. */
function areaOf(url: string, name: string): string {
  if (name === '(garbage collector)') return 'GC';
  if (name === '(program)') return 'V8/(program)';
  if (!url) return 'native (syscalls, builtins)';
  if (url.startsWith('node:')) return 'node internals';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1]!;
  const project = /\/(dist\/)?(server|client|types)\/(.*)$/.exec(url);
  if (project) return `project ${project[2]}/${project[3]!.split('/')[0]!.replace(/\.[jt]s$/, '')}`;
  return 'other';
}

export async function hotFunctions(
  file: string,
  top = 20,
): Promise<{ totalMs: number; idleMs: number; functions: HotFunction[]; areas: { area: string; selfMs: number; share: number }[] }> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  // Each sample's time is the delta to the next one.
  for (let i = 0; i < samples.length; i++) {
    const us = deltas[i + 1] ?? 0;
    self.set(samples[i]!, (self.get(samples[i]!) ?? 0) + us);
  }
  const grouped = new Map<string, HotFunction>();
  const areas = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    totalUs += us;
    if (functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    const area = areaOf(url, functionName);
    areas.set(area, (areas.get(area) ?? 0) + us);
    const shortUrl = url.startsWith('file://') ? relative(ROOT, fileURLToPath(url)) : url;
    const where = shortUrl ? `${shortUrl}:${lineNumber + 1}` : '';
    const key = `${functionName}\n${where}`;
    const entry = grouped.get(key) ?? { name: functionName || '(anonymous)', where, selfMs: 0, share: 0 };
    entry.selfMs += us / 1000;
    grouped.set(key, entry);
  }
  const busyMs = (totalUs - idleUs) / 1000;
  const functions = [...grouped.values()]
    .sort((a, b) => b.selfMs - a.selfMs)
    .slice(0, top)
    .map((f) => ({ ...f, selfMs: Math.round(f.selfMs), share: busyMs ? f.selfMs / busyMs : 0 }));
  const byArea = [...areas]
    .sort((a, b) => b[1] - a[1])
    .map(([area, us]) => ({ area, selfMs: Math.round(us / 1000), share: busyMs ? us / 1000 / busyMs : 0 }));
  return { totalMs: Math.round(totalUs / 1000), idleMs: Math.round(idleUs / 1000), functions, areas: byArea };
}

export function formatHot({ totalMs, idleMs, functions, areas }: Awaited<ReturnType<typeof hotFunctions>>): string {
  const lines = [`profiled ${totalMs} ms, idle ${idleMs} ms; self time by area (share of busy time):`];
  for (const a of areas.slice(0, 12)) lines.push(`  ${String(a.selfMs).padStart(7)} ms  ${(a.share * 100).toFixed(1).padStart(5)}%  ${a.area}`);
  lines.push('busiest functions:');
  for (const f of functions) lines.push(`  ${String(f.selfMs).padStart(7)} ms  ${(f.share * 100).toFixed(1).padStart(5)}%  ${f.name}  ${f.where}`);
  return lines.join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '20' } } });
  if (positionals.length === 0) {
    console.log('Usage: node --import tsx bench/profile.ts FILE.cpuprofile [--top 20]');
    process.exit(2);
  }
  for (const file of positionals) {
    console.log(file);
    console.log(formatHot(await hotFunctions(file, Number(values.top))));
  }
}

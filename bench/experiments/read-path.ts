/**
 * Where a read's time goes: the real app against stripped-down variants over the same 10k-user data,
 * and the reference servers, measured in interleaved slices (see read-variants.mjs).
 *
 *   node --import tsx bench/experiments/read-path.ts [--duration 10] [--slices 5]
 *
 * Needs a current `npm run build:server`. Prints req/s, the ratio to bare node:http, and the
 * server's CPU time per response, which is steadier than req/s on a shared machine.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchTemp, generateCached, prng } from '../generate.js';
import { runLoad, type LoadResult } from '../load.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
const { values } = parseArgs({ options: { duration: { type: 'string', default: '10' }, slices: { type: 'string', default: '5' }, variants: { type: 'string', default: 'real,flat,flat-frag,flat-cache,node-frag,node-cache' } } });
const DURATION = Number(values.duration);
const SLICES = Number(values.slices);
const children: ChildProcess[] = [];
const dir = join(benchTemp(), 'runs', `read-path-${process.pid}`);
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});
setTimeout(() => process.exit(1), (DURATION * 12 + 180) * 1000).unref();

const ticks = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
};

async function start(args: string[]): Promise<{ url: string; pid: number }> {
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(child);
  const url = await new Promise<string>((ok, fail) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) ok(m[1]!);
    });
    child.once('exit', (code) => fail(new Error(`${args.join(' ')} exited ${code}`)));
    setTimeout(() => fail(new Error('start timeout')), 60_000);
  });
  return { url, pid: child.pid! };
}

const targets: { name: string; url: string; pid: number; headers?: (i: number) => Record<string, string> }[] = [];
const variants = values.variants.split(',');
let paths: string[] = [];
let size = 0;
for (const variant of variants) {
  const data = await generateCached({ file: join(dir, variant, 'db.json'), users: 10_000 });
  if (!paths.length) {
    const random = prng(1);
    paths = Array.from({ length: 256 }, () => {
      const chosen = new Set<string>();
      while (chosen.size < 3) chosen.add(data.userNames[Math.floor(random() * data.userNames.length)]!);
      return `/v1/bench/users.json?names=${[...chosen].map(encodeURIComponent).join(',')}`;
    });
  }
  const server = await start([join(ROOT, 'bench/experiments/read-variants.mjs'), '--variant', variant, '--data', data.file]);
  targets.push({ name: variant, ...server });
}
// Every variant must answer exactly what the real app answers.
const etags = new Map<string, string[]>();
const sizes: number[] = [];
for (const t of targets) {
  const list: string[] = [];
  for (const [i, path] of paths.entries()) {
    const r = await fetch(t.url + path);
    const text = await r.text();
    if (t === targets[0]) sizes.push(Buffer.byteLength(text));
    else {
      const real = await (await fetch(targets[0]!.url + path)).text();
      if (JSON.stringify(JSON.parse(text)) !== JSON.stringify(JSON.parse(real))) throw new Error(`${t.name} differs from ${targets[0]!.name} on ${path}`);
    }
    list[i] = r.headers.get('etag')!;
  }
  etags.set(t.name, list);
}
size = Math.round(sizes.reduce((a, b) => a + b, 0) / sizes.length);
for (const koa of [false, true]) {
  const ref = await start([join(ROOT, 'bench/ref-server.mjs'), '--size', String(size), ...(koa ? ['--koa'] : [])]);
  targets.unshift({ name: koa ? 'ref Koa fixed body' : 'ref node:http', ...ref });
}
for (const name of ['real', 'flat-cache'].filter((v) => variants.includes(v))) {
  const t = targets.find((x) => x.name === name)!;
  targets.push({ ...t, name: `${name} 304`, headers: (i) => ({ 'if-none-match': etags.get(name)![i]! }) });
}

const totals = new Map(targets.map((t) => [t.name, { ok: 0, all: 0, seconds: 0, cpuMs: 0, p99: [] as number[] }]));
const load = (t: (typeof targets)[number], duration: number): Promise<LoadResult> =>
  runLoad({ title: t.name, url: t.url, connections: 50, duration, requests: paths.map((path, i) => ({ path, headers: t.headers?.(i) })) });
for (const t of targets) await load(t, 2);
for (let s = 0; s < SLICES; s++) {
  for (let i = 0; i < targets.length; i++) {
    const t = targets[(s + i) % targets.length]!;
    const cpu = ticks(t.pid);
    const r = await load(t, DURATION / SLICES);
    const total = totals.get(t.name)!;
    total.ok += r.ok + (r.statusCodes['304'] ?? 0);
    total.all += r.completed;
    total.seconds += r.seconds;
    total.cpuMs += ticks(t.pid) - cpu;
    total.p99.push(r.latency.p99);
  }
}
const bare = totals.get('ref node:http')!;
console.log(`mean body ${size} B; ${DURATION} s each in ${SLICES} interleaved slices, 50 connections`);
console.log('target                 req/s   x node:http   server CPU us/response   p99 ms (worst slice)');
for (const [name, t] of totals) {
  console.log(
    `${name.padEnd(20)} ${(t.ok / t.seconds).toFixed(0).padStart(7)}   ${(t.ok / t.seconds / (bare.ok / bare.seconds)).toFixed(2).padStart(10)}   ${((t.cpuMs * 1000) / t.all).toFixed(0).padStart(22)}   ${Math.max(...t.p99)}`,
  );
}
process.exit(0);

/** Requests the figures make of the server: the read paths, the award loads, and checks of answers. */
import type { Generated } from '../generate.js';
import { prng } from '../generate.js';
import type { LoadResult, LoadSpec, RequestSpec } from '../load.js';
import { fmt, type Figure } from './report.js';

export const TARGETS = {
  readRatio: 0.4,
  awards10k: 1000,
  awards100k: 500,
  readP99UnderWritesMs: 50,
  startupMs: 3000,
  rssMB: 400,
  /** PostgreSQL: two instances on one database (issue 25: it was 1,000). */
  pgAwards100k: 3500,
};
export const READ_NAMES = 3;
/** Distinct `?names=` triples each connection cycles through. */
const READ_VARIANTS = 256;
const NEW_USER_SHARE = 0.05;

/** Deterministic `?names=` triples of existing users. */
export function readPaths(data: Generated, seed: number): string[] {
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
export async function probe(url: string, paths: string[]): Promise<{ sizes: number[]; etags: string[]; notModified: number }> {
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

export async function totalAwards(url: string, service: string): Promise<number> {
  const response = await fetch(`${url}/v1/${service}/badges.json`, { signal: AbortSignal.timeout(10_000) });
  if (response.status !== 200) throw new Error(`GET badges.json: ${response.status}`);
  const { badges } = (await response.json()) as { badges: { count: number }[] };
  return badges.reduce((sum, b) => sum + b.count, 0);
}

export const writeSpec = (url: string, data: Generated, seed: number, title: string, connections: number): Omit<LoadSpec, 'duration'> => ({
  title,
  url,
  connections,
  writes: { service: data.service, key: data.key, users: data.userNames.length, badges: data.badges, seed, newUsers: NEW_USER_SHARE },
});

export const readSpec = (url: string, paths: string[], title: string, connections: number, headers?: (i: number) => Record<string, string>): Omit<LoadSpec, 'duration'> => ({
  title,
  url,
  connections,
  requests: paths.map((path, i): RequestSpec => ({ path, headers: headers?.(i) })),
});

/** Figure 2a/2b: durable awards per second at one data size. */
export function writeFigure(id: string, users: string, connections: number, writes: LoadResult, target: number): Figure {
  return {
    id,
    figure: `Writes: PUT users/:name.json (durable), random users, ${users} users, ${connections} clients`,
    measured: `${fmt(writes.okRate)} awards/s; p50 ${writes.latency.p50} ms, p99 ${writes.latency.p99} ms; non-2xx ${writes.non2xx}, errors ${writes.errors}`,
    target: `>= ${fmt(target)} awards/s`,
    pass: writes.okRate >= target,
  };
}

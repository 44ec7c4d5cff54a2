/**
 * Deterministic benchmark data: one service with 8 badges and N users (1k, 10k, 100k, or any size),
 * written through the real store so the files are exactly what the server reads.
 *
 *   node --import tsx bench/generate.ts --users 10000 --data /tmp/x/db.json [--no-cache]
 *
 * The same size always gives the same service key, user names, awards and dates (seeded PRNG, fixed
 * clock). `generateCached` keeps one generated copy per size (and per version of the store code and
 * of this file) under the temp folder and copies it to a fresh folder for each run.
 */
import { createHash } from 'node:crypto';
import { cp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { composeDomain } from '../server/app/domain.js';
import { openStore } from '../server/stores/index.js';

export const SERVICE = 'bench';
/** The first award date; every date of the data set is derived from it. */
const BASE = Date.UTC(2024, 0, 1);
const DAY = 86_400_000;
const SEED = 0x5eed_b4d9;

/** mulberry32: small, fast, and the same sequence on every machine. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface BadgeSpec {
  name: string;
  description: string;
  link: string;
  type: 'bronze' | 'silver' | 'gold';
  image: string;
  /** Relative popularity: how likely a user is to hold it. */
  weight: number;
}

export const BADGES: BadgeSpec[] = [
  { name: 'first-post', type: 'bronze', weight: 40, description: 'Wrote a first post in the forum' },
  { name: 'commenter', type: 'bronze', weight: 25, description: 'Posted 25 comments' },
  { name: 'helpful', type: 'silver', weight: 14, description: 'Ten answers marked as helpful by other members' },
  { name: 'streak-7', type: 'bronze', weight: 10, description: 'Visited seven days in a row' },
  { name: 'reviewer', type: 'silver', weight: 6, description: 'Reviewed 50 submissions from the community' },
  { name: 'bug-hunter', type: 'silver', weight: 3, description: 'Reported a bug that the team confirmed and fixed' },
  { name: 'mentor', type: 'gold', weight: 1.5, description: 'Guided five new members through their first month' },
  { name: 'top-contributor', type: 'gold', weight: 0.5, description: 'Among the hundred most active members this year' },
].map((b) => ({
  ...b,
  type: b.type as BadgeSpec['type'],
  link: `https://forum.example.com/help/badges#${b.name}`,
  image: `https://forum.example.com/static/badges/${b.name}.svg`,
}));

const FIRST = [
  'alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'mallory', 'niaj', 'olivia', 'peggy',
  'rupert', 'sybil', 'trent', 'victor', 'walter', 'yuki', 'zoë', 'josé', 'anaïs', 'søren', 'chloé', 'mateo', 'priya', 'wei',
];
const LAST = [
  'smith', 'jones', 'garcia', 'müller', 'rossi', 'dubois', 'novak', 'kowalski', 'tanaka', 'silva', 'nguyen', 'okafor',
  'larsen', 'haddad', 'petrov', 'moreau', 'kim', 'costa', 'singh', 'walsh',
];

/**
 * The name of user `i`: realistic (some non-ASCII, NFC), unique (the index is part of it), and a pure
 * function of `i`, so a load generator can rebuild the list without the data.
 */
export function userName(i: number): string {
  const r = prng(SEED ^ Math.imul(i + 1, 0x9e3779b1));
  const first = FIRST[Math.floor(r() * FIRST.length)]!;
  const last = LAST[Math.floor(r() * LAST.length)]!;
  const style = r();
  const id = i.toString(36);
  const name = style < 0.4 ? `${first}.${last}${id}` : style < 0.7 ? `${first}_${id}` : style < 0.9 ? `${first}${last}-${id}` : `${last} ${first} ${id}`;
  return name.normalize('NFC');
}

export const userNames = (users: number) => Array.from({ length: users }, (_, i) => userName(i));

/** The service key of the data set: fixed, so cached copies and load generators agree. */
export const serviceKey = (users: number) =>
  createHash('sha256').update(`user-badges bench ${users}`).digest('hex');

/** What user `i` holds: 1-5 distinct badges by popularity, a fifth of them earned more than once. */
export function awardsOf(i: number): { first: Date; badges: string[]; repeat: { at: Date; badges: string[] } | null } {
  const r = prng(SEED + 7919 * (i + 1));
  const roll = r();
  const held = roll < 0.35 ? 1 : roll < 0.6 ? 2 : roll < 0.8 ? 3 : roll < 0.92 ? 4 : 5;
  const pool = [...BADGES];
  const badges: string[] = [];
  while (badges.length < held) {
    const total = pool.reduce((sum, b) => sum + b.weight, 0);
    let pick = r() * total;
    const index = pool.findIndex((b) => (pick -= b.weight) < 0);
    badges.push(pool.splice(index < 0 ? pool.length - 1 : index, 1)[0]!.name);
  }
  const first = new Date(BASE + Math.floor(r() * 300 * DAY));
  const again: string[] = [];
  for (const badge of badges) {
    if (r() < 0.2) {
      const times = 1 + Math.floor(-Math.log(1 - r()) * 2); // geometric-ish: mostly 1-3 more, rarely 10
      for (let t = 0; t < Math.min(times, 20); t++) again.push(badge);
    }
  }
  const repeat = again.length ? { at: new Date(first.getTime() + 1 + Math.floor(r() * 60 * DAY)), badges: again } : null;
  return { first, badges, repeat };
}

export interface GenerateOptions {
  /** The main lowdb file to create; its `.d/` folder is created beside it. Must not exist. */
  file: string;
  users: number;
  service?: string;
}

export interface Generated {
  file: string;
  service: string;
  key: string;
  userNames: string[];
  badges: string[];
}

/** Writes a fresh data set through the store (journal, then one checkpoint on close). */
export async function generate({ file, users, service = SERVICE }: GenerateOptions): Promise<Generated> {
  if (!Number.isInteger(users) || users < 1 || users > 1_000_000) throw new Error(`users must be 1-1000000, not ${users}`);
  if (await exists(file)) throw new Error(`${file} exists; generate into a fresh path`);
  await mkdir(dirname(file), { recursive: true });
  // A fixed clock for the service and badge dates, and no checkpoint until close: one write of each file.
  const store = await openStore({ file, checkpointBytes: Number.MAX_SAFE_INTEGER });
  const domain = composeDomain(store, { now: () => BASE });
  const key = serviceKey(users);
  const names = userNames(users);
  try {
    await domain.createService(service, key);
    await domain.putBadges(
      service,
      BADGES.map(({ name, description, link, type, image }) => ({ name, fields: { description, link, type, image } })),
    );
    // Not awaited one by one: a chunk of awards shares one fsync of the journal.
    const CHUNK = 1000;
    for (let start = 0; start < users; start += CHUNK) {
      const writes: Promise<unknown>[] = [];
      for (let i = start; i < Math.min(users, start + CHUNK); i++) {
        const { first, badges, repeat } = awardsOf(i);
        writes.push(domain.award(service, names[i]!, badges, first));
        if (repeat) writes.push(domain.award(service, names[i]!, repeat.badges, repeat.at));
      }
      await Promise.all(writes);
    }
  } finally {
    await store.close();
  }
  return { file, service, key, userNames: names, badges: BADGES.map((b) => b.name) };
}

/** The data folder the store keeps beside `file`. */
export const dataFolder = (file: string) => file.replace(/\.json$/, '') + '.d';

/** Identifies the data format: the store's code and this generator. A change of either regenerates. */
async function cacheVersion(): Promise<string> {
  const hash = createHash('sha256');
  const here = fileURLToPath(import.meta.url);
  for (const folder of ['../server/stores/lowdb', '../server/core', '../server/core/rules']) {
    const storeFolder = resolve(dirname(here), folder);
    for (const file of (await readdir(storeFolder)).filter((f) => f.endsWith('.ts')).sort()) {
      hash.update(file).update(await readFile(join(storeFolder, file)));
    }
  }
  hash.update(await readFile(here));
  return hash.digest('hex').slice(0, 12);
}

export const benchTemp = () => process.env.BENCH_TMP || join(tmpdir(), 'user-badges-bench');

/**
 * Like `generate`, but builds each size once per version into the cache and copies it to `file`,
 * so every run starts from identical, untouched data.
 */
export async function generateCached(options: GenerateOptions & { cacheDir?: string }): Promise<Generated & { cached: boolean; seconds: number }> {
  const started = performance.now();
  const service = options.service ?? SERVICE;
  const cacheRoot = options.cacheDir ?? join(benchTemp(), 'cache');
  const entry = join(cacheRoot, `${await cacheVersion()}-${service}-${options.users}`);
  const cachedFile = join(entry, 'db.json');
  let cached = true;
  if (!(await exists(join(entry, 'complete')))) {
    cached = false;
    // Built in a folder of this process's own and renamed into place: two runs at once (two
    // engineers on one machine) would otherwise remove the entry under each other's generation.
    const building = `${entry}.building-${process.pid}`;
    await rm(building, { recursive: true, force: true });
    await generate({ file: join(building, 'db.json'), users: options.users, service });
    await writeFile(join(building, 'complete'), new Date().toISOString());
    if (!(await exists(join(entry, 'complete')))) {
      await rm(entry, { recursive: true, force: true });
      await rename(building, entry);
    } else await rm(building, { recursive: true, force: true });
  }
  if (await exists(options.file)) throw new Error(`${options.file} exists; copy into a fresh path`);
  await mkdir(dirname(options.file), { recursive: true });
  await cp(cachedFile, options.file);
  await cp(dataFolder(cachedFile), dataFolder(options.file), {
    recursive: true,
    filter: (source) => basename(source) !== 'lock',
  });
  return {
    file: options.file,
    service,
    key: serviceKey(options.users),
    userNames: userNames(options.users),
    badges: BADGES.map((b) => b.name),
    cached,
    seconds: (performance.now() - started) / 1000,
  };
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      users: { type: 'string', default: '10000' },
      data: { type: 'string' },
      service: { type: 'string', default: SERVICE },
      'no-cache': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || !values.data) {
    console.log('Usage: node --import tsx bench/generate.ts --users 1000|10000|100000 --data FILE.json [--service NAME] [--no-cache]');
    process.exit(values.help ? 0 : 2);
  }
  const options = { file: resolve(values.data), users: Number(values.users), service: values.service };
  const started = performance.now();
  const result = values['no-cache'] ? await generate(options) : await generateCached(options);
  console.log(
    JSON.stringify({
      file: result.file,
      service: result.service,
      key: result.key,
      users: result.userNames.length,
      sample: result.userNames.slice(0, 3),
      seconds: Number(((performance.now() - started) / 1000).toFixed(2)),
      ...('cached' in result ? { cached: result.cached } : {}),
    }),
  );
}

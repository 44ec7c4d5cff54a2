import assert from 'node:assert/strict';
import { appendFile, copyFile, cp, mkdir, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { composeDomain } from '../../server/app/domain.js';
import type { Item, UserRecord } from '../../server/core/model.js';
import type { Store } from '../../server/core/ports.js';
import { prepareImage, writeImage } from '../../server/stores/lowdb/item-image.js';
import { LowdbStore } from '../../server/stores/lowdb/lowdb-store.js';
import { RecordPacker } from '../../server/stores/lowdb/packed-records.js';
import { tempDir } from './harness.js';

/**
 * The embedded store's start image (stores/lowdb/item-image.ts): written at a clean close, read by
 * the next start instead of every item's line, once, and believed only where the files are as it
 * found them. Each test compares a start from the image with a start from the files alone.
 */

const T0 = Date.parse('2026-11-01T00:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
const OWNERS = [null, 'ann', 'bob', 'Zoë "x"'];
const KINDS = ['event', 'activity', 'grant'];

const image = (folder: string) => join(folder, 'db.d', 'items.image');
const exists = (path: string) => stat(path).then(() => true, () => false);
const open = (folder: string) => LowdbStore.open({ file: join(folder, 'db.json') });

const BADGES = ['gold', 'silver', 'ключ ☕'];
const MEMBERS = ['ann', 'bob', 'Zoë "x"', 'lone \ud800 surrogate', ...Array.from({ length: 60 }, (_, i) => `member-${i}`)];

/** A member's record in each shape a record takes: optional fields, odd times, figures, badge names. */
function member(name: string, i: number, round: number): UserRecord {
  const awards = BADGES.slice(0, 1 + ((i + round) % 3)).map((badge, b) => ({
    badge,
    count: 1 + ((i * b + round) % 4),
    first: at(i),
    latest: b === 2 ? `${at(i + round).slice(0, -1)}4567Z` : at(i + round),
    ...(i % 2 === 0 ? { points: i * 10 + b, recent: { week: '2026-10-26T00:00:00.000Z', weekCount: 1, weekPoints: 0.5, month: '2026-11-01T00:00:00.000Z', monthCount: i, monthPoints: -3 } } : {}),
    ...(i % 5 === 0 ? { period: { start: at(0), count: round } } : {}),
  }));
  return {
    name,
    createdAt: at(i),
    awards,
    ...(i % 3 === 0 ? { progress: { [BADGES[2]!]: i + round, gold: 0.25 } } : {}),
    ...(i % 4 === 1 ? { hidden: [BADGES[0]!] } : {}),
    ...(i % 4 === 2 ? { featured: [...BADGES].reverse() } : {}),
  };
}

/** Items of three kinds over six hours, and members, changed, moved, removed, with a checkpoint between. */
async function fill(store: LowdbStore, round: number): Promise<void> {
  await store.run('shop', new Date(T0), async (tx) => MEMBERS.forEach((name, i) => (i + round) % 7 !== 3 && tx.put({ t: 'user', s: 'shop', v: member(name, i, round) })));
  const put = (items: Item[]) => store.run('shop', new Date(T0), async (tx) => items.forEach((v) => tx.put({ t: 'item', s: 'shop', v })));
  const items: Item[] = [];
  for (let i = 0; i < 300; i++) {
    const owner = OWNERS[i % OWNERS.length]!;
    // A seventh with more digits of a second: a time kept as written, not as a number.
    const time = i % 7 === 0 ? `${at(i + round).slice(0, -1)}4567Z` : at(i + round);
    items.push({ kind: KINDS[i % 3]!, id: `i${i % 250}-${round}`, owner, subject: i % 5 === 0 ? 'someone else' : owner, at: time, v: { i, round, text: 'ключ ☕ \u2028' } });
  }
  await put(items.slice(0, 200));
  await store.checkpoint();
  await put(items.slice(200));
  await store.run('shop', new Date(T0), async (tx) => {
    for (let i = 0; i < 60; i += 3) tx.put({ t: 'item-', s: 'shop', k: KINDS[i % 3]!, id: `i${i}-${round}` });
    for (let i = round; i < MEMBERS.length; i += 11) tx.put({ t: 'user-', s: 'shop', n: MEMBERS[i]! });
  });
}

/**
 * Everything the store answers of the items (each kind whole, per owner and subject, by id,
 * counted) and of the members (each, listed, and each badge's holders).
 */
async function answers(store: Store) {
  const found: Record<string, unknown> = { kinds: await store.itemKinds('shop') };
  found.users = await store.listUsers('shop', { offset: 0, limit: 1000 });
  found['each user'] = await Promise.all([...MEMBERS, 'nobody'].map((name) => store.getUser('shop', name)));
  for (const badge of BADGES) found[`holders of ${badge}`] = (await store.run('shop', new Date(T0), (tx) => tx.holders('shop', badge))).sort();
  for (const kind of KINDS) {
    const all = await store.listItems('shop', kind, {});
    found[kind] = all;
    found[`${kind} desc`] = await store.listItems('shop', kind, { order: 'desc', limit: 17 });
    for (const owner of OWNERS.slice(1)) found[`${kind} of ${owner}`] = await store.listItems('shop', kind, { owner: owner! });
    found[`${kind} about someone else`] = await store.listItems('shop', kind, { subject: 'someone else' });
    found[`${kind} counted`] = await store.countItems('shop', kind, { from: at(30), to: at(200) });
    found[`${kind} by id`] = await Promise.all(all.map((item) => store.getItem('shop', kind, item.id)));
  }
  return found;
}

/** The item and user files of a data folder, with their bytes. */
async function itemFiles(folder: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const area of ['items', 'users']) {
    const root = join(folder, 'db.d', area);
    for (const entry of await readdir(root, { recursive: true })) {
      if (entry.endsWith('.jsonl')) files.set(join(area, entry), await readFile(join(root, entry), 'utf8'));
    }
  }
  return files;
}

/** A data folder with a service's items, closed cleanly: it holds an image. */
async function filled(folder: string): Promise<void> {
  const store = await open(folder);
  await composeDomain(store, { now: () => T0 }).createService('shop', 'k');
  await fill(store, 0);
  await store.close();
}

test('a clean close leaves an image; the next start reads it once, and answers and writes as a start from the files does', async (t) => {
  const dir = await tempDir(t);
  const [imaged, plain] = [join(dir, 'imaged'), join(dir, 'plain')];
  let store = await open(imaged);
  await composeDomain(store, { now: () => T0 }).createService('shop', 'k');
  await fill(store, 0);
  await store.close();
  assert.ok(await exists(image(imaged)), 'a clean close writes the image');
  // The same data without its image: a start after a crash reads every line.
  await cp(imaged, plain, { recursive: true });
  await rm(image(plain));

  for (let round = 1; round <= 2; round++) {
    const [fromImage, fromFiles] = [await open(imaged), await open(plain)];
    assert.equal(await exists(image(imaged)), false, 'the image is used once: the start removes it');
    assert.deepEqual(await answers(fromImage), await answers(fromFiles));
    // Both go on alike: the same changes make the same files (appended or rewritten alike).
    for (const s of [fromImage, fromFiles]) {
      await fill(s, round);
      await s.run('shop', new Date(T0), async (tx) => {
        for (let i = 0; i < 250; i += 2) tx.put({ t: 'item-', s: 'shop', k: KINDS[i % 3]!, id: `i${i}-0` });
      });
      await s.close();
    }
    assert.deepEqual(await itemFiles(imaged), await itemFiles(plain));
    await rm(image(plain));
  }
  store = await open(imaged);
  const expected = await open(plain);
  assert.deepEqual(await answers(store), await answers(expected));
  assert.ok(((await answers(store)).event as Item[]).length > 50, 'items are there to compare');
  assert.ok(((await answers(store)).users as { total: number }).total > 40, 'members are there to compare');
  await Promise.all([store.close(), expected.close()]);
});

test('an image is not believed where the files changed since, nor when it is damaged', async (t) => {
  const dir = await tempDir(t);
  const folder = join(dir, 'data');
  await filled(folder);
  const stale = join(dir, 'stale.image');
  await copyFile(image(folder), stale);

  // A later session changes the items, then an old image is put back: it must not be believed.
  let store = await open(folder);
  await fill(store, 1);
  await store.close();
  const truth = await open(folder);
  const expected = await answers(truth);
  await truth.close();
  await copyFile(stale, image(folder));
  store = await open(folder);
  assert.deepEqual(await answers(store), expected, 'a stale image put back');
  await store.close();

  // A line added to one file by hand: that kind is read from its files, the others may come from the image.
  const hour = join(folder, 'db.d', 'items', 'shop', 'event', `${at(0).slice(0, 13)}.jsonl`);
  const added = { kind: 'event', id: 'by-hand', owner: 'ann', subject: 'ann', at: at(1), v: { hand: true } };
  await appendFile(hour, JSON.stringify(added) + '\n');
  store = await open(folder);
  assert.deepEqual(await store.getItem('shop', 'event', 'by-hand'), added);
  const withAdded = await answers(store);
  await store.close();

  // A damaged image: one byte changed in the middle.
  const bytes = await readFile(image(folder));
  bytes[bytes.length >> 1] ^= 0x20;
  await writeFile(image(folder), bytes);
  store = await open(folder);
  assert.deepEqual(await answers(store), withAdded, 'a damaged image');
  assert.equal(await exists(image(folder)), false);
  await store.close();

  // One that cannot even be read (a folder in its place) does not stop the start either.
  await rm(image(folder));
  await mkdir(join(image(folder), 'in-the-way'), { recursive: true });
  store = await open(folder);
  assert.deepEqual(await answers(store), withAdded, 'an unreadable image');
  await store.close();
});

test('a unit that lands while the image is written, and the checkpoint it asks for, leave no image the files disagree with', async (t) => {
  // An erasure that outlives the shutdown's grace period goes on: its unit lands after close() began,
  // and it asks for a checkpoint. Here it lands, and asks, just as the image is being written.
  const dir = await tempDir(t);
  const folder = join(dir, 'data');
  await filled(folder);
  const store = await open(folder);
  let go!: () => void;
  const gate = new Promise<void>((resolve) => (go = resolve));
  const unit = store.run('shop', new Date(T0), async (tx) => {
    await gate;
    for (let i = 1; i < 250; i += 4) tx.put({ t: 'item-', s: 'shop', k: KINDS[i % 3]!, id: `i${i}-0` });
    tx.put({ t: 'item', s: 'shop', v: { kind: 'event', id: 'i3-0', owner: 'bob', subject: 'bob', at: at(500), v: { moved: true } } });
  });
  // The unit has its turn (it is past the store's "closed" check) before the close begins.
  await new Promise((resolve) => setImmediate(resolve));
  // Private parts, to meet the moment: the unit is let go as the image is being written, and any
  // checkpoint's writing of files is watched.
  const snapshots = (store as unknown as { snapshots: { writeImage(): Promise<boolean>; write(snapshot: unknown): Promise<void> } }).snapshots;
  const [writeImage, write] = [snapshots.writeImage.bind(snapshots), snapshots.write.bind(snapshots)];
  let erased: Promise<void> | undefined;
  let imageWritten = false;
  let filesWrittenMeanwhile = false;
  snapshots.writeImage = () => {
    const writing = writeImage();
    void writing.finally(() => (imageWritten = true));
    go();
    erased = unit.then(() => store.checkpoint());
    return writing;
  };
  snapshots.write = (snapshot) => {
    if (erased && !imageWritten) filesWrittenMeanwhile = true;
    return write(snapshot);
  };
  await store.close();
  await erased;
  assert.ok(erased && imageWritten, 'the image was written');
  assert.equal(filesWrittenMeanwhile, false, 'a checkpoint asked for while the image is written waits for it');
  const plain = join(dir, 'plain');
  await cp(folder, plain, { recursive: true });
  await rm(image(plain), { force: true });
  const [fromImage, fromFiles] = [await open(folder), await open(plain)];
  const expected = await answers(fromFiles);
  assert.equal(((expected.event as Item[]).find((i) => i.id === 'i3-0')?.v as { moved?: boolean }).moved, true, 'the unit and its checkpoint are in the files');
  assert.deepEqual(await answers(fromImage), expected);
  await Promise.all([fromImage.close(), fromFiles.close()]);
});

test("members come from the image while their files are as it found them, and from their files once one is not", async (t) => {
  const dir = await tempDir(t);
  const folder = join(dir, 'data');
  await filled(folder);
  const shards = join(folder, 'db.d', 'users', 'shop');
  // Whole seconds: a file's time can then be put back exactly as it was after it is edited.
  for (const file of await readdir(shards)) await utimes(join(shards, file), T0 / 1000, T0 / 1000);
  await (await open(folder)).close();
  const before = await open(folder);
  const expected = await answers(before);
  await before.close();
  const bob = (expected['each user'] as (UserRecord | undefined)[])[1]!;
  assert.equal(bob.name, 'bob');

  // Bob's line renamed in place: same size, same inode, its time put back. The image is believed,
  // so the file is not read; a start without the image reads it.
  let shard = '';
  for (const file of await readdir(shards)) if ((await readFile(join(shards, file), 'utf8')).includes('"name":"bob"')) shard = join(shards, file);
  await writeFile(shard, (await readFile(shard, 'utf8')).replace('"name":"bob"', '"name":"box"'));
  await utimes(shard, T0 / 1000, T0 / 1000);
  await copyFile(image(folder), join(dir, 'kept.image'));
  let store = await open(folder);
  assert.deepEqual(await answers(store), expected, 'the members as the image holds them');
  await store.close();
  await rm(image(folder));
  store = await open(folder);
  assert.equal(await store.getUser('shop', 'bob'), undefined, 'read from the file, bob is box');
  assert.equal((await store.getUser('shop', 'box'))?.createdAt, bob.createdAt);
  await store.close();

  // A line added by hand: the size differs, and that service's members are read from their files.
  await copyFile(join(dir, 'kept.image'), image(folder));
  const added: UserRecord = { name: 'by-hand', createdAt: at(5), awards: [{ badge: 'gold', count: 2, first: at(5), latest: at(6) }] };
  await appendFile(shard, JSON.stringify(added) + '\n');
  store = await open(folder);
  assert.deepEqual(await store.getUser('shop', 'by-hand'), added);
  assert.ok((await store.run('shop', new Date(T0), (tx) => tx.holders('shop', 'gold'))).includes('by-hand'));
  await store.close();
});

test('an image whose member records or names do not read, its checksum good, gives way to the files', { timeout: 60_000 }, async (t) => {
  // A writer's mistake the checksum cannot see: a record cut inside a number, a name that is no string.
  const dir = await tempDir(t);
  const folder = join(dir, 'data');
  await filled(folder);
  await rm(image(folder));
  const truth = await open(folder);
  const expected = await answers(truth);
  await truth.close();
  const shards = join(folder, 'db.d', 'users', 'shop');
  const files = await Promise.all(
    (await readdir(shards)).map(async (file) => ({ path: join(shards, file), lines: (await readFile(join(shards, file), 'utf8')).split('\n').length - 1 })),
  );
  for (const [names, packed] of [
    [['bob'], ['\u00bc\u0080']],
    [[null], [new RecordPacker().pack({ name: 'bob' })]],
  ] as [string[], string[]][]) {
    await rm(image(folder), { force: true });
    await writeImage(image(folder), prepareImage(join(folder, 'db.d'), [], [{ service: 'shop', files, names, packed }], ['name', 'badge']));
    const store = await open(folder);
    assert.equal(await exists(image(folder)), false, 'the image was there to be read');
    assert.deepEqual(await answers(store), expected, `members from their files, not ${JSON.stringify(names)}`);
    await store.close();
  }
});

test('a crowded dictionary is not carried to the next start: members are read from their files and numbered afresh', async (t) => {
  const dir = await tempDir(t);
  const folder = join(dir, 'data');
  await filled(folder);
  /** The image's header: what it holds besides its columns. */
  const header = async () => {
    const bytes = await readFile(image(folder));
    const at = 'user-badges item image\n'.length;
    return JSON.parse(bytes.toString('utf8', at + 4, at + 4 + bytes.readUInt32LE(at))) as { words: string[]; users: { service: string; count: number }[] };
  };
  assert.ok((await header()).users.some((users) => users.service === 'shop' && users.count > 40), 'members are in the image');
  let store = await open(folder);
  // Progress towards 33,000 badges: each name a word, past half the dictionary's limit.
  const progress = Object.fromEntries(Array.from({ length: 33_000 }, (_, i) => [`badge-${i}`, i]));
  const many: UserRecord = { name: 'collector', createdAt: at(0), awards: [], progress };
  await store.run('shop', new Date(T0), async (tx) => tx.put({ t: 'user', s: 'shop', v: many }));
  const expected = await answers(store);
  await store.close();
  assert.deepEqual(await header().then(({ words, users }) => ({ words: words.length, users: users.length })), { words: 0, users: 0 });
  store = await open(folder);
  assert.deepEqual(await answers(store), expected);
  assert.deepEqual(await store.getUser('shop', 'collector'), many);
  // The collector goes; this process's dictionary still holds their words, the next one's will not.
  await store.run('shop', new Date(T0), async (tx) => tx.put({ t: 'user-', s: 'shop', n: 'collector' }));
  await store.close();
  assert.equal((await header()).users.length, 0);
  await (await open(folder)).close();
  const { words, users } = await header();
  assert.ok(users.some((u) => u.service === 'shop' && u.count > 40) && words.length < 100, 'numbered afresh, the members go back in the image');
});

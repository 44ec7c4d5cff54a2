import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFile, chmod, lstat, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { composeDomain } from '../../server/app/domain.js';
import { openStore } from '../../server/app/open-store.js';
import type { Store } from '../../server/stores/types.js';
import { tempDir } from './harness.js';

/** Everything the store holds for a service, in a comparable form. */
async function dump(store: Store, service = 'demo') {
  const { users } = await store.listUsers(service, { offset: 0, limit: 1_000_000 });
  return { badges: await store.listBadges(service), users, services: await store.listServices() };
}

/** The keys a snapshot file holds: its lines folded in order, a later line replacing, `{"-":key}` removing. */
async function liveRecords(path: string, key: 'name' | 'id'): Promise<Map<string, unknown>> {
  const text = await readFile(path, 'utf8');
  assert.ok(text.endsWith('\n'), `${path} ends with a whole line`);
  const live = new Map<string, unknown>();
  for (const line of text.split('\n').filter(Boolean)) {
    const record = JSON.parse(line);
    if (typeof record['-'] === 'string') live.delete(record['-']);
    else live.set(record[key], record);
  }
  return live;
}

const lineCount = async (path: string) => (await readFile(path, 'utf8')).split('\n').filter(Boolean).length;

const journalFiles = async (dir: string) => (await readdir(join(dir, 'db.d', 'journal'))).sort();

/** A store on disk with the demo service and one award to eve, closed: its main file, what it held, and its user shards' folder. */
async function closedWithEve(t: TestContext) {
  const dir = await tempDir(t);
  const file = join(dir, 'db.json');
  const store = await openStore({ file, seed: true });
  await composeDomain(store).award('demo', 'eve', ['popular'], new Date('2026-11-01T00:00:00Z'));
  const before = await dump(store);
  await store.close();
  return { file, before, users: join(dir, 'db.d', 'users', 'demo') };
}

describe('the lowdb store on disk', () => {
  test('what was written is there after a clean reopen, and the files are plain JSON', async (t) => {
    const dir = await tempDir(t);
    const file = join(dir, 'db.json');
    const store = await openStore({ file, seed: true });
    await composeDomain(store).award('demo', 'eve', ['popular', 'popular'], new Date('2026-11-01T00:00:00Z'));
    const before = await dump(store);
    await store.close();
    assert.deepEqual(await journalFiles(dir), [], 'a clean close leaves no journal');
    const main = JSON.parse(await readFile(file, 'utf8'));
    assert.equal(main.format, 1);
    assert.deepEqual(main.services.map((s: { name: string }) => s.name), ['demo']);
    const reopened = await openStore({ file, seed: true });
    assert.deepEqual(await dump(reopened), before);
    assert.equal(reopened.seeded, undefined, 'an existing store is not seeded again');
    await reopened.close();
  });

  test('acknowledged writes survive without a clean close (replayed from the journal)', async (t) => {
    const dir = await tempDir(t);
    const file = join(dir, 'db.json');
    const store = await openStore({ file, seed: true });
    await composeDomain(store).award('demo', 'eve', ['popular'], new Date());
    await composeDomain(store).putBadges('demo', [{ name: 'late', fields: { description: 'added last' } }]);
    const before = await dump(store);
    // No close: as after kill -9, only the journal holds the last writes.
    assert.ok((await journalFiles(dir)).length > 0);
    const reopened = await openStore({ file });
    assert.deepEqual(await dump(reopened), before);
    await reopened.close();
  });

  test('a torn last journal line (a write cut short, never acknowledged) is dropped', async (t) => {
    const dir = await tempDir(t);
    const file = join(dir, 'db.json');
    const store = await openStore({ file, seed: true });
    await composeDomain(store).award('demo', 'eve', ['popular'], new Date());
    const before = await dump(store);
    const last = (await journalFiles(dir)).at(-1)!;
    await appendFile(join(dir, 'db.d', 'journal', last), '[{"t":"user","s":"demo","v":{"name":"ghost","crea');
    const reopened = await openStore({ file });
    assert.deepEqual(await dump(reopened), before);
    await composeDomain(reopened).award('demo', 'eve', ['popular'], new Date());
    await reopened.close();
    const again = await openStore({ file });
    assert.equal((await again.getUser('demo', 'eve'))!.awards[0]!.count, 2);
    await again.close();
  });

  test('damage in the middle of the journal stops the start instead of losing writes', async (t) => {
    const dir = await tempDir(t);
    const file = join(dir, 'db.json');
    const store = await openStore({ file, seed: true });
    await composeDomain(store).award('demo', 'eve', ['popular'], new Date());
    await composeDomain(store).award('demo', 'eve', ['donated'], new Date());
    const segment = join(dir, 'db.d', 'journal', (await journalFiles(dir)).at(-1)!);
    const lines = (await readFile(segment, 'utf8')).split('\n');
    lines[0] = lines[0]!.slice(0, 10);
    await writeFile(segment, lines.join('\n'));
    await assert.rejects(openStore({ file }), /damaged/);
  });

  test('an unparseable main file stops the start and is left as it was', async (t) => {
    const dir = await tempDir(t);
    const file = join(dir, 'db.json');
    await writeFile(file, '{"format":1,"services":[');
    await assert.rejects(openStore({ file, seed: true }), /not valid JSON/);
    assert.equal(await readFile(file, 'utf8'), '{"format":1,"services":[');
  });

  test('checkpoints fold the journal into user shards and drop it', async (t) => {
    const dir = await tempDir(t);
    const file = join(dir, 'db.json');
    const store = await openStore({ file, seed: true, checkpointBytes: 2000 });
    for (let i = 0; i < 300; i++) await composeDomain(store).award('demo', `user${i}`, ['popular'], new Date());
    await (store as unknown as { checkpoint(): Promise<void> }).checkpoint();
    const shards = await readdir(join(dir, 'db.d', 'users', 'demo'));
    assert.ok(shards.length > 10, `users spread over shards: ${shards.length}`);
    assert.ok((await journalFiles(dir)).length <= 1);
    const inShards = (await Promise.all(shards.map((s) => liveRecords(join(dir, 'db.d', 'users', 'demo', s), 'name')))).reduce((a, b) => a + b.size, 0);
    assert.equal(inShards, 303);
    const before = await dump(store);
    const reopened = await openStore({ file });
    assert.deepEqual(await dump(reopened), before);
    await reopened.close();
  });

  test('a checkpoint appends what changed to the snapshot files, and compacts a file once replaced lines outnumber live ones', async (t) => {
    const dir = await tempDir(t);
    const file = join(dir, 'db.json');
    const store = await openStore({ file, seed: true });
    const domain = composeDomain(store);
    const checkpoint = () => (store as unknown as { checkpoint(): Promise<void> }).checkpoint();
    const users = join(dir, 'db.d', 'users', 'demo');
    for (let i = 0; i < 200; i++) await domain.award('demo', `user${i}`, ['popular'], new Date('2026-11-01T10:00:00Z'));
    await checkpoint();
    const shards = (await readdir(users)).filter((f) => f.endsWith('.jsonl'));
    const sizes = new Map(await Promise.all(shards.map(async (f) => [f, await lineCount(join(users, f))] as const)));
    // One more award to one user: its shard grows by one line, the others are not touched.
    await domain.award('demo', 'user7', ['popular'], new Date('2026-11-01T10:00:01Z'));
    await checkpoint();
    const grown = (await Promise.all(shards.map(async (f) => [f, (await lineCount(join(users, f))) - sizes.get(f)!] as const))).filter(([, d]) => d !== 0);
    assert.equal(grown.length, 1, `one shard grew: ${JSON.stringify(grown)}`);
    assert.equal(grown[0]![1], 1);
    const [shard] = grown[0]!;
    // Award the same user again and again: the file is compacted before its dead lines pile up.
    for (let i = 0; i < 150; i++) {
      await domain.award('demo', 'user7', ['popular'], new Date(Date.UTC(2026, 10, 1, 10, 1, i)));
      await checkpoint();
    }
    const live = (await liveRecords(join(users, shard), 'name')).size;
    const lines = await lineCount(join(users, shard));
    assert.ok(lines <= Math.max(64, 2 * live) + 1, `${lines} lines for ${live} users: compacted`);
    // A removal is a line too, and survives a reopen.
    await domain.eraseUser('demo', 'user8');
    const before = await dump(store);
    await store.close();
    const reopened = await openStore({ file });
    assert.deepEqual(await dump(reopened), before);
    assert.equal((await dump(reopened)).users.find((u) => u.name === 'user8'), undefined);
    await reopened.close();
  });

  test("items' values are read back from their files once a checkpoint wrote them: across appends, rewrites, reopens and more files than are held open", async (t) => {
    const dir = await tempDir(t);
    const file = join(dir, 'db.json');
    const store = await openStore({ file, seed: true });
    const checkpoint = () => (store as unknown as { checkpoint(): Promise<void> }).checkpoint();
    // 48 hours of items (more files than the 32 held open), values with text that is more than one byte a character.
    const value = (h: number, i: number, round: number) => ({ h, i, round, text: `ünïcode ✓ ${'x'.repeat(i * 7)} ${h}` });
    const expected = new Map<string, unknown>();
    const put = (h: number, i: number, round: number) =>
      store.run('demo', new Date(), async (tx) => {
        const id = `n${h}-${i}`;
        const v = value(h, i, round);
        tx.put({ t: 'item', s: 'demo', v: { kind: 'note', id, owner: `user${i}`, at: new Date(Date.UTC(2026, 10, 1 + Math.floor(h / 24), h % 24, i)).toISOString(), v } });
        expected.set(id, v);
      });
    const readAll = async (from: Store) => {
      const items = await from.listItems('demo', 'note', {});
      assert.equal(items.length, expected.size);
      for (const item of items) assert.deepEqual(item.v, expected.get(item.id), item.id);
    };
    for (let h = 0; h < 48; h++) for (let i = 0; i < 3; i++) await put(h, i, 0);
    await checkpoint();
    await readAll(store);
    // Appended to the files read from: the new lines and the old ones both read back.
    for (let h = 0; h < 48; h += 5) await put(h, 3, 0);
    await checkpoint();
    await readAll(store);
    // A replaced item makes its hour's file rewritten whole; reads go on while it is replaced.
    for (let h = 0; h < 48; h += 3) await put(h, 1, 1);
    let done = false;
    const rewriting = checkpoint().finally(() => (done = true));
    let readsDuring = 0;
    while (!done) {
      await readAll(store);
      readsDuring++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    await rewriting;
    assert.ok(readsDuring > 1, `reads while the files were rewritten: ${readsDuring}`);
    await readAll(store);
    // By owner, by id and after a removal, too.
    assert.deepEqual((await store.listItems('demo', 'note', { owner: 'user2', limit: 1 }))[0]!.v, expected.get('n0-2'));
    await store.run('demo', new Date(), async (tx) => {
      tx.put({ t: 'item-', s: 'demo', k: 'note', id: 'n5-0' });
      expected.delete('n5-0');
    });
    await checkpoint();
    await readAll(store);
    await store.close();
    const reopened = await openStore({ file });
    await readAll(reopened);
    await reopened.close();
  });

  test('a torn last line in a snapshot file (a crash during an append) is dropped, and the file is rewritten whole', async (t) => {
    const { file, before, users } = await closedWithEve(t);
    const shard = join(users, (await readdir(users)).find((f) => f.endsWith('.jsonl'))!);
    await appendFile(shard, '{"name":"torn","awards":[{"badge":"pop');
    const reopened = await openStore({ file });
    assert.deepEqual(await dump(reopened), before);
    await composeDomain(reopened).award('demo', 'zed', ['popular'], new Date('2026-11-02T00:00:00Z'));
    await reopened.close();
    for (const f of (await readdir(users)).filter((f) => f.endsWith('.jsonl'))) await liveRecords(join(users, f), 'name');
    const again = await openStore({ file });
    assert.ok((await dump(again)).users.some((u) => u.name === 'zed'));
    await again.close();
  });

  test('snapshot files of the older format (one JSON document each) are read and replaced', async (t) => {
    const { file, before, users } = await closedWithEve(t);
    // Turn the files into the older format: every shard one {"users":[...]} document.
    for (const f of (await readdir(users)).filter((f) => f.endsWith('.jsonl'))) {
      const records = [...(await liveRecords(join(users, f), 'name')).values()];
      await writeFile(join(users, f.replace(/\.jsonl$/, '.json')), JSON.stringify({ users: records }));
      await rm(join(users, f));
    }
    const reopened = await openStore({ file });
    assert.deepEqual(await dump(reopened), before);
    await composeDomain(reopened).award('demo', 'zed', ['popular'], new Date('2026-11-02T00:00:00Z'));
    await reopened.close();
    const files = await readdir(users);
    assert.deepEqual(files.filter((f) => f.endsWith('.json')), [], 'the older files are gone');
    const again = await openStore({ file });
    assert.equal((await dump(again)).users.length, before.users.length + 1);
    await again.close();
  });

  test('a service renamed, and one removed and created again under its name, keep exactly their own data on disk', async (t) => {
    const dir = await tempDir(t);
    const file = join(dir, 'db.json');
    const store = await openStore({ file, seed: true });
    const domain = composeDomain(store);
    await domain.award('demo', 'eve', ['popular'], new Date('2026-11-01T00:00:00Z'));
    await store.renameService('demo', 'moved');
    await domain.deleteService('demo').catch(() => {});
    await domain.createService('demo', 'a-new-key-of-32-characters-at-least-1234');
    await domain.putBadges('demo', [{ name: 'fresh', fields: { description: 'new' } }]);
    await domain.award('demo', 'zoe', ['fresh'], new Date('2026-11-02T00:00:00Z'));
    const moved = await dump(store, 'moved');
    const demo = await dump(store, 'demo');
    await store.close();
    const reopened = await openStore({ file });
    assert.deepEqual(await dump(reopened, 'moved'), moved);
    assert.deepEqual(await dump(reopened, 'demo'), demo);
    assert.deepEqual((await dump(reopened, 'demo')).users.map((u) => u.name), ['zoe']);
    await reopened.close();
  });

  test('200 concurrent awards of one badge to one user count exactly 200, before and after reopening', async (t) => {
    const dir = await tempDir(t);
    const file = join(dir, 'db.json');
    const store = await openStore({ file, seed: true, checkpointBytes: 4000 });
    await Promise.all(Array.from({ length: 200 }, () => composeDomain(store).award('demo', 'crowd', ['popular'], new Date())));
    assert.equal((await store.getUser('demo', 'crowd'))!.awards[0]!.count, 200);
    const popular = (await store.listBadges('demo')).find((b) => b.name === 'popular')!.count;
    const reopened = await openStore({ file });
    assert.equal((await reopened.getUser('demo', 'crowd'))!.awards[0]!.count, 200);
    assert.equal((await reopened.listBadges('demo')).find((b) => b.name === 'popular')!.count, popular);
    await reopened.close();
    await store.close().catch(() => {});
  });

  test('a second process cannot open the same data', async (t) => {
    const dir = await tempDir(t);
    const file = join(dir, 'db.json');
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)']);
    t.after(() => holder.kill());
    await (await openStore({ file })).close();
    await writeFile(join(dir, 'db.d', 'lock'), String(holder.pid));
    await assert.rejects(openStore({ file }), /in use by process/);
    holder.kill();
    await new Promise((resolve) => holder.once('exit', resolve));
    // A lock whose process is gone is taken over.
    await (await openStore({ file })).close();
  });

  test('an in-memory store (no file) works the same and writes nothing', async () => {
    const store = await openStore({ seed: true });
    await composeDomain(store).award('demo', 'eve', ['popular'], new Date());
    assert.equal((await store.getUser('demo', 'eve'))!.awards.length, 1);
    await store.close();
  });
});

describe('the lock and the failure modes of the store', () => {
  test('an empty lock file (one being made) is never taken for a stale one', async (t) => {
    const dir = await tempDir(t);
    const file = join(dir, 'db.json');
    await (await openStore({ file })).close();
    await writeFile(join(dir, 'db.d', 'lock'), '');
    await assert.rejects(openStore({ file }), /unreadable/);
  });

  test('a checkpoint saves whole requests: files and journal agree after a crash at any point', async (t) => {
    const dir = await tempDir(t);
    const file = join(dir, 'db.json');
    const store = await openStore({ file, seed: true });
    for (let i = 0; i < 200; i++) await composeDomain(store).award('demo', `u${i}`, ['popular'], new Date());
    // Writes land while the checkpoint writes its files one by one.
    let writing = true;
    const checkpoint = (store as unknown as { checkpoint(): Promise<void> }).checkpoint().finally(() => (writing = false));
    const during: Promise<unknown>[] = [];
    for (let i = 0; writing && i < 5000; i++) {
      during.push(composeDomain(store).award('demo', `u${i % 200}`, ['popular'], new Date()));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await checkpoint;
    await Promise.all(during);
    assert.ok(during.length > 10, `writes during the checkpoint: ${during.length}`);
    // As if the process died before the writes made during the checkpoint reached the journal:
    // the snapshot files alone must hold whole requests, so the counts agree.
    for (const segment of await journalFiles(dir)) await rm(join(dir, 'db.d', 'journal', segment));
    const reopened = await openStore({ file });
    const { users } = await reopened.listUsers('demo', { offset: 0, limit: 1_000_000 });
    const held = users.reduce((sum, u) => sum + (u.awards.find((a) => a.badge === 'popular')?.count ?? 0), 0);
    assert.equal((await reopened.listBadges('demo')).find((b) => b.name === 'popular')!.count, held);
    assert.ok(held >= 202 && held <= 202 + during.length, `${held}`);
    await reopened.close();
  });

  test('services whose names differ only in case are refused (they would share a folder)', async () => {
    const store = await openStore({ seed: true });
    await assert.rejects(composeDomain(store).createService('Demo', 'k'), /differ only in case/);
    await store.close();
  });
});

describe('the HTTP API over the file store', () => {
  test('writes made over HTTP are read back over HTTP after a restart', async (t) => {
    const { start } = await import('./harness.js');
    const file = join(await tempDir(t), 'db.json');
    const first = await start({ store: { file } });
    const auth = { authorization: first.key };
    assert.equal((await first.request('PUT', '/v1/demo/badges.json', { headers: auth, body: { badges: [{ name: 'saved', description: 'on disk' }] } })).status, 200);
    assert.equal((await first.request('PUT', '/v1/demo/users/Zo%C3%AB.json', { headers: auth, body: { badges: ['saved', 'saved', 'popular'] } })).status, 200);
    assert.equal((await first.request('DELETE', '/v1/demo/users/daniel.json', { headers: auth, body: { badges: ['donated'] } })).status, 200);
    const before = (await first.request('GET', '/v1/demo/users.json?page_size=1000')).text;
    const badgesBefore = (await first.request('GET', '/v1/demo/badges.json')).text;
    await first.close();

    const second = await start({ store: { file } });
    try {
      assert.equal(second.store.seeded, undefined);
      assert.equal((await second.request('GET', '/v1/demo/users.json?page_size=1000')).text, before);
      assert.equal((await second.request('GET', '/v1/demo/badges.json')).text, badgesBefore);
      const zoe = (await second.request('GET', '/v1/demo/users/Zo%C3%AB.json')).json;
      assert.deepEqual(zoe.badges.map((b: { name: string; count: number }) => [b.name, b.count]), [['saved', 2], ['popular', 1]]);
      // The key survived too: the old one still authorises writes.
      assert.equal((await second.request('PUT', '/v1/demo/users/daniel.json', { headers: auth, body: { badges: ['saved'] } })).status, 200);
    } finally {
      await second.close();
    }
  });
});

describe('keys at rest', () => {
  /** "folder 700" or "file 600" for everything under `root`, by path. */
  async function modes(root: string, into: Record<string, string> = {}): Promise<Record<string, string>> {
    const stats = await lstat(root);
    into[root] = `${stats.isDirectory() ? 'folder' : 'file'} ${(stats.mode & 0o777).toString(8)}`;
    if (stats.isDirectory()) for (const name of await readdir(root)) await modes(join(root, name), into);
    return into;
  }
  const expected = (all: Record<string, string>) =>
    Object.fromEntries(Object.entries(all).map(([path, mode]) => [path, mode.startsWith('folder') ? 'folder 700' : 'file 600']));

  test('data files are 0600 and folders 0700 whatever the umask, and looser ones are tightened at start', async (t) => {
    const data = join(await tempDir(t), 'data');
    const file = join(data, 'db.json');
    const umask = process.umask(0o022);
    t.after(() => void process.umask(umask));
    const store = await openStore({ file, seed: true });
    await composeDomain(store).award('demo', 'eve', ['popular'], new Date());
    await (store as unknown as { checkpoint(): Promise<void> }).checkpoint();
    await composeDomain(store).award('demo', 'eve', ['popular'], new Date());
    const open = await modes(data);
    assert.ok(Object.keys(open).some((p) => /journal\/\d+\.jsonl$/.test(p)) && Object.keys(open).some((p) => /users\/demo\/\d+\.jsonl$/.test(p)), Object.keys(open).join());
    assert.deepEqual(open, expected(open), 'while open: journal, snapshots, lock');
    await store.close();

    // As an older version left them.
    for (const [path, mode] of Object.entries(await modes(join(data, 'db.d')))) await chmod(path, mode.startsWith('folder') ? 0o755 : 0o644);
    await chmod(file, 0o644);
    const reopened = await openStore({ file });
    const tightened = await modes(data);
    assert.deepEqual(tightened, expected(tightened));
    await reopened.close();

    // A folder inside made unlistable by hand (`chmod 600`), the data folder still private: repaired too.
    await chmod(join(data, 'db.d', 'users', 'demo'), 0o600);
    await chmod(join(data, 'db.d', 'users'), 0o600);
    const again = await openStore({ file });
    const repaired = await modes(data);
    assert.deepEqual(repaired, expected(repaired));
    await again.close();
  });
});

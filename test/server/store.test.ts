import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFile, chmod, lstat, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { composeDomain } from '../../server/app/domain.js';
import { openStore } from '../../server/app/open-store.js';
import type { Store } from '../../server/stores/types.js';
import { tempDir } from './harness.js';

/** Everything the store holds for a service, in a comparable form. */
async function dump(store: Store, service = 'demo') {
  const { users } = await store.listUsers(service, { offset: 0, limit: 1_000_000 });
  return { badges: await store.listBadges(service), users, services: await store.listServices() };
}

const journalFiles = async (dir: string) => (await readdir(join(dir, 'db.d', 'journal'))).sort();

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
    const inShards = (
      await Promise.all(shards.map(async (s) => JSON.parse(await readFile(join(dir, 'db.d', 'users', 'demo', s), 'utf8')).users.length as number))
    ).reduce((a, b) => a + b, 0);
    assert.equal(inShards, 303);
    const before = await dump(store);
    const reopened = await openStore({ file });
    assert.deepEqual(await dump(reopened), before);
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
    assert.ok(Object.keys(open).some((p) => p.endsWith('.jsonl')) && Object.keys(open).some((p) => /users\/demo\/\d+\.json$/.test(p)), Object.keys(open).join());
    assert.deepEqual(open, expected(open), 'while open: journal, snapshots, lock');
    await store.close();

    // As an older version left them.
    for (const [path, mode] of Object.entries(await modes(join(data, 'db.d')))) await chmod(path, mode.startsWith('folder') ? 0o755 : 0o644);
    await chmod(file, 0o644);
    const reopened = await openStore({ file });
    const tightened = await modes(data);
    assert.deepEqual(tightened, expected(tightened));
    await reopened.close();
  });
});

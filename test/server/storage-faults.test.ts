import assert from 'node:assert/strict';
import { appendFile, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { composeDomain } from '../../server/app/domain.js';
import { openStore } from '../../server/app/open-store.js';
import type { Store } from '../../server/core/ports.js';
import { FaultyDisk, recoveries, type Fault } from './faulty-disk.js';
import { start, tempDir } from './harness.js';

/**
 * A disk that fails under the journal: writes are refused and take nothing with them, reads go on,
 * writes resume on their own. Faults are injected here (see faulty-disk.ts); storage-tmpfs.test.ts
 * runs the same story on a real full file system. The checks use the Store API and HTTP only.
 */

async function dump(store: Store) {
  const services = await store.listServices();
  const all = [];
  for (const service of services) {
    const { users } = await store.listUsers(service.name, { offset: 0, limit: 1_000_000 });
    all.push({ service, badges: await store.listBadges(service.name), users });
  }
  return all;
}

const journalSizes = async (dir: string) => {
  const folder = join(dir, 'db.d', 'journal');
  const sizes: Record<string, number> = {};
  for (const file of await readdir(folder)) sizes[file] = (await stat(join(folder, file))).size;
  return sizes;
};

const refused = (full: boolean) => ({ name: 'DomainError', kind: full ? 'storage_full' : 'unavailable' });
const at = new Date('2026-11-01T00:00:00Z');

describe('a failing disk under the store', () => {
  for (const fault of ['short write', 'ENOSPC', 'EIO on sync'] as Fault[]) {
    test(`${fault}: the writes are refused and taken back, the journal is cut back, writes resume without a restart`, async (t) => {
      const dir = await tempDir(t);
      const file = join(dir, 'db.json');
      const disk = new FaultyDisk();
      const recovered = recoveries();
      const store = await openStore({ file, seed: true, openSegment: disk.open, retryMs: 5, onRecover: recovered.onRecover });
      await composeDomain(store).award('demo', 'eve', ['popular'], at);
      const before = await dump(store);
      const sizes = await journalSizes(dir);

      disk.fault = fault;
      // One batch: later writes computed from earlier ones still in flight (eve's count, the new badge).
      const writes = await Promise.allSettled([
        composeDomain(store).award('demo', 'eve', ['popular'], at),
        composeDomain(store).putBadges('demo', [{ name: 'fresh', fields: { description: 'new' } }]),
        composeDomain(store).award('demo', 'eve', ['popular', 'fresh'], at),
        composeDomain(store).award('demo', 'zoe', ['popular'], at),
        composeDomain(store).deleteBadges('demo', ['donated']),
        composeDomain(store).createService('other', 'k'),
      ]);
      const full = fault !== 'EIO on sync';
      for (const write of writes) {
        assert.equal(write.status, 'rejected');
        assert.equal((write as PromiseRejectedResult).reason.name, 'DomainError');
        assert.equal((write as PromiseRejectedResult).reason.kind, full ? 'storage_full' : 'unavailable');
      }
      assert.deepEqual(await dump(store), before, 'nothing of the refused writes is applied; reads go on');
      assert.deepEqual(await journalSizes(dir), sizes, 'the journal is cut back to its last good length');
      await assert.rejects(composeDomain(store).award('demo', 'eve', ['popular'], at), refused(full));
      assert.deepEqual(await dump(store), before);

      const back = recovered.next();
      disk.fault = null;
      await back;
      const { user: eve } = await composeDomain(store).award('demo', 'eve', ['popular'], at);
      assert.equal(eve.awards[0]!.count, 2);
      const after = await dump(store);
      // As after kill -9: only what the journal holds.
      const reopened = await openStore({ file });
      assert.deepEqual(await dump(reopened), after);
      await reopened.close();
    });
  }

  test('a checkpoint never saves a write that then fails', async (t) => {
    const dir = await tempDir(t);
    const file = join(dir, 'db.json');
    const disk = new FaultyDisk();
    const store = await openStore({ file, seed: true, openSegment: disk.open, retryMs: 5 });
    await composeDomain(store).award('demo', 'eve', ['popular'], at);
    const before = await dump(store);
    disk.fault = 'ENOSPC';
    // The checkpoint seals the segment first; the award waits in memory for the next write, which fails.
    const checkpoint = (store as unknown as { checkpoint(): Promise<void> }).checkpoint();
    const award = assert.rejects(composeDomain(store).award('demo', 'ghost', ['popular'], at), refused(true));
    await checkpoint;
    await award;
    const reopened = await openStore({ file });
    assert.deepEqual(await dump(reopened), before);
    await reopened.close();
  });

  test('start keeps a complete line written after torn bytes (as older versions left them) and says what it dropped', async (t) => {
    const dir = await tempDir(t);
    const file = join(dir, 'db.json');
    const store = await openStore({ file, seed: true });
    await composeDomain(store).award('demo', 'eve', ['popular'], at);
    const segment = join(dir, 'db.d', 'journal', (await readdir(join(dir, 'db.d', 'journal'))).sort().at(-1)!);
    const line = (await readFile(segment, 'utf8')).trim().split('\n').at(-1)!;
    // A batch cut short by a full disk, then (space back) the next batch, acknowledged, right after it.
    const torn = line.slice(0, 40);
    const offset = (await stat(segment)).size;
    await appendFile(segment, torn + line.replaceAll('"eve"', '"late"') + '\n');
    const dropped: unknown[] = [];
    const reopened = await openStore({ file, onDropped: (d) => dropped.push(...d) });
    assert.ok(await reopened.getUser('demo', 'late'), 'the acknowledged line after the torn bytes is kept');
    assert.deepEqual(dropped, [{ file: segment, offset, bytes: 40, reason: 'torn line followed by a complete one' }]);
    await reopened.close();
  });
});

describe('a failing disk over HTTP', () => {
  test('writes get 507 with a JSON error and change nothing, reads are served, writes resume on their own', async (t) => {
    const file = join(await tempDir(t), 'db.json');
    const disk = new FaultyDisk();
    const recovered = recoveries();
    const h = await start({ store: { file, openSegment: disk.open, retryMs: 5, onRecover: recovered.onRecover } });
    const auth = { authorization: h.key };
    const award = () => h.request('PUT', '/v1/demo/users/eve.json', { headers: auth, body: { badges: ['popular'] } });
    const users = () => h.request('GET', '/v1/demo/users.json?names=daniel,bob,alice,eve');
    const heal = async () => {
      const back = recovered.next();
      disk.fault = null;
      await back;
    };
    try {
      const before = await users();
      disk.fault = 'short write';
      const full = await award();
      assert.equal(full.status, 507);
      assert.equal(full.json.error.code, 'storage_full');
      assert.match(full.json.error.message, /not applied/);
      const read = await users();
      assert.equal(read.status, 200);
      assert.equal(read.text, before.text);
      assert.equal((await h.request('GET', '/v1/demo/badges.json')).status, 200);

      await heal();
      disk.fault = 'EIO on sync';
      const failed = await award();
      assert.equal(failed.status, 503);
      assert.equal(failed.json.error.code, 'store_failed');

      await heal();
      assert.equal((await award()).status, 200);
      assert.equal((await users()).json.users.find((u: { name: string }) => u.name === 'eve').badges[0].count, 1);
    } finally {
      await h.close();
    }
  });
});

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { open, unlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { composeDomain } from '../../server/app/domain.js';
import { createApp } from '../../server/app/create-app.js';
import { openStore } from '../../server/app/open-store.js';
import { recoveries } from './faulty-disk.js';

/**
 * The full-disk story on a real file system: a 64 KB tmpfs, mounted for the test (root only, as in
 * CI). Where mounting is not permitted the test says so in its name and is reported as skipped;
 * storage-faults.test.ts covers the same behaviour with injected faults everywhere.
 */
const SIZE = '64k';

function mountTmpfs(): string {
  const dir = mkdtempSync(join(tmpdir(), 'user-badges-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${SIZE},mode=0700`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return dir;
}

function unmount(dir: string): void {
  // Lazy: the store left open as if killed still holds its files.
  execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
  rmSync(dir, { recursive: true, force: true });
}

const cannotMount = (() => {
  try {
    unmount(mountTmpfs());
    return null;
  } catch (error) {
    return String((error as { stderr?: Buffer }).stderr ?? (error as Error).message).trim() || 'mount failed';
  }
})();

/** Fills the file system to the last byte. */
async function fillUp(file: string): Promise<void> {
  const handle = await open(file, 'a');
  try {
    for (const size of [4096, 512, 1]) {
      for (let i = 0; i < 100_000; i++) {
        const { bytesWritten } = await handle.write(Buffer.alloc(size, 'x')).catch(() => ({ bytesWritten: 0 }));
        if (bytesWritten < size) break;
      }
    }
  } finally {
    await handle.close();
  }
}

const NAME = `on a real ${SIZE} tmpfs: writes get 507 when it fills, reads go on, writes resume when space is back, every acknowledged write survives a crash, and it starts on a full disk`;

describe('a full disk', () => {
  test(cannotMount ? `${NAME} — SKIPPED: cannot mount tmpfs here (${cannotMount}); only the injected faults ran` : NAME, { skip: cannotMount ?? false }, async (t) => {
    const dir = mountTmpfs();
    const cleanup: (() => void)[] = [];
    t.after(() => {
      for (const step of cleanup) step();
      unmount(dir);
    });
    const file = join(dir, 'db.json');
    const filler = join(dir, 'filler');
    await writeFile(filler, Buffer.alloc(24 * 1024));

    const recovered = recoveries();
    const first = await openStore({ file, seed: true, retryMs: 20, onRecover: recovered.onRecover, onError: () => {} });
    const server = createServer(createApp({ store: first, config: { log: () => {} } }).callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => {
      server.closeAllConnections();
      server.close();
    });
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const put = async (name: string) => {
      const response = await fetch(`${base}/v1/demo/badges.json`, {
        method: 'PUT',
        headers: { authorization: first.seeded!.key, 'content-type': 'application/json' },
        body: JSON.stringify({ badges: [{ name, description: 'x'.repeat(2000) }] }),
      });
      return { status: response.status, json: await response.json() };
    };
    const seeded = (await first.listBadges('demo')).map((b) => b.name);
    const acknowledged: string[] = [];
    let refused: { status: number; json: any } | undefined;
    for (let i = 0; i < 500 && !refused; i++) {
      const answer = await put(`b${i}`);
      if (answer.status === 200) acknowledged.push(`b${i}`);
      else refused = answer;
    }
    assert.ok(refused, 'the disk filled up');
    assert.equal(refused.status, 507);
    assert.equal(refused.json.error.code, 'storage_full');
    assert.ok(acknowledged.length >= 3, `${acknowledged.length} writes before the disk was full`);
    const read = await fetch(`${base}/v1/demo/badges.json`);
    assert.equal(read.status, 200, 'reads are served');
    assert.deepEqual((await read.json()).badges.map((b: { name: string }) => b.name), [...seeded, ...acknowledged]);
    assert.equal((await put('again')).status, 507);

    const back = recovered.next();
    await unlink(filler);
    await back;
    const resumed = await put('after');
    assert.equal(resumed.status, 200, 'writes resume without a restart');
    acknowledged.push('after');

    // Killed: the first store is never closed. Then the disk fills to the last byte before the restart.
    await fillUp(filler);
    const second = await openStore({ file, onError: () => {} });
    try {
      assert.deepEqual((await second.listBadges('demo')).map((b) => b.name), [...seeded, ...acknowledged], 'every acknowledged write, nothing else');
      await assert.rejects(composeDomain(second).putBadges('demo', [{ name: 'more', fields: {} }]), { name: 'DomainError', kind: 'storage_full' });
      assert.deepEqual((await second.listBadges('demo')).map((b) => b.name), [...seeded, ...acknowledged]);
    } finally {
      await second.close().catch(() => {});
    }
  });
});

import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { serve } from '../support/serve.js';
import { tempDir } from './harness.js';

/** The real server in its own process, as `user-badges serve` runs it. */
const start = (file: string) => serve(['--data', file, '--no-seed'], { env: { CHECKPOINT_BYTES: '20000' } });

const put = (base: string, path: string, body: unknown) =>
  fetch(base + path, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('kill -9', () => {
  test('every acknowledged award is there after the server is killed mid-load, and the files parse', async (t) => {
    const dir = await tempDir(t);
    const file = join(dir, 'db.json');
    const users = Array.from({ length: 40 }, (_, i) => `u${i}`);
    const acknowledged = new Map<string, number>(users.map((u) => [u, 0]));
    let sent = 0;

    for (let round = 0; round < 3; round++) {
      const { child, base, exited } = await start(file);
      if (round === 0) assert.equal((await put(base, '/v1/test/badges.json', { badges: [{ name: 'b' }] })).status, 200);
      let killed = false;
      // 50 clients award as fast as the server acknowledges, until the kill.
      const clients = Array.from({ length: 50 }, async (_, c) => {
        for (let i = 0; !killed && i < 100_000; i++) {
          const user = users[(c * 7 + i) % users.length]!;
          sent++;
          try {
            const response = await put(base, `/v1/test/users/${user}.json`, { badges: ['b'] });
            if (response.status === 200) acknowledged.set(user, acknowledged.get(user)! + 1);
            else assert.fail(`status ${response.status}`);
          } catch (error) {
            if (!killed) throw error;
          }
        }
      });
      // The kill comes after a while and after enough acknowledgements, whichever is later: on a
      // loaded machine a fixed while can pass before the server has answered anything.
      const before = [...acknowledged.values()].reduce((a, b) => a + b, 0);
      const since = Date.now();
      const deadline = since + 60_000;
      for (;;) {
        const now = [...acknowledged.values()].reduce((a, b) => a + b, 0) - before;
        if (now >= 100 && Date.now() - since >= 400 + round * 300) break;
        if (Date.now() > deadline) assert.fail(`round ${round}: 100 acknowledged awards before the kill, ${now} in 60 s`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      killed = true;
      child.kill('SIGKILL');
      await Promise.all(clients);
      await exited;
    }

    const main = JSON.parse(await readFile(file, 'utf8'));
    assert.equal(main.format, 1);
    const shards = join(dir, 'db.d', 'users', 'test');
    // Snapshot files grow by appending: a kill may tear their last line (the journal holds it), nothing before it.
    for (const shard of (await readdir(shards).catch(() => [])).filter((f) => /^\d+\.jsonl$/.test(f))) {
      const lines = (await readFile(join(shards, shard), 'utf8')).split('\n');
      lines.pop();
      for (const line of lines) JSON.parse(line);
    }

    const { child, base, stop } = await start(file);
    try {
      // The new server may be writing its first checkpoint already: its own temporary files are not leftovers.
      const leftovers = [...(await readdir(dir)), ...(await readdir(shards).catch(() => []))].filter(
        (f) => f.endsWith('.tmp') && !f.endsWith(`.${child.pid}.tmp`),
      );
      assert.deepEqual(leftovers, [], 'snapshots a kill cut short are cleared at start');
      const total = [...acknowledged.values()].reduce((a, b) => a + b, 0);
      assert.ok(total > 200, `enough load to mean something: ${total} acknowledged`);
      const found = await (await fetch(`${base}/v1/test/users.json?names=${users.join(',')}`)).json();
      let stored = 0;
      for (const user of users) {
        const count = found.users.find((u: { name: string }) => u.name === user)?.badges[0]?.count ?? 0;
        assert.ok(count >= acknowledged.get(user)!, `${user}: ${count} stored, ${acknowledged.get(user)} acknowledged`);
        stored += count;
      }
      // Unacknowledged writes may have landed, but nothing beyond what was sent.
      assert.ok(stored <= sent, `${stored} stored, ${sent} sent`);
      assert.equal(found.badges.b.count, stored, 'the service-wide count agrees with the users');
    } finally {
      await stop();
    }
  });
});

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { openStore } from '../../server/stores/index.js';
import { cli, serve } from '../support/serve.js';
import { tempDir } from './harness.js';

// A file of its own, apart from cli-transfer.test.ts: each spawns the CLI a score of times, which on a
// loaded machine takes minutes, and a test file has 240 s.

describe('export while the server runs (issue 24.2)', () => {
  test('the embedded store: through the running server, consistent while awards go on, and imported whole', async (t) => {
    const dir = await tempDir(t);
    const data = join(dir, 'db.json');
    const created = JSON.parse((await cli(['service', 'create', 'shop', '--data', data])).stdout);
    const server = await serve(['--data', data, '--no-seed'], { env: { ADMIN_TOKEN: undefined }, until: /Admin API/ });
    t.after(() => server.stop());
    const call = (method: string, path: string, body: unknown) =>
      fetch(server.base + path, { method, headers: { authorization: created.key, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal((await call('PUT', '/v1/shop/badges.json', { badges: [{ name: 'gold' }] })).status, 200);
    // More users than an export reads at once (1,000), so that the awards below could fall between its pages.
    for (let i = 0; i < 1400; i += 700) {
      assert.equal((await call('POST', '/v1/shop/badges/gold/awards.json', { users: Array.from({ length: 700 }, (_, j) => `u${i + j}`) })).status, 200);
    }

    // Awards go on during the export: each one is in it or not, never half (a badge count that disagrees
    // with its holders or their activity entries). That a snapshot holds one moment is the store
    // contract's to prove (store-contract.test.ts); here, that the export through the server keeps to it.
    let writing = true;
    const writers = Array.from({ length: 5 }, async (_, w) => {
      for (let i = 0; writing; i++) assert.equal((await call('PUT', `/v1/shop/users/w${w}-${i % 50}.json`, { badges: ['gold'] })).status, 200);
    });
    const consistent = (text: string) => {
      const lines = text.trimEnd().split('\n').map((line) => JSON.parse(line));
      const gold = lines.find((l) => l.badge?.record.name === 'gold').badge.record;
      const held = lines.filter((l) => l.user).reduce((sum, l) => sum + l.user.record.awards.reduce((n: number, a: { count: number }) => n + a.count, 0), 0);
      const entries = lines.filter((l) => l.item?.record.kind === 'activity').length;
      // The badge is written first, then the users, then the activity entries (one per award): all of one moment.
      assert.deepEqual([held, entries], [gold.count, gold.count], 'the badge count agrees with its holders and their activity');
      assert.ok(held >= 1400);
      return { lines, held };
    };
    const file = join(dir, 'live.jsonl');
    const exported = await cli(['export', '--data', data, '--out', file]);
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stderr, new RegExp(`through the server at ${server.base.replace(/\./g, '\\.')}`));
    writing = false;
    await Promise.all(writers);
    const { lines, held } = consistent(await readFile(file, 'utf8'));
    assert.equal(lines[0].secrets, true);
    assert.equal(lines[0].from.file, data);

    // Into a fresh store: the same answers.
    const copy = join(dir, 'copy.json');
    assert.equal((await cli(['import', file, '--data', copy])).code, 0);
    const store = await openStore({ file: copy });
    const copied = (await store.getBadges('shop', ['gold']))[0]!.count;
    await store.close();
    assert.equal(copied, held);

    const without = await cli(['export', '--data', data, '--without-secrets']);
    assert.equal(without.code, 0, without.stderr);
    assert.doesNotMatch(without.stdout, new RegExp(created.key));
    assert.doesNotMatch(without.stderr, /holds every service's key/);
  });
});

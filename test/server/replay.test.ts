import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { DurableReplays } from '../../server/stores/lowdb/replays.js';
import { MemoryReplayStore } from '../../server/stores/replays.js';
import { withPostgres } from '../support/postgres.js';
import { start, tempDir, type Harness } from './harness.js';

const answer = (body: string) => ({ status: 200, type: 'application/json; charset=utf-8', body });

describe('the in-memory replay store', () => {
  test('a first use, a repeat that waits for the first answer, and a use after expiry', async () => {
    const replays = new MemoryReplayStore(0);
    const first = await replays.firstUse('k', 'PUT /a', 10_000, 1_000, true);
    assert.equal(first.first, true);
    const repeat = await replays.firstUse('k', 'PUT /a', 10_000, 2_000, true);
    assert.ok(!repeat.first);
    assert.equal(repeat.request, 'PUT /a');
    let settled = false;
    const waiting = repeat.answer.then((a) => ((settled = true), a));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(settled, false, 'the repeat waits while the first is in flight');
    if (first.first) first.answered(answer('{"ok":1}'));
    assert.deepEqual(await waiting, answer('{"ok":1}'));
    assert.equal((await replays.firstUse('k', 'PUT /a', 20_000, 10_000, true)).first, true, 'expired: a use like any other');
  });

  test('answers are not kept without keepAnswer, nor past the byte budget', async () => {
    const replays = new MemoryReplayStore(0, { entries: 100, answerBytes: 100 });
    const unkept = await replays.firstUse('nonce', 'r', 10_000, 0, false);
    if (unkept.first) unkept.answered(answer('{}'));
    const again = await replays.firstUse('nonce', 'r', 10_000, 0, false);
    assert.ok(!again.first);
    assert.equal(await again.answer, null);

    const big = await replays.firstUse('big', 'r', 10_000, 0, true);
    if (big.first) big.answered(answer('x'.repeat(100)));
    const bigAgain = await replays.firstUse('big', 'r', 10_000, 0, true);
    assert.ok(!bigAgain.first);
    assert.equal(await bigAgain.answer, null, 'over the budget: not kept');
  });

  test('full of unexpired signatures it refuses with 503 busy; expired ones make room', async () => {
    const replays = new MemoryReplayStore(0, { entries: 3, answerBytes: 1024 });
    for (const key of ['a', 'b', 'c']) await replays.firstUse(key, 'r', 10_000, 0, false);
    await assert.rejects(replays.firstUse('d', 'r', 10_000, 1, false), { kind: 'unavailable', code: 'busy' });
    assert.equal((await replays.firstUse('d', 'r', 30_000, 10_000, false)).first, true);
  });
});

describe('the replay memory across a restart', () => {
  const hmac = (key: string, ts: number, method: string, path: string, body: string, nonce?: string) =>
    createHmac('sha256', key).update(`${ts}\n${nonce === undefined ? '' : `${nonce}\n`}${method}\n${path}\n${body}`).digest('hex');
  const path = '/v1/demo/users/daniel.json';
  const body = JSON.stringify({ badges: ['popular'] });

  for (const where of ['the embedded store on a file', 'PostgreSQL']) {
    test(`${where}: a signature used before a restart, dated ahead of the clock, is refused after it; another service's is not touched`, async (t) => {
      const dir = await tempDir(t);
      const store = where === 'PostgreSQL' ? { database: await withPostgres() } : { file: join(dir, 'db.json') };
      const first = await start({ store });
      const key = first.key;
      await first.domain.createService('other', 'other-key');
      await first.domain.putBadges('other', [{ name: 'popular', fields: {} }]);
      // Within the window, ahead of the server's clock: after a restart it is still in its window.
      const ts = Math.floor(Date.now() / 1000) + 200;
      const signed = (k: string, p: string, nonce?: string) => `${p}?ts=${ts}${nonce ? `&nonce=${nonce}` : ''}&signature=${hmac(k, ts, 'PUT', p, body, nonce)}`;
      const headers = { 'content-type': 'application/json' };
      assert.equal((await first.request('PUT', signed(key, path, 'ahead-0001'), { raw: body, headers })).status, 200);
      assert.equal((await first.request('PUT', signed(key, path), { raw: body, headers })).status, 200);
      const count = async (h: Harness) => (await h.store.getUser('demo', 'daniel'))!.awards.find((a) => a.badge === 'popular')!.count;
      const awarded = await count(first);
      await first.close();

      const again = await start({ store: { ...store, seed: false } });
      try {
        const withNonce = await again.request('PUT', signed(key, path, 'ahead-0001'), { raw: body, headers });
        assert.deepEqual([withNonce.status, withNonce.json.error.code], [401, 'replayed_signature']);
        // Without a nonce an identical repeat gets the first answer where it was kept (PostgreSQL
        // keeps it in the table; the embedded store in memory only, so it refuses): never a new one.
        const identical = await again.request('PUT', signed(key, path), { raw: body, headers });
        assert.ok(identical.status === 401 ? identical.json.error.code === 'replayed_signature' : identical.headers.get('x-replay') === 'true', `${identical.status} ${identical.text}`);
        assert.equal(await count(again), awarded, 'no second award');
        // Another service's signature of the same moment is its own.
        const other = '/v1/other/users/daniel.json';
        assert.equal((await again.request('PUT', signed('other-key', other, 'ahead-0001'), { raw: body, headers })).status, 200);
      } finally {
        await again.close();
      }
    });
  }

  test('the journal keeps minutes of uses: expired ones are not read back, and their segments go', async (t) => {
    const dir = await tempDir(t);
    const folder = join(dir, 'replays');
    const T = Date.now();
    const replays = await DurableReplays.open(folder, { fresh: true });
    assert.equal(replays.since, 0, 'new data: no signature was used before');
    for (let i = 0; i < 50; i++) assert.equal((await replays.firstUse(`old-${i}`, 'r', T + 300_000, T, false)).first, true);
    // Eleven minutes on: the first uses expired, a use seals the segment and removes the old ones.
    const later = T + 11 * 60_000;
    assert.equal((await replays.firstUse('new', 'r', later + 300_000, later, false)).first, true);
    await replays.close();
    const files = (await readdir(folder)).filter((f) => f.endsWith('.jsonl'));
    assert.ok(files.length <= 2, `segments left: ${files.join(', ')}`);
    const reopened = await DurableReplays.open(folder, { fresh: false });
    t.after(() => reopened.close());
    assert.equal(reopened.since, 0, 'the folder says since when it has known every use');
    assert.equal((await reopened.firstUse('new', 'r', later + 300_000, later + 1, false)).first, false, 'an unexpired use is read back');
    assert.equal((await reopened.firstUse('old-1', 'r', later + 300_000, later + 1, false)).first, true, 'an expired one is not');
  });

  test('a use that cannot be made durable is refused and not remembered', async (t) => {
    const dir = await tempDir(t);
    const replays = await DurableReplays.open(join(dir, 'replays'), { fresh: true });
    const T = Date.now();
    const first = await replays.firstUse('k', 'r', T + 300_000, T, true);
    assert.equal(first.first, true);
    // The journal's file is closed under it: the next append fails.
    await replays.close();
    await assert.rejects(replays.firstUse('k2', 'r', T + 300_000, T, true), { code: 'store_failed' });
    const retried = await replays.firstUse('k2', 'r', T + 300_000, T, true).catch(() => null);
    assert.equal(retried, null, 'still refused while the journal cannot write');
  });
});

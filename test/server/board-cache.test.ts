import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BoardCache, type BoardSpec } from '../../server/cache/board-cache.js';
import type { Store } from '../../server/core/ports.js';
import { currentStart, type BoardCursor, type Ranked } from '../../server/core/standings.js';
import { within } from '../support/deadline.js';
import { nextChange, quiet, writerAndReader } from '../support/feed.js';
import { storeKinds } from '../support/stores.js';

/**
 * Leaderboard pages kept until a change could alter them (server/cache/board-cache.ts): after every
 * award and revocation, every page the cache answers is the page the store answers, and most reads
 * are still answered without the store. On PostgreSQL the writes go through another instance, so the
 * pages are dropped by the change feed's notifications.
 */

const NOW = new Date();
const BADGES = [
  { name: 'gold', fields: { type: 'gold' } },
  { name: 'silver', fields: { type: 'silver' } },
  { name: 'bronze', fields: { type: 'bronze' } },
];

function prng(seed: number) {
  return () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
}

/** The store, with its board reads counted. */
function counted(store: Store) {
  const counter = { reads: 0 };
  return {
    counter,
    store: {
      feed: store.feed,
      getUsers: store.getUsers.bind(store),
      board: (...args: Parameters<Store['board']>) => (counter.reads++, store.board(...args)),
    },
  };
}

for (const kind of storeKinds.filter((k) => k.name !== 'lowdb on a file')) {
  describe(`leaderboard pages kept, on ${kind.name}`, () => {
    test('after each of 300 random awards and revocations, every page is what the store says; most reads ask the store nothing', { timeout: 120_000 }, async (t) => {
      // On a shared store, the pages are kept by another instance: what it learns comes through the feed.
      const { reader, domain } = await writerAndReader(kind, t, BADGES);
      const { store, counter } = counted(reader);
      const cache = new BoardCache(store);

      const boards: BoardSpec[] = [
        { period: 'all', start: '' },
        { period: 'month', start: currentStart('month', NOW) },
        { period: 'week', start: currentStart('week', NOW) },
        { period: 'all', start: '', badge: 'gold' },
      ];
      /** Page 1 and page 2 of each board, six to a page (the route asks one more than it shows). */
      const pages = async (read: (spec: BoardSpec, after: BoardCursor | null, limit: number) => Promise<Ranked[]>) => {
        const all: Ranked[][] = [];
        for (const spec of boards) {
          const first = await read(spec, null, 7);
          all.push(first);
          const last = first.at(5);
          if (last) all.push(await read(spec, { score: last.score, reached: last.reached, name: last.name, rank: last.rank }, 7));
        }
        return all;
      };
      const random = prng(11);
      let reads = 0;
      for (let step = 0; step < 300; step++) {
        const user = `member${Math.floor(random() * 40)}`;
        const badge = BADGES[Math.floor(random() * BADGES.length)]!.name;
        const told = kind.shared ? nextChange(reader, 'shop') : undefined;
        let changed = true;
        if (step > 20 && random() < 0.15) changed = (await domain.revoke('shop', user, [badge])).absent.length === 0;
        else await domain.award('shop', user, [badge], new Date(NOW.getTime() - Math.floor(random() * 20) * 86_400_000));
        if (told && changed) await within(told, 10_000, 'the other instance to be told of the write');
        for (let again = 0; again < 3; again++) {
          const cached = await pages((spec, after, limit) => cache.board('shop', spec, after, limit));
          reads += cached.length;
          assert.deepEqual(cached, await pages((spec, after, limit) => reader.board('shop', spec, after, limit)), `step ${step}, read ${again}`);
        }
      }
      // The comparisons read the store directly, not through the counter.
      assert.ok(counter.reads < reads / 2, `${counter.reads} of ${reads} page reads went to the store`);
      assert.ok(cache.size > 0);
    });

    test("one service's writes leave another service's pages alone", { timeout: 60_000 }, async (t) => {
      const { reader, domain } = await writerAndReader(kind, t, BADGES);
      await domain.createService('other', 'other-key-0123456789');
      await domain.putBadges('other', BADGES);
      await domain.award('other', 'zed', ['gold'], NOW);
      await within(quiet(reader), 10_000, 'the feed to tell of the writes so far');
      const { store, counter } = counted(reader);
      const cache = new BoardCache(store);
      const all = { period: 'all', start: '' } as const;
      assert.deepEqual((await cache.board('other', all, null, 3)).map((r) => r.name), ['zed']);
      for (let i = 0; i < 20; i++) {
        const told = nextChange(reader, 'shop');
        await domain.award('shop', `member${i}`, ['gold'], NOW);
        await within(told, 10_000, 'the feed to tell of the write');
      }
      assert.deepEqual((await cache.board('other', all, null, 3)).map((r) => r.name), ['zed']);
      assert.equal(counter.reads, 1, "the other service's page was kept through them");
    });

    test('a page is dropped when a user on it changes, or one sorts into it; a change elsewhere keeps it', { timeout: 60_000 }, async (t) => {
      const { reader, domain } = await writerAndReader(kind, t, BADGES);
      // ann 30, ben 20, cat 10, then ten members with 1 each.
      await domain.award('shop', 'ann', ['gold', 'gold', 'gold'], NOW);
      await domain.award('shop', 'ben', ['gold', 'gold'], NOW);
      await domain.award('shop', 'cat', ['gold'], NOW);
      for (let i = 0; i < 10; i++) await domain.award('shop', `low${i}`, ['bronze'], NOW);
      await within(quiet(reader), 10_000, 'the feed to tell of the writes so far');
      const { store, counter } = counted(reader);
      const cache = new BoardCache(store);
      const all = { period: 'all', start: '' } as const;
      const top = async () => (await cache.board('shop', all, null, 3)).map((r) => `${r.name}:${r.score}`);
      const write = async (work: () => Promise<unknown>) => {
        const told = nextChange(reader, 'shop');
        await work();
        await within(told, 10_000, 'the feed to tell of the write');
        // The check of the changed users reads them; let it finish.
        await new Promise((resolve) => setTimeout(resolve, 50));
      };

      assert.deepEqual(await top(), ['ann:30', 'ben:20', 'cat:10']);
      await top();
      assert.equal(counter.reads, 1, 'the second read is kept');

      await write(() => domain.award('shop', 'low9', ['bronze'], NOW));
      assert.deepEqual(await top(), ['ann:30', 'ben:20', 'cat:10'], 'low9 has 2 and still sorts after the page');
      assert.equal(counter.reads, 1, 'a change that stays outside the page keeps it');

      await write(() => domain.award('shop', 'low9', ['silver', 'silver'], NOW));
      assert.deepEqual(await top(), ['ann:30', 'ben:20', 'low9:12'], 'low9 sorts into the page');
      assert.equal(counter.reads, 2);

      await write(() => domain.revoke('shop', 'ann', ['gold']));
      assert.deepEqual(await top(), ['ben:20', 'low9:12', 'cat:10'], 'ann, on the page, lost her points');
      assert.equal(counter.reads, 3);
    });
  });
}

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AwardRecord, UserRecord } from '../../server/core/model.js';
import { compareHolders, compareStandings, currentStart, holderStanding, tallied, userStanding, type BoardPeriod } from '../../server/core/standings.js';
import { Boards } from '../../server/stores/lowdb/boards.js';

/**
 * The embedded store's boards (server/stores/lowdb/boards.ts) against a plain sort of every user, after
 * random awards, revocations and erasures, many of them made while the boards were still filling.
 */

const BADGES = ['gold', 'silver', 'bronze', 'helper'];
const NOW = new Date('2026-12-07T12:00:00Z');

function prng(seed: number) {
  return () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
}

describe('lowdb boards', () => {
  test('pages match a plain sort of every user, with changes made while the lists fill', { timeout: 60_000 }, async () => {
    const random = prng(7);
    const users = new Map<string, UserRecord>();
    const boards = new Boards(
      () => [...users.keys()],
      (badge) => [...users.values()].filter((u) => u.awards.some((a) => a.badge === badge)).map((u) => u.name),
      (name) => users.get(name),
    );
    // A change as the store makes it: the record replaced, then the boards told.
    const change = () => {
      const name = `u${Math.floor(random() * 40_000)}`;
      const previous = users.get(name);
      if (previous && random() < 0.05) {
        users.delete(name);
        boards.update(previous, undefined);
        return;
      }
      const badge = BADGES[Math.floor(random() * BADGES.length)]!;
      const at = new Date(NOW.getTime() - Math.floor(random() * 60) * 86_400_000 - Math.floor(random() * 86_400_000));
      const old = previous?.awards.find((a) => a.badge === badge);
      let awards: AwardRecord[];
      if (old && random() < 0.1) awards = previous!.awards.filter((a) => a !== old);
      else {
        const iso = at.toISOString();
        const award = tallied({ badge, count: (old?.count ?? 0) + 1, first: old?.first ?? iso, latest: old && old.latest > iso ? old.latest : iso }, old, 1 + Math.floor(random() * 10), at);
        awards = old ? previous!.awards.map((a) => (a === old ? award : a)) : [...(previous?.awards ?? []), award];
      }
      const next: UserRecord = { name, createdAt: previous?.createdAt ?? at.toISOString(), awards, ...(random() < 0.02 ? { hidden: [badge] } : {}) };
      users.set(name, next);
      boards.update(previous, next);
    };
    for (let i = 0; i < 60_000; i++) change();

    const reads: [BoardPeriod, string | undefined][] = [['all', undefined], ['month', undefined], ['week', undefined], ['all', 'gold'], ['month', 'silver'], ['week', 'helper']];
    const pages = Promise.all([
      ...reads.map(([period, badge]) => boards.board(period, currentStart(period, NOW), badge, null, 100_000)),
      boards.holders('bronze', null, 100_000),
    ]);
    // Changes between the slices of the filling, as requests of other services would come.
    let during = 0;
    let filled = false;
    void pages.then(() => (filled = true));
    while (!filled) {
      for (let i = 0; i < 50; i++, during++) change();
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.ok(during > 0, 'changes were made while the lists filled');
    for (let i = 0; i < 5_000; i++) change();

    for (const [period, badge] of reads) {
      const start = currentStart(period, NOW);
      const expected = [...users.values()]
        .flatMap((user) => {
          const award = badge === undefined ? undefined : user.awards.find((a) => a.badge === badge);
          const standing = badge === undefined ? userStanding(user, period) : award && holderStanding(user, award, period);
          return standing && standing.start === start ? [{ ...standing, name: user.name }] : [];
        })
        .sort(compareStandings)
        .map((e) => `${e.name}:${e.score}`);
      const board = (await boards.board(period, start, badge, null, 100_000)).map((r) => `${r.name}:${r.score}`);
      assert.ok(expected.length > 100, `${period} ${badge}: ${expected.length} entries`);
      assert.deepEqual(board, expected, `${period} ${badge ?? ''}`);
      // Paged by cursor, the same entries.
      const paged: string[] = [];
      let after = null;
      for (;;) {
        const page = await boards.board(period, start, badge, after, 997);
        paged.push(...page.map((r) => `${r.name}:${r.score}`));
        if (page.length < 997) break;
        const last = page.at(-1)!;
        after = { score: last.score, reached: last.reached, name: last.name, rank: last.rank };
      }
      assert.deepEqual(paged, expected);
    }
    const holders = [...users.values()]
      .flatMap((user) => {
        const award = user.awards.find((a) => a.badge === 'bronze');
        return award && !user.hidden?.includes('bronze') ? [{ name: user.name, count: award.count, first: award.first, latest: award.latest }] : [];
      })
      .sort(compareHolders)
      .map((h) => h.name);
    assert.deepEqual((await boards.holders('bronze', null, 100_000)).map((h) => h.name), holders);
  });
});

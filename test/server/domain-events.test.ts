import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { Actor } from '../../server/core/actor.js';
import { Domain } from '../../server/core/domain.js';
import { DomainError } from '../../server/core/errors.js';
import type { DomainEvent } from '../../server/core/events.js';
import type { Store } from '../../server/core/ports.js';
import { storeKinds, type StorePlace } from '../support/stores.js';

/**
 * The events rules emit and the reactors that turn them into more writes of the same unit: what the
 * activity feed, the webhook outbox and event rules stand on.
 */

const T0 = Date.parse('2026-11-01T00:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

for (const kind of storeKinds) {
  describe(`domain events: ${kind.name}`, () => {
    let place: StorePlace;
    let store: Store;
    let domain: Domain;
    let seen: DomainEvent[][];
    const actor: Actor = { type: 'key', id: 'key_test' };

    beforeEach(async () => {
      place = await kind.place();
      store = await place.open();
      seen = [];
      domain = new Domain(store, () => T0).react(async (_tx, events) => void seen.push([...events])).as(actor);
      await domain.createService('shop', 'k');
      assert.deepEqual(seen, [[{ type: 'service.created', service: 'shop', at: iso(T0), actor }]]);
      seen = [];
    });
    afterEach(() => place.cleanup());

    test('every write says what happened, once per unit, with the unit time and its actor', async () => {
      await domain.putBadges('shop', [{ name: 'gold', fields: {} }]);
      await domain.putBadges('shop', [{ name: 'gold', fields: { description: 'Gold' } }, { name: 'silver', fields: {} }]);
      await domain.award('shop', 'ann', ['gold', 'gold', 'silver']);
      await domain.revoke('shop', 'ann', ['gold', 'bronze']);
      await domain.deleteBadges('shop', ['silver']);
      const at = iso(T0);
      // Each award is an instance: the events name them, and the revocation names the same ones.
      const [gold, silver] = (seen[2] as { awards: string[] }[]).map((e) => e.awards);
      assert.equal(gold!.length, 2);
      assert.ok([...gold!, ...silver!].every((id) => /^aw_[a-z2-7]{20}$/.test(id)));
      assert.deepEqual((await store.listItems('shop', 'award', { owner: 'ann' })).map((i) => i.id).sort(), [...gold!, ...silver!].sort());
      // Awards of one instant have no order among themselves.
      (seen[3]![0] as { awards: string[] }).awards.sort();
      gold!.sort();
      assert.deepEqual(seen, [
        [{ type: 'badge.created', service: 'shop', badge: 'gold', at, actor }],
        [
          { type: 'badge.updated', service: 'shop', badge: 'gold', at, actor },
          { type: 'badge.created', service: 'shop', badge: 'silver', at, actor },
        ],
        [
          { type: 'award.created', service: 'shop', user: 'ann', badge: 'gold', count: 2, awards: gold, at, actor },
          { type: 'award.created', service: 'shop', user: 'ann', badge: 'silver', count: 1, awards: silver, at, actor },
        ],
        [{ type: 'award.revoked', service: 'shop', user: 'ann', badge: 'gold', count: 2, awards: gold, at, actor }],
        [{ type: 'badge.deleted', service: 'shop', badge: 'silver', at, actor }],
      ]);
    });

    test("a reactor's writes are part of the unit: when it fails, nothing of the unit is written", async () => {
      await domain.putBadges('shop', [{ name: 'gold', fields: {} }]);
      domain.react(async (tx, events) => {
        for (const event of events) {
          if (event.type !== 'award.created') continue;
          tx.put({ t: 'item', s: 'shop', v: { kind: 'activity', id: `${event.user}/${event.badge}`, owner: event.user, at: event.at, v: event } });
          if (event.user === 'mallory') throw new DomainError('forbidden', 'no_mallory', 'Not Mallory');
        }
      });
      await domain.award('shop', 'ann', ['gold']);
      assert.deepEqual((await store.listItems('shop', 'activity', {})).map((i) => i.id), ['ann/gold']);
      await assert.rejects(domain.award('shop', 'mallory', ['gold']), /Not Mallory/);
      assert.equal(await store.getUser('shop', 'mallory'), undefined);
      assert.equal((await store.getBadges('shop', ['gold']))[0]!.count, 1);
      assert.equal(await store.countItems('shop', 'activity', {}), 1);
    });

    test("a reactor's own awards are reacted to in a further round; reactions that never settle are refused", async () => {
      await domain.putBadges('shop', [{ name: 'a', fields: {} }, { name: 'b', fields: {} }]);
      const { awardChecked: award } = await import('../../server/core/rules/awards.js');
      // Holding "a" earns "b" (what a meta-badge rule does).
      domain.react(async (tx, events) => {
        for (const event of events) if (event.type === 'award.created' && event.badge === 'a') await award(tx, 'shop', event.user, ['b']);
      });
      await domain.award('shop', 'ann', ['a']);
      assert.deepEqual((await store.getUser('shop', 'ann'))!.awards.map((a) => a.badge), ['a', 'b']);
      const [b] = (await store.listItems('shop', 'award', { owner: 'ann' })).filter((i) => (i.v as { badge: string }).badge === 'b');
      assert.deepEqual(seen.at(-1), [{ type: 'award.created', service: 'shop', user: 'ann', badge: 'b', count: 1, awards: [b!.id], at: iso(T0), actor }]);

      domain.react(async (tx, events) => {
        for (const event of events) if (event.type === 'award.created' && event.badge === 'b') await award(tx, 'shop', event.user, ['a']);
      });
      await assert.rejects(domain.award('shop', 'bob', ['a']), (error: unknown) => error instanceof DomainError && error.code === 'reaction_loop');
      assert.equal(await store.getUser('shop', 'bob'), undefined);
    });
  });
}

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { SortKey } from '../../types/api.js';
import type { Invalidation } from '../../server/core/changes.js';
import { composeDomain } from '../../server/app/domain.js';
import type { Domain } from '../../server/core/domain.js';
import { DomainError } from '../../server/core/errors.js';
import { sortUsers } from '../../server/core/order.js';
import { importingName } from '../../server/core/rules/services.js';
import type { Store } from '../../server/core/ports.js';
import { within } from '../support/deadline.js';
import type { OpenedStore } from '../../server/stores/index.js';
import { storeKinds, type StorePlace } from '../support/stores.js';

/**
 * What every store must do, observed through the domain and the queries only: one suite, run on
 * each kind of store. PostgreSQL's own concerns (instances, migrations, the feed's connection) are
 * in postgres-store.test.ts.
 */

const SORTS: SortKey[] = ['name', '-name', 'count', '-count', 'date', '-date'];
const T0 = Date.parse('2026-11-01T00:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

/** Rejects with a DomainError of this kind and code. */
const refused = (kind: DomainError['kind'], code: string) => (error: unknown) =>
  error instanceof DomainError && error.kind === kind && error.code === code;

async function everything(store: Store, service: string) {
  const { users, total } = await store.listUsers(service, { offset: 0, limit: 1_000_000 });
  return { service: await store.getService(service), badges: await store.listBadges(service), users, total };
}

for (const kind of storeKinds) {
  describe(`the store contract: ${kind.name}`, () => {
    let place: StorePlace;
    let store: OpenedStore;
    let domain: Domain;
    /** The domain's clock: tests move it instead of sleeping. */
    let now: number;

    beforeEach(async () => {
      place = await kind.place();
      store = await place.open();
      now = T0;
      domain = composeDomain(store, { now: () => now });
      await domain.createService('shop', 'key-1');
      await domain.putBadges('shop', [
        { name: 'gold', fields: { description: 'Gold', type: 'gold' } },
        { name: 'silver', fields: { description: 'Silver' } },
        { name: 'bronze', fields: {} },
      ]);
    });
    afterEach(() => place.cleanup());

    describe('services', () => {
      test('a new service is found by name and listed; its name may not be taken again, in any case', async () => {
        now = T0 + 1000;
        const created = await domain.createService('News-1', 'k', { legacySignatures: false });
        assert.deepEqual(created, { name: 'News-1', key: 'k', createdAt: iso(T0 + 1000), settings: { legacySignatures: false } });
        assert.deepEqual(await store.getService('News-1'), created);
        assert.equal(await store.getService('news-1'), undefined, 'names are exact');
        assert.deepEqual((await store.listServices()).map((s) => s.name), ['shop', 'News-1']);
        await assert.rejects(domain.createService('News-1', 'other'), refused('conflict', 'service_exists'));
        await assert.rejects(domain.createService('NEWS-1', 'other'), /"News-1" exists; names may not differ only in case/);
        await assert.rejects(domain.createService('bad name', 'k'), refused('invalid', 'invalid_service_name'));
        assert.equal((await store.listServices()).length, 2);
      });

      test('key rotation and settings are seen by the next read', async () => {
        assert.equal((await store.getService('shop'))!.key, 'key-1');
        await domain.setServiceKey('shop', 'key-2');
        assert.equal((await store.getService('shop'))!.key, 'key-2');
        await domain.updateServiceSettings('shop', { legacySignatures: false });
        await domain.updateServiceSettings('shop', { quota: { users: 5, badges: 5 } });
        assert.deepEqual((await store.getService('shop'))!.settings, { legacySignatures: false, quota: { users: 5, badges: 5 } });
        await assert.rejects(domain.setServiceKey('nobody', 'k'), refused('not_found', 'service_not_found'));
      });

      test('deleting a service removes everything in it; made again, it starts empty', async () => {
        await domain.award('shop', 'ann', ['gold']);
        const deleted = await domain.deleteService('shop');
        assert.equal(deleted.name, 'shop');
        assert.equal(await store.getService('shop'), undefined);
        await assert.rejects(store.listBadges('shop'), refused('not_found', 'service_not_found'));
        await assert.rejects(store.listUsers('shop', { offset: 0, limit: 10 }), refused('not_found', 'service_not_found'));
        await assert.rejects(domain.deleteService('shop'), refused('not_found', 'service_not_found'));
        await domain.createService('shop', 'key-3');
        assert.deepEqual(await store.listBadges('shop'), []);
        assert.deepEqual(await store.listUsers('shop', { offset: 0, limit: 10 }), { users: [], total: 0 });
        assert.equal(await store.getUser('shop', 'ann'), undefined);
      });

      test('awards racing a delete and re-creation of their service do not bring its badges back', async () => {
        const results = await Promise.allSettled([
          domain.award('shop', 'ann', ['gold']),
          domain.deleteService('shop'),
          domain.createService('shop', 'key-3'),
          domain.award('shop', 'bob', ['gold']),
        ]);
        assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
        assert.ok(refused('invalid', 'unknown_badge')((results[3] as PromiseRejectedResult).reason));
        assert.deepEqual(await store.listBadges('shop'), []);
        assert.deepEqual(await store.listUsers('shop', { offset: 0, limit: 10 }), { users: [], total: 0 });
      });
      test('a service imported under a hidden name is not listed, nothing of it is due, and a rename makes it whole at once', async () => {
        const hidden = importingName('news');
        await domain.restoreService({ name: 'news', key: 'k', createdAt: iso(T0) }, hidden);
        await domain.restoreBadges(hidden, [{ name: 'gold', fields: { title: 'Gold' }, count: 1, latest: iso(T0), createdAt: iso(T0) }]);
        await domain.restoreUsers(hidden, [{ name: 'ann', createdAt: iso(T0), awards: [{ badge: 'gold', count: 1, first: iso(T0), latest: iso(T0) }] }]);
        const due = { kind: 'delivery', id: 'd1', owner: 'ep', at: iso(T0), v: { n: 1 } };
        await domain.restoreItems(hidden, [due]);
        assert.deepEqual((await store.listServices()).map((s) => s.name), ['shop']);
        assert.deepEqual(await store.dueItems('delivery', iso(T0 + 1), 10), [], 'nothing of an import is acted on');
        await assert.rejects(store.renameService(hidden, 'SHOP'), refused('conflict', 'service_exists'));
        await assert.rejects(store.renameService('nobody', 'x'), refused('not_found', 'service_not_found'));
        const heard: Invalidation[] = [];
        store.feed.subscribe((change) => heard.push(change));
        await store.renameService(hidden, 'news');
        assert.deepEqual(heard, [{ service: hidden, all: true }, { service: 'news', all: true }]);
        assert.equal(await store.getService(hidden), undefined);
        assert.deepEqual((await store.listServices()).map((s) => s.name), ['shop', 'news']);
        const after = { service: await store.getService('news'), badges: await store.listBadges('news'), users: await store.getUsers('news', ['ann']), items: await store.listItems('news', 'delivery', {}) };
        assert.deepEqual(after, {
          service: { name: 'news', key: 'k', createdAt: iso(T0) },
          badges: [{ name: 'gold', fields: { title: 'Gold' }, count: 1, latest: iso(T0), createdAt: iso(T0) }],
          users: [{ name: 'ann', createdAt: iso(T0), awards: [{ badge: 'gold', count: 1, first: iso(T0), latest: iso(T0) }] }],
          items: [due],
        });
        assert.deepEqual((await store.dueItems('delivery', iso(T0 + 1), 10)).map((d) => d.service), ['news']);
        // Units of the new name see all of it.
        await domain.award('news', 'ann', ['gold']);
        assert.equal((await store.getUser('news', 'ann'))!.awards[0]!.count, 2);
        if (kind.durable) {
          const before = JSON.stringify(await everything(store, 'news'));
          await store.close();
          const reopened = await place.open();
          assert.equal(JSON.stringify(await everything(reopened, 'news')), before);
          assert.deepEqual(await reopened.listItems('news', 'delivery', {}), [due]);
          assert.equal(await reopened.getService(hidden), undefined);
        }
      });
    });

    describe('badges', () => {
      test('fields are merged: new ones added, null removes, the rest kept; listed in the order made, fields in the order written', async () => {
        now = T0 + 5000;
        await domain.putBadges('shop', [
          { name: 'silver', fields: { description: null, link: '/s', nested: { b: 1, a: [2, { y: null, x: 'é' }] } } },
          { name: 'copper', fields: { z: 1, a: 2, description: 'Copper' } },
        ]);
        const badges = await store.listBadges('shop');
        assert.deepEqual(badges.map((b) => b.name), ['gold', 'silver', 'bronze', 'copper']);
        assert.equal(JSON.stringify(badges[1]!.fields), '{"link":"/s","nested":{"b":1,"a":[2,{"y":null,"x":"é"}]}}');
        assert.equal(
          JSON.stringify(badges[3]),
          `{"name":"copper","fields":{"z":1,"a":2,"description":"Copper"},"count":0,"latest":null,"createdAt":"${iso(T0 + 5000)}"}`,
        );
        assert.equal(badges[1]!.createdAt, iso(T0), 'an update keeps the creation time');
      });

      test('deleting badges takes them from every holder, reports the absent ones, and may be repeated', async () => {
        await domain.award('shop', 'ann', ['gold', 'silver']);
        await domain.award('shop', 'bob', ['gold']);
        assert.deepEqual(await domain.deleteBadges('shop', ['gold', 'nope', 'gold']), { absent: ['nope'] });
        assert.deepEqual((await store.listBadges('shop')).map((b) => b.name), ['silver', 'bronze']);
        assert.deepEqual((await store.getUser('shop', 'ann'))!.awards.map((a) => a.badge), ['silver']);
        assert.deepEqual((await store.getUser('shop', 'bob'))!.awards, []);
        assert.deepEqual(await domain.deleteBadges('shop', ['gold']), { absent: ['gold'] });
        await domain.putBadges('shop', [{ name: 'gold', fields: {} }]);
        const gold = (await store.listBadges('shop')).at(-1)!;
        assert.deepEqual([gold.name, gold.count, gold.latest], ['gold', 0, null], 'made again: last, and never awarded');
      });
    });

    describe('awards', () => {
      test('counts, first and latest, in first-award order', async () => {
        now = T0 + 1000;
        const { user: ann } = await domain.award('shop', 'ann', ['silver', 'gold', 'silver']);
        assert.deepEqual(ann, {
          name: 'ann',
          createdAt: iso(T0 + 1000),
          awards: [
            { badge: 'silver', count: 2, first: iso(T0 + 1000), latest: iso(T0 + 1000) },
            { badge: 'gold', count: 1, first: iso(T0 + 1000), latest: iso(T0 + 1000) },
          ],
        });
        now = T0 + 2000;
        await domain.award('shop', 'ann', ['bronze', 'gold']);
        const stored = (await store.getUser('shop', 'ann'))!;
        assert.equal(
          JSON.stringify(stored.awards),
          JSON.stringify([
            { badge: 'silver', count: 2, first: iso(T0 + 1000), latest: iso(T0 + 1000) },
            { badge: 'gold', count: 2, first: iso(T0 + 1000), latest: iso(T0 + 2000) },
            { badge: 'bronze', count: 1, first: iso(T0 + 2000), latest: iso(T0 + 2000) },
          ]),
        );
        assert.equal(stored.createdAt, iso(T0 + 1000));
        const [gold] = await store.getBadges('shop', ['gold']);
        assert.deepEqual([gold!.count, gold!.latest], [2, iso(T0 + 2000)]);
      });

      test('a back-dated award counts but never moves latest back', async () => {
        now = T0 + 10_000;
        await domain.award('shop', 'ann', ['gold']);
        await domain.award('shop', 'ann', ['gold'], new Date(T0 - 10_000));
        const [award] = (await store.getUser('shop', 'ann'))!.awards;
        assert.deepEqual([award!.count, award!.first, award!.latest], [2, iso(T0 + 10_000), iso(T0 + 10_000)]);
        const [gold] = await store.getBadges('shop', ['gold']);
        assert.deepEqual([gold!.count, gold!.latest], [2, iso(T0 + 10_000)]);
      });

      test('an unknown badge refuses the whole award and changes nothing', async () => {
        await assert.rejects(domain.award('shop', 'ann', ['gold', 'ghost', 'ghost']), (error) => {
          assert.ok(refused('invalid', 'unknown_badge')(error));
          assert.deepEqual((error as DomainError).details, ['ghost']);
          return true;
        });
        assert.equal(await store.getUser('shop', 'ann'), undefined);
        assert.equal((await store.getBadges('shop', ['gold']))[0]!.count, 0);
        await assert.rejects(domain.award('nowhere', 'ann', ['gold']), refused('not_found', 'service_not_found'));
      });

      test('revoking recomputes the badge from its other holders', async () => {
        now = T0 + 1000;
        await domain.award('shop', 'bob', ['gold']);
        now = T0 + 3000;
        await domain.award('shop', 'ann', ['gold', 'gold', 'silver']);
        now = T0 + 2000;
        await domain.award('shop', 'cy', ['gold']);
        now = T0 + 9000;
        const { user, absent } = await domain.revoke('shop', 'ann', ['gold', 'bronze']);
        assert.deepEqual(absent, ['bronze']);
        assert.deepEqual(user.awards.map((a) => a.badge), ['silver']);
        assert.deepEqual((await store.getUser('shop', 'ann'))!.awards.map((a) => a.badge), ['silver']);
        let [gold] = await store.getBadges('shop', ['gold']);
        assert.deepEqual([gold!.count, gold!.latest], [2, iso(T0 + 2000)], 'the latest of bob and cy');
        await domain.revoke('shop', 'cy', ['gold']);
        await domain.revoke('shop', 'bob', ['gold']);
        [gold] = await store.getBadges('shop', ['gold']);
        assert.deepEqual([gold!.count, gold!.latest], [0, null]);
        assert.deepEqual(await domain.revoke('shop', 'bob', ['gold']), { user: { name: 'bob', createdAt: iso(T0 + 1000), awards: [] }, absent: ['gold'] });
        assert.deepEqual(await domain.revoke('shop', 'nobody', ['gold', 'gold']), { user: undefined, absent: ['gold'] }, 'an unknown user is not made');
        assert.equal(await store.getUser('shop', 'nobody'), undefined);
      });

      test('holders are those of the service: a badge of the same name elsewhere is not touched', async () => {
        await domain.createService('other', 'k');
        await domain.putBadges('other', [{ name: 'gold', fields: {} }]);
        now = T0 + 9000;
        await domain.award('other', 'ann', ['gold']);
        now = T0 + 1000;
        await domain.award('shop', 'ann', ['gold']);
        await domain.award('shop', 'bob', ['gold']);
        await domain.revoke('shop', 'bob', ['gold']);
        assert.equal((await store.getBadges('shop', ['gold']))[0]!.latest, iso(T0 + 1000), "other's later award does not count");
        await domain.deleteBadges('shop', ['gold']);
        assert.deepEqual((await store.getUser('shop', 'ann'))!.awards, []);
        assert.equal((await store.getUser('other', 'ann'))!.awards[0]!.count, 1);
        assert.equal((await store.getBadges('other', ['gold']))[0]!.count, 1);
      });

      test('the quota is checked against the result of the request', async () => {
        await domain.updateServiceSettings('shop', { quota: { users: 2, badges: 4 } });
        await assert.rejects(
          domain.putBadges('shop', [
            { name: 'a', fields: {} },
            { name: 'b', fields: {} },
          ]),
          refused('forbidden', 'quota_exceeded'),
        );
        assert.equal((await store.listBadges('shop')).length, 3, 'nothing of the refused request');
        await domain.putBadges('shop', [{ name: 'a', fields: {} }, { name: 'gold', fields: { more: true } }]);
        await domain.award('shop', 'ann', ['gold']);
        await domain.award('shop', 'bob', ['gold']);
        await assert.rejects(domain.award('shop', 'cy', ['gold']), refused('forbidden', 'quota_exceeded'));
        await domain.award('shop', 'ann', ['a'], undefined);
        assert.equal((await store.listUsers('shop', { offset: 0, limit: 10 })).total, 2);
        assert.equal((await store.getBadges('shop', ['gold']))[0]!.count, 2);
      });

      test('200 concurrent awards of one badge to one user count exactly 200', async () => {
        await Promise.all(Array.from({ length: 200 }, () => domain.award('shop', 'crowd', ['gold'])));
        assert.equal((await store.getUser('shop', 'crowd'))!.awards[0]!.count, 200);
        assert.equal((await store.getBadges('shop', ['gold']))[0]!.count, 200);
      });
    });

    describe('queries', () => {
      /** Users with ties in every key, and names that sort differently by code point than by locale. */
      async function crowd() {
        const names = ['bob', 'Bob', 'ann', 'Zoë', 'zoe', 'émile', 'Émile', 'e', '日本', 'ﬀ', 'a b', 'x-1', 'x_1', 'X'];
        for (const [i, name] of names.entries()) {
          now = T0 + (i % 4) * 1000; // four users share each date
          const badges = i % 3 === 0 ? ['gold', 'gold'] : i % 3 === 1 ? ['silver'] : ['gold', 'bronze'];
          await domain.award('shop', name, badges);
        }
        await domain.putBadges('shop', [{ name: 'unheld', fields: {} }]);
        // A user whose badges were all taken has no date: oldest of all.
        await domain.award('shop', 'empty', ['unheld']);
        await domain.deleteBadges('shop', ['unheld']);
        return names.length + 1;
      }

      test('listUsers pages in each of the six orders, exactly as order.ts sorts', async () => {
        const count = await crowd();
        const all = (await store.getUsers('shop', (await store.listUsers('shop', { offset: 0, limit: 100 })).users.map((u) => u.name))).slice();
        assert.equal(all.length, count);
        for (const sort of SORTS) {
          const expected = sortUsers([...all], sort).map((u) => u.name);
          const whole = await store.listUsers('shop', { sort, offset: 0, limit: 100 });
          assert.deepEqual(whole.users.map((u) => u.name), expected, sort);
          assert.equal(whole.total, count);
          const pages: string[] = [];
          for (let offset = 0; offset < count + 4; offset += 4) {
            const page = await store.listUsers('shop', { sort, offset, limit: 4 });
            assert.equal(page.total, count);
            pages.push(...page.users.map((u) => u.name));
          }
          assert.deepEqual(pages, expected, `${sort}, page by page`);
        }
        assert.deepEqual((await store.listUsers('shop', { offset: 0, limit: 100 })).users.map((u) => u.name), sortUsers([...all], 'name').map((u) => u.name));
      });

      test('usersAfter walks every user in name order, a page at a time, from any name', async () => {
        const names = ['bob', 'ann', 'Zoë', '😀', '！', 'ann2', 'c'];
        for (const name of names) await domain.award('shop', name, ['gold']);
        const expected = sortUsers((await store.getUsers('shop', names)).slice(), 'name').map((u) => u.name);
        const walked: string[] = [];
        for (let after: string | null = null; ; ) {
          const page = await store.usersAfter('shop', after, 3);
          walked.push(...page.map((u) => u.name));
          if (page.length < 3) break;
          after = page.at(-1)!.name;
        }
        assert.deepEqual(walked, expected);
        assert.deepEqual((await store.usersAfter('shop', 'ann1', 2)).map((u) => u.name), expected.slice(expected.indexOf('ann2'), expected.indexOf('ann2') + 2), 'after a name nobody has');
        assert.deepEqual(await store.usersAfter('shop', expected.at(-1)!, 5), []);
        await assert.rejects(store.usersAfter('nowhere', null, 5), refused('not_found', 'service_not_found'));
      });

      test('names with characters beyond U+FFFF sort by code point', async () => {
        // In UTF-16 code units "😀" (U+1F600) would come before "！" (U+FF01).
        for (const name of ['！', '😀', 'a', '\u{10000}', '\uffff']) await domain.award('shop', name, ['gold']);
        const { users } = await store.listUsers('shop', { sort: 'name', offset: 0, limit: 10 });
        assert.deepEqual(users.map((u) => u.name), ['a', '！', '\uffff', '\u{10000}', '😀']);
      });

      test('getUsers and getBadges answer in the order asked, leaving out what does not exist', async () => {
        await domain.award('shop', 'ann', ['gold']);
        await domain.award('shop', 'bob', ['silver']);
        assert.deepEqual((await store.getUsers('shop', ['bob', 'nobody', 'ann'])).map((u) => u.name), ['bob', 'ann']);
        assert.deepEqual((await store.getBadges('shop', ['silver', 'ghost', 'gold'])).map((b) => b.name), ['silver', 'gold']);
        assert.deepEqual(await store.getUsers('shop', []), []);
        assert.equal(await store.getUser('shop', 'nobody'), undefined);
        await assert.rejects(store.getUsers('nowhere', ['ann']), refused('not_found', 'service_not_found'));
        await assert.rejects(store.getBadges('nowhere', ['gold']), refused('not_found', 'service_not_found'));
      });
    });

    describe('units of work', () => {
      test('a unit reads many users at once as it reads each: what is stored, under its own changes', async () => {
        await domain.award('shop', 'ann', ['gold']);
        await domain.award('shop', 'bob', ['silver']);
        const names = ['bob', 'nobody', 'ann', 'cat', 'bob'];
        await store.run('shop', new Date(now), async (tx) => {
          const one = async () => new Map((await Promise.all(names.map((n) => tx.user('shop', n)))).flatMap((u) => (u ? [[u.name, u] as const] : [])));
          assert.deepEqual(await tx.users('shop', names), await one());
          assert.deepEqual([...(await tx.users('shop', names)).keys()], ['bob', 'ann']);
          tx.put({ t: 'user', s: 'shop', v: { name: 'cat', createdAt: iso(now), awards: [] } });
          tx.put({ t: 'user-', s: 'shop', n: 'bob' });
          assert.deepEqual(await tx.users('shop', names), await one());
          assert.deepEqual([...(await tx.users('shop', names)).keys()].sort(), ['ann', 'cat']);
          assert.deepEqual(await tx.users('nowhere', names), new Map());
        });
      });

      test('a unit that throws changes nothing and tells the feed nothing', async () => {
        const heard: Invalidation[] = [];
        store.feed.subscribe((change) => heard.push(change));
        await assert.rejects(
          store.run('shop', new Date(now), async (tx) => {
            const [gold] = (await tx.badges('shop', ['gold'])).values();
            tx.put({ t: 'badge', s: 'shop', v: { ...gold!, count: 99 } });
            tx.put({ t: 'user', s: 'shop', v: { name: 'ghost', createdAt: iso(now), awards: [] } });
            assert.equal((await tx.user('shop', 'ghost'))?.name, 'ghost', 'a unit reads its own writes');
            throw new Error('boom');
          }),
          /boom/,
        );
        assert.equal((await store.getBadges('shop', ['gold']))[0]!.count, 0);
        assert.equal(await store.getUser('shop', 'ghost'), undefined);
        assert.deepEqual(heard, []);
      });

      test('in a burst of units, one that fails fails alone', async () => {
        const results = await Promise.allSettled([
          domain.award('shop', 'ann', ['gold']),
          domain.award('shop', 'ann', ['gold', 'ghost']),
          domain.award('shop', 'ann', ['gold']),
          domain.award('shop', 'bob', ['ghost']),
          domain.award('shop', 'bob', ['gold']),
        ]);
        assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled']);
        assert.equal((await store.getUser('shop', 'ann'))!.awards[0]!.count, 2);
        assert.equal((await store.getBadges('shop', ['gold']))[0]!.count, 3);
      });

      test("a long unit of one service does not hold another service's units; a service's own units wait their turn", async () => {
        await domain.createService('other', 'k');
        let finishLong!: () => void;
        const held = new Promise<void>((resolve) => (finishLong = resolve));
        const order: string[] = [];
        // A unit of "shop" that stays open (a long backfill step, a preview-sized batch) until told.
        const long = store.run('shop', new Date(now), async (tx) => {
          await tx.user('shop', 'ann');
          order.push('long started');
          await held;
          tx.put({ t: 'user', s: 'shop', v: { name: 'long', createdAt: iso(now), awards: [] } });
          order.push('long done');
        });
        while (!order.includes('long started')) await new Promise((resolve) => setImmediate(resolve));
        const sameService = domain.award('shop', 'ann', ['gold']).then(() => order.push('shop award'));
        await within(domain.putBadges('other', [{ name: 'b', fields: {} }]), 10_000, 'a write of another service while a long unit of "shop" is open');
        assert.deepEqual((await store.listBadges('other')).map((b) => b.name), ['b'], 'durable and readable at once');
        assert.deepEqual(order, ['long started'], "the service's own award waits for the long unit");
        finishLong();
        await within(Promise.all([long, sameService]), 10_000, 'the long unit and the award queued behind it');
        assert.deepEqual(order, ['long started', 'long done', 'shop award']);
        assert.ok(await store.getUser('shop', 'long'));
      });

      test('the feed names exactly the users and badges a unit touched', async () => {
        await domain.award('shop', 'ann', ['gold']);
        const heard: Invalidation[] = [];
        const stop = store.feed.subscribe((change) => heard.push(change));
        await domain.award('shop', 'bob', ['gold', 'silver']);
        assert.deepEqual(heard.map(normal), [{ service: 'shop', users: ['bob'], badges: ['gold', 'silver'], items: ['activity'] }]);
        heard.length = 0;
        await domain.deleteBadges('shop', ['gold']);
        assert.deepEqual(heard.map(normal), [{ service: 'shop', users: ['ann', 'bob'], badges: ['gold'] }]);
        heard.length = 0;
        await domain.setServiceKey('shop', 'key-2');
        assert.deepEqual(heard, [{ service: 'shop', all: true }]);
        stop();
        await domain.award('shop', 'cy', ['silver']);
        assert.equal(heard.length, 1, 'nothing after unsubscribing');
      });
    });

    if (kind.shared || kind.durable) {
      test('replays: a key is used once until it expires; a repeat gets the first answer', async () => {
        const replays = store.replays!;
        const answer = { status: 200, type: 'application/json', body: '{"ok":true}' };
        const first = await replays.firstUse('sig-1', 'PUT /a', T0 + 1000, T0, true);
        assert.equal(first.first, true);
        const waiting = await replays.firstUse('sig-1', 'PUT /a', T0 + 1000, T0 + 10, true);
        assert.equal(waiting.first, false);
        if (first.first) first.answered(answer);
        if (!waiting.first) {
          assert.equal(waiting.request, 'PUT /a');
          assert.deepEqual(await waiting.answer, answer, 'a repeat made while the first ran waits for its answer');
        }
        assert.equal((await replays.firstUse('sig-2', 'PUT /a', T0 + 1000, T0, false)).first, true, 'keys are separate');
        const unkept = await replays.firstUse('sig-2', 'PUT /a', T0 + 1000, T0 + 1, false);
        assert.equal(unkept.first, false);
        assert.equal((await replays.firstUse('sig-1', 'PUT /b', T0 + 5000, T0 + 1000, true)).first, true, 'expired: used anew');
        assert.equal((await replays.firstUse('sig-1', 'PUT /b', T0 + 5000, T0 + 4000, true)).first, false);
      });
    }

    if (kind.durable) {
      test('replays: a key used before the store closed is still used when it opens again, until it expires', async () => {
        const T = Date.now();
        assert.equal((await store.replays!.firstUse('sig-1', 'PUT /a', T + 300_000, T, false)).first, true);
        await store.close();
        const reopened = await place.open();
        const again = await reopened.replays!.firstUse('sig-1', 'PUT /a', T + 300_000, T + 1, false);
        assert.equal(again.first, false);
        if (!again.first) assert.equal(again.request, 'PUT /a');
        assert.equal((await reopened.replays!.firstUse('sig-1', 'PUT /b', T + 900_000, T + 300_000, false)).first, true, 'expired: used anew');
      });

      test('closed and opened again, everything is there, byte for byte', async () => {
        await domain.award('shop', 'Zoë', ['gold', 'silver', 'gold']);
        await domain.award('shop', 'ann', ['bronze'], new Date(T0 - 1000));
        await domain.putBadges('shop', [{ name: 'new', fields: { z: [1, { b: 2, a: 1 }], a: 'x' } }]);
        await domain.deleteBadges('shop', ['silver']);
        await domain.createService('other', 'k', { quota: { users: 9, badges: 9 }, legacySignatures: true });
        const before = JSON.stringify([await everything(store, 'shop'), await store.listServices()]);
        await store.close();
        const reopened = await place.open();
        assert.equal(JSON.stringify([await everything(reopened, 'shop'), await reopened.listServices()]), before);
      });
    }
  });
}

/** An invalidation with its name lists sorted: which users, not in which order. */
function normal(change: Invalidation): Invalidation {
  return { ...change, ...(change.users ? { users: [...change.users].sort() } : {}), ...(change.badges ? { badges: [...change.badges].sort() } : {}) };
}


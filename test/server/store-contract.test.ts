import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { SortKey } from '../../types/api.js';
import type { Invalidation } from '../../server/core/changes.js';
import { composeDomain } from '../../server/app/domain.js';
import type { Domain } from '../../server/core/domain.js';
import { DomainError } from '../../server/core/errors.js';
import { sortField, sortUsers, userCount, userLatest } from '../../server/core/order.js';
import { importingName } from '../../server/core/rules/services.js';
import type { Store, Tx } from '../../server/core/ports.js';
import { eraseUser, type Erased } from '../../server/core/people/erase.js';
import { within } from '../support/deadline.js';
import type { OpenedStore } from '../../server/stores/index.js';
import { storeKinds, type StorePlace } from '../support/stores.js';
import { ANN, ANNS_KINDS, ANNS_TRACES, aPersonEverywhere } from '../support/person.js';
import { addressSubject } from '../../server/core/email.js';
import { compareKindThenItem } from '../../server/core/items.js';
import type { Item, UserRecord } from '../../server/core/model.js';

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
        const said = { kind: 'event', id: 'e1', owner: 'ann', at: iso(T0), v: { t: 'app/comment/post' } };
        await domain.restoreItems(hidden, [due, said]);
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
          items: [{ ...due, subject: null }],
        });
        assert.deepEqual((await store.dueItems('delivery', iso(T0 + 1), 10)).map((d) => d.service), ['news']);
        // What the service holds of a person, and its counts (what quotas are checked against), moved too.
        assert.deepEqual((await store.listItemsOfSubjects('news', ['ann'])).map((i) => [i.kind, i.id, i.subject]), [['event', 'e1', 'ann']]);
        assert.deepEqual(await domain.run('news', async (tx) => [await tx.itemCount('news', 'delivery'), await tx.itemCount('news', 'event')]), [1, 1]);
        // Units of the new name see all of it.
        await domain.award('news', 'ann', ['gold']);
        assert.equal((await store.getUser('news', 'ann'))!.awards[0]!.count, 2);
        if (kind.durable) {
          const before = JSON.stringify(await everything(store, 'news'));
          await store.close();
          const reopened = await place.open();
          assert.equal(JSON.stringify(await everything(reopened, 'news')), before);
          assert.deepEqual((await reopened.listItems('news', 'delivery', {})).map(({ subject: _s, ...item }) => item), [due]);
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
        // Each award with its points (1: no tier) and its week's and month's tallies (core/standings.ts).
        const recent = (n: number) => ({ week: iso(Date.parse('2026-10-26T00:00:00Z')), weekCount: n, weekPoints: n, month: iso(T0), monthCount: n, monthPoints: n });
        assert.deepEqual(ann, {
          name: 'ann',
          createdAt: iso(T0 + 1000),
          awards: [
            { badge: 'silver', count: 2, first: iso(T0 + 1000), latest: iso(T0 + 1000), points: 2, recent: recent(2) },
            { badge: 'gold', count: 1, first: iso(T0 + 1000), latest: iso(T0 + 1000), points: 10, recent: { ...recent(1), weekPoints: 10, monthPoints: 10 } },
          ],
        });
        now = T0 + 2000;
        await domain.award('shop', 'ann', ['bronze', 'gold']);
        const stored = (await store.getUser('shop', 'ann'))!;
        assert.equal(
          JSON.stringify(stored.awards),
          JSON.stringify([
            { badge: 'silver', count: 2, first: iso(T0 + 1000), latest: iso(T0 + 1000), points: 2, recent: recent(2) },
            { badge: 'gold', count: 2, first: iso(T0 + 1000), latest: iso(T0 + 2000), points: 20, recent: { ...recent(2), weekPoints: 20, monthPoints: 20 } },
            { badge: 'bronze', count: 1, first: iso(T0 + 2000), latest: iso(T0 + 2000), points: 1, recent: recent(1) },
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

      test('usersPage walks each of the six orders after a place, as listUsers pages them, and starts anywhere', async () => {
        const count = await crowd();
        const all = (await store.listUsers('shop', { offset: 0, limit: 100 })).users;
        for (const sort of SORTS) {
          const expected = sortUsers([...all], sort).map((u) => u.name);
          const { field } = sortField(sort);
          const place = (u: UserRecord) => ({ key: field === 'name' ? u.name : field === 'count' ? userCount(u) : (userLatest(u) ?? ''), name: u.name });
          const walked: string[] = [];
          for (let after: UserRecord | undefined; ; ) {
            const page = await store.usersPage('shop', sort, after ? place(after) : null, 4);
            walked.push(...page.map((u) => u.name));
            if (page.length < 4) break;
            after = page.at(-1);
          }
          assert.deepEqual(walked, expected, sort);
          assert.equal(walked.length, count);
          // A place nobody holds (the user left since the cursor was made): the page starts where it would sort.
          const third = all.find((u) => u.name === expected[2])!;
          const name = `${third.name}\u0001`;
          const gone = { key: field === 'name' ? name : place(third).key, name };
          // By -name the name is the key, reversed: the place sorts before the third user, not after.
          const from = sort === '-name' ? 2 : 3;
          assert.deepEqual((await store.usersPage('shop', sort, gone, 2)).map((u) => u.name), expected.slice(from, from + 2), `${sort}, after a place nobody holds`);
        }
        await assert.rejects(store.usersPage('nowhere', 'name', null, 5), refused('not_found', 'service_not_found'));
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
      test('a snapshot reads one moment: an award made meanwhile is in none of its reads, a badge count agrees with its holders', async () => {
        await domain.award('shop', 'ann', ['gold']);
        let writing: Promise<unknown> | undefined;
        const seen = await store.snapshot(async (view) => {
          const before = { badge: (await view.getBadges('shop', ['gold']))[0]!.count, users: (await view.listUsers('shop', { offset: 0, limit: 10 })).total };
          // Made while the snapshot reads: the embedded store holds it back, PostgreSQL commits it unseen.
          writing = domain.award('shop', 'bob', ['gold']);
          await Promise.race([writing, new Promise((resolve) => setTimeout(resolve, 300))]);
          const after = { badge: (await view.getBadges('shop', ['gold']))[0]!.count, users: (await view.listUsers('shop', { offset: 0, limit: 10 })).total };
          return { before, after, bob: await view.getUser('shop', 'bob') };
        });
        assert.deepEqual(seen, { before: { badge: 1, users: 1 }, after: { badge: 1, users: 1 }, bob: undefined });
        await writing;
        assert.equal((await store.getBadges('shop', ['gold']))[0]!.count, 2, 'the award is there once the snapshot is over');
        await assert.rejects(store.snapshot(async () => Promise.reject(new Error('boom'))), /boom/);
        assert.equal((await domain.award('shop', 'cat', ['gold'])).user.name, 'cat', 'a failed snapshot leaves the store working');
      });

      test("a unit reads every badge of a service in the order registered, under its own changes, and no other service's", async () => {
        await domain.createService('other', 'k');
        await domain.putBadges('other', [{ name: 'gold', fields: { elsewhere: true } }]);
        await store.run('shop', new Date(now), async (tx) => {
          assert.deepEqual((await tx.allBadges('shop')).map((b) => b.name), ['gold', 'silver', 'bronze']);
          tx.put({ t: 'badge', s: 'shop', v: { name: 'tin', fields: {}, count: 0, latest: null, createdAt: iso(now) } });
          tx.put({ t: 'badge-', s: 'shop', n: 'silver' });
          const gold = (await tx.badges('shop', ['gold'])).get('gold')!;
          tx.put({ t: 'badge', s: 'shop', v: { ...gold, fields: { changed: true } } });
          const all = await tx.allBadges('shop');
          assert.deepEqual(all.map((b) => b.name), ['gold', 'bronze', 'tin']);
          assert.deepEqual(all[0]!.fields, { changed: true });
        });
        assert.deepEqual((await store.listBadges('other')).map((b) => b.fields), [{ elsewhere: true }]);
      });

      test("a snapshot sees every service's unit whole: one under way when it begins, of another service, lands first or is not seen", async () => {
        await domain.createService('other', 'other-key');
        let letGo!: () => void;
        const held = new Promise<void>((resolve) => (letGo = resolve));
        let started!: () => void;
        const begun = new Promise<void>((resolve) => (started = resolve));
        const long = store.run('other', new Date(T0), async (tx) => {
          tx.put({ t: 'item', s: 'other', v: { kind: 'note', id: 'n1', owner: null, at: iso(T0), v: {} } });
          started();
          await held;
          tx.put({ t: 'item', s: 'other', v: { kind: 'note', id: 'n2', owner: null, at: iso(T0), v: {} } });
        });
        await within(begun, 30_000, 'the long unit to begin');
        const reading = store.snapshot(async (view) => (await view.listItems('other', 'note', {})).map((i) => i.id));
        // A unit of a third service, asked for while the snapshot is open, is not half in it either.
        const meanwhile = domain.award('shop', 'dan', ['gold']);
        setTimeout(letGo, 100);
        const ids = await within(reading, 60_000, 'the snapshot');
        await within(Promise.all([long, meanwhile]), 60_000, 'the units after the snapshot');
        if (kind.shared) assert.ok(ids.length === 0 || ids.length === 2, `the unit whole or not at all: ${ids}`);
        else assert.deepEqual(ids, ['n1', 'n2'], 'the embedded store lets the unit under way land first');
        assert.deepEqual((await store.listItems('other', 'note', {})).map((i) => i.id), ['n1', 'n2']);
      });

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
        assert.deepEqual(heard.map(normal), [{ service: 'shop', users: ['bob'], badges: ['gold', 'silver'], items: ['activity', 'audit', 'award', 'live', 'live-seq'] }]);
        heard.length = 0;
        await domain.deleteBadges('shop', ['gold']);
        assert.deepEqual(heard.map(normal), [{ service: 'shop', users: ['ann', 'bob'], badges: ['gold'], items: ['audit', 'award', 'badge-number', 'badge-numbered', 'live', 'live-seq'] }], 'the award instances are kept, revoked; the badge takes its id with it');
        heard.length = 0;
        await domain.setServiceKey('shop', 'key-2');
        assert.deepEqual(heard, [{ service: 'shop', all: true }]);
        stop();
        await domain.award('shop', 'cy', ['silver']);
        assert.equal(heard.length, 1, 'nothing after unsubscribing');
      });
    });

    describe("a person's data: subjects, the audit trail, export, erasure, renaming", () => {
      const listed = (items: Item[]) => items.map((i) => `${i.kind} ${i.id}`);
      const kinds = (items: Item[]) => [...new Set(items.map((i) => i.kind))].sort();
      const annsSubjects = [ANN.name, ...ANN.addresses.map(addressSubject)];
      /** Every record of the service, as text: where a trace of someone would show. */
      const everything = async () =>
        JSON.stringify([
          await store.listBadges('shop'),
          (await store.listUsers('shop', { offset: 0, limit: 1000 })).users,
          ...(await Promise.all((await store.itemKinds('shop')).map((k) => store.listItems('shop', k, {})))),
        ]);

      beforeEach(() => aPersonEverywhere(domain, store, (ms) => (now += ms)));

      test("every record holding a person's data names them, and one read of the subject index finds it all", async () => {
        const anns = await store.listItemsOfSubjects('shop', [ANN.name]);
        assert.deepEqual(kinds(anns), ANNS_KINDS);
        assert.ok(anns.every((i) => i.subject === ANN.name));
        assert.deepEqual(listed(anns), listed([...anns].sort(compareKindThenItem)), 'in (kind, at, id) order');
        assert.deepEqual(kinds(await store.listItemsOfSubjects('shop', [addressSubject(ANN.addresses[1]!)])), ['audit', 'delivery', 'invitation', 'webhook-message'], "an address's own records: its expired invitation, told and kept");
        const bobs = await store.listItemsOfSubjects('shop', ['bob']);
        assert.ok(bobs.length > 0 && bobs.every((i) => i.subject === 'bob') && !listed(bobs).some((id) => listed(anns).includes(id)));
        assert.deepEqual((await store.listItems('shop', 'event', { subject: ANN.name })).map((i) => i.id), ['c1', 'c2'], 'the subject narrows a listing of one kind');
        assert.deepEqual((await store.listItems('shop', 'event-rejected', { subject: ANN.name })).map((i) => JSON.parse((i.v as { sent: string }).sent).id).sort(), ['bad-1', 'bad-2'], 'refused events, by name and by her address');
        assert.equal((await store.listItemsOfSubjects('shop', [...annsSubjects, ANN.name])).length, (await store.listItemsOfSubjects('shop', annsSubjects)).length);
        await store.run('shop', new Date(now), async (tx) => {
          assert.deepEqual(listed(await tx.itemsOfSubjects('shop', [ANN.name])), listed(anns), 'a unit reads what queries read');
          tx.put({ t: 'item-', s: 'shop', k: 'event', id: 'c1' });
          tx.put({ t: 'item', s: 'shop', v: { kind: 'event', id: 'c9', owner: ANN.name, at: iso(now), v: { t: 'app/comment/post' } } });
          tx.put({ t: 'item', s: 'shop', v: { kind: 'note', id: 'n1', owner: null, subject: ANN.name, at: iso(now), v: {} } });
          const seen = listed(await tx.itemsOfSubjects('shop', [ANN.name]));
          assert.ok(!seen.includes('event c1') && seen.includes('event c9') && seen.includes('note n1'), 'and its own changes');
        });
        assert.equal((await store.getItem('shop', 'event', 'c9'))!.subject, ANN.name, "an event left without a subject gets its kind's: its owner");
        assert.equal((await store.getItem('shop', 'note', 'n1'))!.subject, ANN.name, 'a subject named is kept');
        if (!kind.durable) return;
        const before = listed(await store.listItemsOfSubjects('shop', annsSubjects));
        await store.close();
        store = await place.open();
        assert.deepEqual(listed(await store.listItemsOfSubjects('shop', annsSubjects)), before, 'closed and opened again, the same');
      });

      test('the audit trail keeps every act with its actor and its cause, by actor and by the person acted on', async () => {
        const anns = (await store.listItems('shop', 'audit', { subject: ANN.name })).map((i) => i.v as Record<string, unknown>);
        // In the order they were made; units of the same instant in any order.
        const awards = anns.filter((e) => e.action === 'award.created').map((e) => [e.badge, e.cause]).sort();
        const invitation = (await store.listItems('shop', 'invitation-claimed', {}))[0]!.id;
        assert.deepEqual(awards, [
          ['bronze', { claimCode: 'CODE0001' }],
          ['gold', { invitation }],
          ['silver', { rule: 'talker', event: 'c2', permalink: 'https://example.org/c2' }],
        ]);
        assert.deepEqual(new Set(anns.map((e) => e.action)), new Set(['invitation.claimed', 'award.created', 'claim_code.redeemed', 'application.submitted', 'application.assigned', 'application.reviewed']));
        const invited = await store.listItems('shop', 'audit', { subject: addressSubject(ANN.addresses[0]!) });
        assert.deepEqual(invited.map((i) => (i.v as { action: string }).action), ['invitation.created'], 'the invitation was to her address, before it was hers');
        const bronze = (await store.listItems('shop', 'award', { owner: ANN.name })).find((i) => (i.v as { badge: string }).badge === 'bronze')!;
        assert.deepEqual(bronze.v, { badge: 'bronze', at: bronze.at, cause: { claimCode: 'CODE0001' } }, 'the award instance knows its cause');
        await domain.as({ type: 'key', id: 'key_1' }).revoke('shop', ANN.name, ['bronze'], { reason: 'Code handed out by mistake' });
        const byKey = await store.listItems('shop', 'audit', { owner: 'key:key_1' });
        assert.deepEqual(
          byKey.map((i) => [i.subject, i.at, i.v]),
          [[ANN.name, iso(now), { action: 'award.revoked', actor: { type: 'key', id: 'key_1' }, user: ANN.name, badge: 'bronze', count: 1, awards: [bronze.id], reason: 'Code handed out by mistake' }]],
        );
        assert.deepEqual((await store.getItem('shop', 'award', bronze.id))!.v, { ...(bronze.v as object), revoked: { at: iso(now), reason: 'Code handed out by mistake' } }, 'kept, revoked, with the reason');
        const system = (await store.listItems('shop', 'audit', { owner: 'system:server' })).map((i) => (i.v as { action: string }).action);
        assert.deepEqual(system.slice(0, 4), ['service.created', 'badge.created', 'badge.created', 'badge.created']);
        assert.ok(['endpoint.created', 'rule.created', 'claim_code.created'].every((action) => system.includes(action)));
        const count = await store.countItems('shop', 'audit', {});
        await domain.as({ type: 'public' }).award('shop', 'bob', ['gold']);
        assert.equal(await store.countItems('shop', 'audit', {}), count, 'what anyone may do (the open test service) is not kept');
      });

      test('export: everything the service holds of the person, in one document', async () => {
        const data = await domain.exportUser('shop', ANN.name);
        assert.deepEqual(data.account!.awards.map((a) => a.badge), ['gold', 'silver', 'bronze']);
        assert.deepEqual(data.emails, ANN.addresses);
        assert.deepEqual(Object.keys(data.records).sort(), [...ANNS_KINDS, 'invitation'].sort());
        assert.deepEqual(data.records.event!.map((r) => r.value), [
          { user: ANN.name, eventType: { source: 'app', type: 'comment', action: 'post' }, preview: 'Hello' },
          { user: ANN.name, eventType: { source: 'app', type: 'comment', action: 'post' }, permalink: 'https://example.org/c2' },
        ]);
        assert.ok(data.records['webhook-message']!.every((r) => typeof (r.value as { payload: object }).payload === 'object'), 'payloads as JSON, not text');
        assert.equal(JSON.stringify(data).includes('"bob"'), false, "nobody else's data");
        await assert.rejects(domain.exportUser('shop', 'nobody'), refused('not_found', 'user_not_found'));
      });

      test('erase: every record of the person goes in one write, counts follow, the audit keeps the acts under a pseudonym', async () => {
        const bob = await store.getUser('shop', 'bob');
        const erased = await domain.as({ type: 'cli', command: 'user erase' }).eraseUser('shop', ANN.name);
        assert.match(erased.pseudonym, /^erased_[a-z2-7]{20}$/);
        assert.deepEqual(Object.keys(erased.removed).sort(), ['user', ...ANNS_KINDS.filter((k) => k !== 'audit'), 'invitation'].sort());
        assert.deepEqual(erased.forget, ANNS_TRACES);
        assert.equal(await store.getUser('shop', ANN.name), undefined);
        assert.deepEqual(await store.listItemsOfSubjects('shop', annsSubjects), []);
        const badges = Object.fromEntries((await store.listBadges('shop')).map((b) => [b.name, [b.count, b.latest]]));
        const bobs = (badge: string) => bob!.awards.find((a) => a.badge === badge)!;
        assert.deepEqual(badges, { gold: [1, bobs('gold').latest], silver: [0, null], bronze: [1, bobs('bronze').latest] });
        assert.deepEqual(await store.getUser('shop', 'bob'), bob, 'others keep theirs');
        const text = await everything();
        for (const trace of ANNS_TRACES) assert.equal(text.includes(trace), false, `no record holds ${trace}`);
        const trail = (await store.listItems('shop', 'audit', { order: 'desc' })).map((i) => ({ subject: i.subject, ...(i.v as Record<string, unknown>) }));
        assert.deepEqual(trail[0], { subject: null, action: 'user.erased', actor: { type: 'cli', command: 'user erase' }, user: erased.pseudonym });
        assert.equal(trail.filter((e) => e.user === erased.pseudonym || e.email === erased.pseudonym).length, erased.pseudonymised + 1, 'her acts and her addresses');
        assert.ok(trail.some((e) => e.action === 'award.created' && e.user === erased.pseudonym && JSON.stringify(e.cause) === '{"rule":"talker"}'), "a rule's award keeps its rule, not the person's event");
        await assert.rejects(domain.eraseUser('shop', ANN.name), refused('not_found', 'user_not_found'));
        if (!kind.durable) return;
        await store.close();
        store = await place.open();
        domain = composeDomain(store, { now: () => now });
        assert.equal((await everything()).includes(ANN.name), false, 'closed and opened again, still nothing');
      });

      test('rename: everything moves to the new name in one write; counts stay', async () => {
        const before = await domain.exportUser('shop', ANN.name);
        const badges = await store.listBadges('shop');
        const renamed = await domain.renameUser('shop', ANN.name, 'Ann B');
        assert.deepEqual(Object.keys(renamed.moved).sort(), ['user', ...ANNS_KINDS].sort());
        assert.equal(await store.getUser('shop', ANN.name), undefined);
        assert.deepEqual(await store.getUser('shop', 'Ann B'), { ...before.account, name: 'Ann B' });
        assert.deepEqual(await store.listBadges('shop'), badges);
        assert.deepEqual(await store.listItemsOfSubjects('shop', [ANN.name]), []);
        assert.deepEqual(kinds(await store.listItemsOfSubjects('shop', ['Ann B'])), ANNS_KINDS);
        assert.equal((await store.getItem('shop', 'email', ANN.addresses[0]!))!.owner, 'Ann B');
        assert.deepEqual((await store.listItems('shop', 'rule-state', { owner: 'Ann B' })).map((i) => i.id), ['talker/Ann B']);
        assert.deepEqual((await store.listItems('shop', 'rule-expiry', { owner: 'Ann B' })).map((i) => [i.id, (i.v as { user: string }).user]), [['talker/Ann B', 'Ann B']]);
        assert.deepEqual((await store.listItems('shop', 'claim-redemption', { subject: 'Ann B' })).map((i) => i.id), ['CODE0001\nAnn B']);
        const after = await domain.exportUser('shop', 'Ann B');
        const sizes = (data: typeof before) => Object.fromEntries(Object.entries(data.records).map(([k, v]) => [k, v.length]));
        // The rename itself is told (a webhook message and its delivery) and kept in the audit trail.
        assert.deepEqual(sizes(after), { ...sizes(before), audit: sizes(before).audit! + 1, 'webhook-message': sizes(before)['webhook-message']! + 1, delivery: sizes(before).delivery! + 1 });
        const [last] = await store.listItems('shop', 'audit', { order: 'desc', limit: 1 });
        assert.deepEqual([last!.subject, last!.v], ['Ann B', { action: 'user.renamed', actor: { type: 'system', job: 'server' }, from: ANN.name, to: 'Ann B' }]);
        await domain.award('shop', 'Ann B', ['silver']);
        assert.equal((await store.getUser('shop', 'Ann B'))!.awards.find((a) => a.badge === 'silver')!.count, 2, 'the renamed user goes on');
        await assert.rejects(domain.renameUser('shop', 'Ann B', 'bob'), refused('conflict', 'user_exists'));
        await assert.rejects(domain.renameUser('shop', 'Ann B', 'Ann B'), refused('invalid', 'same_name'));
        await assert.rejects(domain.renameUser('shop', 'Ann B', 'a/b'), refused('invalid', 'invalid_user_name'));
        await assert.rejects(domain.renameUser('shop', ANN.name, 'Ann C'), refused('not_found', 'user_not_found'));
      });

      test('item counts, what quotas are checked against, stay through a renaming and follow an erasure, in its unit and after', async () => {
        const counted = [...ANNS_KINDS, 'invitation'];
        /** Each kind's count as a unit reads it (the store's own count, under the unit's changes). */
        const counts = (work?: (tx: Tx) => Promise<unknown>) =>
          domain.run('shop', async (tx) => {
            await work?.(tx);
            const found: Record<string, number> = {};
            for (const k of counted) found[k] = await tx.itemCount('shop', k);
            return found;
          });
        const listed = async () => Object.fromEntries(await Promise.all(counted.map(async (k) => [k, (await store.listItems('shop', k, {})).length] as const)));
        const start = await counts();
        assert.deepEqual(start, await listed(), 'a count is what a listing finds');
        const told = (before: Record<string, number>): Record<string, number> => ({ ...before, audit: before.audit! + 1, 'webhook-message': before['webhook-message']! + 1, delivery: before.delivery! + 1 });

        await domain.renameUser('shop', ANN.name, 'Ann B');
        const renamed = await counts();
        assert.deepEqual(renamed, told(start), 'a renaming moves records and adds only its own telling');
        assert.deepEqual(renamed, await listed());

        let erased!: Erased;
        const inUnit = await counts(async (tx) => void (erased = await eraseUser(tx, 'shop', 'Ann B')));
        const gone = (before: Record<string, number>): Record<string, number> => Object.fromEntries(Object.entries(before).map(([k, n]) => [k, n - (erased.removed[k] ?? 0)]));
        assert.deepEqual(inUnit, gone(renamed), 'the erasing unit counts what it removed');
        const after = await counts();
        assert.deepEqual(after, await listed());
        assert.deepEqual(after, told(gone(renamed)), 'and so does every unit after it (its telling aside)');
        assert.ok(after.event! < start.event! && after.email === start.email! - ANN.addresses.length);
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

      test("replays: an erasure forgets the kept answers that show the person, that service's only; forgotten, they stay forgotten after a restart", async () => {
        const T = Date.now();
        const replays = store.replays!;
        const told = (name: string) => ({ status: 200, type: 'application/json', body: JSON.stringify({ user: { name } }) });
        for (const [key, name] of [['shop\nsig-ann', 'Ann Zed'], ['shop\nsig-bob', 'bob'], ['other\nsig-ann', 'Ann Zed']] as const) {
          const use = await replays.firstUse(key, 'PUT /u', T + 300_000, T, true);
          if (use.first) use.answered(told(name));
        }
        assert.equal(await replays.forgetAnswers('shop', ['Ann Zed', 'ann@example.org']), 1);
        const answerOf = async (r: typeof replays, key: string) => {
          const use = await r.firstUse(key, 'PUT /u', T + 300_000, T + 1, true);
          assert.equal(use.first, false, key);
          return use.first ? undefined : await use.answer;
        };
        assert.equal(await answerOf(replays, 'shop\nsig-ann'), null, 'refused as one whose answer was not kept');
        assert.deepEqual(await answerOf(replays, 'shop\nsig-bob'), told('bob'));
        assert.deepEqual(await answerOf(replays, 'other\nsig-ann'), told('Ann Zed'), "another service's are its own");
        if (!kind.durable) return;
        await store.close();
        const reopened = await place.open();
        assert.equal(await answerOf(reopened.replays!, 'shop\nsig-ann'), null, 'still used, and still without its answer');
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
  return {
    ...change,
    ...(change.users ? { users: [...change.users].sort() } : {}),
    ...(change.badges ? { badges: [...change.badges].sort() } : {}),
    ...(change.items ? { items: [...change.items].sort() } : {}),
  };
}


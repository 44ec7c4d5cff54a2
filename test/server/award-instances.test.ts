import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { start, type Harness } from './harness.js';

/**
 * Every award is an instance with an id: listed beside its badge in the user's read, read with what
 * it was given for, revoked by id (the count goes down by one) or with its badge, and kept revoked
 * with the reason. Awards made before instances existed get theirs when first read.
 */

const KEY = 'shop-key-0123456789';
const NEWS_KEY = 'news-key-0123456789';
const T0 = Date.parse('2026-12-01T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

describe('award instances', () => {
  let h: Harness;
  let now = T0;
  const as = { authorization: KEY };
  const call = (method: string, path: string, body?: unknown) => h.request(method, `/v1/shop${path}`, { body, headers: as });
  const held = async (user: string) => (await h.request('GET', `/v1/shop/users/${user}.json`)).json;
  const badge = async (name: string) => (await call('GET', '/badges.json')).json.badges.find((b: { name: string }) => b.name === name);

  before(async () => {
    h = await start({ config: { now: () => now } });
    await h.domain.createService('shop', KEY);
    await h.domain.createService('news', NEWS_KEY);
    await h.domain.putBadges('shop', [{ name: 'thanks', fields: {} }, { name: 'gold', fields: {} }]);
    await h.domain.putBadges('news', [{ name: 'thanks', fields: {} }]);
  });
  after(() => h.close());

  test("each award has an id, listed beside its badge in the user's read, oldest first", async () => {
    await call('PUT', '/users/ann.json', { badges: ['thanks'] });
    now += 60_000;
    await call('PUT', '/users/ann.json', { badges: ['thanks', 'gold'] });
    const ann = await held('ann');
    const thanks = ann.badges.find((b: { name: string }) => b.name === 'thanks');
    assert.equal(thanks.count, 2);
    assert.equal(thanks.awards.length, 2);
    assert.ok(thanks.awards.every((id: string) => /^aw_[a-z2-7]{20}$/.test(id)));
    const [first, second] = await Promise.all(thanks.awards.map((id: string) => call('GET', `/users/ann/awards/${id}.json`)));
    assert.deepEqual([first.json.badge, first.json.at, second.json.at], ['thanks', iso(T0), iso(T0 + 60_000)]);
    const list = await h.request('GET', '/v1/shop/users.json?names=ann');
    assert.equal(list.json.users[0].badges[0].awards, undefined, 'the widget\'s read carries no ids');
    assert.equal((await h.request('GET', `/v1/shop/users/ann/awards/${thanks.awards[0]}.json`)).status, 401, 'an award is read with the key');
  });

  test('revoking one award: the count goes down by one, dates follow the awards left; revoked, it is kept with the reason', async () => {
    const [older, newer] = (await held('ann')).badges.find((b: { name: string }) => b.name === 'thanks').awards as string[];
    now += 60_000;
    const revoked = await call('DELETE', `/users/ann/awards/${newer}.json`, { reason: 'Thanked by mistake' });
    assert.equal(revoked.status, 200, revoked.text);
    assert.deepEqual(revoked.json.award.revoked, { at: iso(now), reason: 'Thanked by mistake' });
    assert.deepEqual(revoked.json.user, { name: 'ann', badges: ['thanks', 'gold'] });
    const thanks = (await held('ann')).badges.find((b: { name: string }) => b.name === 'thanks');
    assert.deepEqual([thanks.count, thanks.latest, thanks.awards], [1, iso(T0), [older]]);
    assert.deepEqual([(await badge('thanks')).count, (await badge('thanks')).latest], [1, iso(T0)]);
    assert.equal((await call('GET', `/users/ann/awards/${newer}.json`)).json.revoked.reason, 'Thanked by mistake');
    const again = await call('DELETE', `/users/ann/awards/${newer}.json`);
    assert.equal(again.status, 200, 'idempotent');
    assert.equal(again.json.award.revoked.reason, 'Thanked by mistake');
    // The last one takes the badge; no body, no reason.
    const last = await call('DELETE', `/users/ann/awards/${older}.json`);
    assert.deepEqual([last.json.award.revoked.reason, last.json.user.badges], [null, ['gold']]);
    assert.equal((await badge('thanks')).latest, null);
    const audit = (await call('GET', '/audit.json?user=ann&badge=thanks')).json.audit.filter((e: { action: string }) => e.action === 'award.revoked');
    assert.deepEqual(
      audit.map((e: { awards: string[]; count: number; reason?: string }) => [e.awards, e.count, e.reason]),
      [
        [[older], 1, undefined],
        [[newer], 1, 'Thanked by mistake'],
      ],
    );
  });

  test('revoking a badge revokes each of its awards, with the reason; an unknown award is a 404', async () => {
    await call('PUT', '/users/bob.json', { badges: ['thanks', 'thanks'] });
    const ids = (await held('bob')).badges[0].awards as string[];
    const r = await call('DELETE', '/users/bob.json', { badges: ['thanks'], reason: 'Left the shop' });
    assert.equal(r.status, 200, r.text);
    for (const id of ids) assert.equal((await call('GET', `/users/bob/awards/${id}.json`)).json.revoked.reason, 'Left the shop');
    assert.equal((await call('DELETE', '/users/bob/awards/aw_aaaaaaaaaaaaaaaaaaaa.json')).json.error.code, 'award_not_found');
    assert.equal((await call('DELETE', `/users/carol/awards/${ids[0]}.json`)).status, 404, "another user's award is not theirs to revoke");
    assert.equal((await call('GET', '/users/bob/awards/aw_x.json')).json.error.code, 'invalid_award_id');
  });

  test('a deleted badge leaves its awards revoked ("badge deleted")', async () => {
    await h.domain.putBadges('shop', [{ name: 'brief', fields: {} }]);
    await call('PUT', '/users/cy.json', { badges: ['brief'] });
    const [id] = (await held('cy')).badges[0].awards;
    await call('DELETE', '/badges.json', { badges: ['brief'] });
    assert.equal((await call('GET', `/users/cy/awards/${id}.json`)).json.revoked.reason, 'badge deleted');
  });

  test('awards made before instances existed get theirs when first read: as many as counted, dated first (and latest)', async () => {
    const first = iso(T0 - 86_400_000);
    const latest = iso(T0 - 3_600_000);
    await h.store.run('shop', new Date(now), async (tx) => {
      tx.put({ t: 'user', s: 'shop', v: { name: 'old', createdAt: first, awards: [{ badge: 'gold', count: 3, first, latest }] } });
    });
    const ids = (await held('old')).badges[0].awards as string[];
    assert.equal(ids.length, 3);
    const dates = await Promise.all(ids.map(async (id) => (await call('GET', `/users/old/awards/${id}.json`)).json.at as string));
    assert.deepEqual([...dates].sort(), [first, first, latest]);
    assert.deepEqual((await held('old')).badges[0].awards, ids, 'read again: the same ones, none made twice');
    assert.equal(await h.store.countItems('shop', 'award', { owner: 'old' }), 3);
    // Revoking the latest: the record's dates follow what is left.
    await call('DELETE', `/users/old/awards/${ids[dates.indexOf(latest)]}.json`);
    const gold = (await held('old')).badges[0];
    assert.deepEqual([gold.count, gold.latest], [2, first]);
  });

  test('renamed, a user keeps their awards and their ids; erased, their awards go', async () => {
    await call('PUT', '/users/dee.json', { badges: ['gold'] });
    const [id] = (await held('dee')).badges[0].awards;
    assert.equal((await call('POST', '/users/dee/rename.json', { to: 'dora' })).status, 200);
    assert.equal((await call('GET', `/users/dora/awards/${id}.json`)).json.user, 'dora');
    assert.equal((await call('GET', `/users/dee/awards/${id}.json`)).status, 404);
    await call('POST', '/users/dora/erase.json');
    assert.equal((await call('GET', `/users/dora/awards/${id}.json`)).status, 404);
    assert.equal(await h.store.getItem('shop', 'award', id), undefined);
  });

  test("two services side by side: an award of one is nothing to the other", async () => {
    await call('PUT', '/users/eve.json', { badges: ['thanks'] });
    const [id] = (await held('eve')).badges[0].awards;
    await h.request('PUT', '/v1/news/users/eve.json', { body: { badges: ['thanks'] }, headers: { authorization: NEWS_KEY } });
    const news = (method: string) => h.request(method, `/v1/news/users/eve/awards/${id}.json`, { headers: { authorization: NEWS_KEY } });
    assert.equal((await news('GET')).status, 404);
    assert.equal((await news('DELETE')).status, 404);
    assert.equal((await held('eve')).badges[0].count, 1);
    assert.notDeepEqual((await h.request('GET', '/v1/news/users/eve.json')).json.badges[0].awards, [id]);
  });
});

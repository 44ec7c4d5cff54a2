import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { composeDomain } from '../../server/app/domain.js';
import { start, type Harness } from './harness.js';

/** What a client can observe of an answer; of X-Response-Time, that it is there and well formed. */
const observed = (r: Awaited<ReturnType<Harness['request']>>) => ({
  status: r.status,
  text: r.text,
  headers: Object.fromEntries(
    [...r.headers]
      .filter(([name]) => !['date', 'connection', 'keep-alive'].includes(name))
      .map(([name, value]) => [name, name === 'x-response-time' ? /^\d+ms$/.test(value) : value]),
  ),
});

describe('users.json?names= reads: the fast path and the answer cache', () => {
  let fast: Harness;
  let koa: Harness;
  const reachedKoa: string[] = [];
  before(async () => {
    fast = await start({ beforeListen: (app) => app.middleware.unshift(async (ctx, next) => (reachedKoa.push(ctx.url), next())) });
    koa = await start({ config: { fastReads: false } });
    // Both seeded stores get the same extra data, so their answers can be compared byte for byte.
    for (const h of [fast, koa]) {
      await h.domain.putBadges('demo', [{ name: 'Café ☕', fields: { description: 'un café' } }]);
      await h.domain.award('demo', 'Zoë', ['Café ☕', 'popular'], new Date('2026-11-01T00:00:00Z'));
    }
  });
  after(async () => {
    await fast.close();
    await koa.close();
  });

  const urls = [
    '/v1/demo/users.json?names=daniel,bob',
    '/v1/demo/users.json?names=bob,daniel,nobody&sort=-count',
    '/v1/demo/users.json?sort=date&names=alice,daniel',
    `/v1/demo/users.json?names=${encodeURIComponent('Zoë')},daniel`,
    '/v1/demo/users.json?names=Zoe%CC%88',
    '/v1/demo/users.json?names=daniel,,daniel',
    '/v1/demo/users.json?names=nobody',
    '/v1/demo/users.json?names=',
    '/v1/demo/users.json?names=a+b',
    '/v1/demo/users.json?names=daniel&sort=bogus',
    '/v1/demo/users.json?names=a,b&names=c',
    '/v1/demo/users.json?names=daniel&names=bob',
    '/v1/demo/users.json?names=daniel&sort=-name&names=bob,alice&names=',
    '/v1/demo/users.json?names=daniel&sort=name&sort=name',
    '/v1/demo/users.json?names=daniel&page=2',
    '/v1/demo/users.json?names=daniel,bob&states=all',
    '/v1/demo/users.json?names=daniel&states=all&sort=-date',
    '/v1/demo/users.json?names=daniel&states=bogus',
    '/v1/demo/users.json?names=daniel&states=all&states=earned',
    '/v1/demo/users.json?names=daniel,bob&tags=community,staff',
    '/v1/demo/users.json?names=daniel&tags=a&tags=b',
    '/v1/demo/users.json?names=daniel&tags=',
    `/v1/demo/users.json?names=daniel&tags=${'x'.repeat(65)}`,
    '/v1/demo/users.json?names=daniel&issuer=default',
    '/v1/demo/users.json?names=daniel&issuer=Not%20A%20Slug',
    '/v1/demo/users.json?names=daniel&program=nope',
    '/v1/demo/users.json?names=daniel&unknown=1',
    '/v1/demo/users.json?names=%E0%A4%A',
    '/v1/demo/users.json?names=a%2Fb',
    '/v1/nosuch/users.json?names=daniel',
    '/v1/demo/users.json?page_size=2',
    '/v1/demo/users.json',
  ];
  for (const url of urls) {
    test(`GET ${url} answers exactly as Koa does`, async () => {
      assert.deepEqual(observed(await fast.request('GET', url)), observed(await koa.request('GET', url)));
      const etag = (await koa.request('GET', url)).headers.get('etag');
      if (etag) {
        const revalidated = observed(await fast.request('GET', url, { headers: { 'if-none-match': etag } }));
        assert.deepEqual(revalidated, observed(await koa.request('GET', url, { headers: { 'if-none-match': etag } })));
      }
    });
  }

  test('HEAD answers as Koa does', async () => {
    const url = '/v1/demo/users.json?names=daniel';
    assert.deepEqual(observed(await fast.request('HEAD', url)), observed(await koa.request('HEAD', url)));
  });

  test('valid reads never reach Koa; everything else does', async () => {
    reachedKoa.length = 0;
    await fast.request('GET', '/v1/demo/users.json?names=daniel,bob');
    await fast.request('GET', '/v1/demo/users.json?names=daniel&sort=name');
    await fast.request('GET', '/v1/demo/users.json?names=daniel&names=bob');
    await fast.request('GET', '/v1/demo/users.json?names=daniel,bob&states=all&tags=community');
    assert.deepEqual(reachedKoa, []);
    await fast.request('GET', '/v1/demo/users.json?names=daniel&sort=bogus');
    await fast.request('GET', '/v1/nosuch/users.json?names=daniel');
    await fast.request('GET', '/v1/demo/users.json?page_size=2');
    await fast.request('GET', '/v1/demo/users.json?names=daniel&key=secret');
    assert.deepEqual(reachedKoa, [
      '/v1/demo/users.json?names=daniel&sort=bogus',
      '/v1/nosuch/users.json?names=daniel',
      '/v1/demo/users.json?page_size=2',
      '/v1/demo/users.json?names=daniel&key=secret',
    ]);
  });

  test('a cached answer changes exactly when a record in it changes', async () => {
    const url = '/v1/demo/users.json?names=daniel,bob';
    const get = async () => (await fast.request('GET', url)).headers.get('etag');
    const first = await get();
    assert.equal(await get(), first);

    await fast.domain.award('demo', 'someone-else', ['reviewer'], new Date());
    // reviewer is bob's badge too: its service-wide count is in the answer.
    const afterReviewer = await get();
    assert.notEqual(afterReviewer, first);

    await fast.domain.award('demo', 'another', ['donated'], new Date('2020-01-01T00:00:00Z'));
    const afterDonated = await get();
    assert.notEqual(afterDonated, afterReviewer, 'count of a badge daniel holds moved');

    await fast.domain.putBadges('demo', [{ name: 'Café ☕', fields: { description: 'changed' } }]);
    assert.equal(await get(), afterDonated, 'a badge neither holds changes nothing here');

    await fast.domain.award('demo', 'daniel', ['Café ☕'], new Date());
    const answer = (await fast.request('GET', url)).json;
    assert.equal(answer.badges['Café ☕'].description, 'changed');
    assert.ok(answer.users[0].badges.some((b: { name: string }) => b.name === 'Café ☕'));

    await fast.domain.revoke('demo', 'bob', ['reviewer']);
    assert.equal((await fast.request('GET', url)).json.users[1].badges.some((b: { name: string }) => b.name === 'reviewer'), false);
  });

  test('a user created after a read was cached appears in it', async () => {
    const url = '/v1/demo/users.json?names=latecomer';
    assert.deepEqual((await fast.request('GET', url)).json.users, []);
    await fast.domain.award('demo', 'latecomer', ['popular'], new Date());
    assert.deepEqual((await fast.request('GET', url)).json.users.map((u: { name: string }) => u.name), ['latecomer']);
  });
});

describe('the answer cache under hostile reads', () => {
  test('names of nobody get the same answer, and big answers stay within the byte bound', async () => {
    const h = await start();
    const store = h.store;
    const { ReadCache } = await import('../../server/cache/read-cache.js');
    const cache = new ReadCache(store, 1024 * 1024);
    const first = (await cache.usersByName('demo', ['daniel', 'junk0']))!;
    // Entries are keyed by the request (a hit asks the store nothing), so junk names take room,
    // within the byte bound, like any other answer.
    for (let i = 1; i < 200; i++) assert.equal((await cache.usersByName('demo', ['daniel', `junk${i}`]))!.etag, first.etag);

    await composeDomain(store).putBadges('demo', [{ name: 'big', fields: { description: 'x'.repeat(7000) } }]);
    // 200 answers of about 7.5 KB each: twice what the cache may hold.
    for (let i = 0; i < 200; i++) await composeDomain(store).award('demo', `big${i}`, ['big'], new Date());
    for (let i = 0; i < 200; i++) await cache.usersByName('demo', [`big${i}`]);
    assert.ok(cache.size <= 1024 * 1024, `${cache.size} bytes held`);
    assert.ok(cache.size > 900 * 1024, `and it still caches: ${cache.size}`);
    // A fresh cache answers the same bytes as the one that evicted and rebuilt.
    const again = await cache.usersByName('demo', ['big0', 'daniel']);
    assert.deepEqual(again!.body, (await new ReadCache(store).usersByName('demo', ['big0', 'daniel']))!.body);
    await h.close();
  });
});

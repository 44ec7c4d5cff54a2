import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { pageOf, paging } from '../../server/http/paging.js';
import { start, type Harness } from './harness.js';

describe('paging, the module', () => {
  test('links keep the other parameters, in order, before page and page_size', () => {
    assert.deepEqual(paging('/v1/demo/badges.json', { sort: '-count', tags: undefined }, 5, { page: 2, pageSize: 2 }), {
      total: 5,
      page: 2,
      pages: 3,
      page_size: 2,
      next: '/v1/demo/badges.json?sort=-count&page=3&page_size=2',
      prev: '/v1/demo/badges.json?sort=-count&page=1&page_size=2',
    });
  });

  test('an empty list is one empty page', () => {
    assert.deepEqual(paging('/x', {}, 0, { page: 1, pageSize: 10 }), { total: 0, page: 1, pages: 1, page_size: 10, next: null, prev: null });
  });

  test('property: following next from page 1 visits every item once, in order; past the last, prev leads to the last page', () => {
    fc.assert(
      fc.property(fc.array(fc.integer(), { maxLength: 60 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 20 }), (items, pageSize, beyond) => {
        const seen: number[] = [];
        let page = 1;
        for (;;) {
          const { items: got, paging: p } = pageOf(items, '/l', {}, { page, pageSize });
          assert.ok(got.length <= pageSize);
          seen.push(...got);
          if (!p.next) break;
          page = Number(new URLSearchParams(p.next.split('?')[1]).get('page'));
        }
        assert.deepEqual(seen, items);
        const pages = Math.max(1, Math.ceil(items.length / pageSize));
        const past = pageOf(items, '/l', {}, { page: pages + beyond, pageSize });
        assert.deepEqual(past.items, []);
        assert.equal(past.paging.next, null);
        assert.equal(past.paging.prev, `/l?page=${pages}&page_size=${pageSize}`);
      }),
    );
  });
});

describe('paging, on the lists', () => {
  let h: Harness;
  before(async () => (h = await start()));
  after(() => h.close());

  test('badges.json pages, in the order asked, with the sort kept in the links', async () => {
    const first = await h.request('GET', '/v1/demo/badges.json?sort=name&page_size=2');
    assert.deepEqual(first.json.badges.map((b: { name: string }) => b.name), ['commenter', 'donated']);
    assert.deepEqual(first.json.paging, {
      total: 5,
      page: 1,
      pages: 3,
      page_size: 2,
      next: '/v1/demo/badges.json?sort=name&page=2&page_size=2',
      prev: null,
    });
    const last = await h.request('GET', '/v1/demo/badges.json?sort=name&page=3&page_size=2');
    assert.deepEqual(last.json.badges.map((b: { name: string }) => b.name), ['reviewer']);
    assert.equal(last.json.paging.next, null);
  });

  test('badges.json without page parameters is the first page of 100', async () => {
    const { json } = await h.request('GET', '/v1/demo/badges.json');
    assert.equal(json.badges.length, 5);
    assert.deepEqual([json.paging.page, json.paging.page_size, json.paging.pages], [1, 100, 1]);
  });

  test('a page past the last, on badges.json and users.json alike: empty, prev to the last page', async () => {
    for (const list of ['badges', 'users']) {
      const { status, json } = await h.request('GET', `/v1/demo/${list}.json?page=7&page_size=2`);
      assert.equal(status, 200);
      assert.deepEqual(json[list], []);
      assert.equal(json.paging.prev, `/v1/demo/${list}.json?page=${list === 'badges' ? 3 : 2}&page_size=2`);
      assert.equal(json.paging.next, null);
    }
  });

  for (const [query, code] of [
    ['page=0', 'invalid_page'],
    ['page=x', 'invalid_page'],
    ['page_size=0', 'invalid_page_size'],
    ['page_size=1001', 'invalid_page_size'],
  ]) {
    test(`badges.json?${query} is refused (${code})`, async () => {
      const { status, json } = await h.request('GET', `/v1/demo/badges.json?${query}`);
      assert.equal(status, 400);
      assert.equal(json.error.code, code);
    });
  }

  test('writes answer every badge, unpaged', async () => {
    const many = Array.from({ length: 100 }, (_, i) => ({ name: `b${String(i).padStart(3, '0')}` }));
    const { json } = await h.request('PUT', '/v1/demo/badges.json', { body: { badges: many }, headers: { authorization: h.key } });
    assert.equal(json.badges.length, 105);
    assert.equal(json.paging, undefined);
    const paged = await h.request('GET', '/v1/demo/badges.json');
    assert.equal(paged.json.badges.length, 100);
    assert.equal(paged.json.paging.next, '/v1/demo/badges.json?page=2&page_size=100');
  });
});

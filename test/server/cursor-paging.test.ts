import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SORT_KEYS } from '../../types/api.js';
import { start, type Harness } from './harness.js';

/**
 * Paging by cursor on the lists that a store keeps (issue 25): following `next` from the first page
 * walks every entry once, in order, while writes land between pages; page numbers still work (v1);
 * a cursor that is not one of ours is a 400. TEST_STORE=postgres runs it on PostgreSQL.
 */
describe('lists paged by cursor', () => {
  let h: Harness;
  before(async () => {
    h = await start();
    for (let i = 0; i < 30; i++) await h.domain.award('demo', `u${String(i * 2).padStart(3, '0')}`, i % 3 === 0 ? ['commenter', 'commenter'] : ['donated']);
  });
  after(() => h.close());

  const auth = () => ({ authorization: h.key });
  /** Every page from `first` on, following `next`; `between` runs after each page. */
  async function walk(first: string, list: string, between: (page: number) => Promise<void> = async () => {}) {
    const pages: any[][] = [];
    for (let url: string | null = first; url !== null; ) {
      const { status, json, text } = await h.request('GET', url, { headers: auth() });
      assert.equal(status, 200, text);
      pages.push(json[list]);
      if (pages.length > 1) assert.deepEqual(Object.keys(json.paging).sort(), ['next', 'page_size'], 'a page read by cursor counts nothing');
      url = json.paging.next;
      if (url !== null) assert.match(url, /[?&]cursor=[A-Za-z0-9_-]+$/);
      await between(pages.length);
      assert.ok(pages.length < 100, 'the walk ends');
    }
    return pages;
  }

  test('users.json: every user once, in each order, as the page numbers list them', async () => {
    for (const sort of SORT_KEYS) {
      const whole = await h.request('GET', `/v1/demo/users.json?sort=${sort}&page=1&page_size=1000`);
      const pages = await walk(`/v1/demo/users.json?sort=${sort}&page_size=7`, 'users');
      assert.deepEqual(pages.flat().map((u) => u.name), whole.json.users.map((u: { name: string }) => u.name), sort);
      assert.ok(pages.slice(0, -1).every((page) => page.length === 7), `${sort}: full pages but the last`);
    }
  });

  test('users.json: awards and new users between pages; each user there at the start comes once, in name order', async () => {
    const before = (await h.request('GET', '/v1/demo/users.json?page=1&page_size=1000')).json.users.map((u: { name: string }) => u.name) as string[];
    let added = 0;
    const pages = await walk('/v1/demo/users.json?page_size=6', 'users', async () => {
      // New users before and after the cursor, and more awards to users on both sides of it.
      await h.domain.award('demo', `u${String(added * 4 + 1).padStart(3, '0')}`, ['donated']);
      await h.domain.award('demo', `zz${added}`, ['donated']);
      await h.domain.award('demo', before[added]!, ['commenter']);
      await h.domain.award('demo', before.at(-1 - added)!, ['commenter']);
      added++;
    });
    const walked = pages.flat().map((u) => u.name as string);
    assert.equal(new Set(walked).size, walked.length, 'no user twice');
    assert.deepEqual([...walked].sort(), walked, 'in name order');
    for (const name of before) assert.ok(walked.includes(name), `${name}, there from the start, is walked`);
    assert.ok(walked.includes('zz0'), 'a user added after the cursor is reached');
  });

  test("claim codes: each code once, in order, while codes are made between pages; page numbers list the same", async () => {
    const made = await h.request('POST', '/v1/demo/badges/commenter/claim-codes.json', { body: { count: 23 }, headers: auth() });
    assert.equal(made.status, 201, made.text);
    const whole = (await h.request('GET', '/v1/demo/badges/commenter/claim-codes.json?page=1&page_size=1000', { headers: auth() })).json.codes.map((c: { code: string }) => c.code) as string[];
    const pages = await walk('/v1/demo/badges/commenter/claim-codes.json?page_size=5', 'codes', async () => {
      assert.equal((await h.request('POST', '/v1/demo/badges/commenter/claim-codes.json', { body: { count: 2 }, headers: auth() })).status, 201);
    });
    const walked = pages.flat().map((c) => c.code as string);
    assert.equal(new Set(walked).size, walked.length, 'no code twice');
    assert.deepEqual(walked.slice(0, whole.length), whole, 'the codes there at the start first, in order');
    assert.ok(walked.length > whole.length, 'codes made after the cursor are reached');
    const second = await h.request('GET', '/v1/demo/badges/commenter/claim-codes.json?page=2&page_size=5', { headers: auth() });
    assert.deepEqual(second.json.codes.map((c: { code: string }) => c.code), walked.slice(5, 10));
    assert.deepEqual([second.json.paging.page, second.json.paging.next], [2, '/v1/demo/badges/commenter/claim-codes.json?page=3&page_size=5'], 'page numbers link page numbers (v1)');
  });

  const lists = ['/v1/demo/users.json', '/v1/demo/users.json?sort=-count', '/v1/demo/badges/commenter/claim-codes.json', '/v1/demo/invitations.json', '/v1/demo/events/rejected.json'];
  const notOurs = [
    ['not base64 JSON', 'bm9wZQ'],
    ['not a cursor at all', '!!'],
    ['a place of another list', Buffer.from(JSON.stringify([1, 2, 3])).toString('base64url')],
  ];
  for (const list of lists) {
    test(`${list}: a cursor that is not one of ours is a 400 with a JSON error; so are page and cursor together`, async () => {
      const join = list.includes('?') ? '&' : '?';
      for (const [what, cursor] of notOurs) {
        const { status, json } = await h.request('GET', `${list}${join}cursor=${encodeURIComponent(cursor!)}`, { headers: auth() });
        assert.equal(status, 400, what);
        assert.equal(json.error.code, 'invalid_cursor', what);
        assert.equal(typeof json.error.message, 'string');
      }
      const first = await h.request('GET', `${list}${join}page_size=1`, { headers: auth() });
      const next = first.json.paging.next ?? `${list}${join}cursor=${Buffer.from(JSON.stringify(['a', 'b'])).toString('base64url')}`;
      const both = await h.request('GET', `${next}&page=2`, { headers: auth() });
      assert.equal(both.status, 400);
      assert.equal(both.json.error.code, 'invalid_page');
    });
  }
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { start, type Harness } from './harness.js';

/**
 * The activity feed shows nothing private publicly, counts what it shows, says that it varies by
 * Authorization, and pages by a cursor that reaches any depth (issue 18.5). Two services side by
 * side: `shop` keeps its events private, `club` made them public.
 */

const close = { source: 'tracker', type: 'task', action: 'close' };
const iso = (ms: number) => new Date(ms).toISOString();

describe('the activity feed (issue 18.5)', () => {
  let h: Harness;
  const as = (service: string) => ({ authorization: `${service}-key` });
  const send = (service: string, method: string, path: string, body?: unknown) => h.request(method, `/v1/${service}${path}`, { body, headers: as(service) });
  const get = (path: string, headers: Record<string, string> = {}) => h.request('GET', path, { headers });
  /** Every entry of a feed, following `next` from `path`. */
  const all = async (path: string, headers: Record<string, string> = {}) => {
    const entries: { type: string; at: string; badge?: string; event?: string }[] = [];
    let pages = 0;
    for (let next: string | null = path; next; pages++) {
      const page = await get(next, headers);
      assert.equal(page.status, 200, page.text);
      entries.push(...page.json.activity);
      next = page.json.paging.next;
      assert.ok(pages < 1000, 'the pages end');
    }
    return entries;
  };

  before(async () => {
    h = await start();
    for (const service of ['shop', 'club']) {
      await h.domain.createService(service, `${service}-key`);
      await send(service, 'PUT', '/event-types.json', { eventTypes: [close] });
      await send(service, 'PUT', '/badges.json', { badges: [{ name: 'closer' }, { name: 'retired', display_date_end: '2026-01-01T00:00:00Z' }] });
      await send(service, 'POST', '/rules.json', { id: 'closer', badge: 'closer', condition: 'first', eventTypes: [close] });
    }
    await send('club', 'PUT', '/event-settings.json', { publicEvents: true });
    for (const service of ['shop', 'club']) {
      const sent = await send(service, 'POST', '/events.json', { events: [{ eventType: close, id: `${service}-secret-1`, user: 'ann', preview: 'Fix the private repo', permalink: 'https://internal.example/secret/1' }] });
      assert.deepEqual(sent.json.events[0].awards, ['closer'], sent.text);
    }
  });
  after(() => h.close());

  test("while events are private, a public award entry does not repeat its event's id, preview or permalink", async () => {
    const anonymous = await get('/v1/shop/activity.json');
    assert.equal(anonymous.json.events, false);
    const award = anonymous.json.activity.find((e: { type: string }) => e.type === 'award');
    assert.deepEqual(award, { type: 'award', at: award.at, user: 'ann', badge: 'closer', count: 1, rule: 'closer' });
    assert.ok(!anonymous.text.includes('secret'), anonymous.text);
    assert.ok(!(await get('/v1/shop/users/ann/activity.json')).text.includes('secret'));

    const withKey = await get('/v1/shop/activity.json', as('shop'));
    const awarded = withKey.json.activity.find((e: { type: string }) => e.type === 'award');
    assert.deepEqual([awarded.event, awarded.preview, awarded.permalink], ['shop-secret-1', 'Fix the private repo', 'https://internal.example/secret/1']);
    // The other service made its events public: its award says where it came from, to anyone.
    const club = (await get('/v1/club/activity.json')).json.activity.find((e: { type: string }) => e.type === 'award');
    assert.equal(club.event, 'club-secret-1');
  });

  test('the answer varies by Authorization, and says so', async () => {
    for (const path of ['/v1/shop/activity.json', '/v1/shop/users/ann/activity.json']) {
      assert.match((await get(path)).headers.get('vary') ?? '', /authorization/i, path);
      assert.match((await get(path, as('shop'))).headers.get('vary') ?? '', /authorization/i, path);
    }
  });

  test('awards of a badge outside its display window are neither shown nor counted, in either service; paging collects exactly what is shown', async () => {
    const now = Date.now();
    for (const service of ['shop', 'club']) {
      await h.domain.run(service, async (tx) => {
        for (let i = 0; i < 30; i++) tx.put({ t: 'item', s: service, v: { kind: 'activity', id: `hidden${i}`, owner: 'bob', at: iso(now - 60_000 + i), v: { type: 'award', badge: 'retired', count: 1 } } });
        for (let i = 0; i < 5; i++) tx.put({ t: 'item', s: service, v: { kind: 'activity', id: `shown${i}`, owner: 'bob', at: iso(now - 30_000 + i * 7), v: { type: 'award', badge: 'closer', count: 1 } } });
      });
    }
    const first = await get('/v1/shop/users/bob/activity.json?page_size=2');
    assert.equal(first.json.paging.total, 5);
    const entries = await all('/v1/shop/users/bob/activity.json?page_size=2');
    assert.equal(entries.length, 5);
    assert.ok(entries.every((e) => e.badge === 'closer'));
    const feed = await get('/v1/club/activity.json?page_size=1');
    const everything = await all('/v1/club/activity.json?page_size=3');
    assert.equal(feed.json.paging.total, everything.length, 'the total is what paging shows');
    assert.ok(everything.every((e) => e.badge !== 'retired'));
    // With page numbers too.
    const numbered = await get('/v1/shop/users/bob/activity.json?page=3&page_size=2');
    assert.deepEqual([numbered.json.activity.length, numbered.json.paging.pages], [1, 3]);
  });

  test('the cursor reaches any depth: 25,000 entries paged through in order, without a gap or a repeat, each page the same size', async () => {
    const now = Date.parse('2026-06-01T00:00:00Z');
    await h.domain.run('club', async (tx) => {
      for (let i = 0; i < 25_000; i++) tx.put({ t: 'item', s: 'club', v: { kind: 'activity', id: `d${i}`, owner: 'deep', at: iso(now - i * 1000), v: { type: 'award', badge: 'closer', count: 1 } } });
      for (let i = 0; i < 500; i++) tx.put({ t: 'item', s: 'club', v: { kind: 'event', id: `ev${i}`, owner: 'deep', at: iso(now - i * 50_000 - 500), v: { t: 'tracker/task/close' } } });
    });
    const pages: number[] = [];
    const seen = new Set<string>();
    let previous = '9999';
    for (let next: string | null = '/v1/club/users/deep/activity.json?page_size=1000'; next; ) {
      const page = await get(next);
      assert.equal(page.status, 200, page.text);
      pages.push(page.json.activity.length);
      for (const e of page.json.activity as { at: string; badge?: string; event?: string }[]) {
        const id = `${e.at} ${e.badge ?? e.event}`;
        assert.ok(!seen.has(id), `a repeat: ${id}`);
        assert.ok(e.at <= previous, 'newest first');
        seen.add(id);
        previous = e.at;
      }
      next = page.json.paging.next;
    }
    assert.equal(seen.size, 25_500);
    assert.deepEqual(pages, [...Array(25).fill(1000), 500]);
    const deep = await get('/v1/club/users/deep/activity.json?page=11&page_size=1000');
    assert.equal(deep.json.error.code, 'page_too_deep', 'page numbers stop where the cursor goes on');
    for (const cursor of ['nope!', Buffer.from('[1,2,3]').toString('base64url')]) {
      assert.equal((await get(`/v1/club/activity.json?cursor=${cursor}`)).json.error.code, 'invalid_cursor');
    }
    assert.equal((await get('/v1/club/activity.json?cursor=abc&page=2')).status, 400);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { start, type Harness } from './harness.js';

/**
 * CrowdTwist's badges API (v2.1, `../shared/reference/crowdtwist-badges-v2.1.txt`) at its path (issue
 * 24, item 12), on the store TEST_STORE names: their field shapes written and answered, their paging
 * names and limits, every field they mark required, an integer id kept per badge, and segment
 * eligibility obeyed by every award.
 */

const TOKEN = 'crowdtwist-test-admin-token';
const LIST = '/crowdtwist/arena/v2.1/badges';

/** Their documentation's sample badge, as their listing answers it (the id a string of digits, as there). */
const SAMPLE = {
  id: '123456',
  name: 'badge_001',
  title: 'Game Attendance',
  badge_states: [
    { state: 'unearned', order: 1, description: 'Attend a game to show your fanage', image_url: 'http://www.imagestorage.com/image' },
    { state: 'earned', order: 2, description: 'You attended a game, way to go!', image_url: 'http://www.imagestorage.com/image' },
  ],
  date_start: '2019-05-03T19:01:23.000Z',
  date_end: '2039-05-03T19:01:23.000Z',
  display_date_start: '2019-05-03T19:01:23.000Z',
  display_date_end: '2039-05-03T19:01:23.000Z',
  is_enabled: 1,
  frequency: { freq_cap: 1, freq_period_id: 1, freq_period_name: 'week', freq_max: 5 },
  tags: [
    { tag_name: 'Football', tag_id: 1 },
    { tag_name: 'Cricket', tag_id: 2 },
  ],
  badge_extra_data: { customer_variable: 'customer data' },
  segment: [{ name: 'Canada Members', subscription_id: 1043, eligibility_type: 'inclusion' }],
};

const REQUIRED = ['id', 'name', 'title', 'date_start', 'display_date_start', 'is_enabled', 'badge_states', 'frequency', 'tags', 'badge_extra_data', 'segment'];

describe('CrowdTwist badges API compatibility', () => {
  let h: Harness;
  let key: string;
  const as = (method: string, path: string, body?: unknown) => h.request(method, path, { body, headers: { authorization: key } });

  before(async () => {
    h = await start({ config: { adminToken: TOKEN } });
    const created = await h.request('POST', '/admin/services', { headers: { authorization: `Bearer ${TOKEN}` }, body: { name: 'arena' } });
    assert.equal(created.status, 201, created.text);
    key = created.json.key;
  });
  after(() => h.close());

  test('their badge, written in their shape, is answered in it, every required field present', async () => {
    const put = await as('PUT', LIST, { badges: [SAMPLE] });
    assert.equal(put.status, 200, put.text);
    const r = await h.request('GET', `${LIST}?api_key=QWERTYP`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.paging, { total: 1, pages: 1, next_page: null, prev_page: null });
    const [badge] = r.json.badges;
    assert.deepEqual(badge, { ...SAMPLE, id: 123456 });
    assert.deepEqual(put.json.badges, r.json.badges);
    // The same badge at our path, in our shapes: the terms every award obeys.
    const ours = await h.request('GET', '/v1/arena/badges.json');
    const v1 = ours.json.badges[0];
    assert.equal(v1.is_enabled, true);
    assert.deepEqual(v1.tags, ['Football', 'Cricket']);
    assert.deepEqual(v1.frequency, { freq_cap: 1, freq_period_id: 1, freq_period: 'week', freq_max: 5 });
  });

  test('a badge written at our path has every field they mark required, and an integer id that stays', async () => {
    assert.equal((await as('PUT', '/v1/arena/badges.json', { badges: [{ name: 'plain' }, { name: 'later', is_enabled: false, description: 'Later on', image: '/img/later.svg' }] })).status, 200);
    const first = (await h.request('GET', LIST)).json.badges;
    for (const badge of first) for (const field of REQUIRED) assert.ok(field in badge, `${badge.name} has ${field}`);
    const plain = first.find((b: { name: string }) => b.name === 'plain');
    const later = first.find((b: { name: string }) => b.name === 'later');
    assert.ok(Number.isInteger(plain.id) && Number.isInteger(later.id) && plain.id !== later.id && plain.id !== 123456);
    assert.deepEqual([plain.title, plain.is_enabled, plain.frequency, plain.tags, plain.segment, plain.badge_extra_data], ['plain', 1, {}, [], [], {}]);
    assert.deepEqual(later.badge_states, [{ state: 'earned', order: 1, description: 'Later on', image_url: '/img/later.svg' }]);
    assert.equal(later.is_enabled, 0);
    // Deleting a badge before them changes no one's id: not a place in a list.
    assert.equal((await as('DELETE', '/v1/arena/badges.json', { badges: ['badge_001'] })).status, 200);
    const second = (await h.request('GET', LIST)).json.badges;
    assert.deepEqual(
      second.map((b: { name: string; id: number }) => [b.name, b.id]),
      [
        ['plain', plain.id],
        ['later', later.id],
      ],
    );
    assert.equal((await as('PUT', LIST, { badges: [SAMPLE] })).status, 200);
    // A public read, as ours: a badge outside its display window is left out (disabled ones are listed).
    assert.equal((await as('PUT', '/v1/arena/badges.json', { badges: [{ name: 'secret', display_date_start: '2099-01-01T00:00:00Z' }] })).status, 200);
    assert.equal((await h.request('GET', LIST)).json.badges.some((b: { name: string }) => b.name === 'secret'), false);
    assert.equal((await as('DELETE', '/v1/arena/badges.json', { badges: ['secret'] })).status, 200);
    // An id another badge has is refused, and nothing is written.
    const taken = await as('PUT', LIST, { badges: [{ name: 'thief', id: plain.id }] });
    assert.deepEqual([taken.status, taken.json.error.code], [409, 'badge_id_taken']);
    assert.equal((await h.request('GET', '/v1/arena/badges.json')).json.badges.some((b: { name: string }) => b.name === 'thief'), false);
  });

  test('their paging: 10 by default, at most 25, next_page and prev_page; out of range as their documentation says', async () => {
    const many = Array.from({ length: 27 }, (_, i) => ({ name: `p${String(i).padStart(2, '0')}` }));
    assert.equal((await as('PUT', '/v1/arena/badges.json', { badges: many })).status, 200);
    const first = await h.request('GET', LIST);
    const total = first.json.paging.total;
    assert.equal(total, 30);
    assert.equal(first.json.badges.length, 10);
    assert.deepEqual(first.json.paging, { total, pages: 3, next_page: `${h.base}${LIST}?page=2&page_size=10`, prev_page: null });
    const next = await fetch(first.json.paging.next_page).then((r) => r.json());
    assert.equal(next.badges.length, 10);
    assert.equal(next.paging.prev_page, `${h.base}${LIST}?page=1&page_size=10`);
    const big = await h.request('GET', `${LIST}?page_size=25&page=2`);
    assert.deepEqual([big.json.badges.length, big.json.paging.pages, big.json.paging.next_page], [5, 2, null]);
    // A page that is not a number is the first; 0 or less is empty and leads to page 1; past the last is empty and leads back.
    assert.deepEqual((await h.request('GET', `${LIST}?page=abc`)).json.badges.map((b: { id: number }) => b.id), first.json.badges.map((b: { id: number }) => b.id));
    for (const page of ['0', '-3']) {
      const r = await h.request('GET', `${LIST}?page=${page}`);
      assert.deepEqual([r.status, r.json.badges, r.json.paging.next_page, r.json.paging.prev_page], [200, [], `${h.base}${LIST}?page=1&page_size=10`, null]);
    }
    const past = await h.request('GET', `${LIST}?page=9&page_size=15`);
    assert.deepEqual([past.json.badges, past.json.paging.next_page, past.json.paging.prev_page], [[], null, `${h.base}${LIST}?page=2&page_size=15`]);
  });

  test('segment eligibility: a badge for some segments of members and not others, obeyed by every award', async () => {
    const segmented = {
      badges: [
        { name: 'canada-only', segment: [{ name: 'Canada Members', subscription_id: 1043, eligibility_type: 'inclusion' }] },
        { name: 'not-staff', segment: [{ name: 'Staff', subscription_id: 7, eligibility_type: 'exclusion' }] },
      ],
    };
    assert.equal((await as('PUT', LIST, segmented)).status, 200);
    assert.deepEqual((await as('PUT', '/v1/arena/users/ann/segments.json', { segments: [1043, 1043, 12] })).json, { user: 'ann', segments: [12, 1043] });
    assert.deepEqual((await as('PUT', '/v1/arena/users/sam/segments.json', { segments: [7] })).json, { user: 'sam', segments: [7] });
    assert.deepEqual((await as('GET', '/v1/arena/users/sam/segments.json')).json, { user: 'sam', segments: [7] });
    assert.deepEqual((await as('GET', '/v1/arena/users/bob/segments.json')).json, { user: 'bob', segments: [] });

    const award = async (user: string) => (await as('PUT', `/v1/arena/users/${user}.json`, { badges: ['canada-only', 'not-staff'] })).json;
    const ann = await award('ann');
    assert.deepEqual(ann.skipped, []);
    const sam = await award('sam');
    assert.deepEqual(sam.skipped, [
      { badge: 'canada-only', reason: 'not_eligible' },
      { badge: 'not-staff', reason: 'not_eligible' },
    ]);
    // A member never given a segment is in none: not for an inclusion, fine for an exclusion.
    assert.deepEqual((await award('bob')).skipped, [{ badge: 'canada-only', reason: 'not_eligible' }]);
    // Every path that awards obeys it: badges.mozilla.org's award by address too.
    assert.equal((await as('PUT', '/v1/arena/users/sam/emails.json', { emails: ['sam@example.org'] })).status, 200);
    const bulk = await as('POST', '/v1/arena/badges/canada-only/awards.json', { emails: ['sam@example.org'] });
    assert.equal(bulk.status, 200, bulk.text);
    assert.deepEqual(bulk.json.errors, { 'sam@example.org': 'NOT_ELIGIBLE' });
    // Offered as unearned only to those who may earn it, in the cached read of names too, as segments change.
    for (const user of ['cal', 'sam']) assert.equal((await as('PUT', `/v1/arena/users/${user}.json`, { badges: ['plain'] })).status, 200);
    const offered = async (user: string) => {
      const unearned = (badges: { name: string; state: string }[]) => badges.filter((b) => b.state === 'unearned' && ['canada-only', 'not-staff'].includes(b.name)).map((b) => b.name);
      const listed = unearned((await h.request('GET', `/v1/arena/users.json?names=${user}&states=all`)).json.users[0].badges);
      assert.deepEqual(unearned((await h.request('GET', `/v1/arena/users/${user}.json?states=all`)).json.badges), listed);
      return listed;
    };
    assert.deepEqual(await offered('cal'), ['not-staff']);
    assert.deepEqual(await offered('sam'), []);
    assert.equal((await as('PUT', '/v1/arena/users/cal/segments.json', { segments: [1043] })).status, 200);
    assert.deepEqual(await offered('cal'), ['canada-only', 'not-staff']);
    // Out of the segment, in again: the rule reads the member's segments at each award.
    assert.equal((await as('PUT', '/v1/arena/users/sam/segments.json', { segments: [1043] })).status, 200);
    assert.deepEqual((await award('sam')).skipped, []);
    const held = await h.request('GET', '/v1/arena/users/sam.json');
    assert.deepEqual(held.json.badges.map((b: { name: string }) => b.name).sort(), ['canada-only', 'not-staff', 'plain']);
    // A member's segments are their data: they move with a rename and go with an erasure.
    assert.equal((await as('POST', '/v1/arena/users/sam/rename.json', { to: 'samuel' })).status, 200);
    assert.deepEqual((await as('GET', '/v1/arena/users/samuel/segments.json')).json.segments, [1043]);
    assert.deepEqual((await as('GET', '/v1/arena/users/sam/segments.json')).json.segments, []);
    assert.equal((await as('POST', '/v1/arena/users/samuel/erase.json')).status, 200);
    assert.deepEqual((await as('GET', '/v1/arena/users/samuel/segments.json')).json.segments, []);
  });

  test('every bad input is a 4xx JSON error and changes nothing', async () => {
    const before = (await h.request('GET', '/v1/arena/badges.json?page_size=1000')).text;
    const bad: [string, string, unknown, number, string][] = [
      ['PUT', LIST, { badges: [{ name: 'x', is_enabled: 2 }] }, 400, 'invalid_is_enabled'],
      ['PUT', LIST, { badges: [{ name: 'x', is_enabled: '1' }] }, 400, 'invalid_is_enabled'],
      ['PUT', LIST, { badges: [{ name: 'x', tags: ['Football'] }] }, 400, 'invalid_tags'],
      ['PUT', LIST, { badges: [{ name: 'x', tags: [{ tag_name: 'a,b' }] }] }, 400, 'invalid_tags'],
      ['PUT', LIST, { badges: [{ name: 'x', frequency: { freq_cap: 1, freq_period_name: 'fortnight' } }] }, 400, 'invalid_frequency'],
      ['PUT', LIST, { badges: [{ name: 'x', frequency: { freq_cap: 1, freq_period_id: 1 } }] }, 400, 'invalid_frequency'],
      ['PUT', LIST, { badges: [{ name: 'x', frequency: { freq_cap: 1 } }] }, 400, 'invalid_frequency'],
      ['PUT', LIST, { badges: [{ name: 'x', badge_states: [{ state: 'earned', order: 0 }] }] }, 400, 'invalid_badge_states'],
      ['PUT', LIST, { badges: [{ name: 'x', badge_states: [{ state: 'earned', order: 1 }, { state: 'unearned', order: 1 }] }] }, 400, 'invalid_badge_states'],
      ['PUT', LIST, { badges: [{ name: 'x', segment: [{ subscription_id: 1043, eligibility_type: 'maybe' }] }] }, 400, 'invalid_segment'],
      ['PUT', LIST, { badges: [{ name: 'x', segment: [{ name: 'no id' }] }] }, 400, 'invalid_segment'],
      ['PUT', LIST, { badges: [{ name: 'x', id: 0 }] }, 400, 'invalid_id'],
      ['PUT', LIST, { badges: [{ name: 'x', id: '9999999999' }] }, 400, 'invalid_id'],
      ['PUT', LIST, { badges: [{ name: 'x', id: 1.5 }] }, 400, 'invalid_id'],
      ['PUT', LIST, { badges: [{ name: 'x', date_start: 'yesterday' }] }, 400, 'invalid_date'],
      ['PUT', LIST, { badges: [{ name: 'x', date_start: '2030-01-01T00:00:00Z', date_end: '2029-01-01T00:00:00Z' }] }, 400, 'invalid_date_range'],
      ['PUT', LIST, { badges: [{ name: 'x', surprise: 1 }] }, 400, 'invalid_badge'],
      ['PUT', LIST, { badges: [] }, 400, 'invalid_body'],
      ['PUT', LIST, { badges: [{ title: 'no name' }] }, 400, 'invalid_badge'],
      ['GET', `${LIST}?page_size=26`, undefined, 400, 'invalid_page_size'],
      ['GET', `${LIST}?page_size=0`, undefined, 400, 'invalid_page_size'],
      ['GET', `${LIST}?page_size=ten`, undefined, 400, 'invalid_page_size'],
      ['GET', '/crowdtwist/nowhere/v2.1/badges', undefined, 404, 'service_not_found'],
      ['PUT', '/v1/arena/users/ann/segments.json', { segments: [0] }, 400, 'invalid_segments'],
      ['PUT', '/v1/arena/users/ann/segments.json', { segments: '1043' }, 400, 'invalid_segments'],
      ['PUT', '/v1/arena/badges.json', { badges: [{ name: 'x', is_enabled: 1 }] }, 400, 'invalid_is_enabled'],
      ['PUT', '/v1/arena/badges.json', { badges: [{ name: 'x', segment: [{ subscription_id: -1 }] }] }, 400, 'invalid_segment'],
    ];
    for (const [method, path, body, status, code] of bad) {
      const r = await as(method, path, body);
      assert.equal(r.status, status, `${method} ${path} ${JSON.stringify(body)}: ${r.text}`);
      assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
      assert.equal(r.json.error.code, code, `${method} ${path} ${JSON.stringify(body)}`);
    }
    // Unsigned writes are refused as at our path; api_key is taken only by their listing.
    assert.equal((await h.request('PUT', LIST, { body: { badges: [{ name: 'x' }] } })).status, 401);
    assert.deepEqual([(await h.request('GET', '/v1/arena/badges.json?api_key=QWERTYP')).json.error.code], ['key_in_url']);
    assert.equal((await h.request('GET', '/v1/arena/badges.json?page_size=1000')).text, before);
    assert.deepEqual((await as('GET', '/v1/arena/users/ann/segments.json')).json.segments, [12, 1043]);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { start, type Harness } from './harness.js';

/** Reads with `states=all`, `tags`, and the display window, on every public read and through the cache. */

const T0 = Date.parse('2026-11-02T09:00:00Z');
const HOUR = 3_600_000;
let now = T0;
let h: Harness;
const auth = () => ({ authorization: h.key });
const names = (list: { name: string }[]) => list.map((b) => b.name);
const get = async (path: string) => (await h.request('GET', path)).json;

describe('states, tags and display windows in reads', () => {
  before(async () => {
    h = await start({ config: { now: () => now } });
    const badges = [
      { name: 'lessons', title: 'Five lessons', goal: 5, tags: ['learning'], badge_states: [{ state: 'unearned', description: 'Take five lessons' }] },
      { name: 'quiz', tags: ['learning', 'games'] },
      { name: 'retired', is_enabled: false, tags: ['learning'] },
      { name: 'soon', tags: ['learning'], display_date_start: new Date(T0 + HOUR).toISOString() },
      { name: 'fading', display_date_end: new Date(T0 + 2 * HOUR).toISOString() },
    ];
    assert.equal((await h.request('PUT', '/v1/demo/badges.json', { body: { badges }, headers: auth() })).status, 200);
    // ann holds the disabled badge and the fading one, and is on her way to lessons.
    await h.domain.award('demo', 'ann', ['fading', 'popular'], new Date(T0 - HOUR));
    await h.request('PUT', '/v1/demo/badges.json', { body: { badges: [{ name: 'retired', is_enabled: true }] }, headers: auth() });
    await h.domain.award('demo', 'ann', ['retired'], new Date(T0 - HOUR));
    await h.request('PUT', '/v1/demo/badges.json', { body: { badges: [{ name: 'retired', is_enabled: false }] }, headers: auth() });
    await h.domain.setProgress('demo', 'ann', { lessons: 2 });
  });
  after(() => h.close());

  test('states=all lists every listable badge with its state; a disabled one only to its holders', async () => {
    const ann = await get('/v1/demo/users/ann.json?states=all');
    assert.deepEqual(
      ann.badges.map((b: { name: string; state: string }) => [b.name, b.state]),
      [
        ['fading', 'earned'],
        ['popular', 'earned'],
        ['retired', 'earned'],
        ['donated', 'unearned'],
        ['commenter', 'unearned'],
        ['reviewer', 'unearned'],
        ['founder', 'unearned'],
        ['lessons', 'in_progress'],
        ['quiz', 'unearned'],
      ],
    );
    assert.deepEqual(ann.badges.find((b: { name: string }) => b.name === 'quiz'), { name: 'quiz', count: 0, latest: null, state: 'unearned' });
    const bob = await get('/v1/demo/users/bob.json?states=all');
    assert.ok(!names(bob.badges).includes('retired'), 'nobody is offered a badge they cannot earn');
  });

  test('without states=all: earned badges only, and no state', async () => {
    const ann = await get('/v1/demo/users/ann.json');
    assert.deepEqual(names(ann.badges), ['fading', 'popular', 'retired']);
    assert.ok(ann.badges.every((b: object) => !('state' in b)));
  });

  test("users.json's badges map carries every badge listed, with its fields", async () => {
    const { badges, users } = await get('/v1/demo/users.json?names=ann,bob&states=all');
    assert.deepEqual(users.map((u: { name: string }) => u.name), ['ann', 'bob']);
    assert.deepEqual(badges.lessons, { title: 'Five lessons', goal: 5, tags: ['learning'], badge_states: [{ state: 'unearned', description: 'Take five lessons' }], count: 0, latest: null });
    assert.ok('retired' in badges && 'quiz' in badges && !('soon' in badges));
    const paged = await get('/v1/demo/users.json?states=all&page_size=1');
    assert.equal(paged.users[0].name, 'alice');
    // Without `page`, next goes on by cursor, keeping states (issue 25); with it, by page number (v1).
    assert.match(paged.paging.next, /^\/v1\/demo\/users\.json\?states=all&page_size=1&cursor=[A-Za-z0-9_-]+$/);
    assert.equal((await get('/v1/demo/users.json?states=all&page=1&page_size=1')).paging.next, '/v1/demo/users.json?states=all&page=2&page_size=1');
  });

  test('tags keep the badges having any of them, on badges.json, users.json and user reads', async () => {
    assert.deepEqual(names((await get('/v1/demo/badges.json?tags=games,nothing')).badges), ['quiz']);
    assert.deepEqual(names((await get('/v1/demo/badges.json?tags=learning')).badges), ['lessons', 'quiz', 'retired']);
    assert.deepEqual(names((await get('/v1/demo/users/ann.json?tags=learning')).badges), ['retired']);
    assert.deepEqual(names((await get('/v1/demo/users/ann.json?tags=learning&states=all')).badges), ['retired', 'lessons', 'quiz']);
    const many = await get('/v1/demo/users.json?names=ann&tags=learning&tags=games');
    assert.deepEqual([Object.keys(many.badges), names(many.users[0].badges)], [['retired'], ['retired']]);
    assert.equal((await h.request('GET', '/v1/demo/badges.json?tags=a%2C%2Cb')).status, 200, 'empty entries are dropped');
  });

  test('a badge outside its display window is left out of every public read, earned or not, and comes and goes with the clock', async () => {
    const reads = async () => ({
      badges: names((await get('/v1/demo/badges.json')).badges),
      user: names((await get('/v1/demo/users/ann.json?states=all')).badges),
      // Through the cache (and the fast path): the answer must not outlive a window's edge.
      cached: names((await get('/v1/demo/users.json?names=ann')).users[0].badges),
      cachedAll: Object.keys((await get('/v1/demo/users.json?names=ann&states=all')).badges),
    });
    const at = async (t: number) => ((now = t), reads());
    const first = await at(T0);
    assert.ok(first.badges.includes('fading') && !first.badges.includes('soon'));
    assert.ok(!first.user.includes('soon') && !first.cachedAll.includes('soon'));
    assert.ok(first.cached.includes('fading'));
    const later = await at(T0 + HOUR);
    assert.ok(later.badges.includes('soon') && later.user.includes('soon') && later.cachedAll.includes('soon'));
    const gone = await at(T0 + 2 * HOUR);
    for (const list of Object.values(gone)) assert.ok(!list.includes('fading'), JSON.stringify(gone));
    now = T0;
  });

  test('a badge written invalidates cached states=all answers of users who do not hold it', async () => {
    const before = await get('/v1/demo/users.json?names=bob&states=all');
    assert.ok(!('brand-new' in before.badges));
    await h.request('PUT', '/v1/demo/badges.json', { body: { badges: [{ name: 'brand-new' }] }, headers: auth() });
    const after = await get('/v1/demo/users.json?names=bob&states=all');
    assert.ok('brand-new' in after.badges);
  });

  test('states other than earned and all are refused', async () => {
    const { status, json } = await h.request('GET', '/v1/demo/users.json?names=ann&states=unearned');
    assert.deepEqual([status, json.error.code], [400, 'invalid_states']);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { start, type Harness } from './harness.js';

/**
 * Points, leaderboards, featured and hidden badges, one badge and its holders (issue 21), on the
 * store TEST_STORE names: the same answers from the embedded store's and PostgreSQL's indexes.
 */

let now = Date.parse('2026-11-03T09:00:00Z'); // a Tuesday; the week began on Monday 2026-11-02
let h: Harness;
const KEY = 'board-key-0123456789';
const auth = { authorization: KEY };
const put = (path: string, body: unknown) => h.request('PUT', `/v1/board${path}`, { body, headers: auth });
const get = (path: string) => h.request('GET', `/v1/board${path}`);
const award = async (user: string, ...badges: string[]) => {
  now += 60_000;
  const { status, json } = await put(`/users/${user}.json`, { badges });
  assert.equal(status, 200, JSON.stringify(json));
};
const board = async (query = '') => (await get(`/leaderboard.json${query}`)).json;
const names = (answer: { users: { name: string }[] }) => answer.users.map((u) => u.name);
const at = (ms: number) => new Date(ms).toISOString();

describe('leaderboards and holders', () => {
  before(async () => {
    h = await start({ config: { now: () => now } });
    await h.domain.createService('board', KEY);
    const { status, json } = await put('/badges.json', {
      badges: [
        { name: 'helper', points: 5 },
        { name: 'gold-star', type: 'gold' },
        { name: 'plain' },
        { name: 'secret', type: 'silver' },
        { name: 'later', display_date_start: '2027-01-01T00:00:00Z' },
      ],
    });
    assert.equal(status, 200, JSON.stringify(json));
  });
  after(() => h.close());

  test('points are checked like the other fields with a meaning', async () => {
    for (const points of [-1, 1.5, '3', 2_000_000]) {
      const { status, json } = await put('/badges.json', { badges: [{ name: 'helper', points }] });
      assert.equal(status, 400);
      assert.equal(json.error.code, 'invalid_points');
    }
    assert.equal((await get('/badges/helper.json')).json.badge.points, 5);
  });

  test('scores: every award counts with its points, tiers by default; ties go to who reached the score first', async () => {
    await award('ann', 'helper'); // ann 5
    await award('bob', 'gold-star'); // bob 10, reached now
    const bobReached = now;
    await award('ann', 'helper'); // ann 10, reached later than bob
    await award('cat', 'plain'); // cat 1
    const answer = await board();
    assert.equal(answer.period, 'all');
    assert.equal(answer.start, null);
    assert.deepEqual(answer.users, [
      { rank: 1, name: 'bob', score: 10, reached: at(bobReached) },
      { rank: 2, name: 'ann', score: 10, reached: at(now - 60_000) },
      { rank: 3, name: 'cat', score: 1, reached: at(now) },
    ]);
    assert.match(answer.ties, /reached the score first/);
    assert.equal(answer.next, null);
  });

  test('paged by cursor, ranks carried on; a foreign cursor is a 400', async () => {
    const first = await board('?limit=2');
    assert.deepEqual(names(first), ['bob', 'ann']);
    assert.ok(first.next);
    const second = (await h.request('GET', first.next)).json;
    assert.deepEqual(second.users.map((u: { rank: number; name: string }) => [u.rank, u.name]), [[3, 'cat']]);
    assert.equal(second.next, null);
    const bad = await get('/leaderboard.json?cursor=bm9wZQ');
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.code, 'invalid_cursor');
    assert.equal((await get('/leaderboard.json?period=year')).json.error.code, 'invalid_period');
  });

  test("points are counted when awarded: changing a badge's points does not rescore the past", async () => {
    await put('/badges.json', { badges: [{ name: 'helper', points: 100 }] });
    assert.equal((await board()).users.find((u: { name: string }) => u.name === 'ann').score, 10);
    await award('ann', 'helper');
    assert.deepEqual((await board()).users[0], { rank: 1, name: 'ann', score: 110, reached: at(now) });
    await put('/badges.json', { badges: [{ name: 'helper', points: 5 }] });
  });

  test('week and month: the current calendar periods in UTC, weeks from Monday', async () => {
    now = Date.parse('2026-11-09T00:00:30Z'); // Monday of the next week, same month
    await award('dan', 'plain');
    const week = await board('?period=week');
    assert.equal(week.start, '2026-11-09T00:00:00.000Z');
    assert.deepEqual(week.users.map((u: { name: string; score: number }) => [u.name, u.score]), [['dan', 1]]);
    const month = await board('?period=month');
    assert.equal(month.start, '2026-11-01T00:00:00.000Z');
    assert.deepEqual(names(month), ['ann', 'bob', 'cat', 'dan']);
    now = Date.parse('2026-12-01T10:00:00Z');
    assert.deepEqual((await board('?period=month')).users, []);
    assert.deepEqual(names(await board()), ['ann', 'bob', 'cat', 'dan']);
  });

  test("a badge's board ranks its holders by times earned; holders hiding it are left out", async () => {
    await award('eve', 'plain', 'plain', 'plain');
    await award('cat', 'plain');
    const plain = await board('?badge=plain');
    assert.equal(plain.badge, 'plain');
    assert.deepEqual(plain.users.map((u: { name: string; score: number }) => [u.name, u.score]), [['eve', 3], ['cat', 2], ['dan', 1]]);
    assert.deepEqual((await board('?badge=plain&period=month')).users.map((u: { name: string; score: number }) => [u.name, u.score]), [['eve', 3], ['cat', 1]]);
    assert.equal((await put('/users/eve/display.json', { hidden: ['plain'] })).status, 200);
    assert.deepEqual(names(await board('?badge=plain')), ['cat', 'dan']);
    // The score lists no badge: a hidden badge still counts there.
    assert.ok(names(await board()).includes('eve'));
    assert.equal((await get('/leaderboard.json?badge=nope')).json.error.code, 'badge_not_found');
  });

  test('one badge, and its holders newest first, paged; hidden holders and badges out of their window left out', async () => {
    const one = await get('/badges/plain.json');
    assert.equal(one.status, 200);
    assert.equal(one.json.badge.name, 'plain');
    assert.equal(one.json.badge.count, 6);
    const page = (await get('/badges/plain/holders.json?limit=1')).json;
    assert.deepEqual(page.holders.map((x: { name: string }) => x.name), ['cat']);
    const rest = (await h.request('GET', page.next)).json;
    assert.deepEqual(rest.holders.map((x: { name: string; count: number }) => [x.name, x.count]), [['dan', 1]]);
    assert.equal(rest.next, null);
    assert.equal((await get('/badges/later.json')).status, 404);
    assert.equal((await get('/badges/later/holders.json')).json.error.code, 'badge_not_found');
    assert.equal((await get('/badges/nope.json')).status, 404);
  });

  test('featured badges come first on the user object; hidden ones are absent from every public read', async () => {
    await award('fay', 'helper', 'gold-star', 'secret');
    assert.equal((await put('/users/fay/display.json', { featured: ['secret'] })).status, 200);
    assert.deepEqual((await get('/users/fay.json')).json.featured, ['secret']);
    const set = await put('/users/fay/display.json', { featured: ['gold-star', 'helper'], hidden: ['secret'] });
    assert.deepEqual(set.json, { user: 'fay', featured: ['gold-star', 'helper'], hidden: ['secret'] });
    const one = (await get('/users/fay.json')).json;
    assert.deepEqual(one.featured, ['gold-star', 'helper']);
    assert.deepEqual(one.badges.map((b: { name: string }) => b.name), ['helper', 'gold-star']);
    const many = (await get('/users.json?names=fay')).json;
    assert.equal(many.badges.secret, undefined);
    assert.deepEqual(many.users[0].featured, ['gold-star', 'helper']);
    const all = (await get('/users/fay.json?states=all')).json;
    assert.ok(!all.badges.some((b: { name: string }) => b.name === 'secret'));
    assert.ok(!(await get('/badges/secret/holders.json')).json.holders.some((x: { name: string }) => x.name === 'fay'));
    // The owner site reads both lists back with its key; nobody else can.
    assert.deepEqual((await h.request('GET', '/v1/board/users/fay/display.json', { headers: auth })).json.hidden, ['secret']);
    assert.equal((await get('/users/fay/display.json')).status, 401);
  });

  test('what a user may feature and hide is checked', async () => {
    const cases: [unknown, number, string][] = [
      [{ featured: ['plain'] }, 400, 'not_held'],
      [{ featured: ['helper'], hidden: ['helper'] }, 400, 'invalid_featured'],
      [{ featured: ['a', 'b', 'c', 'd', 'e', 'f'] }, 400, 'invalid_featured'],
      [{ hidden: ['nope'] }, 400, 'unknown_badge'],
      [{}, 400, 'invalid_body'],
      [{ shown: [] }, 400, 'invalid_body'],
    ];
    for (const [body, status, code] of cases) {
      const { status: got, json } = await put('/users/fay/display.json', body);
      assert.deepEqual([got, json.error?.code], [status, code], JSON.stringify(body));
    }
    assert.equal((await put('/users/nobody/display.json', { featured: [] })).json.error.code, 'user_not_found');
    // A featured badge revoked is simply no longer shown first.
    await h.request('DELETE', '/v1/board/users/fay.json', { body: { badges: ['helper'] }, headers: auth });
    assert.deepEqual((await get('/users/fay.json')).json.featured, ['gold-star']);
  });

  test('a revocation takes the points back; renamed and erased users move and leave every board', async () => {
    const before = (await board()).users.find((u: { name: string }) => u.name === 'bob');
    assert.equal(before.score, 10);
    await h.request('DELETE', '/v1/board/users/bob.json', { body: { badges: ['gold-star'] }, headers: auth });
    assert.ok(!names(await board()).includes('bob'));
    assert.equal((await h.request('POST', '/v1/board/users/cat/rename.json', { body: { to: 'kat' }, headers: auth })).status, 200);
    assert.ok(names(await board()).includes('kat') && !names(await board()).includes('cat'));
    assert.deepEqual(names(await board('?badge=plain')), ['kat', 'dan']);
    assert.ok((await get('/badges/plain/holders.json')).json.holders.some((x: { name: string }) => x.name === 'kat'));
    assert.equal((await h.request('POST', '/v1/board/users/kat/erase.json', { headers: auth })).status, 200);
    assert.ok(!names(await board()).includes('kat'));
    assert.deepEqual(names(await board('?badge=plain')), ['dan']);
    assert.ok(!(await get('/badges/plain/holders.json')).json.holders.some((x: { name: string }) => x.name === 'kat'));
  });
});

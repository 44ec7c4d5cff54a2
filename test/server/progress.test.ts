import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { start, type Harness } from './harness.js';

/** `PUT users/:name/progress.json`: progress towards a badge's goal, and the award when it is reached. */

let now = Date.parse('2026-11-02T09:00:00Z');
let h: Harness;
const auth = () => ({ authorization: h.key });
const progress = (user: string, body: unknown, headers = auth()) => h.request('PUT', `/v1/demo/users/${user}/progress.json`, { body, headers });
const entry = async (user: string, badge: string) => {
  const { json } = await h.request('GET', `/v1/demo/users/${user}.json?states=all`);
  return json.badges.find((b: { name: string }) => b.name === badge);
};

describe('progress', () => {
  before(async () => {
    h = await start({ config: { now: () => now } });
    const { status } = await h.request('PUT', '/v1/demo/badges.json', {
      body: { badges: [{ name: 'lessons', goal: 5 }, { name: 'chapters', goal: 2, is_enabled: false }, { name: 'once', goal: 1, unique: true }] },
      headers: auth(),
    });
    assert.equal(status, 200);
  });
  after(() => h.close());

  test('a badge named like a property of every object ("constructor") has its own progress, none by default', async () => {
    assert.equal((await h.request('PUT', '/v1/demo/badges.json', { body: { badges: [{ name: 'constructor', goal: 3 }] }, headers: auth() })).status, 200);
    await progress('proto-user', { progress: { lessons: 1 } });
    assert.deepEqual(await entry('proto-user', 'constructor'), { name: 'constructor', count: 0, latest: null, state: 'unearned', progress: { current: 0, goal: 3 } });
    await progress('proto-user', { progress: { constructor: 2 } });
    assert.deepEqual(await entry('proto-user', 'constructor'), { name: 'constructor', count: 0, latest: null, state: 'in_progress', progress: { current: 2, goal: 3 } });
    assert.equal((await h.request('DELETE', '/v1/demo/badges.json', { body: { badges: ['constructor'] }, headers: auth() })).status, 200);
  });

  test('below the goal: in progress, nothing awarded; the user is created', async () => {
    const { status, json } = await progress('learner', { progress: { lessons: 3 } });
    assert.equal(status, 200);
    assert.deepEqual(json, { user: { name: 'learner', badges: [] }, progress: { lessons: 3 }, awarded: [], skipped: [] });
    assert.deepEqual(await entry('learner', 'lessons'), { name: 'lessons', count: 0, latest: null, state: 'in_progress', progress: { current: 3, goal: 5 } });
  });

  test('reaching the goal awards the badge in the same write; sending it again awards nothing more', async () => {
    now += 60_000;
    const { json } = await progress('learner', { progress: { lessons: 5 } });
    assert.deepEqual(json, { user: { name: 'learner', badges: ['lessons'] }, progress: { lessons: 5 }, awarded: ['lessons'], skipped: [] });
    const earned = await entry('learner', 'lessons');
    // The award's Open Badges links come beside its id (one per award, the same order).
    assert.deepEqual(earned.openBadges?.map((links: { award: string }) => links.award), earned.awards);
    assert.deepEqual({ ...earned, openBadges: undefined }, { name: 'lessons', count: 1, awards: [earned.awards[0]], latest: new Date(now).toISOString(), state: 'earned', progress: { current: 5, goal: 5 }, openBadges: undefined });
    const again = await progress('learner', { progress: { lessons: 6 } });
    assert.deepEqual(again.json.awarded, []);
    assert.equal((await entry('learner', 'lessons')).count, 1);
  });

  test('a goal reached again after progress went back awards once more', async () => {
    await progress('again', { progress: { lessons: 5 } });
    await progress('again', { progress: { lessons: 0 } });
    assert.equal((await entry('again', 'lessons')).state, 'earned');
    assert.deepEqual((await progress('again', { progress: { lessons: 5 } })).json.awarded, ['lessons']);
    assert.equal((await entry('again', 'lessons')).count, 2);
  });

  test("a goal reached while the badge's fields forbid the award: skipped, and awarded once they allow it", async () => {
    const first = await progress('reader', { progress: { chapters: 2 } });
    assert.deepEqual([first.json.awarded, first.json.skipped], [[], [{ badge: 'chapters', reason: 'disabled' }]]);
    await h.request('PUT', '/v1/demo/badges.json', { body: { badges: [{ name: 'chapters', is_enabled: true }] }, headers: auth() });
    assert.deepEqual((await progress('reader', { progress: { chapters: 2 } })).json.awarded, ['chapters']);
  });

  test('a unique badge reached twice stays at count 1', async () => {
    await progress('solo', { progress: { once: 1 } });
    await progress('solo', { progress: { once: 0 } });
    const { json } = await progress('solo', { progress: { once: 1 } });
    assert.deepEqual(json.skipped, [{ badge: 'once', reason: 'unique' }]);
    assert.equal((await entry('solo', 'once')).count, 1);
  });

  const refused: [string, unknown, number, string][] = [
    ['a badge without a goal', { progress: { popular: 1, lessons: 1 } }, 400, 'no_goal'],
    ['a badge not registered', { progress: { nope: 1, lessons: 1 } }, 400, 'unknown_badge'],
    ['a negative value', { progress: { lessons: -1 } }, 400, 'invalid_progress'],
    ['a value as text', { progress: { lessons: '3' } }, 400, 'invalid_progress'],
    ['no badges', { progress: {} }, 400, 'invalid_progress'],
    ['no progress', { badges: ['lessons'] }, 400, 'invalid_body'],
    ['an invalid badge name', { progress: { ' lessons': 1 } }, 400, 'invalid_badge_name'],
  ];
  for (const [what, body, status, code] of refused) {
    test(`${what} refuses the whole request (${code}) and changes nothing`, async () => {
      const before = await h.request('GET', '/v1/demo/users/learner.json?states=all');
      const answer = await progress('learner', body);
      assert.deepEqual([answer.status, answer.json.error.code], [status, code]);
      assert.deepEqual((await h.request('GET', '/v1/demo/users/learner.json?states=all')).json, before.json);
    });
  }

  test("a badge deleted takes its holders' progress with it", async () => {
    await h.request('PUT', '/v1/demo/badges.json', { body: { badges: [{ name: 'short', goal: 1 }] }, headers: auth() });
    await progress('leaver', { progress: { short: 1, lessons: 1 } });
    await h.request('DELETE', '/v1/demo/badges.json', { body: { badges: ['short'] }, headers: auth() });
    assert.deepEqual((await progress('leaver', { progress: { lessons: 2 } })).json.progress, { lessons: 2 });
  });

  test('needs the service key, as awards do', async () => {
    const { status } = await progress('learner', { progress: { lessons: 1 } }, {} as { authorization: string });
    assert.equal(status, 401);
  });

  test('an earned badge with no progress recorded shows its goal reached', async () => {
    await h.request('PUT', '/v1/demo/users/direct.json', { body: { badges: ['lessons'] }, headers: auth() });
    assert.deepEqual((await entry('direct', 'lessons')).progress, { current: 5, goal: 5 });
  });
});

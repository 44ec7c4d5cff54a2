import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import fc from 'fast-check';
import { start, type Harness } from './harness.js';

/** The badge fields with a meaning: checked when set, returned by every read, obeyed by every award. */

const MONDAY = Date.parse('2026-11-02T09:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let now = MONDAY;
let h: Harness;
const auth = () => ({ authorization: h.key });
const put = (badges: object[]) => h.request('PUT', '/v1/demo/badges.json', { body: { badges }, headers: auth() });
const award = (user: string, badges: string[]) => h.request('PUT', `/v1/demo/users/${user}.json`, { body: { badges }, headers: auth() });
const held = async (user: string, badge: string) => {
  const { json } = await h.request('GET', `/v1/demo/users/${user}.json`);
  return json?.badges?.find((b: { name: string }) => b.name === badge)?.count ?? 0;
};

describe('badge fields with a meaning', () => {
  before(async () => (h = await start({ config: { now: () => now } })));
  after(() => h.close());
  beforeEach(() => (now = MONDAY));

  describe('badge fields: set, checked, returned', () => {
    const full = {
      name: 'lessons',
      title: 'Five lessons',
      image: 'https://cdn.example.com/lessons.png',
      tags: ['learning', 'starter'],
      is_enabled: true,
      date_start: '2026-11-01T00:00:00+01:00',
      date_end: '2027-01-01T00:00:00Z',
      display_date_start: '2026-10-01T00:00:00Z',
      display_date_end: '2027-02-01T00:00:00Z',
      frequency: { freq_cap: 1, freq_period: 'week', freq_max: 5 },
      unique: false,
      goal: 5,
      badge_states: [
        { state: 'unearned', description: 'Take five lessons', image_url: '/img/grey.png' },
        { state: 'earned', description: 'Took five lessons' },
      ],
      myCustomField: { free: ['as', 'before'] },
    };

    test('every field is kept (times in UTC) and shown by badges.json, users.json and the PUT answer', async () => {
      const expected = { ...full, date_start: '2026-10-31T23:00:00.000Z', date_end: '2027-01-01T00:00:00.000Z', display_date_start: '2026-10-01T00:00:00.000Z', display_date_end: '2027-02-01T00:00:00.000Z' };
      const written = await put([full]);
      assert.equal(written.status, 200, written.text);
      assert.deepEqual(written.json.badges.at(-1), { ...expected, count: 0, latest: null });
      const listed = await h.request('GET', '/v1/demo/badges.json?tags=learning');
      assert.deepEqual(listed.json.badges, [{ ...expected, count: 0, latest: null }]);
      assert.equal((await award('fields-reader', ['lessons'])).status, 200);
      const { name: _, ...summary } = expected;
      const users = await h.request('GET', '/v1/demo/users.json?names=fields-reader');
      assert.deepEqual(users.json.badges.lessons, { ...summary, count: 1, latest: new Date(now).toISOString() });
    });

    test('a field set to null is removed, as any custom field', async () => {
      await put([{ name: 'nulled', title: 'T', goal: 3, tags: ['a'] }]);
      const { json } = await put([{ name: 'nulled', title: null, goal: null }]);
      assert.deepEqual(json.badges.find((b: { name: string }) => b.name === 'nulled'), { name: 'nulled', tags: ['a'], count: 0, latest: null });
    });

    const refused: [string, object, string][] = [
      ['an empty title', { title: '' }, 'invalid_title'],
      ['an image that is not http(s)', { image: 'javascript:alert(1)' }, 'invalid_image'],
      ['an image relative to the page', { image: 'img/x.png' }, 'invalid_image'],
      ['a protocol-relative image', { image: '//evil.example/x.png' }, 'invalid_image'],
      ['tags that are a string', { tags: 'a,b' }, 'invalid_tags'],
      ['a tag with a comma', { tags: ['a,b'] }, 'invalid_tags'],
      ['a tag twice', { tags: ['a', 'a'] }, 'invalid_tags'],
      ['is_enabled as 1', { is_enabled: 1 }, 'invalid_is_enabled'],
      ['a date without a time zone', { date_start: '2026-11-01T00:00:00' }, 'invalid_date'],
      ['a date only', { display_date_end: '2026-11-01' }, 'invalid_date'],
      ['a month 13', { date_end: '2026-13-01T00:00:00Z' }, 'invalid_date'],
      ['an earn window ending at its start', { date_start: '2026-11-01T00:00:00Z', date_end: '2026-11-01T00:00:00Z' }, 'invalid_date_range'],
      ['a display window ending before its start', { display_date_start: '2026-11-01T01:00:00+01:00', display_date_end: '2026-10-31T23:00:00Z' }, 'invalid_date_range'],
      ['a cap without its period', { frequency: { freq_cap: 1 } }, 'invalid_frequency'],
      ['a period without its cap', { frequency: { freq_period: 'day' } }, 'invalid_frequency'],
      ['an empty frequency', { frequency: {} }, 'invalid_frequency'],
      ['a period of a fortnight', { frequency: { freq_cap: 1, freq_period: 'fortnight' } }, 'invalid_frequency'],
      ['a cap of 0', { frequency: { freq_cap: 0, freq_period: 'day' } }, 'invalid_frequency'],
      ['a max of 1.5', { frequency: { freq_max: 1.5 } }, 'invalid_frequency'],
      ['an unknown frequency field', { frequency: { freq_max: 1, per: 'day' } }, 'invalid_frequency'],
      ['unique as "yes"', { unique: 'yes' }, 'invalid_unique'],
      ['a goal of 0', { goal: 0 }, 'invalid_goal'],
      ['a goal as text', { goal: '5' }, 'invalid_goal'],
      ['an unknown state', { badge_states: [{ state: 'almost' }] }, 'invalid_badge_states'],
      ['a state twice', { badge_states: [{ state: 'earned' }, { state: 'earned', description: 'again' }] }, 'invalid_badge_states'],
      ['a state image that is not a URL', { badge_states: [{ state: 'earned', image_url: 'x' }] }, 'invalid_badge_states'],
    ];
    for (const [what, fields, code] of refused) {
      test(`${what} is refused (${code}) and changes nothing`, async () => {
        const before = await h.request('GET', '/v1/demo/badges.json');
        const { status, json } = await put([{ name: 'ok-one' }, { name: 'checked', ...fields }]);
        assert.equal(status, 400);
        assert.equal(json.error.code, code, json.error.message);
        assert.deepEqual((await h.request('GET', '/v1/demo/badges.json')).json, before.json);
      });
    }

    test('the ends of a window are checked together, across writes', async () => {
      assert.equal((await put([{ name: 'windowed', date_start: '2026-12-01T00:00:00Z' }])).status, 200);
      const { status, json } = await put([{ name: 'windowed', date_end: '2026-11-15T00:00:00Z' }]);
      assert.deepEqual([status, json.error.code], [400, 'invalid_date_range']);
      assert.equal((await put([{ name: 'windowed', date_start: null, date_end: '2026-11-15T00:00:00Z' }])).status, 200);
    });
  });

  describe('awards obey the fields, with the clock moved', () => {
    test('a disabled badge is not awarded; enabled again, it is', async () => {
      await put([{ name: 'switch', is_enabled: false }]);
      const off = await award('sw', ['switch', 'popular']);
      assert.deepEqual(off.json, { user: { name: 'sw', badges: ['popular'] }, skipped: [{ badge: 'switch', reason: 'disabled' }] });
      await put([{ name: 'switch', is_enabled: true }]);
      assert.deepEqual((await award('sw', ['switch'])).json.skipped, []);
      assert.equal(await held('sw', 'switch'), 1);
    });

    test('the earn window: not before its start, from its start, not from its end', async () => {
      await put([{ name: 'season', date_start: new Date(MONDAY + DAY).toISOString(), date_end: new Date(MONDAY + 3 * DAY).toISOString() }]);
      assert.deepEqual((await award('fan', ['season'])).json.skipped, [{ badge: 'season', reason: 'not_started' }]);
      assert.equal((await h.request('GET', '/v1/demo/users/fan.json')).status, 404, 'nothing awarded creates no user');
      now = MONDAY + DAY;
      assert.deepEqual((await award('fan', ['season'])).json.skipped, []);
      now = MONDAY + 3 * DAY - 1;
      assert.deepEqual((await award('fan', ['season'])).json.skipped, []);
      now = MONDAY + 3 * DAY;
      assert.deepEqual((await award('fan', ['season'])).json.skipped, [{ badge: 'season', reason: 'ended' }]);
      assert.equal(await held('fan', 'season'), 2);
    });

    test('a weekly cap holds through the week and opens on Monday; freq_max holds for good', async () => {
      await put([{ name: 'weekly', frequency: { freq_cap: 2, freq_period: 'week', freq_max: 3 } }]);
      const first = await award('wk', ['weekly', 'weekly', 'weekly']);
      assert.deepEqual(first.json.skipped, [{ badge: 'weekly', reason: 'frequency_cap' }]);
      now = MONDAY + 6 * DAY + 14 * HOUR; // Sunday 23:00 UTC, the same week
      assert.deepEqual((await award('wk', ['weekly'])).json.skipped, [{ badge: 'weekly', reason: 'frequency_cap' }]);
      now = MONDAY + 7 * DAY - 9 * HOUR; // Monday 00:00 UTC
      assert.deepEqual((await award('wk', ['weekly', 'weekly'])).json.skipped, [{ badge: 'weekly', reason: 'max_reached' }]);
      now += 30 * DAY;
      assert.deepEqual((await award('wk', ['weekly'])).json.skipped, [{ badge: 'weekly', reason: 'max_reached' }]);
      assert.equal(await held('wk', 'weekly'), 3);
      const badge = (await h.request('GET', '/v1/demo/badges.json')).json.badges.find((b: { name: string }) => b.name === 'weekly');
      assert.equal(badge.count, 3, 'skipped awards do not count service-wide');
    });

    for (const [period, within, next] of [
      ['day', 14 * HOUR, 15 * HOUR],
      ['month', 27 * DAY, 30 * DAY],
      ['year', 58 * DAY, 61 * DAY],
    ] as const) {
      test(`a cap per ${period}`, async () => {
        const name = `per-${period}`;
        await put([{ name, frequency: { freq_cap: 1, freq_period: period } }]);
        assert.deepEqual((await award('p', [name])).json.skipped, []);
        now = MONDAY + within;
        assert.deepEqual((await award('p', [name])).json.skipped, [{ badge: name, reason: 'frequency_cap' }]);
        now = MONDAY + next;
        assert.deepEqual((await award('p', [name])).json.skipped, []);
      });
    }

    test('a unique badge stays at count 1', async () => {
      await put([{ name: 'one-of-a-kind', unique: true }]);
      assert.deepEqual((await award('u', ['one-of-a-kind', 'one-of-a-kind'])).json.skipped, [{ badge: 'one-of-a-kind', reason: 'unique' }]);
      now += 400 * DAY;
      assert.deepEqual((await award('u', ['one-of-a-kind'])).json.skipped, [{ badge: 'one-of-a-kind', reason: 'unique' }]);
      assert.equal(await held('u', 'one-of-a-kind'), 1);
    });

    test('an unknown badge still refuses the whole request', async () => {
      await put([{ name: 'off-again', is_enabled: false }]);
      const { status, json } = await award('x', ['off-again', 'popular', 'no-such']);
      assert.deepEqual([status, json.error.code, json.error.details], [400, 'unknown_badge', ['no-such']]);
    });

    test('property: awards dated in any order (rules and backfills date them by their events) never exceed the cap of any period', async () => {
      let run = 0;
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 2 }), fc.array(fc.integer({ min: -10, max: 10 }), { minLength: 1, maxLength: 15 }), async (cap, days) => {
          const name = `dated-${run++}`;
          await put([{ name, frequency: { freq_cap: cap, freq_period: 'day' } }]);
          const perDay = new Map<string, number>();
          for (const day of days) {
            const at = new Date(now + day * DAY + 3_600_000);
            const { skipped } = await h.domain.award('demo', 'dated', [name], at);
            if (skipped.length === 0) perDay.set(at.toISOString().slice(0, 10), (perDay.get(at.toISOString().slice(0, 10)) ?? 0) + 1);
          }
          assert.ok([...perDay.values()].every((n) => n <= cap), JSON.stringify([...perDay]));
        }),
        { numRuns: 40 },
      );
    });

    test('property: under any awards and clock moves, awards follow the cap per period and freq_max exactly', async () => {
      const periodOf = (period: string, t: number) => {
        const d = new Date(t);
        if (period === 'day') return d.toISOString().slice(0, 10);
        if (period === 'month') return d.toISOString().slice(0, 7);
        return new Date(t - ((d.getUTCDay() + 6) % 7) * DAY).toISOString().slice(0, 10);
      };
      let run = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('day', 'week', 'month'),
          fc.integer({ min: 1, max: 3 }),
          fc.integer({ min: 1, max: 6 }),
          fc.array(fc.record({ advance: fc.integer({ min: 0, max: 20 * DAY }), times: fc.integer({ min: 1, max: 4 }) }), { minLength: 1, maxLength: 12 }),
          async (period, cap, max, steps) => {
            const name = `prop-${run++}`;
            await put([{ name, frequency: { freq_cap: cap, freq_period: period, freq_max: max } }]);
            // The model: awards made so far, per period and in all.
            const perPeriod = new Map<string, number>();
            let total = 0;
            for (const step of steps) {
              now += step.advance;
              const { json } = await award('prop', Array(step.times).fill(name));
              const key = periodOf(period, now);
              let made = 0;
              for (let i = 0; i < step.times; i++) {
                if (total >= max || (perPeriod.get(key) ?? 0) >= cap) continue;
                total++;
                made++;
                perPeriod.set(key, (perPeriod.get(key) ?? 0) + 1);
              }
              assert.equal(step.times - json.skipped.length, made, `at ${new Date(now).toISOString()}`);
            }
            assert.ok(Math.max(...perPeriod.values()) <= cap && total <= max);
            assert.equal(await held('prop', name), total);
          },
        ),
        { numRuns: 25 },
      );
    });
  });
});

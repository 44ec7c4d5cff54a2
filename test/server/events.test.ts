import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { App } from '../../server/app/create-app.js';
import { JOBS } from '../../server/jobs/events.js';
import { start, type Harness } from './harness.js';

/**
 * Events, rules and the activity feed through the API (issue 9), on the store TEST_STORE names.
 * The clock is the app's: tests move it instead of sleeping, and run the background jobs at once.
 */

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 2, 12);
const close = { source: 'issueTracker', type: 'task', action: 'close' };
const build = { source: 'ci', type: 'build', action: 'failed' };
const iso = (ms: number) => new Date(ms).toISOString();

describe('events and rules', () => {
  let h: Harness;
  let app: App;
  let now = T0;
  const auth = () => ({ authorization: h.key });
  const send = (method: string, path: string, body?: unknown) => h.request(method, path, { body, headers: auth() });
  const post = async (events: unknown) => {
    const r = await send('POST', '/v1/demo/events.json', events);
    assert.equal(r.status, 200, r.text);
    return r.json;
  };
  const badgesOf = async (user: string) => {
    const r = await h.request('GET', `/v1/demo/users/${encodeURIComponent(user)}.json`);
    return r.status === 404 ? {} : Object.fromEntries(r.json.badges.map((b: { name: string; count: number }) => [b.name, b.count]));
  };
  const runJob = async (name: string) => {
    app.background.wake(name);
    await app.background.settled(name);
  };
  let seq = 0;
  const ev = (user: string, extra: Record<string, unknown> = {}) => ({ eventType: close, id: `ev-${++seq}`, user, ...extra });

  before(async () => {
    h = await start({ config: { now: () => now }, beforeListen: (a) => (app = a as App) });
    await send('PUT', '/v1/demo/badges.json', { badges: ['closer', 'five', 'first-close', 'regular', 'hot', 'both', 'crash', 'high', 'triple'].map((name) => ({ name })) });
    const types = await send('PUT', '/v1/demo/event-types.json', { eventTypes: [{ ...close, description: 'A task was closed' }, build] });
    assert.equal(types.status, 200, types.text);
  });
  after(() => h.close());

  test('event types are listed publicly in the shape they were registered', async () => {
    const r = await h.request('GET', '/v1/demo/event-types.json');
    const byKey = (a: Record<string, string>, b: Record<string, string>) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1);
    assert.deepEqual([...r.json.eventTypes].sort(byKey), [build, { ...close, description: 'A task was closed' }].sort(byKey));
    assert.equal((await h.request('PUT', '/v1/demo/event-types.json', { body: { eventTypes: [close] } })).status, 401);
    assert.equal((await send('PUT', '/v1/demo/event-types.json', { eventTypes: [{ source: 'a/b', type: 't', action: 'x' }] })).json.error.code, 'invalid_event_type');
  });

  test('rules are checked: unknown badge or type, bad window, fields that do not fit, cycles', async () => {
    const cases: [unknown, string][] = [
      [{ badge: 'nope', condition: 'count', eventTypes: [close] }, 'unknown_badge'],
      [{ badge: 'closer', condition: 'count', eventTypes: [{ source: 'x', type: 'y', action: 'z' }] }, 'unknown_event_type'],
      [{ badge: 'closer', condition: 'count', eventTypes: [close], window: 'P1M' }, 'invalid_window'],
      [{ badge: 'closer', condition: 'count', eventTypes: [close], window: 'soon' }, 'invalid_window'],
      [{ badge: 'closer', condition: 'count', eventTypes: [close], revoke: true }, 'invalid_rule'],
      [{ badge: 'closer', condition: 'count' }, 'invalid_rule'],
      [{ badge: 'closer', condition: 'first', eventTypes: [close], count: 3 }, 'invalid_rule'],
      [{ badge: 'closer', condition: 'sometimes', eventTypes: [close] }, 'invalid_rule'],
      [{ badge: 'closer', condition: 'count', eventTypes: [close], colour: 'red' }, 'invalid_rule'],
      [{ badge: 'closer', condition: 'badges', badges: ['closer'] }, 'rule_cycle'],
    ];
    for (const [body, code] of cases) {
      const r = await send('POST', '/v1/demo/rules.json', body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.json.error.code, code, JSON.stringify(body));
    }
    assert.deepEqual((await send('GET', '/v1/demo/rules.json')).json.rules, []);
  });

  test('a count rule awards at the N-th event, a repeatable one at every further N; duplicates change nothing', async () => {
    assert.equal((await send('POST', '/v1/demo/rules.json', { id: 'five', badge: 'five', condition: 'count', eventTypes: [close], count: 5, repeatable: true })).status, 201);
    assert.equal((await send('POST', '/v1/demo/rules.json', { badge: 'first-close', condition: 'first', eventTypes: [close] })).status, 201);
    const batch = { events: Array.from({ length: 12 }, () => ev('ann')) };
    const first = await post(batch);
    assert.equal(first.recorded, 12);
    assert.deepEqual(first.events[0].awards, ['first-close']);
    assert.deepEqual(first.events[4].awards, ['five']);
    assert.deepEqual(first.events[9].awards, ['five']);
    assert.deepEqual(first.events[11].awards, []);
    assert.deepEqual(await badgesOf('ann'), { five: 2, 'first-close': 1 });
    const again = await post(batch);
    assert.deepEqual([again.recorded, again.duplicates], [0, 12]);
    assert.ok(again.events.every((e: { status: string }) => e.status === 'duplicate'));
    assert.deepEqual(await badgesOf('ann'), { five: 2, 'first-close': 1 });
    // Three more: the fifteenth earns the third.
    const more = await post({ events: [ev('ann'), ev('ann'), ev('ann')] });
    assert.deepEqual(more.events[2].awards, ['five']);
  });

  test('a bad event is answered on its own and kept with its reason; the others are recorded', async () => {
    const r = await post({
      events: [
        ev('bob'),
        { eventType: close, user: 'bob' },
        { eventType: { source: 'nope', type: 'x', action: 'y' }, id: 'x1', user: 'bob' },
        { eventType: close, id: 'x2', email: 'nobody@example.org' },
        { eventType: close, id: 'x3', user: 'bob', at: iso(now - 400 * DAY) },
        { eventType: close, id: 'x4', user: 'bob', at: iso(now + DAY) },
        { eventType: close, id: 'x5', user: 'bob', at: 'yesterday' },
        { eventType: close, id: 'x6', user: 'bob', data: [1] },
        { eventType: close, id: 'x7', user: 'bob', permalink: 'javascript:alert(1)' },
        { eventType: close, id: 'x8' },
        'not an event',
      ],
    });
    assert.deepEqual(
      r.events.map((e: { status: string; error?: { code: string } }) => e.error?.code ?? e.status),
      ['recorded', 'invalid_event_id', 'unknown_event_type', 'unknown_user', 'at_out_of_range', 'at_out_of_range', 'invalid_at', 'invalid_data', 'invalid_permalink', 'invalid_user', 'invalid_event'],
    );
    assert.deepEqual([r.recorded, r.rejected], [1, 10]);
    const rejected = await send('GET', '/v1/demo/events/rejected.json?page_size=20');
    assert.ok(rejected.json.rejected.some((e: { code: string; id?: string }) => e.code === 'unknown_user' && e.id === 'x2'));
    assert.equal((await h.request('GET', '/v1/demo/events/rejected.json')).status, 401);
    assert.equal((await send('POST', '/v1/demo/events.json', { events: Array(1001).fill(ev('bob')) })).json.error.code, 'too_many_events');
    assert.equal((await send('POST', '/v1/demo/events.json', { events: 'x' })).json.error.code, 'invalid_body');
  });

  test('users are found by email; an unknown address is an error, not a silent drop', async () => {
    await h.domain.run('demo', async (tx) => tx.put({ t: 'item', s: 'demo', v: { kind: 'email', id: 'carol@example.org', owner: 'carol', at: iso(now), v: {} } }));
    const r = await post({ events: [{ ...ev('x'), user: undefined, email: ' Carol@Example.org ' }, { ...ev('x'), user: undefined, email: 'dave@example.org' }] });
    assert.equal(r.events[0].user, 'carol');
    assert.deepEqual(r.events[0].awards, ['first-close']);
    assert.equal(r.events[1].error.code, 'unknown_user');
  });

  test('a windowed count counts the events within the window before each one; data fields narrow it', async () => {
    await send('POST', '/v1/demo/rules.json', { badge: 'hot', condition: 'count', eventTypes: [build], count: 3, window: 'P1D' });
    await send('POST', '/v1/demo/rules.json', { badge: 'high', condition: 'count', eventTypes: [build], data: { priority: 'high' }, count: 2 });
    const at = (h: number) => iso(now - 10 * DAY + h * 3_600_000);
    const r = await post({
      events: [
        { eventType: build, id: 'b1', user: 'dan', at: at(0), data: { priority: 'high' } },
        { eventType: build, id: 'b2', user: 'dan', at: at(10) },
        { eventType: build, id: 'b3', user: 'dan', at: at(30), data: { priority: 'low' } },
        { eventType: build, id: 'b4', user: 'dan', at: at(40), data: { priority: 'high' } },
        { eventType: build, id: 'b5', user: 'dan', at: at(41) },
      ],
    });
    // No three within a day until b3, b4, b5 (at hours 30, 40, 41).
    assert.deepEqual(r.events.map((e: { awards: string[] }) => e.awards), [[], [], [], ['high'], ['hot']]);
    const user = await h.request('GET', '/v1/demo/users/dan.json');
    // Awards are dated by the event that earned them.
    assert.equal(user.json.badges.find((b: { name: string }) => b.name === 'hot').latest, at(41));
  });

  test('days rules count distinct days; badges rules award on awards, and may revoke', async () => {
    await send('POST', '/v1/demo/rules.json', { badge: 'regular', condition: 'days', eventTypes: [close], count: 3 });
    await send('POST', '/v1/demo/rules.json', { badge: 'both', condition: 'badges', badges: ['regular', 'first-close'], revoke: true });
    const day = (d: number, h = 0) => iso(now - 20 * DAY + d * DAY + h * 3_600_000);
    const r = await post({ events: [ev('eve', { at: day(0) }), ev('eve', { at: day(0, 5) }), ev('eve', { at: day(1) }), ev('eve', { at: day(4) })] });
    assert.deepEqual(r.events.map((e: { awards: string[] }) => e.awards), [['first-close'], [], [], ['regular']]);
    assert.deepEqual(await badgesOf('eve'), { 'first-close': 1, regular: 1, both: 1 });
    const activity = await h.request('GET', '/v1/demo/users/eve/activity.json');
    const both = activity.json.activity.find((e: { badge?: string }) => e.badge === 'both');
    assert.deepEqual([both.type, both.rule, both.at], ['award', 'both', day(4)]);
    // Taking a required badge away takes the meta-badge with it.
    await send('DELETE', '/v1/demo/users/eve.json', { badges: ['regular'] });
    assert.deepEqual(await badgesOf('eve'), { 'first-close': 1 });
    const after = await h.request('GET', '/v1/demo/users/eve/activity.json');
    assert.equal(after.json.activity[0].type, 'revocation');
    // Deleting a required badge (taken from everyone with one badge.deleted) does so too.
    await send('PUT', '/v1/demo/badges.json', { badges: [{ name: 'helper' }, { name: 'helpful' }] });
    await send('POST', '/v1/demo/rules.json', { badge: 'helpful', condition: 'badges', badges: ['helper', 'first-close'], revoke: true });
    await send('PUT', '/v1/demo/users/eve.json', { badges: ['helper'] });
    assert.deepEqual(await badgesOf('eve'), { 'first-close': 1, helper: 1, helpful: 1 });
    await send('DELETE', '/v1/demo/badges.json', { badges: ['helper'] });
    assert.deepEqual(await badgesOf('eve'), { 'first-close': 1 });
  });

  test('a milestone needs any N of M badges (BadgeKit\'s numberRequired): awarded when the N-th is first held, dated by it, previewed alike', async () => {
    await send('PUT', '/v1/demo/badges.json', { badges: ['m-read', 'm-write', 'm-talk', 'm-milestone'].map((name) => ({ name })) });
    const tooMany = await send('POST', '/v1/demo/rules.json', { badge: 'm-milestone', condition: 'badges', badges: ['m-read', 'm-write', 'm-talk'], count: 4 });
    assert.equal(tooMany.json.error.code, 'invalid_rule');
    assert.match(tooMany.json.error.message, /at most 3/);
    const start = now;
    await send('PUT', '/v1/demo/users/gus.json', { badges: ['m-talk'] });
    now = start + DAY;
    await send('PUT', '/v1/demo/users/gus.json', { badges: ['m-read'] });
    const preview = await send('POST', '/v1/demo/rule-preview.json', { badge: 'm-milestone', condition: 'badges', badges: ['m-read', 'm-write', 'm-talk'], count: 2 });
    assert.equal(preview.status, 200, preview.text);
    assert.deepEqual(preview.json.sample, [{ user: 'gus', awards: 1, first: iso(start + DAY) }]);
    const rule = await send('POST', '/v1/demo/rules.json', { id: 'two-of-three', badge: 'm-milestone', condition: 'badges', badges: ['m-read', 'm-write', 'm-talk'], count: 2, revoke: true });
    assert.equal(rule.status, 201, rule.text);
    assert.equal(rule.json.count, 2);
    now = start + 2 * DAY;
    await send('PUT', '/v1/demo/users/hal.json', { badges: ['m-write'] });
    assert.equal((await badgesOf('hal'))['m-milestone'], undefined, 'one of three is not enough');
    await send('PUT', '/v1/demo/users/hal.json', { badges: ['m-talk'] });
    assert.equal((await badgesOf('hal'))['m-milestone'], 1, 'two of three are');
    await send('PUT', '/v1/demo/users/hal.json', { badges: ['m-read'] });
    assert.equal((await badgesOf('hal'))['m-milestone'], 1, 'the third awards nothing more');
    await send('DELETE', '/v1/demo/users/hal.json', { badges: ['m-talk'] });
    assert.equal((await badgesOf('hal'))['m-milestone'], 1, 'still two of three');
    await send('DELETE', '/v1/demo/users/hal.json', { badges: ['m-read'] });
    assert.equal((await badgesOf('hal'))['m-milestone'], undefined, 'one left: revoked');
    // Gus held two of three before the rule was made: a backfill awards him, dated by the second.
    assert.equal((await send('POST', '/v1/demo/rules/two-of-three/backfill.json')).json.status, 'running');
    const done = await waitFor(async () => (await send('GET', '/v1/demo/rules/two-of-three/backfill.json')).json, (p) => p.status === 'done');
    assert.equal(done.awards, 1);
    const gus = (await h.request('GET', '/v1/demo/users/gus.json')).json;
    assert.equal(gus.badges.find((b: { name: string }) => b.name === 'm-milestone').latest, iso(start + DAY));
  });

  test('a windowed rule that revokes takes the badge back once the window passes without enough events', async () => {
    const rule = await send('POST', '/v1/demo/rules.json', { badge: 'crash', condition: 'count', eventTypes: [build], count: 2, window: 'P2D', revoke: true });
    assert.equal(rule.status, 201, rule.text);
    const start = now;
    await post({ events: [{ eventType: build, id: 'c1', user: 'fay' }, { eventType: build, id: 'c2', user: 'fay' }] });
    assert.equal((await badgesOf('fay')).crash, 1);
    now = start + DAY;
    await post({ events: [{ eventType: build, id: 'c3', user: 'fay' }] });
    now = start + 1.9 * DAY;
    await post({ events: [{ eventType: build, id: 'c4', user: 'fay' }] });
    // Due at c3 + 2 days; before that, nothing to do.
    now = start + 2.5 * DAY;
    await runJob(JOBS.expiry);
    assert.equal((await badgesOf('fay')).crash, 1);
    // c3 and c4 still within two days: the expiry moves to c3 + 2 days; after that only c4 is.
    now = start + 3.5 * DAY;
    await runJob(JOBS.expiry);
    assert.equal((await badgesOf('fay')).crash, undefined);
    const feed = await h.request('GET', '/v1/demo/users/fay/activity.json');
    assert.deepEqual([feed.json.activity[0].type, feed.json.activity[0].badge, feed.json.activity[0].rule], ['revocation', 'crash', 'crash']);
  });

  test('the activity feed: awards public, events with the key or when the service says so, newest first, paged', async () => {
    const pub = await h.request('GET', '/v1/demo/activity.json?page_size=5');
    assert.equal(pub.status, 200);
    assert.equal(pub.json.events, false);
    assert.ok(pub.json.activity.every((e: { type: string }) => e.type !== 'event'));
    const withKey = await h.request('GET', '/v1/demo/activity.json?page_size=5', { headers: auth() });
    assert.equal(withKey.json.events, true);
    assert.ok(withKey.json.paging.total > pub.json.paging.total);
    const ats = withKey.json.activity.map((e: { at: string }) => e.at);
    assert.deepEqual(ats, [...ats].sort().reverse());
    // `next` is a cursor: the page after goes on where this one ended, as page 2 does.
    assert.match(withKey.json.paging.next, /[?&]cursor=[A-Za-z0-9_-]+&page_size=5$/);
    const page2 = await h.request('GET', withKey.json.paging.next, { headers: auth() });
    assert.ok(page2.json.activity[0].at <= ats.at(-1));
    const numbered = await h.request('GET', '/v1/demo/activity.json?page=2&page_size=5', { headers: auth() });
    assert.deepEqual(numbered.json.activity, page2.json.activity);
    assert.equal(numbered.json.paging.page, 2);
    assert.equal((await h.request('GET', '/v1/demo/activity.json', { headers: { authorization: 'wrong' } })).status, 401);
    await send('PUT', '/v1/demo/event-settings.json', { publicEvents: true });
    const events = await h.request('GET', '/v1/demo/users/ann/activity.json?page_size=50');
    assert.equal(events.json.events, true);
    const entry = events.json.activity.find((e: { type: string }) => e.type === 'event');
    assert.deepEqual(entry.eventType, close);
    await send('PUT', '/v1/demo/event-settings.json', { publicEvents: false });
  });

  test('the activity feed: a scoped key that may read private data sees events; pages past the end are empty; no page reads deeper than 10,000 entries', async () => {
    const made = await send('POST', '/v1/demo/keys.json', { label: 'reader', operations: ['read_private'] });
    const reader = await h.request('GET', '/v1/demo/activity.json?page_size=5', { headers: { authorization: made.json.token } });
    assert.equal(reader.json.events, true);
    const awarder = await send('POST', '/v1/demo/keys.json', { label: 'awarder', operations: ['award'] });
    assert.equal((await h.request('GET', '/v1/demo/activity.json', { headers: { authorization: awarder.json.token } })).status, 403);
    const beyond = await h.request('GET', '/v1/demo/activity.json?page=999999999&page_size=1000');
    assert.equal(beyond.status, 200);
    assert.deepEqual(beyond.json.activity, []);
    assert.match(beyond.json.paging.prev, /page=\d+&page_size=1000$/);
    await h.domain.run('demo', async (tx) => {
      for (let i = 0; i < 10_001; i++) tx.put({ t: 'item', s: 'demo', v: { kind: 'activity', id: `deep${i}`, owner: 'deep', at: iso(now - i), v: { type: 'award', badge: 'popular', count: 1 } } });
    });
    assert.equal((await h.request('GET', '/v1/demo/users/deep/activity.json?page=10&page_size=1000')).json.activity.length, 1000);
    const deep = await h.request('GET', '/v1/demo/users/deep/activity.json?page=11&page_size=1000');
    assert.deepEqual([deep.status, deep.json.error.code], [400, 'page_too_deep']);
  });

  test('GetBadges: an integration token takes their payload and answers their fixed answer; refusals are listed', async () => {
    await h.domain.run('demo', async (tx) => tx.put({ t: 'item', s: 'demo', v: { kind: 'email', id: 'gina@example.org', owner: 'gina', at: iso(now), v: {} } }));
    const made = await send('POST', '/v1/demo/integrations.json', { name: 'gitlab' });
    assert.equal(made.status, 201);
    const url = made.json.url;
    const payload = [
      { version: 0, eventType: close, id: 123, email: 'gina@example.org', preview: 'Merge Request message', permalink: 'https://gitlab.com/group/repository/merge_requests/123' },
      { version: 0, eventType: close, id: 124, email: '' },
    ];
    const r = await h.request('POST', url, { body: payload });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { status: 'ok', message: 'Event enqueued for processing' });
    assert.deepEqual(await badgesOf('gina'), { 'first-close': 1 });
    const one = await h.request('POST', url, { body: { version: 0, eventType: close, id: 'OMG-123', email: 'gina@example.org' } });
    assert.equal(one.status, 200);
    const rejected = await send('GET', '/v1/demo/events/rejected.json');
    assert.ok(rejected.json.rejected.some((e: { id?: string; via: string; code: string }) => e.id === '124' && e.via === 'getbadges' && e.code === 'invalid_user'));
    const feed = await h.request('GET', '/v1/demo/users/gina/activity.json', { headers: auth() });
    assert.ok(feed.json.activity.some((e: { type: string; preview?: string }) => e.type === 'event' && e.preview === 'Merge Request message'));
    const list = await send('GET', '/v1/demo/integrations.json');
    assert.deepEqual(list.json.integrations.map((i: { name: string }) => i.name), ['gitlab']);
    assert.equal(JSON.stringify(list.json).includes(made.json.token), false);
    assert.equal((await send('DELETE', `/v1/demo/integrations/${made.json.id}.json`)).status, 200);
    assert.equal((await h.request('POST', url, { body: payload })).status, 404);
    assert.equal((await h.request('POST', '/v0/event/log/nonsense', { body: payload })).status, 404);
  });

  test('preview says what a new rule would award over stored events; backfill awards it once, dated by the events', async () => {
    const at = (d: number) => iso(now - 30 * DAY + d * DAY);
    await post({ events: [1, 2, 3].flatMap((d) => [ev('hal', { at: at(d) }), ev('ivy', { at: at(d) })]).concat([ev('jo', { at: at(1) })]) });
    const draft = await send('POST', '/v1/demo/rule-preview.json', { badge: 'triple', condition: 'count', eventTypes: [close], count: 3 });
    assert.equal(draft.status, 200, draft.text);
    assert.ok(draft.json.users >= 2);
    const made = await send('POST', '/v1/demo/rules.json', { badge: 'triple', condition: 'count', eventTypes: [close], count: 3 });
    const id = made.json.id;
    const preview = await send('GET', `/v1/demo/rules/${id}/preview.json`);
    assert.deepEqual(preview.json.users, draft.json.users);
    assert.ok(preview.json.sample.some((s: { user: string; first: string }) => s.user === 'hal' && s.first === at(3)));
    assert.equal((await send('GET', `/v1/demo/rules/${id}/backfill.json`)).status, 404);
    const started = await send('POST', `/v1/demo/rules/${id}/backfill.json`);
    assert.equal(started.json.status, 'running');
    const done = await waitFor(async () => (await send('GET', `/v1/demo/rules/${id}/backfill.json`)).json, (p) => p.status === 'done');
    assert.equal(done.awards, preview.json.awards);
    const hal = await h.request('GET', '/v1/demo/users/hal.json');
    assert.equal(hal.json.badges.find((b: { name: string }) => b.name === 'triple').latest, at(3));
    assert.deepEqual((await send('GET', `/v1/demo/rules/${id}/preview.json`)).json.users, 0);
    // Again: nothing more.
    await send('POST', `/v1/demo/rules/${id}/backfill.json`);
    const twice = await waitFor(async () => (await send('GET', `/v1/demo/rules/${id}/backfill.json`)).json, (p) => p.status === 'done');
    assert.equal(twice.awards, 0);
    assert.equal((await badgesOf('hal')).triple, 1);
  });

  test('a rule whose words change keeps what it counted: nobody is awarded again', async () => {
    await send('PUT', '/v1/demo/badges.json', { badges: [{ name: 'opener' }] });
    await send('POST', '/v1/demo/rules.json', { id: 'opener', badge: 'opener', condition: 'first', eventTypes: [close] });
    await post({ events: [{ eventType: close, id: 'w1', user: 'wes' }] });
    const before = (await send('GET', '/v1/demo/rules/opener.json')).json;
    assert.equal((await send('PUT', '/v1/demo/rules/opener.json', { badge: 'opener', condition: 'first', eventTypes: [close], description: 'Closed a first task' })).status, 200);
    await post({ events: [{ eventType: close, id: 'w2', user: 'wes' }] });
    const wes = (await h.request('GET', '/v1/demo/users/wes.json')).json;
    assert.equal(wes.badges.find((b: { name: string }) => b.name === 'opener').count, 1);
    assert.equal((await send('GET', '/v1/demo/rules/opener.json')).json.rev ?? before.rev, before.rev);
    assert.equal((await send('DELETE', '/v1/demo/rules/opener.json')).status, 200);
  });

  test("a deleted rule's states, and those of a revision replaced, are swept away; other rules' stay", async () => {
    const states = async () => (await h.store.listItems('demo', 'rule-state', {})).map((item) => item.id);
    await send('PUT', '/v1/demo/badges.json', { badges: [{ name: 'swept' }, { name: 'kept' }] });
    await send('POST', '/v1/demo/rules.json', { id: 'swept', badge: 'swept', condition: 'count', eventTypes: [close], count: 9 });
    await send('POST', '/v1/demo/rules.json', { id: 'kept', badge: 'kept', condition: 'count', eventTypes: [close], count: 9 });
    await post({ events: ['s1', 's2', 's3'].map((user) => ({ eventType: close, id: `sweep-${user}`, user })) });
    const before = await states();
    assert.equal(before.filter((id) => id.startsWith('swept/')).length, 3);
    assert.equal((await send('DELETE', '/v1/demo/rules/swept.json')).status, 200);
    // A new revision of the other: its old states count for nothing either.
    assert.equal((await send('PUT', '/v1/demo/rules/kept.json', { badge: 'kept', condition: 'count', eventTypes: [close], count: 8 })).status, 200);
    await runJob(JOBS.sweep);
    const after = await states();
    assert.deepEqual(after.filter((id) => id.startsWith('swept/') || id.startsWith('kept/')), []);
    const live = new Set((await send('GET', '/v1/demo/rules.json')).json.rules.map((r: { id: string }) => r.id));
    live.delete('kept');
    assert.deepEqual(after, before.filter((id) => live.has(id.split('/')[0]!)), 'the states of the other rules stay (those of rules deleted before go too)');
    assert.deepEqual(await h.store.listItems('demo', 'rule-state-sweep', {}), [], 'the sweep is done');
    await send('DELETE', '/v1/demo/rules/kept.json');
  });

  test('rules are changed and deleted at run time', async () => {
    const r = await send('PUT', '/v1/demo/rules/five.json', { badge: 'five', condition: 'count', eventTypes: [close], count: 50 });
    assert.equal(r.status, 200);
    assert.equal(r.json.count, 50);
    assert.equal((await send('PUT', '/v1/demo/rules/ghost.json', { badge: 'five', condition: 'first', eventTypes: [close] })).status, 404);
    assert.equal((await send('POST', '/v1/demo/rules.json', { id: 'five', badge: 'five', condition: 'first', eventTypes: [close] })).status, 409);
    assert.equal((await send('DELETE', '/v1/demo/rules/five.json')).status, 200);
    assert.equal((await send('GET', '/v1/demo/rules/five.json')).status, 404);
    assert.equal((await send('DELETE', '/v1/demo/rules/five.json')).status, 404);
  });

  test('retention removes old events; what rules without window counted survives', async () => {
    await send('POST', '/v1/demo/rules.json', { id: 'ten', badge: 'five', condition: 'count', eventTypes: [build], count: 4 });
    await post({ events: [1, 2, 3].map((i) => ({ eventType: build, id: `r${i}`, user: 'kim' })) });
    assert.equal((await send('PUT', '/v1/demo/users/kim.json', { badges: ['founder'] })).status, 200);
    assert.equal((await send('PUT', '/v1/demo/event-settings.json', { retentionDays: 1 })).json.retentionDays, 1);
    // The longest window of a rule (hot: P1D, crash: P2D) keeps events longer than the setting.
    now += 2 * DAY + 1000;
    await runJob(JOBS.retention);
    const feed = await h.request('GET', '/v1/demo/users/kim/activity.json', { headers: auth() });
    assert.equal(feed.json.activity.filter((e: { type: string }) => e.type === 'event').length, 0);
    assert.equal(feed.json.activity.filter((e: { type: string }) => e.type === 'award').length, 0, 'award entries go with the events');
    assert.ok((await h.request('GET', '/v1/demo/users/kim.json')).json.badges.some((b: { name: string }) => b.name === 'founder'), 'the award itself stays');
    const r = await post({ events: [{ eventType: build, id: 'r4', user: 'kim' }] });
    assert.deepEqual(r.events[0].awards, ['five']);
    // The id of a removed event may come again: it is older than anything kept.
    const old = await post({ events: [{ eventType: build, id: 'r5', user: 'kim', at: iso(now - 3 * DAY) }] });
    assert.equal(old.events[0].error.code, 'at_out_of_range');
  });
});

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; ; i++) {
    const value = await read();
    if (done(value)) return value;
    if (i > 200) throw new Error(`not done: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { start, type Harness } from './harness.js';

/**
 * A GetBadges v0 client unchanged (issue 24, item 11), at GetBadges' own paths, on the store
 * TEST_STORE names: the event-types catalogue, ids unique per integration, events for an address
 * nobody has yet kept and counted when it appears.
 */

const pullRequest = { source: 'codeRepository', type: 'pullRequest', action: 'add' };

describe('GetBadges v0 compatibility', () => {
  let h: Harness;
  const auth = () => ({ authorization: h.key });
  const send = (method: string, path: string, body?: unknown) => h.request(method, path, { body, headers: auth() });
  const badgesOf = async (user: string) => {
    const r = await h.request('GET', `/v1/demo/users/${encodeURIComponent(user)}.json`);
    return r.status === 404 ? {} : Object.fromEntries(r.json.badges.map((b: { name: string; count: number }) => [b.name, b.count]));
  };
  const integration = async (name: string) => {
    const made = await send('POST', '/v1/demo/integrations.json', { name });
    assert.equal(made.status, 201, made.text);
    return made.json.url as string;
  };
  const log = async (url: string, body: unknown) => {
    const r = await h.request('POST', url, { body });
    assert.deepEqual([r.status, r.json], [200, { status: 'ok', message: 'Event enqueued for processing' }]);
  };
  const feedIds = async (user: string) =>
    (await h.request('GET', `/v1/demo/users/${user}/activity.json?page_size=100`, { headers: auth() })).json.activity.filter((e: { type: string }) => e.type === 'event').map((e: { event: string }) => e.event);

  before(async () => {
    h = await start();
    assert.equal((await send('PUT', '/v1/demo/badges.json', { badges: [{ name: 'merger' }, { name: 'two-prs' }] })).status, 200);
  });
  after(() => h.close());

  test('GET /api/v0/event-types answers their catalogue as a bare array, without a key', async () => {
    const r = await h.request('GET', '/api/v0/event-types');
    assert.equal(r.status, 200);
    assert.ok(Array.isArray(r.json));
    for (const t of [{ source: 'issueTracker', type: 'task', action: 'reopen' }, { source: 'ci', type: 'build', action: 'failed' }, { source: 'crm', type: 'call', action: 'undo' }, pullRequest]) assert.ok(r.json.some((e: object) => JSON.stringify(e) === JSON.stringify(t)), JSON.stringify(t));
    for (const e of r.json) assert.deepEqual(Object.keys(e), ['source', 'type', 'action']);
  });

  test('a catalogue type is taken without registering it: by a rule, and by events at their URL', async () => {
    const rule = await send('POST', '/v1/demo/rules.json', { badge: 'merger', condition: 'first', eventTypes: [pullRequest] });
    assert.equal(rule.status, 201, rule.text);
    assert.equal((await send('PUT', '/v1/demo/users/gina/emails.json', { emails: ['gina@example.org'] })).status, 200);
    await log(await integration('gitlab'), [{ version: 0, eventType: pullRequest, id: 123, email: 'gina@example.org', preview: 'Merge Request message' }]);
    assert.deepEqual(await badgesOf('gina'), { merger: 1 });
    assert.equal((await send('GET', '/v1/demo/events/rejected.json')).json.rejected.length, 0);
  });

  test('ids are unique per integration: the same id from a second integration is recorded and listed, from the same one a duplicate', async () => {
    assert.equal((await send('POST', '/v1/demo/rules.json', { badge: 'two-prs', condition: 'count', eventTypes: [pullRequest], count: 2, repeatable: true })).status, 201);
    assert.equal((await send('PUT', '/v1/demo/users/hal/emails.json', { emails: ['hal@example.org'] })).status, 200);
    const github = await integration('github');
    const bitbucket = await integration('bitbucket');
    await log(github, { version: 0, eventType: pullRequest, id: 'PR-7', email: 'hal@example.org', preview: 'from github' });
    await log(bitbucket, { version: 0, eventType: pullRequest, id: 'PR-7', email: 'hal@example.org', preview: 'from bitbucket' });
    await log(github, { version: 0, eventType: pullRequest, id: 'PR-7', email: 'hal@example.org', preview: 'sent again' });
    const ids = await feedIds('hal');
    assert.equal(ids.length, 2, JSON.stringify(ids));
    assert.ok(ids.every((id: string) => id.endsWith(':PR-7')));
    assert.equal(new Set(ids).size, 2);
    assert.deepEqual(await badgesOf('hal'), { 'two-prs': 1, merger: 1 });
  });

  test('events for an address nobody has yet are kept, and counted once a user gets it', async () => {
    const url = await integration('jira');
    await log(url, [
      { version: 0, eventType: pullRequest, id: 1, email: 'Ivy@Example.org' },
      { version: 0, eventType: pullRequest, id: 2, email: 'ivy@example.org' },
      { version: 0, eventType: pullRequest, id: 2, email: 'ivy@example.org' },
    ]);
    assert.equal((await send('GET', '/v1/demo/events/rejected.json')).json.rejected.length, 0);
    assert.deepEqual(await badgesOf('ivy'), {});
    const set = await send('PUT', '/v1/demo/users/ivy/emails.json', { emails: ['ivy@example.org'] });
    assert.equal(set.status, 200, set.text);
    assert.deepEqual(await badgesOf('ivy'), { merger: 1, 'two-prs': 1 });
    assert.equal((await feedIds('ivy')).length, 2);
    // Claimed once: setting the address again counts nothing twice.
    await send('PUT', '/v1/demo/users/ivy/emails.json', { emails: [] });
    await send('PUT', '/v1/demo/users/ivy/emails.json', { emails: ['ivy@example.org'] });
    assert.deepEqual(await badgesOf('ivy'), { merger: 1, 'two-prs': 1 });
  });

  test('the v1 API still refuses an unknown address (its answer says so; nothing is kept pending)', async () => {
    const r = await send('POST', '/v1/demo/events.json', { eventType: pullRequest, id: 'v1-1', email: 'nobody@example.org' });
    assert.equal(r.json.events[0].error.code, 'unknown_user');
    await send('PUT', '/v1/demo/users/nobody/emails.json', { emails: ['nobody@example.org'] });
    assert.deepEqual(await badgesOf('nobody'), {});
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { start, type Harness } from './harness.js';

describe('badges.json', () => {
  let h: Harness;
  const auth = () => ({ authorization: h.key });
  before(async () => (h = await start()));
  after(() => h.close());

  test('GET lists badges with custom fields, count and latest', async () => {
    const { status, json, headers } = await h.request('GET', '/v1/demo/badges.json');
    assert.equal(status, 200);
    assert.equal(headers.get('access-control-allow-origin'), '*');
    const donated = json.badges.find((b: { name: string }) => b.name === 'donated');
    // daniel twice and alice once in the seed; the last award was daniel's on Oct 8.
    assert.deepEqual(donated, {
      name: 'donated',
      description: 'Donated at least $5',
      link: '/badges/donated',
      type: 'gold',
      count: 3,
      latest: '2026-10-08T12:00:00.000Z',
    });
  });

  for (const [sort, expected] of [
    ['name', ['commenter', 'donated', 'founder', 'popular', 'reviewer']],
    ['-name', ['reviewer', 'popular', 'founder', 'donated', 'commenter']],
    ['count', ['reviewer', 'founder', 'popular', 'donated', 'commenter']],
    ['-count', ['commenter', 'donated', 'founder', 'popular', 'reviewer']],
    ['date', ['reviewer', 'popular', 'donated', 'commenter', 'founder']],
    ['-date', ['commenter', 'founder', 'donated', 'popular', 'reviewer']],
  ] as const) {
    test(`GET ?sort=${sort}`, async () => {
      const { json } = await h.request('GET', `/v1/demo/badges.json?sort=${sort}`);
      assert.deepEqual(json.badges.map((b: { name: string }) => b.name), expected);
    });
  }

  test('PUT creates, updates fields, removes a field set to null, and keeps counts', async () => {
    let { status, json } = await h.request('PUT', '/v1/demo/badges.json', {
      headers: auth(),
      body: { badges: [{ name: 'test', description: 'This is a test badge', link: '/badges/test', myCustomField: 5 }] },
    });
    assert.equal(status, 200);
    assert.deepEqual(json.badges.at(-1), {
      name: 'test',
      description: 'This is a test badge',
      link: '/badges/test',
      myCustomField: 5,
      count: 0,
      latest: null,
    });
    ({ json } = await h.request('PUT', '/v1/demo/badges.json', {
      headers: auth(),
      body: { badges: [{ name: 'donated', description: 'Gave $5 or more', link: null }] },
    }));
    const donated = json.badges.find((b: { name: string }) => b.name === 'donated');
    assert.equal(donated.description, 'Gave $5 or more');
    assert.equal('link' in donated, false);
    assert.equal(donated.type, 'gold');
    assert.equal(donated.count, 3);
  });

  test('DELETE removes badges from the service and from every user', async () => {
    await h.request('PUT', '/v1/demo/badges.json', { headers: auth(), body: { badges: [{ name: 'temporary' }] } });
    await h.request('PUT', '/v1/demo/users/carol.json', { headers: auth(), body: { badges: ['temporary', 'popular'] } });
    const { status, json } = await h.request('DELETE', '/v1/demo/badges.json', { headers: auth(), body: { badges: ['temporary'] } });
    assert.equal(status, 200);
    assert.equal(json.badges.some((b: { name: string }) => b.name === 'temporary'), false);
    const carol = await h.request('GET', '/v1/demo/users/carol.json');
    assert.deepEqual(carol.json.badges.map((b: { name: string }) => b.name), ['popular']);
  });

  test('DELETE of an unregistered badge deletes the others and names it absent', async () => {
    await h.request('PUT', '/v1/demo/badges.json', { headers: auth(), body: { badges: [{ name: 'doomed' }] } });
    const { status, json } = await h.request('DELETE', '/v1/demo/badges.json', { headers: auth(), body: { badges: ['doomed', 'nonexistent'] } });
    assert.equal(status, 200);
    assert.deepEqual(json.absent, ['nonexistent']);
    assert.deepEqual(json.badges, (await h.request('GET', '/v1/demo/badges.json')).json.badges);
    assert.equal(json.badges.some((b: { name: string }) => b.name === 'doomed'), false);
  });

  test('GET answers 304 to a matching If-None-Match and 200 once the data changed', async () => {
    const first = await h.request('GET', '/v1/demo/badges.json');
    const etag = first.headers.get('etag')!;
    assert.match(etag, /^"[\w-]+"$/);
    const again = await h.request('GET', '/v1/demo/badges.json', { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
    assert.equal(again.text, '');
    await h.request('PUT', '/v1/demo/users/daniel.json', { headers: auth(), body: { badges: ['popular'] } });
    const changed = await h.request('GET', '/v1/demo/badges.json', { headers: { 'if-none-match': etag } });
    assert.equal(changed.status, 200);
    assert.notEqual(changed.headers.get('etag'), etag);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { start, type Harness } from './harness.js';

/** Issue 7: what integrations written for the original API ran into. */
describe('compatibility with the original API and its clients', () => {
  let h: Harness;
  const auth = () => ({ authorization: h.key });
  before(async () => (h = await start()));
  after(() => h.close());

  for (const [method, path, allow] of [
    ['POST', '/v1/demo/users/daniel.json', 'HEAD, GET, PUT, DELETE'],
    ['PATCH', '/v1/demo/badges.json', 'HEAD, GET, PUT, DELETE'],
    ['PUT', '/v1/demo/users.json', 'HEAD, GET'],
  ] as const) {
    test(`a 405 (${method} ${path}) carries the Allow header its message points to`, async () => {
      const { status, headers, json } = await h.request(method, path, { headers: auth(), body: { badges: ['popular'] } });
      assert.equal(status, 405);
      assert.equal(json.error.code, 'method_not_allowed');
      assert.equal(headers.get('allow'), allow);
    });
  }

  test('names=daniel&names=bob, as the original client sends a list, is one list of names', async () => {
    for (const fastReads of [true, false]) {
      const koa = fastReads ? h : await start({ config: { fastReads } });
      try {
        const { status, json } = await koa.request('GET', '/v1/demo/users.json?names=daniel&names=bob,alice&names=daniel');
        assert.equal(status, 200);
        assert.deepEqual(json.users.map((u: { name: string }) => u.name), ['daniel', 'bob', 'alice']);
      } finally {
        if (!fastReads) await koa.close();
      }
    }
  });

  test('a badge read with GET, changed and sent back with PUT goes through; server-managed fields are ignored', async () => {
    const read = (await h.request('GET', '/v1/demo/badges.json')).json.badges.find((b: { name: string }) => b.name === 'donated');
    const summary = (await h.request('GET', '/v1/demo/users.json?names=daniel')).json.badges.donated;
    const sent = { ...read, description: 'Gave $5 or more', count: 1000, latest: '2030-01-01T00:00:00.000Z', globalCount: 7, globalLatest: null };
    const { status, json } = await h.request('PUT', '/v1/demo/badges.json', { headers: auth(), body: { badges: [sent, { name: 'popular', ...summary }] } });
    assert.equal(status, 200, JSON.stringify(json));
    const donated = json.badges.find((b: { name: string }) => b.name === 'donated');
    assert.deepEqual(donated, { ...read, description: 'Gave $5 or more' });
    assert.equal('globalCount' in donated, false);
  });

  test('DELETE is idempotent: a retried delete of badges answers what remains and names what was already gone', async () => {
    await h.request('PUT', '/v1/demo/badges.json', { headers: auth(), body: { badges: [{ name: 'once' }, { name: 'twice' }] } });
    await h.request('PUT', '/v1/demo/users/retry.json', { headers: auth(), body: { badges: ['once', 'popular'] } });
    const first = await h.request('DELETE', '/v1/demo/badges.json?sort=name', { headers: auth(), body: { badges: ['once', 'twice'] } });
    assert.equal(first.status, 200);
    assert.deepEqual(first.json.absent, []);
    const retried = await h.request('DELETE', '/v1/demo/badges.json?sort=name', { headers: auth(), body: { badges: ['once', 'twice', 'once'] } });
    assert.equal(retried.status, 200, retried.text);
    assert.deepEqual(retried.json, { badges: first.json.badges, absent: ['once', 'twice'] });
    assert.deepEqual((await h.request('GET', '/v1/demo/users/retry.json')).json.badges.map((b: { name: string }) => b.name), ['popular']);
  });

  test('DELETE is idempotent: a retried revoke answers what the user holds and names what was already gone', async () => {
    await h.request('PUT', '/v1/demo/badges.json', { headers: auth(), body: { badges: [{ name: 'gone-soon' }] } });
    await h.request('PUT', '/v1/demo/users/revoked.json', { headers: auth(), body: { badges: ['popular', 'commenter', 'gone-soon'] } });
    const body = { badges: ['commenter', 'gone-soon'] };
    const first = await h.request('DELETE', '/v1/demo/users/revoked.json', { headers: auth(), body });
    assert.deepEqual(first.json, { user: { name: 'revoked', badges: ['popular'] }, absent: [] });
    const count = (await h.request('GET', '/v1/demo/badges.json')).json.badges;
    // Meanwhile the badge itself was deleted: the retry still succeeds.
    await h.request('DELETE', '/v1/demo/badges.json', { headers: auth(), body: { badges: ['gone-soon'] } });
    const retried = await h.request('DELETE', '/v1/demo/users/revoked.json', { headers: auth(), body });
    assert.equal(retried.status, 200, retried.text);
    assert.deepEqual(retried.json, { user: { name: 'revoked', badges: ['popular'] }, absent: ['commenter', 'gone-soon'] });
    const after = (await h.request('GET', '/v1/demo/badges.json')).json.badges;
    assert.deepEqual(after, count.filter((b: { name: string }) => b.name !== 'gone-soon'), 'no count moved twice');
  });

  test('every answer carries X-Response-Time, as the original API\'s did (the fast path\'s too)', async () => {
    for (const [method, path, body] of [
      ['GET', '/v1/demo/users.json?names=daniel'],
      ['HEAD', '/v1/demo/users.json?names=daniel'],
      ['GET', '/v1/demo/users.json?page_size=1'],
      ['GET', '/v1/demo/badges.json'],
      ['PUT', '/v1/demo/users/daniel.json', { badges: ['popular'] }],
      ['GET', '/v1/nosuch/badges.json'],
      ['GET', '/health'],
    ] as const) {
      const { headers } = await h.request(method, path, { headers: auth(), body });
      assert.match(headers.get('x-response-time') ?? '', /^\d+ms$/, `${method} ${path}`);
    }
    const etag = (await h.request('GET', '/v1/demo/users.json?names=daniel')).headers.get('etag')!;
    const revalidated = await h.request('GET', '/v1/demo/users.json?names=daniel', { headers: { 'if-none-match': etag } });
    assert.equal(revalidated.status, 304);
    assert.match(revalidated.headers.get('x-response-time') ?? '', /^\d+ms$/);
  });
});

describe('the open test service is kept small, checked against the result of a write', () => {
  test('badges: one PUT cannot take it past the quota; updates of existing badges still pass', async () => {
    const { TEST_SERVICE_LIMITS } = await import('../../server/http/auth/guards.js');
    const h = await start();
    try {
      const names = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => ({ name: `b${from + i}` }));
      const count = async () => (await h.request('GET', '/v1/test/badges.json')).json.badges.length;
      assert.equal((await h.request('PUT', '/v1/test/badges.json', { body: { badges: names(0, 19) } })).status, 200);
      const over = await h.request('PUT', '/v1/test/badges.json', { body: { badges: names(19, 119) } });
      assert.equal(over.status, 403);
      assert.equal(over.json.error.code, 'test_service_full');
      assert.match(over.json.error.message, /at most 100 badges; this request would make 119/);
      assert.equal(await count(), 19, 'nothing changed');
      assert.equal((await h.request('PUT', '/v1/test/badges.json', { body: { badges: names(19, TEST_SERVICE_LIMITS.badges) } })).status, 200);
      assert.equal(await count(), 100);
      assert.equal((await h.request('PUT', '/v1/test/badges.json', { body: { badges: [{ name: 'b100' }] } })).status, 403);
      // Full of badges, the service still takes updates and awards: they add no badge.
      assert.equal((await h.request('PUT', '/v1/test/badges.json', { body: { badges: [{ name: 'b0', description: 'first' }] } })).status, 200);
      assert.equal((await h.request('PUT', '/v1/test/users/u.json', { body: { badges: ['b0'] } })).status, 200);
      assert.equal((await h.request('DELETE', '/v1/test/badges.json', { body: { badges: ['b99'] } })).status, 200);
      assert.equal((await h.request('PUT', '/v1/test/badges.json', { body: { badges: [{ name: 'b100' }] } })).status, 200);
      // Other services have no such limit.
      const many = names(0, 101);
      assert.equal((await h.request('PUT', '/v1/demo/badges.json', { headers: { authorization: h.key }, body: { badges: many.slice(0, 100) } })).status, 200);
      assert.equal((await h.request('PUT', '/v1/demo/badges.json', { headers: { authorization: h.key }, body: { badges: many.slice(100) } })).status, 200);
    } finally {
      await h.close();
    }
  });

  test('two PUTs at once cannot both pass the check and together go past the quota', async () => {
    const h = await start();
    try {
      const half = (prefix: string) => ({ body: { badges: Array.from({ length: 60 }, (_, i) => ({ name: `${prefix}${i}` })) } });
      const results = await Promise.all([h.request('PUT', '/v1/test/badges.json', half('x')), h.request('PUT', '/v1/test/badges.json', half('y'))]);
      assert.deepEqual(results.map((r) => r.status).sort(), [200, 403]);
      assert.equal((await h.request('GET', '/v1/test/badges.json')).json.badges.length, 60);
    } finally {
      await h.close();
    }
  });

  test('users: a new user past the quota is refused; existing users are still awarded', async () => {
    const { TEST_SERVICE_LIMITS } = await import('../../server/http/auth/guards.js');
    const h = await start();
    try {
      assert.equal((await h.request('PUT', '/v1/test/badges.json', { body: { badges: [{ name: 'a' }] } })).status, 200);
      for (let i = 1; i < TEST_SERVICE_LIMITS.users; i++) await h.domain.award('test', `u${i}`, ['a'], new Date());
      assert.equal((await h.request('PUT', '/v1/test/users/last.json', { body: { badges: ['a'] } })).status, 200, 'the 1,000th user');
      const over = await h.request('PUT', '/v1/test/users/one-more.json', { body: { badges: ['a'] } });
      assert.equal(over.status, 403);
      assert.equal(over.json.error.code, 'test_service_full');
      assert.equal((await h.request('GET', '/v1/test/users/one-more.json')).status, 404, 'nothing changed');
      assert.equal((await h.request('PUT', '/v1/test/users/u1.json', { body: { badges: ['a'] } })).status, 200, 'an existing user');
    } finally {
      await h.close();
    }
  });
});

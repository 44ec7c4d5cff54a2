import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { UserBadgesClient, UserBadgesError, signRequest } from '../../client/user-badges-client.js';
import { sign } from '../../server/http/auth/signatures.js';
import { start, type Harness } from './harness.js';

describe('UserBadgesClient', () => {
  let h: Harness;
  before(async () => (h = await start()));
  after(() => h.close());

  for (const auth of ['signature', 'header'] as const) {
    test(`every call works against the server (${auth} auth)`, async () => {
      const client = new UserBadgesClient({ server: h.base, service: 'demo', key: h.key, auth });
      const badge = `via-${auth}`;
      const put = await client.putBadges([{ name: badge, description: 'from the client', level: 2 }]);
      assert.deepEqual(put.badges.find((b) => b.name === badge), { name: badge, description: 'from the client', level: 2, count: 0, latest: null });
      assert.deepEqual((await client.award('Zoë Ñ', [badge, badge])).user, { name: 'Zoë Ñ', badges: [badge] });
      assert.equal((await client.user('Zoë Ñ')).badges[0]!.count, 2);
      const users = await client.users({ names: ['Zoë Ñ', 'daniel'], sort: 'name' });
      assert.deepEqual(users.users.map((u) => u.name), ['Zoë Ñ', 'daniel']);
      assert.equal(users.badges[badge]!.count, 2);
      assert.deepEqual((await client.revoke('Zoë Ñ', [badge])).user.badges, []);
      assert.equal((await client.deleteBadges([badge])).badges.some((b) => b.name === badge), false);
      assert.equal((await client.users({ pageSize: 2, page: 1 })).paging?.page_size, 2);
      assert.ok((await client.badges({ sort: '-count' })).badges.length >= 5);
      const goal = `goal-${auth}`;
      await client.putBadges([{ name: goal, goal: 2, tags: [auth] }]);
      assert.deepEqual((await client.progress('learner', { [goal]: 2 })).awarded, [goal]);
      assert.deepEqual((await client.badges({ tags: [auth], pageSize: 1 })).paging?.total, 1);
      assert.deepEqual((await client.user('learner', { states: 'all', tags: [auth] })).badges.map((b) => b.state), ['earned']);
      assert.deepEqual((await client.users({ names: ['bob'], states: 'all', tags: [auth] })).users[0]!.badges.map((b) => [b.name, b.state]), [[goal, 'unearned']]);
    });
  }

  test('failures are UserBadgesError with the status and code', async () => {
    const wrong = new UserBadgesClient({ server: h.base, service: 'demo', key: 'not-the-key' });
    await assert.rejects(wrong.award('daniel', ['popular']), (e: unknown) => e instanceof UserBadgesError && e.status === 401 && e.code === 'invalid_signature');
    const right = new UserBadgesClient({ server: h.base, service: 'demo', key: h.key });
    await assert.rejects(right.award('daniel', ['nope']), (e: unknown) => e instanceof UserBadgesError && e.status === 400 && e.code === 'unknown_badge');
    await assert.rejects(right.user('nobody'), (e: unknown) => e instanceof UserBadgesError && e.status === 404);
  });

  test('a wrong key is said to be the likely cause, the server\'s code kept (issue 12.6)', async () => {
    const wrong = new UserBadgesClient({ server: h.base, service: 'demo', key: 'not-the-key' });
    await assert.rejects(wrong.award('daniel', ['popular']), (e: unknown) => {
      assert.ok(e instanceof UserBadgesError);
      assert.deepEqual([e.status, e.code], [401, 'invalid_signature']);
      assert.match(e.message, /^The signature does not match the request for service "demo": is the key right\?$/);
      return true;
    });
  });

  test('a server that cannot be reached is a UserBadgesError with the reason (issue 12.6)', async () => {
    const { createServer } = await import('node:net');
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    const client = new UserBadgesClient({ server: `http://127.0.0.1:${port}`, service: 'demo' });
    await assert.rejects(client.badges(), (e: unknown) => {
      assert.ok(e instanceof UserBadgesError, String(e));
      assert.deepEqual([e.status, e.code], [0, 'network_error']);
      assert.match(e.message, new RegExp(`^Cannot reach http://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
      assert.ok(e.cause instanceof Error);
      return true;
    });
  });

  test('options that could never work are refused when the client is made (issue 12.6)', () => {
    const refused: [string, unknown, RegExp][] = [
      ['no server', { service: 'demo' }, /needs server, the badge server's http\(s\) URL .*not undefined/],
      ['a server that is not a URL', { server: 'localhost:3000', service: 'demo' }, /needs server/],
      ['no service', { server: h.base }, /needs service/],
      ['a key that is undefined (an unset variable)', { server: h.base, service: 'demo', key: process.env.SURELY_NOT_SET_12_6 }, /key is undefined; give the service's key, or leave key out/],
      ['an empty key', { server: h.base, service: 'demo', key: '' }, /key is ""/],
      ['an unknown auth', { server: h.base, service: 'demo', key: 'k', auth: 'basic' }, /auth must be "signature" or "header"/],
    ];
    for (const [name, options, message] of refused) {
      assert.throws(() => new UserBadgesClient(options as never), (e: unknown) => e instanceof TypeError && message.test(e.message), name);
    }
    // A client that only reads needs no key.
    assert.ok(new UserBadgesClient({ server: h.base, service: 'demo' }));
  });

  test('page_size, the API\'s own name, pages like pageSize; an unknown option is refused (issue 12.6)', async () => {
    const client = new UserBadgesClient({ server: h.base, service: 'demo' });
    assert.equal((await client.users({ page_size: 1 })).paging?.page_size, 1);
    assert.equal((await client.users({ pageSize: 2 })).paging?.page_size, 2);
    await assert.rejects(client.users({ pageSize: 1, page_size: 2 }), /pageSize \(1\) and page_size \(2\) differ/);
    await assert.rejects(client.users({ name: ['daniel'] } as never), (e: unknown) => e instanceof TypeError && /not name$/.test(e.message));
  });

  test('two identical awards in the same second are two awards (every request carries a nonce)', async () => {
    const second = Math.floor(Date.now() / 1000);
    const client = new UserBadgesClient({ server: h.base, service: 'demo', key: h.key, now: () => second });
    const count = async () => (await client.user('daniel')).badges.find((b) => b.name === 'popular')!.count;
    const before = await count();
    await client.award('daniel', ['popular']);
    await client.award('daniel', ['popular']);
    await Promise.all([client.award('daniel', ['popular']), client.award('daniel', ['popular'])]);
    assert.equal(await count(), before + 4);
  });

  test('a client whose clock is off by more than 5 minutes is refused as expired', async () => {
    const late = new UserBadgesClient({ server: h.base, service: 'demo', key: h.key, now: () => Date.now() / 1000 - 600 });
    await assert.rejects(late.award('daniel', ['popular']), (e: unknown) => e instanceof UserBadgesError && e.code === 'expired_ts');
  });

  test('property: the WebCrypto signature of the client equals the server’s, with and without nonce', async () => {
    const nonce = fc.option(fc.stringMatching(/^[A-Za-z0-9_-]{8,64}$/), { nil: undefined });
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1 }), fc.nat().map(String), fc.constantFrom('PUT', 'DELETE'), fc.webPath(), fc.string({ unit: 'binary' }), nonce, async (key, ts, method, path, body, n) => {
        assert.equal(await signRequest(key, ts, method, path, body, n), sign(key, ts, { method, path, body: Buffer.from(body) }, n));
      }),
      { numRuns: 200 },
    );
  });
});

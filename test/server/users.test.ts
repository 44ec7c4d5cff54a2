import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { start, type Harness } from './harness.js';

describe('users', () => {
  let h: Harness;
  const auth = () => ({ authorization: h.key });
  before(async () => (h = await start()));
  after(() => h.close());

  test('GET users.json?names= returns the named users in the order asked and the data of their badges', async () => {
    const { status, json } = await h.request('GET', '/v1/demo/users.json?names=bob,nobody,daniel');
    assert.equal(status, 200);
    assert.deepEqual(json.users.map((u: { name: string }) => u.name), ['bob', 'daniel']);
    assert.deepEqual(Object.keys(json.badges).sort(), ['commenter', 'donated', 'founder', 'popular', 'reviewer']);
    assert.deepEqual(json.badges.commenter, {
      description: 'Posted at least 25 comments',
      link: '/badges/commenter',
      type: 'bronze',
      count: 4,
      latest: '2026-10-12T12:00:00.000Z',
    });
    assert.deepEqual(json.users[1], {
      name: 'daniel',
      latest: '2026-10-08T12:00:00.000Z',
      badges: [
        { name: 'donated', count: 2, latest: '2026-10-08T12:00:00.000Z' },
        { name: 'popular', count: 1, latest: '2026-10-01T12:00:00.000Z' },
        { name: 'commenter', count: 1, latest: '2026-10-01T12:00:00.000Z' },
      ],
    });
  });

  test('the badges map holds only badges the listed users have', async () => {
    const { json } = await h.request('GET', '/v1/demo/users.json?names=daniel');
    assert.deepEqual(Object.keys(json.badges).sort(), ['commenter', 'donated', 'popular']);
  });

  test('sort orders the users and, within each, the badges', async () => {
    const { json } = await h.request('GET', '/v1/demo/users.json?names=daniel,bob,alice&sort=-count');
    // bob holds 5 awards, alice 3, daniel 4.
    assert.deepEqual(json.users.map((u: { name: string }) => u.name), ['bob', 'daniel', 'alice']);
    assert.deepEqual(json.users[0].badges.map((b: { name: string }) => b.name), ['commenter', 'founder', 'reviewer']);
    const byDate = await h.request('GET', '/v1/demo/users.json?names=daniel,bob,alice&sort=date');
    assert.deepEqual(byDate.json.users.map((u: { name: string }) => u.name), ['alice', 'daniel', 'bob']);
  });

  test('without names, users come a page at a time with links to the next and previous pages', async () => {
    const first = await h.request('GET', '/v1/demo/users.json?page_size=2');
    assert.deepEqual(first.json.users.map((u: { name: string }) => u.name), ['alice', 'bob']);
    assert.deepEqual(first.json.paging, {
      total: 3,
      page: 1,
      pages: 2,
      page_size: 2,
      // Without page, next goes on by cursor (issue 25): the page after bob, read from there.
      next: `/v1/demo/users.json?page_size=2&cursor=${Buffer.from(JSON.stringify(['bob', 'bob'])).toString('base64url')}`,
      prev: null,
    });
    const second = await h.request('GET', first.json.paging.next);
    assert.deepEqual(second.json.users.map((u: { name: string }) => u.name), ['daniel']);
    assert.equal(second.json.paging.next, null);
    const numbered = await h.request('GET', '/v1/demo/users.json?page=1&page_size=2');
    assert.equal(numbered.json.paging.next, '/v1/demo/users.json?page=2&page_size=2', 'page numbers link page numbers (v1)');
    assert.deepEqual((await h.request('GET', numbered.json.paging.next)).json.users.map((u: { name: string }) => u.name), ['daniel']);
    const beyond = await h.request('GET', '/v1/demo/users.json?page=9&page_size=2');
    assert.deepEqual(beyond.json.users, []);
    assert.equal(beyond.json.paging.prev, '/v1/demo/users.json?page=2&page_size=2');
  });

  test('GET users/:name.json returns one user as an entry of users.json, with the id of each award', async () => {
    const one = await h.request('GET', '/v1/demo/users/daniel.json');
    const list = await h.request('GET', '/v1/demo/users.json?names=daniel');
    assert.equal(one.status, 200);
    // Beside each badge, the one-user read lists its awards, and where each travels (Open Badges).
    const { badges, ...rest } = one.json as { badges: { awards: string[]; openBadges: { award: string }[]; count: number }[] };
    assert.deepEqual({ ...rest, badges: badges.map(({ awards: _, openBadges: __, ...badge }) => badge) }, list.json.users[0]);
    assert.ok(badges.every((b) => b.awards.length === b.count && b.awards.every((id) => /^aw_[a-z2-7]{20}$/.test(id))), JSON.stringify(badges));
    assert.ok(badges.every((b) => b.openBadges.map((links) => links.award).join() === b.awards.join()), 'one set of links per award, in order');
  });

  test('GET of an unknown user is a 404', async () => {
    const { status, json } = await h.request('GET', '/v1/demo/users/nobody.json');
    assert.equal(status, 404);
    assert.equal(json.error.code, 'user_not_found');
  });

  test('PUT awards each listed badge once more, creates the user, and moves service-wide counts', async () => {
    const before = (await h.request('GET', '/v1/demo/badges.json')).json.badges;
    const count = (list: { name: string; count: number }[], name: string) => list.find((b) => b.name === name)!.count;
    const { status, json } = await h.request('PUT', '/v1/demo/users/zoë.json', { headers: auth(), body: { badges: ['commenter', 'popular', 'commenter'] } });
    assert.equal(status, 200);
    assert.deepEqual(json, { user: { name: 'zoë', badges: ['commenter', 'popular'] }, skipped: [] });
    const zoe = (await h.request('GET', `/v1/demo/users/${encodeURIComponent('zoë')}.json`)).json;
    assert.deepEqual(zoe.badges.map((b: { name: string; count: number }) => [b.name, b.count]), [['commenter', 2], ['popular', 1]]);
    const after = (await h.request('GET', '/v1/demo/badges.json')).json.badges;
    assert.equal(count(after, 'commenter'), count(before, 'commenter') + 2);
    assert.equal(count(after, 'popular'), count(before, 'popular') + 1);
    assert.ok(after.find((b: { name: string }) => b.name === 'commenter').latest > '2026-11-01');
  });

  test('PUT with an unregistered badge fails whole and changes nothing', async () => {
    const before = await h.request('GET', '/v1/demo/users.json?names=daniel,newcomer');
    const badgesBefore = await h.request('GET', '/v1/demo/badges.json');
    const { status, json } = await h.request('PUT', '/v1/demo/users/daniel.json', { headers: auth(), body: { badges: ['popular', 'nonexistent'] } });
    assert.equal(status, 400);
    assert.equal(json.error.code, 'unknown_badge');
    const created = await h.request('PUT', '/v1/demo/users/newcomer.json', { headers: auth(), body: { badges: ['nonexistent'] } });
    assert.equal(created.status, 400);
    assert.deepEqual((await h.request('GET', '/v1/demo/users.json?names=daniel,newcomer')).json, before.json);
    assert.deepEqual((await h.request('GET', '/v1/demo/badges.json')).json, badgesBefore.json);
  });

  test('DELETE takes badges from the user; service-wide count and latest follow', async () => {
    await h.request('PUT', '/v1/demo/badges.json', { headers: auth(), body: { badges: [{ name: 'pioneer' }] } });
    await h.request('PUT', '/v1/demo/users/early.json', { headers: auth(), body: { badges: ['pioneer'] } });
    await h.request('PUT', '/v1/demo/users/late.json', { headers: auth(), body: { badges: ['pioneer', 'pioneer'] } });
    const earlyLatest = (await h.request('GET', '/v1/demo/users/early.json')).json.latest;
    const { status, json } = await h.request('DELETE', '/v1/demo/users/late.json', { headers: auth(), body: { badges: ['pioneer'] } });
    assert.equal(status, 200);
    assert.deepEqual(json, { user: { name: 'late', badges: [] }, absent: [] });
    const pioneer = (await h.request('GET', '/v1/demo/badges.json')).json.badges.find((b: { name: string }) => b.name === 'pioneer');
    assert.equal(pioneer.count, 1);
    assert.equal(pioneer.latest, earlyLatest);
    const late = (await h.request('GET', '/v1/demo/users/late.json')).json;
    assert.deepEqual(late, { name: 'late', latest: null, badges: [] });
  });

  test('DELETE for an unknown user or an unregistered badge names them absent and creates nothing', async () => {
    const nobody = await h.request('DELETE', '/v1/demo/users/nobody.json', { headers: auth(), body: { badges: ['popular'] } });
    assert.deepEqual([nobody.status, nobody.json], [200, { user: { name: 'nobody', badges: [] }, absent: ['popular'] }]);
    assert.equal((await h.request('GET', '/v1/demo/users/nobody.json')).status, 404);
    const r = await h.request('DELETE', '/v1/demo/users/daniel.json', { headers: auth(), body: { badges: ['nonexistent'] } });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.absent, ['nonexistent']);
  });

  test('an unknown service is a 404 on every route', async () => {
    for (const [method, path] of [
      ['GET', '/v1/nosuch/badges.json'],
      ['GET', '/v1/nosuch/users.json?names=a'],
      ['GET', '/v1/nosuch/users/a.json'],
      ['PUT', '/v1/nosuch/users/a.json'],
      ['PUT', '/v1/nosuch/badges.json'],
      ['DELETE', '/v1/nosuch/badges.json'],
    ]) {
      const body = method === 'GET' ? undefined : { badges: ['x'] };
      const { status, json } = await h.request(method!, path!, { body, headers: auth() });
      assert.equal(status, 404, `${method} ${path}`);
      assert.equal(json.error.code, 'service_not_found');
    }
  });

  test('200 concurrent awards of one badge to one user count exactly 200', async () => {
    const before = (await h.request('GET', '/v1/demo/users/bob.json')).json.badges.find((b: { name: string }) => b.name === 'popular')?.count ?? 0;
    const results = await Promise.all(
      Array.from({ length: 200 }, () => h.request('PUT', '/v1/demo/users/bob.json', { headers: auth(), body: { badges: ['popular'] } })),
    );
    assert.deepEqual(new Set(results.map((r) => r.status)), new Set([200]));
    const after = (await h.request('GET', '/v1/demo/users/bob.json')).json.badges.find((b: { name: string }) => b.name === 'popular').count;
    assert.equal(after - before, 200);
  });
});

describe('badge names that are special to JavaScript', () => {
  test('a badge named __proto__ or constructor is an ordinary badge in every answer', async () => {
    const h = await start();
    try {
      const auth = { authorization: h.key };
      const odd = ['__proto__', 'constructor', 'hasOwnProperty', '0'];
      assert.equal((await h.request('PUT', '/v1/demo/badges.json', { headers: auth, body: { badges: odd.map((name) => ({ name, description: `the ${name} badge` })) } })).status, 200);
      assert.equal((await h.request('PUT', '/v1/demo/users/odd.json', { headers: auth, body: { badges: odd } })).status, 200);
      for (const url of ['/v1/demo/users.json?names=odd', '/v1/demo/users.json?page_size=1000']) {
        const { json, text } = await h.request('GET', url);
        const badges = JSON.parse(text).badges;
        for (const name of odd) {
          assert.ok(Object.hasOwn(badges, name), `${url}: ${name} in the badges map`);
          assert.equal(badges[name].description, `the ${name} badge`);
        }
        assert.deepEqual(json.users.find((u: { name: string }) => u.name === 'odd').badges.map((b: { name: string }) => b.name), odd);
      }
      const listed = (await h.request('GET', '/v1/demo/badges.json')).json.badges.map((b: { name: string }) => b.name);
      for (const name of odd) assert.ok(listed.includes(name));
    } finally {
      await h.close();
    }
  });
});

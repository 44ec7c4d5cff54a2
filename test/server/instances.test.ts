import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { UserBadgesClient } from '../../client/user-badges-client.js';
import { withPostgres } from '../support/postgres.js';
import { cli, serve, type Served } from '../support/serve.js';

/**
 * Several `serve` processes on one PostgreSQL database behave as one server: writes are counted
 * once, a read anywhere sees a write acknowledged anywhere (caches included), a signature is used
 * once across all of them, and losing one loses nothing it acknowledged.
 */
describe('two server processes on one database', () => {
  let database: string;
  let a: Served;
  let b: Served;
  let key: string;

  const call = async (server: Served, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(server.base + path, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, etag: response.headers.get('etag'), text, json: text ? JSON.parse(text) : undefined };
  };
  const write = (server: Served, method: string, path: string, body: unknown) => call(server, method, path, body, { authorization: key });
  const countOf = async (server: Served, user: string, badge: string) =>
    (await call(server, 'GET', `/v1/shop/users/${user}.json`)).json?.badges?.find((x: { name: string }) => x.name === badge)?.count ?? 0;

  before(async () => {
    database = await withPostgres();
    [a, b] = await Promise.all([serve(['--database', database, '--no-seed']), serve(['--database', database, '--no-seed'])]);
    // The CLI works on the database while both servers run.
    const created = await cli(['service', 'create', 'shop', '--database', database]);
    assert.equal(created.code, 0, created.stderr);
    key = JSON.parse(created.stdout).key;
    const badges = await write(a, 'PUT', '/v1/shop/badges.json', { badges: [{ name: 'gold' }, { name: 'silver' }, { name: 'load' }] });
    assert.equal(badges.status, 200, badges.text);
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  test('200 concurrent awards of one badge to one user, spread over both, count exactly 200', async () => {
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => write(i % 2 ? a : b, 'PUT', '/v1/shop/users/ann.json', { badges: ['gold'] })));
    assert.deepEqual(answers.filter((r) => r.status !== 200), []);
    assert.equal(await countOf(a, 'ann', 'gold'), 200);
    assert.equal(await countOf(b, 'ann', 'gold'), 200);
    const badges = (await call(b, 'GET', '/v1/shop/badges.json')).json.badges;
    assert.equal(badges.find((x: { name: string }) => x.name === 'gold').count, 200);
  });

  test("a read on B sees a write acknowledged by A within a second, caches included, with the same ETag", async () => {
    const read = '/v1/shop/users.json?names=bea,ann';
    const before = await call(b, 'GET', read);
    assert.equal((await call(b, 'GET', read)).etag, before.etag, 'the second read is the cached answer');
    assert.equal((await write(a, 'PUT', '/v1/shop/users/bea.json', { badges: ['silver'] })).status, 200);
    const acknowledged = Date.now();
    let seen;
    do seen = await call(b, 'GET', read);
    while (seen.etag === before.etag && Date.now() - acknowledged < 1000);
    assert.notEqual(seen.etag, before.etag, 'B still answered the old content after 1 s');
    assert.deepEqual(seen.json.users.map((u: { name: string }) => u.name), ['bea', 'ann']);
    const onA = await call(a, 'GET', read);
    assert.equal(onA.etag, seen.etag);
    assert.equal(onA.text, seen.text);
  });

  test('a signature used on one instance is refused on the other', async () => {
    let captured: { url: string; init: RequestInit } | undefined;
    const client = new UserBadgesClient({
      server: a.base,
      service: 'shop',
      key,
      auth: 'signature',
      fetch: async (url: string | URL | Request, init?: RequestInit) => {
        captured = { url: String(url), init: init! };
        return fetch(url, init);
      },
    });
    await client.award('cid', ['gold']);
    const replay = await fetch(captured!.url.replace(a.base, b.base), captured!.init);
    assert.equal(replay.status, 401);
    assert.equal((await replay.json()).error.code, 'replayed_signature');
    assert.equal(await countOf(b, 'cid', 'gold'), 1);
  });

  test('a key rotated with the CLI stops working on every instance at once', async () => {
    const rotated = await cli(['service', 'rotate-key', 'shop', '--database', database]);
    assert.equal(rotated.code, 0, rotated.stderr);
    const old = key;
    key = JSON.parse(rotated.stdout).key;
    for (const server of [a, b]) {
      let status = 0;
      const started = Date.now();
      do status = (await call(server, 'PUT', '/v1/shop/users/dan.json', { badges: ['gold'] }, { authorization: old })).status;
      while (status !== 401 && Date.now() - started < 1000);
      assert.equal(status, 401);
      assert.equal((await write(server, 'PUT', '/v1/shop/users/dan.json', { badges: ['gold'] })).status, 200);
    }
    const listed = await cli(['service', 'list', '--database', database]);
    assert.match(listed.stdout, /"name":"shop"/);
    assert.doesNotMatch(listed.stdout, new RegExp(key));
  });

  test('kill -9 of one instance under load loses no acknowledged write, and the other keeps answering', async () => {
    const users = Array.from({ length: 20 }, (_, i) => `k${i}`);
    const acknowledged = new Map(users.map((u) => [u, 0]));
    let killed = false;
    let afterKill = 0;
    const clients = Array.from({ length: 30 }, async (_, c) => {
      for (let i = 0; i < 10_000 && !(killed && afterKill > 200); i++) {
        const server = c % 2 ? a : b;
        const user = users[(c * 7 + i) % users.length]!;
        try {
          const r = await write(server, 'PUT', `/v1/shop/users/${user}.json`, { badges: ['load'] });
          assert.equal(r.status, 200, r.text);
          acknowledged.set(user, acknowledged.get(user)! + 1);
          if (killed && server === b) afterKill++;
        } catch (error) {
          if (!(killed && server === a)) throw error;
          return;
        }
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    killed = true;
    a.child.kill('SIGKILL');
    await Promise.all(clients);
    assert.ok(afterKill > 200, 'B went on acknowledging writes after A died');
    for (const user of users) {
      const stored = await countOf(b, user, 'load');
      assert.ok(stored >= acknowledged.get(user)!, `${user}: ${stored} stored, ${acknowledged.get(user)} acknowledged`);
    }
    // A restarted instance serves the same data.
    a = await serve(['--database', database, '--no-seed']);
    assert.equal(await countOf(a, 'k0', 'load'), await countOf(b, 'k0', 'load'));
  });
});

import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { start, type Harness } from './harness.js';

const hmac = (key: string, ts: string | number, method: string, path: string, body: string) =>
  createHmac('sha256', key).update(`${ts}\n${method}\n${path}\n${body}`).digest('hex');
const sha1 = (key: string, ts: string | number, path: string, body: string) => createHash('sha1').update(`${key}${ts}${path}${body}`).digest('hex');

describe('authentication of writes', () => {
  let h: Harness;
  let now = Date.UTC(2026, 10, 22, 12);
  let otherKey: string;
  const path = '/v1/demo/users/daniel.json';
  const body = JSON.stringify({ badges: ['popular'] });
  const ts = () => Math.floor(now / 1000);
  const put = (query: string, headers: Record<string, string> = {}) => h.request('PUT', `${path}${query}`, { raw: body, headers: { 'content-type': 'application/json', ...headers } });
  const popular = async () => (await h.request('GET', path)).json.badges.find((b: { name: string }) => b.name === 'popular').count as number;

  const bootedAt = now;
  before(async () => {
    h = await start({ config: { now: () => now } });
    otherKey = (await h.store.createService('other', 'other-secret-key')).key;
    now += 60_000;
  });
  after(() => h.close());

  const accepted: [string, () => Parameters<typeof put>][] = [
    ['Authorization: <key>', () => ['', { authorization: h.key }]],
    ['Authorization: Bearer <key>', () => ['', { authorization: `Bearer ${h.key}` }]],
    ['HMAC-SHA256 signature', () => [`?ts=${ts()}&signature=${hmac(h.key, ts(), 'PUT', path, body)}`]],
    ['HMAC-SHA256 signature in upper-case hex', () => [`?ts=${ts() + 1}&signature=${hmac(h.key, ts() + 1, 'PUT', path, body).toUpperCase()}`]],
    ['legacy SHA1 signature', () => [`?ts=${ts()}&signature=${sha1(h.key, ts(), path, body)}`]],
    ['a signature 299 s in the future', () => [`?ts=${ts() + 299}&signature=${hmac(h.key, ts() + 299, 'PUT', path, body)}`]],
  ];
  for (const [name, args] of accepted) {
    test(`accepts ${name}`, async () => {
      const before = await popular();
      const { status } = await put(...args());
      assert.equal(status, 200);
      assert.equal(await popular(), before + 1);
    });
  }

  const refused: [string, string, () => Parameters<typeof put>][] = [
    ['no credentials', 'missing_credentials', () => ['']],
    ['a wrong key', 'invalid_key', () => ['', { authorization: 'wrong' }]],
    ['an empty Authorization', 'missing_credentials', () => ['', { authorization: '' }]],
    ["another service's key", 'invalid_key', () => ['', { authorization: otherKey }]],
    ["a signature made with another service's key", 'invalid_signature', () => [`?ts=${ts()}&signature=${hmac(otherKey, ts(), 'PUT', path, body)}`]],
    ['a signature over another body', 'invalid_signature', () => [`?ts=${ts()}&signature=${hmac(h.key, ts(), 'PUT', path, '{"badges":["donated"]}')}`]],
    ['a signature over another method', 'invalid_signature', () => [`?ts=${ts()}&signature=${hmac(h.key, ts(), 'DELETE', path, body)}`]],
    ['a signature over another path', 'invalid_signature', () => [`?ts=${ts()}&signature=${hmac(h.key, ts(), 'PUT', '/v1/demo/users/bob.json', body)}`]],
    ['a ts 301 s old', 'expired_ts', () => [`?ts=${ts() - 301}&signature=${hmac(h.key, ts() - 301, 'PUT', path, body)}`]],
    ['a ts 301 s ahead', 'expired_ts', () => [`?ts=${ts() + 301}&signature=${hmac(h.key, ts() + 301, 'PUT', path, body)}`]],
    ['a ts that is not a number', 'invalid_ts', () => [`?ts=soon&signature=${hmac(h.key, 'soon', 'PUT', path, body)}`]],
    ['a signature of the wrong length', 'invalid_signature', () => [`?ts=${ts()}&signature=abc123`]],
    ['a ts without signature', 'invalid_signature', () => [`?ts=${ts()}`]],
    ['the key in the URL', 'key_in_url', () => [`?key=${h.key}`]],
    ['the key in the URL beside a valid header', 'key_in_url', () => [`?api_key=${h.key}`, { authorization: h.key }]],
  ];
  for (const [name, code, args] of refused) {
    test(`refuses ${name} with 401 ${code}, changing nothing`, async () => {
      const before = await popular();
      const { status, json, headers } = await put(...args());
      assert.equal(status, 401);
      assert.equal(json.error.code, code);
      assert.match(headers.get('www-authenticate') ?? '', /Bearer/);
      assert.equal(await popular(), before);
    });
  }

  test('refuses a replayed signature', async () => {
    const query = `?ts=${ts() - 5}&signature=${hmac(h.key, ts() - 5, 'PUT', path, body)}`;
    assert.equal((await put(query)).status, 200);
    const before = await popular();
    const replay = await put(query);
    assert.equal(replay.status, 401);
    assert.equal(replay.json.error.code, 'replayed_signature');
    assert.equal(await popular(), before);
  });

  test('a signature made before the server started is refused (a restart forgets used signatures)', async () => {
    const before = Math.floor(bootedAt / 1000) - 1;
    const { status, json } = await put(`?ts=${before}&signature=${hmac(h.key, before, 'PUT', path, body)}`);
    assert.equal(status, 401);
    assert.equal(json.error.code, 'replayed_signature');
  });

  test('a signature can be replayed against no other service', async () => {
    const other = '/v1/other/badges.json';
    const badges = JSON.stringify({ badges: [{ name: 'x' }] });
    const query = `?ts=${ts()}&signature=${hmac(otherKey, ts(), 'PUT', other, badges)}`;
    assert.equal((await h.request('PUT', other + query, { raw: badges })).status, 200);
    assert.equal((await h.request('PUT', other + query, { raw: badges })).status, 401);
  });

  test('the signature covers the path as sent, percent-encoding included', async () => {
    const encoded = '/v1/demo/users/zo%C3%AB.json';
    const query = `?ts=${ts()}&signature=${hmac(h.key, ts(), 'PUT', encoded, body)}`;
    const { status, json } = await h.request('PUT', encoded + query, { raw: body });
    assert.equal(status, 200);
    assert.equal(json.user.name, 'zoë');
  });

  test('reads need no credentials', async () => {
    assert.equal((await h.request('GET', '/v1/other/badges.json')).status, 200);
  });

  test('a signed DELETE with an empty body signs the empty string', async () => {
    await h.request('PUT', '/v1/other/badges.json', { raw: '{"badges":[{"name":"y"}]}', headers: { authorization: otherKey } });
    const empty = `?ts=${ts()}&signature=${hmac(otherKey, ts(), 'DELETE', '/v1/other/badges.json', '')}`;
    const { status, json } = await h.request('DELETE', '/v1/other/badges.json' + empty);
    // Authenticated, then refused for the missing body: the signature itself was fine.
    assert.equal(status, 400);
    assert.equal(json.error.code, 'invalid_body');
  });
});

describe('the test service', () => {
  test('takes writes without a key by default', async () => {
    const h = await start();
    try {
      assert.equal((await h.request('PUT', '/v1/test/badges.json', { body: { badges: [{ name: 'a' }] } })).status, 200);
      assert.equal((await h.request('PUT', '/v1/test/users/u.json', { body: { badges: ['a'] } })).status, 200);
      assert.equal((await h.request('GET', '/v1/test/users/u.json')).json.badges[0].name, 'a');
    } finally {
      await h.close();
    }
  });

  test('is an ordinary (here: unknown) service when the setting is off', async () => {
    const h = await start({ config: { openTestService: false } });
    try {
      const { status, json } = await h.request('PUT', '/v1/test/badges.json', { body: { badges: [{ name: 'a' }] } });
      assert.equal(status, 404);
      assert.equal(json.error.code, 'service_not_found');
      await h.store.createService('test', 'secret');
      assert.equal((await h.request('PUT', '/v1/test/badges.json', { body: { badges: [{ name: 'a' }] } })).status, 401);
    } finally {
      await h.close();
    }
  });
});

describe('the worked example in the README', () => {
  test('is what the server computes', async () => {
    const { sign, legacySign } = await import('../../server/auth.js');
    const request = { method: 'PUT', path: '/v1/demo/users/daniel.json', body: Buffer.from('{"badges":["commenter","popular"]}') };
    assert.equal(sign('abc123', '1361151319', request), '2d3c2c98c3b17cf0a6405156cf6fa0eba95d73b9fc9f4abf06834c62ca687ccc');
    assert.equal(legacySign('abc123', '1361151319', request), 'd928839512e815b682b304b50116b1875aac51ae');
  });
});

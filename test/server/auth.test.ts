import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { start, type Harness } from './harness.js';

const hmac = (key: string, ts: string | number, method: string, path: string, body: string, nonce?: string) =>
  createHmac('sha256', key).update(`${ts}\n${nonce === undefined ? '' : `${nonce}\n`}${method}\n${path}\n${body}`).digest('hex');
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
    otherKey = (await h.domain.createService('other', 'other-secret-key')).key;
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
    ['HMAC-SHA256 signature with a nonce', () => [`?ts=${ts()}&nonce=n0nce-0001&signature=${hmac(h.key, ts(), 'PUT', path, body, 'n0nce-0001')}`]],
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
    ['a nonce the signature does not cover', 'invalid_signature', () => [`?ts=${ts()}&nonce=added-later&signature=${hmac(h.key, ts(), 'PUT', path, body)}`]],
    ['a malformed nonce', 'invalid_nonce', () => [`?ts=${ts()}&nonce=short&signature=${hmac(h.key, ts(), 'PUT', path, body, 'short')}`]],
    ['a nonce beside a legacy SHA1 signature, which cannot cover it', 'invalid_nonce', () => [`?ts=${ts()}&nonce=n0nce-0002&signature=${sha1(h.key, ts(), path, body)}`]],
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

  test('refuses a replayed signature that has a nonce', async () => {
    const query = `?ts=${ts() - 5}&nonce=replayed-1&signature=${hmac(h.key, ts() - 5, 'PUT', path, body, 'replayed-1')}`;
    assert.equal((await put(query)).status, 200);
    const before = await popular();
    const replay = await put(query);
    assert.equal(replay.status, 401);
    assert.equal(replay.json.error.code, 'replayed_signature');
    assert.equal(await popular(), before);
  });

  test('the same request signed without nonce, again in the window, gets the first answer again and changes nothing', async () => {
    const query = `?ts=${ts() - 6}&signature=${hmac(h.key, ts() - 6, 'PUT', path, body)}`;
    const first = await put(query);
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('x-replay'), null);
    const before = await popular();
    const again = await put(query);
    assert.equal(again.status, 200);
    assert.equal(again.headers.get('x-replay'), 'true');
    assert.equal(again.text, first.text);
    assert.equal(again.headers.get('content-type'), first.headers.get('content-type'));
    assert.equal(await popular(), before);
  });

  test('two identical requests with distinct nonces are two awards', async () => {
    const before = await popular();
    for (const nonce of ['comment-001', 'comment-002']) {
      assert.equal((await put(`?ts=${ts()}&nonce=${nonce}&signature=${hmac(h.key, ts(), 'PUT', path, body, nonce)}`)).status, 200);
    }
    assert.equal(await popular(), before + 2);
  });

  test('a signature made before the server started is refused when the replay memory is the process\'s (a restart forgets it)', async () => {
    const before = Math.floor(bootedAt / 1000) - 1;
    const signed = `?ts=${before}&signature=${hmac(h.key, before, 'PUT', path, body)}`;
    const { status, json } = await put(signed);
    if (h.store.replays) {
      // A store shared by instances keeps the memory in the database, across restarts: it is used
      // once, like any other.
      assert.equal(status, 200);
      assert.equal((await put(signed)).status, 200, 'an identical repeat gets the first answer');
      return;
    }
    assert.equal(status, 401);
    assert.equal(json.error.code, 'replayed_signature');
  });

  test('a signature can be replayed against no other service', async () => {
    const other = '/v1/other/badges.json';
    const badges = JSON.stringify({ badges: [{ name: 'x' }] });
    const query = `?ts=${ts()}&nonce=other-0001&signature=${hmac(otherKey, ts(), 'PUT', other, badges, 'other-0001')}`;
    assert.equal((await h.request('PUT', other + query, { raw: badges })).status, 200);
    assert.equal((await h.request('PUT', other + query, { raw: badges })).status, 401);
    assert.equal((await h.request('PUT', other.replace('other', 'demo') + query, { raw: badges })).status, 401);
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
      await h.domain.createService('test', 'secret');
      assert.equal((await h.request('PUT', '/v1/test/badges.json', { body: { badges: [{ name: 'a' }] } })).status, 401);
    } finally {
      await h.close();
    }
  });
});

describe('the worked example in the README', () => {
  test('is what the server computes', async () => {
    const { sign, legacySign } = await import('../../server/http/auth/signatures.js');
    const request = { method: 'PUT', path: '/v1/demo/users/daniel.json', body: Buffer.from('{"badges":["commenter","popular"]}') };
    assert.equal(sign('abc123', '1361151319', request), '2d3c2c98c3b17cf0a6405156cf6fa0eba95d73b9fc9f4abf06834c62ca687ccc');
    assert.equal(legacySign('abc123', '1361151319', request), 'd928839512e815b682b304b50116b1875aac51ae');
    assert.equal(sign('abc123', '1361151319', request, '5f0c8e2a9d1b4c7e'), 'c270c0fb1f9ea96f6613877a3be22dfa39449770c2c86a71e953822c078ce02c');
  });
});

describe('credentials in URLs (issue 14.5)', () => {
  let h: Harness;
  const logged: unknown[] = [];
  const secret = 'TOP-SECRET-VALUE-0123';
  before(async () => (h = await start({ config: { log: (...args: unknown[]) => logged.push(args) } })));
  after(() => h.close());

  const names = ['key', 'KEY', 'Key', 'apiKey', 'api_key', 'API-KEY', 'apikey', 'token', 'Token', 'access_token', 'accessToken', 'secret', 'SECRET'];
  const requests: [string, string][] = [
    ['GET', '/v1/demo/users.json?names=daniel&'],
    ['HEAD', '/v1/demo/users.json?names=daniel&'],
    ['GET', '/v1/demo/badges.json?'],
    ['GET', '/v1/nosuch/users/daniel.json?'],
    ['PUT', '/v1/demo/users/daniel.json?'],
    ['DELETE', '/v1/test/users/daniel.json?'],
    ['GET', '/health?'],
  ];
  for (const name of names) {
    test(`?${name}= is refused with 400 key_in_url on every method, and its value is never echoed or logged`, async () => {
      for (const [method, path] of requests) {
        const r = await h.request(method, `${path}${encodeURIComponent(name)}=${secret}`, { headers: { authorization: h.key }, body: method === 'GET' || method === 'HEAD' ? undefined : { badges: ['popular'] } });
        assert.equal(r.status, 400, `${method} ${path}${name}`);
        if (method !== 'HEAD') assert.equal(r.json.error.code, 'key_in_url');
        assert.doesNotMatch(r.text, new RegExp(secret));
      }
      assert.doesNotMatch(JSON.stringify(logged, (_, v) => (v instanceof Error ? v.stack : v)), new RegExp(secret));
      assert.equal((await h.request('GET', '/v1/demo/users.json?names=daniel&sort=name')).status, 200, 'other parameters pass');
    });
  }
});

describe('authentication runs before body checks (issue 14.5)', () => {
  let h: Harness;
  before(async () => (h = await start({ config: { maxBodyBytes: 1024 } })));
  after(() => h.close());
  const path = '/v1/demo/users/daniel.json';

  const cases: [string, { raw: string; headers: Record<string, string> }, string][] = [
    ['a wrong key with a body over the limit', { raw: JSON.stringify({ badges: ['popular'], pad: 'x'.repeat(4096) }), headers: { authorization: 'wrong' } }, 'invalid_key'],
    ['a wrong key with a form-encoded body', { raw: 'badges=popular', headers: { authorization: 'wrong', 'content-type': 'application/x-www-form-urlencoded' } }, 'invalid_key'],
    ['a wrong key with invalid JSON', { raw: '{"badges": [', headers: { authorization: 'wrong' } }, 'invalid_key'],
    ['no credentials with invalid JSON', { raw: '{"badges": [', headers: {} }, 'missing_credentials'],
    ['a malformed ts with a body over the limit', { raw: 'x'.repeat(4096), headers: {} }, 'invalid_ts'],
  ];
  for (const [name, options, code] of cases) {
    test(`${name}: 401 ${code}, not a complaint about the body`, async () => {
      const query = code === 'invalid_ts' ? '?ts=soon&signature=' + 'a'.repeat(64) : '';
      const r = await h.request('PUT', path + query, options);
      assert.equal(r.status, 401, r.text);
      assert.equal(r.json.error.code, code);
    });
  }

  test('a signed request refused for its body (415, 400) has used up its signature', async () => {
    const now = Math.floor(Date.now() / 1000);
    const form = 'badges=popular';
    const signature = hmac(h.key, now, 'PUT', path, form, 'form-00001');
    const query = `?ts=${now}&nonce=form-00001&signature=${signature}`;
    const first = await h.request('PUT', path + query, { raw: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(first.status, 415);
    const again = await h.request('PUT', path + query, { raw: form, headers: { 'content-type': 'application/json' } });
    assert.equal(again.status, 401);
    assert.equal(again.json.error.code, 'replayed_signature');
  });
});

describe('a service can turn the legacy SHA1 form off (issue 14.5)', () => {
  test('legacy signatures are then refused with 401 legacy_signatures_off; HMAC and the header still work', async () => {
    const h = await start();
    try {
      const path = '/v1/demo/users/daniel.json';
      const body = '{"badges":["popular"]}';
      const now = Math.floor(Date.now() / 1000);
      await h.domain.updateServiceSettings('demo', { legacySignatures: false });
      const legacy = await h.request('PUT', `${path}?ts=${now}&signature=${sha1(h.key, now, path, body)}`, { raw: body });
      assert.equal(legacy.status, 401);
      assert.equal(legacy.json.error.code, 'legacy_signatures_off');
      assert.equal((await h.request('PUT', `${path}?ts=${now}&signature=${hmac(h.key, now, 'PUT', path, body)}`, { raw: body })).status, 200);
      assert.equal((await h.request('PUT', path, { raw: body, headers: { authorization: h.key } })).status, 200);
      await h.domain.updateServiceSettings('demo', { legacySignatures: true });
      assert.equal((await h.request('PUT', `${path}?ts=${now}&signature=${sha1(h.key, now, path, body)}`, { raw: body })).status, 200);
    } finally {
      await h.close();
    }
  });
});

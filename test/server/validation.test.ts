import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { start, type Harness } from './harness.js';

/** Everything a client can read: if this is unchanged, a refused request changed nothing. */
async function snapshot(h: Harness) {
  const badges = (await h.request('GET', '/v1/demo/badges.json')).json;
  const users = (await h.request('GET', '/v1/demo/users.json?page_size=1000')).json;
  return { badges, users };
}

describe('bad input gets a 4xx with a JSON error and changes nothing', () => {
  let h: Harness;
  before(async () => (h = await start({ config: { maxBodyBytes: 16 * 1024 } })));
  after(() => h.close());

  const user = '/v1/demo/users/daniel.json';
  const badges = '/v1/demo/badges.json';
  const cases: { name: string; method: string; path: string; raw?: string; body?: unknown; type?: string; status: number; code: string }[] = [
    { name: 'invalid JSON', method: 'PUT', path: user, raw: '{"badges": [', status: 400, code: 'invalid_json' },
    { name: 'invalid UTF-8', method: 'PUT', path: user, raw: '\xff', status: 400, code: 'invalid_json' },
    { name: 'no body', method: 'PUT', path: user, status: 400, code: 'invalid_body' },
    { name: 'a JSON array body', method: 'PUT', path: user, body: ['popular'], status: 400, code: 'invalid_body' },
    { name: 'a JSON string body', method: 'PUT', path: user, body: 'popular', status: 400, code: 'invalid_body' },
    { name: 'badges missing', method: 'PUT', path: user, body: { badge: ['popular'] }, status: 400, code: 'invalid_body' },
    { name: 'badges not an array', method: 'PUT', path: user, body: { badges: 'popular' }, status: 400, code: 'invalid_body' },
    { name: 'badges empty', method: 'PUT', path: user, body: { badges: [] }, status: 400, code: 'invalid_body' },
    { name: 'a badge name that is a number', method: 'PUT', path: user, body: { badges: [5] }, status: 400, code: 'invalid_badge_name' },
    { name: 'a null badge name', method: 'PUT', path: user, body: { badges: ['popular', null] }, status: 400, code: 'invalid_badge_name' },
    { name: 'too many badges', method: 'PUT', path: user, body: { badges: Array(101).fill('popular') }, status: 400, code: 'too_many_badges' },
    { name: 'an empty badge name', method: 'DELETE', path: user, body: { badges: [''] }, status: 400, code: 'invalid_badge_name' },
    { name: 'a form-encoded body', method: 'PUT', path: user, raw: 'badges=popular', type: 'application/x-www-form-urlencoded', status: 415, code: 'unsupported_media_type' },
    { name: 'a body over the limit', method: 'PUT', path: user, raw: JSON.stringify({ badges: ['popular'], pad: 'x'.repeat(17 * 1024) }), status: 413, code: 'body_too_large' },
    { name: 'badge definitions that are strings', method: 'PUT', path: badges, body: { badges: ['gold'] }, status: 400, code: 'invalid_badge' },
    { name: 'a badge definition without name', method: 'PUT', path: badges, body: { badges: [{ description: 'x' }] }, status: 400, code: 'invalid_badge' },
    { name: 'a __proto__ field', method: 'PUT', path: badges, raw: '{"badges":[{"name":"p","__proto__":{"polluted":1}}]}', status: 400, code: 'invalid_field' },
    { name: 'a field name with a control character', method: 'PUT', path: badges, body: { badges: [{ name: 'p', 'a\u0000b': 1 }] }, status: 400, code: 'invalid_field' },
    { name: 'too many fields', method: 'PUT', path: badges, body: { badges: [{ name: 'p', ...Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`f${i}`, i])) }] }, status: 400, code: 'too_many_fields' },
    { name: 'fields too large', method: 'PUT', path: badges, body: { badges: [{ name: 'p', a: 'x'.repeat(3000), b: 'y'.repeat(3000), c: 'z'.repeat(3000) }] }, status: 413, code: 'fields_too_large' },
    // JSON.parse makes Infinity of these, which is written back as null ("remove this field").
    { name: 'a number JSON cannot hold', method: 'PUT', path: badges, raw: '{"badges":[{"name":"p","big":1e999}]}', status: 400, code: 'invalid_number' },
    { name: 'a nested -1e999', method: 'PUT', path: badges, raw: '{"badges":[{"name":"p","a":{"b":[1,-1e999]}}]}', status: 400, code: 'invalid_number' },
    { name: 'fields nested too deep', method: 'PUT', path: badges, raw: `{"badges":[{"name":"p","deep":${'['.repeat(40)}${']'.repeat(40)}}]}`, status: 400, code: 'fields_too_deep' },
    { name: 'fields nested deep enough to overflow a recursive check', method: 'PUT', path: badges, raw: `{"badges":[{"name":"p","deep":${'['.repeat(5000)}${']'.repeat(5000)}}]}`, status: 400, code: 'fields_too_deep' },
    { name: 'the second of two badges invalid', method: 'PUT', path: badges, body: { badges: [{ name: 'fine' }, { name: ' padded ' }] }, status: 400, code: 'invalid_badge_name' },
    { name: 'a badge name with a comma', method: 'PUT', path: badges, body: { badges: [{ name: 'a,b' }] }, status: 400, code: 'invalid_badge_name' },
    { name: 'a badge name with a newline', method: 'PUT', path: badges, body: { badges: [{ name: 'a\nb' }] }, status: 400, code: 'invalid_badge_name' },
    { name: 'a badge name of 101 characters', method: 'PUT', path: badges, body: { badges: [{ name: 'é'.repeat(101) }] }, status: 400, code: 'invalid_badge_name' },
    { name: 'an invalid sort', method: 'GET', path: '/v1/demo/users.json?sort=latest', status: 400, code: 'invalid_sort' },
    { name: 'sort given twice', method: 'GET', path: '/v1/demo/badges.json?sort=name&sort=count', status: 400, code: 'invalid_sort' },
    { name: 'an invalid sort on a write', method: 'PUT', path: `${badges}?sort=up`, body: { badges: [{ name: 'p' }] }, status: 400, code: 'invalid_sort' },
    { name: 'page 0', method: 'GET', path: '/v1/demo/users.json?page=0', status: 400, code: 'invalid_page' },
    { name: 'a page size over the maximum', method: 'GET', path: '/v1/demo/users.json?page_size=1001', status: 400, code: 'invalid_page_size' },
    { name: 'a page that is not a number', method: 'GET', path: '/v1/demo/users.json?page=two', status: 400, code: 'invalid_page' },
    { name: 'more than 100 names', method: 'GET', path: `/v1/demo/users.json?names=${Array.from({ length: 101 }, (_, i) => `u${i}`).join(',')}`, status: 400, code: 'too_many_names' },
    { name: 'a user name with a control character', method: 'PUT', path: '/v1/demo/users/a%07b.json', body: { badges: ['popular'] }, status: 400, code: 'invalid_user_name' },
    { name: 'a user name with an encoded slash', method: 'PUT', path: '/v1/demo/users/..%2F..%2Fetc.json', body: { badges: ['popular'] }, status: 400, code: 'invalid_user_name' },
    { name: 'a user name of spaces', method: 'PUT', path: '/v1/demo/users/%20%20.json', body: { badges: ['popular'] }, status: 400, code: 'invalid_user_name' },
    { name: 'a service name with a dot', method: 'GET', path: '/v1/..demo/badges.json', status: 400, code: 'invalid_service_name' },
    { name: 'a service name with an encoded slash', method: 'GET', path: '/v1/de%2Fmo/badges.json', status: 400, code: 'invalid_service_name' },
    { name: 'a malformed percent-encoding', method: 'GET', path: '/v1/demo/users/%E0%A4%A.json', status: 400, code: 'invalid_path' },
    { name: 'an unknown route', method: 'GET', path: '/v1/demo/awards.json', status: 404, code: 'not_found' },
    { name: 'an unsupported method', method: 'POST', path: user, body: { badges: ['popular'] }, status: 405, code: 'method_not_allowed' },
    { name: 'a method the server does not know', method: 'PROPFIND', path: user, status: 501, code: 'not_implemented' },
  ];

  for (const c of cases) {
    test(`${c.method} ${c.name}: ${c.status} ${c.code}`, async () => {
      const before = await snapshot(h);
      const headers: Record<string, string> = { authorization: h.key };
      if (c.type) headers['content-type'] = c.type;
      // `raw` is bytes (latin1 keeps "\xff" one byte); `body` is JSON, sent as UTF-8.
      const raw = c.raw !== undefined ? Buffer.from(c.raw, 'latin1') : c.body === undefined ? undefined : JSON.stringify(c.body);
      const response = await h.request(c.method, c.path, { raw, headers });
      assert.equal(response.status, c.status, response.text);
      assert.match(response.headers.get('content-type') ?? '', /application\/json/);
      assert.equal(response.json.error.code, c.code);
      assert.equal(typeof response.json.error.message, 'string');
      assert.ok(response.json.error.message.length > 5);
      assert.deepEqual(await snapshot(h), before);
    });
  }

  test('a chunked body over the limit (no Content-Length) gets a 413, not a reset connection', async () => {
    const before = await snapshot(h);
    const chunk = new TextEncoder().encode(' '.repeat(8 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 25) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const response = await fetch(h.base + user, {
      method: 'PUT',
      body: stream,
      headers: { authorization: h.key, 'content-type': 'application/json' },
      duplex: 'half',
    } as RequestInit);
    assert.equal(response.status, 413);
    assert.equal((await response.json()).error.code, 'body_too_large');
    assert.deepEqual(await snapshot(h), before);
  });

  test('a valid unicode badge and user name round-trip, normalised to NFC', async () => {
    const decomposed = 'Cafe\u0301 ☕';
    assert.equal((await h.request('PUT', badges, { headers: { authorization: h.key }, body: { badges: [{ name: decomposed }] } })).status, 200);
    const award = await h.request('PUT', `/v1/demo/users/${encodeURIComponent('Zoe\u0308')}.json`, { headers: { authorization: h.key }, body: { badges: ['Café ☕'] } });
    assert.equal(award.status, 200);
    assert.deepEqual(award.json, { user: { name: 'Zoë', badges: ['Café ☕'] }, skipped: [] });
    const found = await h.request('GET', `/v1/demo/users.json?names=${encodeURIComponent('Zoë')}`);
    assert.equal(found.json.users[0].badges[0].name, 'Café ☕');
  });

  test('no prototype pollution through nested field values', async () => {
    const raw = '{"badges":[{"name":"nested","meta":{"__proto__":{"polluted":true}}}]}';
    assert.equal((await h.request('PUT', badges, { headers: { authorization: h.key }, raw })).status, 200);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    const listed = (await h.request('GET', badges)).json.badges.find((b: { name: string }) => b.name === 'nested');
    assert.deepEqual(JSON.parse(JSON.stringify(listed.meta)), JSON.parse('{"__proto__":{"polluted":true}}'));
  });

  test('property: any JSON body to any write either succeeds or is a 4xx that changes nothing', async () => {
    const json = fc.jsonValue({ maxDepth: 3 });
    const body = fc.oneof(json, fc.record({ badges: fc.array(fc.oneof(fc.string(), json, fc.constantFrom('popular', 'donated')), { maxLength: 4 }) }));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('PUT', 'DELETE'), fc.constantFrom(user, badges), body, async (method, path, value) => {
        const before = await snapshot(h);
        const response = await h.request(method, path, { raw: JSON.stringify(value) ?? 'null', headers: { authorization: h.key } });
        assert.ok(response.status < 500, `${response.status} ${response.text}`);
        assert.ok(response.json, 'a JSON body');
        if (response.status >= 400) {
          assert.equal(typeof response.json.error.code, 'string');
          assert.deepEqual(await snapshot(h), before);
        }
      }),
      { numRuns: 150, seed: 20261122 },
    );
  });
});

describe('names the stores would not keep as sent', () => {
  test('a lone surrogate in a user or badge name is refused, a pair (an emoji) is fine', async () => {
    const { start } = await import('./harness.js');
    const h = await start();
    try {
      const auth = { authorization: h.key };
      const lone = await h.request('PUT', '/v1/demo/users/a%ED%A0%80b.json', { headers: auth, body: { badges: ['popular'] } });
      assert.equal(lone.status, 400);
      const badge = await h.request('PUT', '/v1/demo/badges.json', { headers: auth, raw: '{"badges":[{"name":"x\\ud800"}]}' });
      assert.equal(badge.status, 400);
      assert.equal(badge.json.error.code, 'invalid_badge_name');
      const emoji = await h.request('PUT', `/v1/demo/users/${encodeURIComponent('😀')}.json`, { headers: auth, body: { badges: ['popular'] } });
      assert.equal(emoji.status, 200);
    } finally {
      await h.close();
    }
  });
});

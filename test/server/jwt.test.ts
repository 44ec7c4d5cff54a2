import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { useJwt } from '../../server/http/auth/jwt.js';
import { MemoryReplayStore } from '../../server/stores/replays.js';
import { start, type Harness } from './harness.js';

/**
 * BadgeKit's request authentication: `Authorization: JWT token="..."`, an HS256 JWT over the key
 * whose claims bind it to the method, the path with its query and a hash of the body, used once.
 * Tokens are made here as BadgeKit's documentation and its client make them (node:crypto only).
 */

const KEY = 'shop-key-0123456789';
const OTHER_KEY = 'news-key-0123456789';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A token as BadgeKit's api-client signs one; `claims` override or remove (undefined) what it sends. */
function token(secret: string, request: { method: string; path: string; body?: string }, claims: Record<string, unknown> = {}, header: object = { typ: 'JWT', alg: 'HS256' }): string {
  const payload: Record<string, unknown> = { key: 'master', exp: Math.floor(now / 1000) + 60, method: request.method, path: request.path };
  if (request.body !== undefined) payload.body = { alg: 'SHA256', hash: createHash('sha256').update(request.body).digest('hex') };
  for (const [name, value] of Object.entries(claims)) if (value === undefined) delete payload[name];
  else payload[name] = value;
  const signing = `${b64(header)}.${b64(payload)}`;
  return `${signing}.${createHmac('sha256', secret).update(signing).digest('base64url')}`;
}

let now = Date.parse('2026-12-01T10:00:00.000Z');

describe("BadgeKit's JWT authentication", () => {
  let h: Harness;

  before(async () => {
    h = await start({ config: { now: () => now } });
    await h.domain.createService('shop', KEY);
    await h.domain.createService('news', OTHER_KEY);
    await h.domain.putBadges('shop', [{ name: 'gold', fields: {} }, { name: 'silver', fields: {} }]);
    await h.domain.putBadges('news', [{ name: 'gold', fields: {} }]);
    // Tokens that may have been used before the server started are refused: start well after.
    now += 10 * 60_000;
  });
  after(() => h.close());

  /** Sends the request with a token made for it (or for `signed`, when the token lies about it). */
  const send = (method: string, path: string, body?: unknown, claims: Record<string, unknown> = {}, options: { secret?: string; signed?: { method: string; path: string; body?: string } } = {}) => {
    const raw = body === undefined ? undefined : JSON.stringify(body);
    const jwt = token(options.secret ?? KEY, options.signed ?? { method, path, body: raw }, claims);
    return h.request(method, path, { raw, headers: { authorization: `JWT token="${jwt}"`, ...(raw ? { 'content-type': 'application/json' } : {}) } });
  };

  test('a token signed with the key, for this method, path and body, writes as the service; the identical request again gets the first answer', async () => {
    const first = await send('PUT', '/v1/shop/users/ann.json', { badges: ['gold'] });
    assert.equal(first.status, 200, first.text);
    assert.deepEqual(first.json.user, { name: 'ann', badges: ['gold'] });
    const raw = JSON.stringify({ badges: ['gold'] });
    const jwt = token(KEY, { method: 'PUT', path: '/v1/shop/users/bob.json', body: raw });
    const headers = { authorization: `JWT token="${jwt}"` };
    assert.equal((await h.request('PUT', '/v1/shop/users/bob.json', { raw, headers })).status, 200);
    const again = await h.request('PUT', '/v1/shop/users/bob.json', { raw, headers });
    assert.equal(again.status, 200);
    assert.equal(again.headers.get('x-replay'), 'true');
    const bob = await h.request('GET', '/v1/shop/users/bob.json');
    assert.equal(bob.json.badges[0].count, 1, 'awarded once');
    const audit = await h.request('GET', '/v1/shop/audit.json?user=ann', { headers: { authorization: KEY } });
    assert.deepEqual(audit.json.audit[0].actor, { type: 'service' });
  });

  test('a read of private data with a token, query in the path', async () => {
    await h.request('PUT', '/v1/shop/users/ann/emails.json', { headers: { authorization: KEY }, body: { emails: ['ann@example.org'] } });
    const read = await send('GET', '/v1/shop/invitations.json?state=claimed');
    assert.equal(read.status, 200, read.text);
    const other = await send('GET', '/v1/shop/invitations.json?state=claimed', undefined, {}, { signed: { method: 'GET', path: '/v1/shop/invitations.json' } });
    assert.equal(other.json.error.code, 'jwt_path_mismatch', 'the query is part of what the token names');
  });

  test('a token that lies about the request, or is not ours, is refused with a 401 saying why', async () => {
    const body = { badges: ['gold'] };
    const cases: [string, () => ReturnType<typeof send>, string][] = [
      ['another method', () => send('PUT', '/v1/shop/users/cy.json', body, {}, { signed: { method: 'DELETE', path: '/v1/shop/users/cy.json', body: JSON.stringify(body) } }), 'jwt_method_mismatch'],
      ['another path', () => send('PUT', '/v1/shop/users/cy.json', body, {}, { signed: { method: 'PUT', path: '/v1/shop/users/dee.json', body: JSON.stringify(body) } }), 'jwt_path_mismatch'],
      ['another body', () => send('PUT', '/v1/shop/users/cy.json', body, {}, { signed: { method: 'PUT', path: '/v1/shop/users/cy.json', body: JSON.stringify({ badges: ['silver'] }) } }), 'jwt_body_mismatch'],
      ['a body without its hash', () => send('PUT', '/v1/shop/users/cy.json', body, { body: undefined }), 'jwt_body_mismatch'],
      ['another key', () => send('PUT', '/v1/shop/users/cy.json', body, {}, { secret: 'not-the-key' }), 'invalid_signature'],
      ["another service's key", () => send('PUT', '/v1/shop/users/cy.json', body, {}, { secret: OTHER_KEY }), 'invalid_signature'],
      ['no expiry', () => send('PUT', '/v1/shop/users/cy.json', body, { exp: undefined }), 'jwt_expiry_missing'],
      ['expired', () => send('PUT', '/v1/shop/users/cy.json', body, { exp: Math.floor(now / 1000) - 1 }), 'jwt_expired'],
      ['valid too long', () => send('PUT', '/v1/shop/users/cy.json', body, { exp: Math.floor(now / 1000) + 3600 }), 'jwt_expiry_too_far'],
      ['an unknown key', () => send('PUT', '/v1/shop/users/cy.json', body, { key: 'someone' }), 'invalid_key'],
    ];
    for (const [what, request, code] of cases) {
      const r = await request();
      assert.equal(r.status, 401, `${what}: ${r.text}`);
      assert.equal(r.json.error.code, code, what);
    }
    const none = `${b64({ alg: 'none' })}.${b64({ key: 'master', method: 'PUT', path: '/v1/shop/users/cy.json', exp: Math.floor(now / 1000) + 60 })}.x`;
    const unsigned = await h.request('PUT', '/v1/shop/users/cy.json', { headers: { authorization: `JWT token="${none}"` }, body });
    assert.equal(unsigned.json.error.code, 'invalid_jwt');
    assert.equal((await h.request('GET', '/v1/shop/users/cy.json')).status, 404, 'nothing was awarded');
  });

  test("a shop token is no good on another service: the news service's key signs news requests only", async () => {
    const path = '/v1/news/users/ann.json';
    const raw = JSON.stringify({ badges: ['gold'] });
    const shopToken = token(KEY, { method: 'PUT', path, body: raw });
    assert.equal((await h.request('PUT', path, { raw, headers: { authorization: `JWT token="${shopToken}"` } })).json.error.code, 'invalid_signature');
    assert.equal((await send('PUT', path, { badges: ['gold'] }, {}, { secret: OTHER_KEY })).status, 200);
  });

  test("BadgeKit's client sends exp in milliseconds: read as such; a jti makes a token distinct, so its repeat is refused", async () => {
    assert.equal((await send('PUT', '/v1/shop/users/dot.json', { badges: ['gold'] }, { exp: now + 60_000 })).status, 200);
    const raw = JSON.stringify({ badges: ['silver'] });
    const jwt = token(KEY, { method: 'PUT', path: '/v1/shop/users/dot.json', body: raw }, { jti: 'one-request' });
    const headers = { authorization: `JWT token="${jwt}"` };
    assert.equal((await h.request('PUT', '/v1/shop/users/dot.json', { raw, headers })).status, 200);
    const replayed = await h.request('PUT', '/v1/shop/users/dot.json', { raw, headers });
    assert.equal(replayed.status, 401);
    assert.equal(replayed.json.error.code, 'replayed_signature');
  });

  test("a scoped key's token names the key and is signed with its secret; it may do what the key may", async () => {
    const key = (await h.request('POST', '/v1/shop/keys.json', { headers: { authorization: KEY }, body: { label: 'badgekit', operations: ['award'], badges: ['silver'] } })).json;
    const ok = await send('PUT', '/v1/shop/users/eve.json', { badges: ['silver'] }, { key: key.id }, { secret: key.secret });
    assert.equal(ok.status, 200, ok.text);
    const outside = await send('PUT', '/v1/shop/users/eve.json', { badges: ['gold'] }, { key: key.id }, { secret: key.secret });
    assert.equal(outside.status, 403);
    assert.equal(outside.json.error.code, 'key_out_of_scope');
    const withService = await send('PUT', '/v1/shop/users/eve.json', { badges: ['silver'] }, { key: key.id });
    assert.equal(withService.json.error.code, 'invalid_signature', "a scoped key's token signed with the service's key is not its");
    const audit = await h.request('GET', '/v1/shop/audit.json?user=eve', { headers: { authorization: KEY } });
    assert.deepEqual(audit.json.audit[0].actor, { type: 'key', id: key.id });
  });
});

test('a token that may have been made before the replay memory began (a restart) is refused, unless its iat says otherwise', async () => {
  const started = Date.parse('2026-12-01T12:00:00.000Z');
  const replay = new MemoryReplayStore(started);
  const service = { name: 'shop', key: KEY, createdAt: '2026-01-01T00:00:00.000Z' };
  const store = { getItem: async () => undefined } as never;
  const request = { method: 'GET', path: '/v1/shop/keys.json', url: '/v1/shop/keys.json', body: Buffer.alloc(0) };
  const at = started + 30_000;
  const make = (claims: Record<string, unknown>) => {
    const signing = `${b64({ alg: 'HS256' })}.${b64({ key: 'master', method: 'GET', path: request.url, ...claims })}`;
    return `${signing}.${createHmac('sha256', KEY).update(signing).digest('base64url')}`;
  };
  const exp = Math.floor(at / 1000) + 60;
  await assert.rejects(useJwt(store, service, make({ exp }), request, replay, at), (e: { code?: string }) => e.code === 'replayed_signature');
  const used = await useJwt(store, service, make({ exp, iat: Math.floor(at / 1000) }), request, replay, at);
  assert.equal(used.use.first, true);
  const later = await useJwt(store, service, make({ exp: Math.floor(at / 1000) + 120 }), request, replay, at + 60_000);
  assert.equal(later.use.first, true, 'once the longest lifetime has passed since the start, any token is newer than it');
});

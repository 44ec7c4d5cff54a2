import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sign } from '../../server/http/auth/signatures.js';
import { start, type Harness } from './harness.js';

/**
 * Keys that may do only some things: made, listed without secrets, used as Authorization, HTTP Basic
 * or a signature, refused outside their scope with a 403 that says what they may do, revoked and
 * expired at once; and the service's own key rotated with a grace period.
 */

const KEY = 'shop-key-0123456789';
const TOKEN = 'operator-token-for-tests-0123456789';

describe('scoped keys', () => {
  let h: Harness;
  let now = Date.now();
  const owner = { authorization: KEY };
  const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });
  let awarder: { id: string; secret: string; token: string };

  before(async () => {
    h = await start({ config: { now: () => now, adminToken: TOKEN } });
    await h.domain.createService('shop', KEY);
    await h.domain.putBadges('shop', [{ name: 'thanks', fields: {} }, { name: 'gold', fields: {} }]);
    const made = await h.request('POST', '/v1/shop/keys.json', { headers: owner, body: { label: 'meetup bot', operations: ['award'], badges: ['thanks'] } });
    assert.equal(made.status, 201, made.text);
    awarder = made.json;
  });
  after(() => h.close());

  test('a key is shown with its secret once, then listed without it', async () => {
    assert.match(awarder.id, /^key_[a-z2-7]{20}$/);
    assert.equal(awarder.token, `${awarder.id}.${awarder.secret}`);
    const listed = await h.request('GET', '/v1/shop/keys.json', { headers: owner });
    assert.deepEqual(listed.json.keys.map((k: object) => Object.keys(k).sort()), [['badges', 'createdAt', 'expiresAt', 'id', 'label', 'operations']]);
    assert.doesNotMatch(listed.text, new RegExp(awarder.secret));
  });

  test('it awards its badges as Authorization, HTTP Basic (id:secret) and by signature', async () => {
    const byToken = await h.request('PUT', '/v1/shop/users/ann.json', { headers: { authorization: awarder.token }, body: { badges: ['thanks'] } });
    assert.equal(byToken.status, 200, byToken.text);
    const byBasic = await h.request('POST', '/v1/shop/badges/thanks/awards.json', { headers: basic(awarder.id, awarder.secret), body: { users: ['bob'] } });
    assert.deepEqual(byBasic.json, { successes: { bob: 'AWARDED' }, errors: {} });
    const path = '/v1/shop/users/carol.json';
    const body = JSON.stringify({ badges: ['thanks'] });
    const ts = String(Math.floor(now / 1000));
    const signature = sign(awarder.secret, ts, { method: 'PUT', path, body: Buffer.from(body) }, 'nonce-0001');
    const signed = await h.request('PUT', `${path}?ts=${ts}&nonce=nonce-0001&key_id=${awarder.id}&signature=${signature}`, { raw: body });
    assert.equal(signed.status, 200, signed.text);
    // Basic with the service's name and key is the service itself.
    assert.equal((await h.request('PUT', '/v1/shop/users/dan.json', { headers: basic('shop', KEY), body: { badges: ['gold'] } })).status, 200);
  });

  test('outside its scope: a 403 that says what the key may do, before the body is read', async () => {
    const other = await h.request('PUT', '/v1/shop/users/ann.json', { headers: { authorization: awarder.token }, body: { badges: ['gold'] } });
    assert.equal(other.status, 403);
    assert.equal(other.json.error.code, 'key_out_of_scope');
    assert.match(other.json.error.message, /may award \(badges thanks\); this request needs badges gold/);
    assert.deepEqual(other.json.error.details, { operations: ['award'], badges: ['thanks'] });
    const revoke = await h.request('DELETE', '/v1/shop/users/ann.json', { headers: { authorization: awarder.token }, raw: '{ not even JSON' });
    assert.equal(revoke.status, 403, 'refused for its scope, not for the body it never read');
    assert.match(revoke.json.error.message, /needs "revoke"/);
    assert.equal((await h.request('POST', '/v1/shop/badges/gold/awards.json', { headers: basic(awarder.id, awarder.secret), body: { users: ['x'] } })).status, 403);
    const keys = await h.request('GET', '/v1/shop/keys.json', { headers: { authorization: awarder.token } });
    assert.equal(keys.status, 403);
    assert.match(keys.json.error.message, /the service's own key/);
    assert.equal((await h.request('GET', '/v1/shop/users/ann/emails.json', { headers: { authorization: awarder.token } })).status, 403);
  });

  test('a key that may read private data reads addresses and invitations, and nothing else', async () => {
    const reader = (await h.request('POST', '/v1/shop/keys.json', { headers: owner, body: { label: 'support', operations: ['read_private'] } })).json;
    await h.request('PUT', '/v1/shop/users/ann/emails.json', { headers: owner, body: { emails: ['ann@example.org'] } });
    const read = await h.request('GET', '/v1/shop/users/ann/emails.json', { headers: { authorization: reader.token } });
    assert.deepEqual(read.json, { user: 'ann', emails: ['ann@example.org'] });
    assert.equal((await h.request('GET', '/v1/shop/invitations.json', { headers: basic(reader.id, reader.secret) })).status, 200);
    assert.equal((await h.request('PUT', '/v1/shop/users/ann/emails.json', { headers: { authorization: reader.token }, body: { emails: [] } })).status, 403);
  });

  test('a wrong secret, a revoked key and an expired key are 401s', async () => {
    assert.equal((await h.request('PUT', '/v1/shop/users/ann.json', { headers: basic(awarder.id, 'x'.repeat(43)), body: { badges: ['thanks'] } })).json.error.code, 'invalid_key');
    const brief = (await h.request('POST', '/v1/shop/keys.json', { headers: owner, body: { label: 'brief', operations: ['award'], expiresAt: new Date(now + 60_000).toISOString() } })).json;
    assert.equal((await h.request('PUT', '/v1/shop/users/ann.json', { headers: { authorization: brief.token }, body: { badges: ['gold'] } })).status, 200);
    now += 61_000;
    const expired = await h.request('PUT', '/v1/shop/users/ann.json', { headers: { authorization: brief.token }, body: { badges: ['gold'] } });
    assert.equal(expired.status, 401);
    assert.equal(expired.json.error.code, 'key_expired');

    const revoked = await h.request('DELETE', `/v1/shop/keys/${awarder.id}.json`, { headers: owner });
    assert.deepEqual(revoked.json, { id: awarder.id, deleted: true });
    const after = await h.request('PUT', '/v1/shop/users/ann.json', { headers: { authorization: awarder.token }, body: { badges: ['thanks'] } });
    assert.equal(after.status, 401);
    assert.equal((await h.request('DELETE', `/v1/shop/keys/${awarder.id}.json`, { headers: owner })).status, 404);
    const malformed = await h.request('DELETE', '/v1/shop/keys/nonsense.json', { headers: owner });
    assert.deepEqual([malformed.status, malformed.json.error.code], [404, 'key_not_found'], 'an id that cannot be one is as not found as any other');
  });

  test('keys are refused on the open test service and checked when made', async () => {
    const test = await h.request('POST', '/v1/test/keys.json', { body: { label: 'x', operations: ['award'] } });
    assert.equal(test.status, 403);
    assert.equal(test.json.error.code, 'not_on_test_service');
    assert.equal((await h.request('POST', '/v1/shop/keys.json', { headers: owner, body: { label: 'x', operations: [] } })).json.error.code, 'invalid_operation');
    assert.equal((await h.request('POST', '/v1/shop/keys.json', { headers: owner, body: { label: 'x', operations: ['fly'] } })).json.error.code, 'invalid_operation');
    assert.equal((await h.request('POST', '/v1/shop/keys.json', { headers: owner, body: { label: 'x', operations: ['award'], expiresAt: '2000-01-01T00:00:00.000Z' } })).json.error.code, 'invalid_expiry');
  });

  test("rotate-key with a grace: both keys work until it ends, then only the new one", async () => {
    const rotated = await h.request('POST', '/admin/services/shop/key?grace=24h', { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(rotated.status, 200, rotated.text);
    assert.equal(rotated.json.previousKeyUntil, new Date(now + 86_400_000).toISOString());
    const fresh = rotated.json.key as string;
    const award = (key: string) => h.request('PUT', '/v1/shop/users/ann.json', { headers: { authorization: key }, body: { badges: ['gold'] } });
    assert.equal((await award(KEY)).status, 200, 'the old key, in the grace');
    assert.equal((await award(fresh)).status, 200);
    const path = '/v1/shop/users/ann.json';
    const body = Buffer.from(JSON.stringify({ badges: ['gold'] }));
    const ts = String(Math.floor(now / 1000));
    const signedOld = await h.request('PUT', `${path}?ts=${ts}&nonce=nonce-0002&signature=${sign(KEY, ts, { method: 'PUT', path, body }, 'nonce-0002')}`, { raw: body });
    assert.equal(signedOld.status, 200, 'signed with the old key, in the grace');
    now += 86_400_000 + 1;
    assert.equal((await award(KEY)).status, 401, 'the grace is over');
    assert.equal((await award(fresh)).status, 200);
    const at_once = await h.request('POST', '/admin/services/shop/key', { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(at_once.json.previousKeyUntil, null);
    assert.equal((await award(fresh)).status, 401, 'rotated without grace: the old key stops at once');
    assert.equal((await h.request('POST', '/admin/services/shop/key?grace=soon', { headers: { authorization: `Bearer ${TOKEN}` } })).json.error.code, 'invalid_grace');
    // An old key is being replaced, not kept for good beside the new one: 30 days at most.
    const forever = await h.request('POST', '/admin/services/shop/key?grace=365000d', { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.deepEqual([forever.status, forever.json.error.code], [400, 'invalid_grace']);
    assert.equal((await award(at_once.json.key)).status, 200, 'refused: the key is still the one before');
  });
});

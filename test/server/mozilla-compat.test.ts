import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { start, type Harness } from './harness.js';

/**
 * A badges.mozilla.org award script unchanged (issue 24, item 13), at its compatibility path, on the
 * store TEST_STORE names: its valet key as HTTP Basic, its answer, its plain-text refusals (a wrong
 * password is 403 there), `EXCEPTION {msg}` for a recipient that fails otherwise.
 */

describe('badges.mozilla.org award API compatibility', () => {
  let h: Harness;
  let valet: { user: string; pass: string };
  const URL = '/mozilla/demo/en-US/badges/badge/the-seal-of-approval/awards';
  const basic = (user: string, pass: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`, 'content-type': 'application/json' });
  const send = (method: string, path: string, body?: unknown) => h.request(method, path, { body, headers: { authorization: h.key } });

  before(async () => {
    h = await start();
    assert.equal((await send('PUT', '/v1/demo/badges.json', { badges: [{ name: 'the-seal-of-approval', unique: true }, { name: 'other' }] })).status, 200);
    assert.equal((await send('PUT', '/v1/demo/users/les/emails.json', { emails: ['me@lmorchard.com'] })).status, 200);
    const key = await send('POST', '/v1/demo/keys.json', { label: 'play-keys-prod', operations: ['award'], badges: ['the-seal-of-approval'] });
    assert.equal(key.status, 201, key.text);
    const [user, pass] = (key.json.token as string).split('.');
    valet = { user: user!, pass: pass! };
  });
  after(() => h.close());

  test('their documented call: the valet key as curl -u, successes and errors keyed by address', async () => {
    const payload = { description: 'These are hoopy froods', emails: ['me@lmorchard.com', 'lorchard@mozilla.org', 'l.m.orchard@pobox.com'] };
    const first = await h.request('POST', URL, { body: { emails: ['me@lmorchard.com'] }, headers: basic(valet.user, valet.pass) });
    assert.equal(first.status, 200, first.text);
    assert.deepEqual(first.json, { successes: { 'me@lmorchard.com': 'AWARDED' }, errors: {} });
    const r = await h.request('POST', URL, { body: payload, headers: basic(valet.user, valet.pass) });
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(r.json, { successes: { 'lorchard@mozilla.org': 'INVITED', 'l.m.orchard@pobox.com': 'INVITED' }, errors: { 'me@lmorchard.com': 'ALREADYAWARDED' } });
  });

  test('anything else that fails for a recipient is EXCEPTION {msg}', async () => {
    const r = await h.request('POST', URL, { body: { emails: ['not an address', 'new@example.org'] }, headers: basic(valet.user, valet.pass) });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.successes, { 'new@example.org': 'INVITED' });
    assert.match(r.json.errors['not an address'], /^EXCEPTION \S/);
  });

  test('a wrong user or password is 403, as is a badge the key may not award; in plain text', async () => {
    for (const headers of [basic(valet.user, 'wrong'), basic('key_aaaaaaaaaaaaaaaaaaaa', valet.pass), basic('nobody', 'nothing')]) {
      const r = await h.request('POST', URL, { body: { emails: ['x@example.org'] }, headers });
      assert.equal(r.status, 403, r.text);
      assert.match(r.headers.get('content-type') ?? '', /^text\/plain/);
      assert.ok(r.text.trim().length > 0);
    }
    const other = await h.request('POST', URL.replace('the-seal-of-approval', 'other'), { body: { emails: ['x@example.org'] }, headers: basic(valet.user, valet.pass) });
    assert.equal(other.status, 403, other.text);
    assert.match(other.headers.get('content-type') ?? '', /^text\/plain/);
    // Our own path keeps our answer: 401, JSON.
    const ours = await h.request('POST', '/v1/demo/badges/the-seal-of-approval/awards.json', { body: { emails: ['x@example.org'] }, headers: basic(valet.user, 'wrong') });
    assert.deepEqual([ours.status, ours.json.error.code], [401, 'invalid_key']);
  });

  test('a body that is not JSON, or has no emails, is 400 in plain text; nothing is awarded', async () => {
    for (const request of [{ raw: '{"emails": [', headers: basic(valet.user, valet.pass) }, { body: { description: 'no emails' }, headers: basic(valet.user, valet.pass) }]) {
      const r = await h.request('POST', URL, request);
      assert.equal(r.status, 400, r.text);
      assert.match(r.headers.get('content-type') ?? '', /^text\/plain/);
      assert.ok(r.text.trim().length > 0);
    }
    const invitations = await send('GET', '/v1/demo/invitations.json');
    assert.equal(invitations.json.invitations.length, 3);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { EXPIRY_JOB } from '../../server/jobs/expiry.js';
import { start, type Harness } from './harness.js';

/**
 * Users' addresses, awards by address (badges.mozilla.org's shape) and the invitations they leave:
 * claimed when a user gets the address, listed, cancelled, expired. On the embedded store, and on
 * PostgreSQL with TEST_STORE=postgres.
 */

const KEY = 'shop-key-0123456789';
const DAY = 86_400_000;

describe('addresses, bulk awards and invitations', () => {
  let h: Harness;
  let now = Date.parse('2026-12-01T10:00:00.000Z');
  const as = { authorization: KEY };
  const call = (method: string, path: string, body?: unknown) => h.request(method, `/v1/shop${path}`, { body, headers: as });

  before(async () => {
    h = await start({ config: { now: () => now, access: { invitationTtlMs: 30 * DAY, expiryPollMs: 3_600_000 } } });
    await h.domain.createService('shop', KEY);
    await h.domain.putBadges('shop', [
      { name: 'speaker', fields: { unique: true } },
      { name: 'thanks', fields: {} },
    ]);
  });
  after(() => h.close());

  test('addresses are set with the service key, normalised, never in public reads; one address, one user', async () => {
    await h.domain.award('shop', 'ann', ['thanks']);
    const set = await call('PUT', '/users/ann/emails.json', { emails: ['  Ann@Example.ORG ', 'ann@work.example'] });
    assert.equal(set.status, 200, set.text);
    assert.deepEqual(set.json, { user: 'ann', emails: ['ann@example.org', 'ann@work.example'], claimed: [] });
    assert.deepEqual((await call('GET', '/users/ann/emails.json')).json, { user: 'ann', emails: ['ann@example.org', 'ann@work.example'] });
    const publicRead = await h.request('GET', '/v1/shop/users/ann.json');
    assert.doesNotMatch(publicRead.text, /example/);
    assert.doesNotMatch((await h.request('GET', '/v1/shop/users.json?names=ann')).text, /example/);
    assert.equal((await h.request('GET', '/v1/shop/users/ann/emails.json')).status, 401, 'private: no credentials, no addresses');

    const taken = await call('PUT', '/users/bob/emails.json', { emails: ['ANN@example.org'] });
    assert.equal(taken.status, 409);
    assert.equal(taken.json.error.code, 'email_taken');
    const invalid = await call('PUT', '/users/bob/emails.json', { emails: ['bob@example.org', 'not an address'] });
    assert.equal(invalid.status, 400);
    assert.equal(invalid.json.error.code, 'invalid_email');
    assert.equal(invalid.json.error.details.pointer, '/emails/1');
    // Replacing drops the address left out: another user may have it then.
    assert.deepEqual((await call('PUT', '/users/ann/emails.json', { emails: ['ann@example.org'] })).json.emails, ['ann@example.org']);
    assert.equal((await call('PUT', '/users/bob/emails.json', { emails: ['ann@work.example'] })).status, 200);
  });

  test("bulk award answers badges.mozilla.org's shape, per recipient; a unique badge is never given twice", async () => {
    const body = { emails: ['ann@example.org', 'New@Example.net', 'not-an-email', 'new@example.net'], users: ['carol', ' bad name'], description: 'Spoke at the meetup' };
    const first = await call('POST', '/badges/speaker/awards.json', body);
    assert.equal(first.status, 200, first.text);
    assert.deepEqual(first.json, {
      successes: { 'ann@example.org': 'AWARDED', 'New@Example.net': 'INVITED', 'new@example.net': 'INVITED', carol: 'AWARDED' },
      errors: { 'not-an-email': 'INVALID', ' bad name': 'INVALID' },
    });
    const again = await call('POST', '/badges/speaker/awards.json', body);
    assert.deepEqual(again.json, {
      successes: {},
      errors: { 'ann@example.org': 'ALREADYAWARDED', 'New@Example.net': 'ALREADYAWARDED', 'new@example.net': 'ALREADYAWARDED', carol: 'ALREADYAWARDED', 'not-an-email': 'INVALID', ' bad name': 'INVALID' },
    });
    const ann = (await h.request('GET', '/v1/shop/users/ann.json')).json;
    assert.equal(ann.badges.find((b: { name: string }) => b.name === 'speaker').count, 1);
    // A badge that is not unique is awarded again, and an address nobody has is invited again.
    const thanks = await call('POST', '/badges/thanks/awards.json', { emails: ['ann@example.org', 'new@example.net'] });
    assert.deepEqual(thanks.json, { successes: { 'ann@example.org': 'AWARDED', 'new@example.net': 'INVITED' }, errors: {} });
    assert.equal((await h.request('GET', '/v1/shop/users/ann.json')).json.badges.find((b: { name: string }) => b.name === 'thanks').count, 2);
  });

  test('bulk award refusals: no recipients, too many, an unknown badge', async () => {
    assert.equal((await call('POST', '/badges/speaker/awards.json', {})).json.error.code, 'no_recipients');
    const many = await call('POST', '/badges/speaker/awards.json', { emails: Array.from({ length: 600 }, (_, i) => `a${i}@x.org`), users: Array.from({ length: 401 }, (_, i) => `u${i}`) });
    assert.equal(many.status, 400);
    assert.equal(many.json.error.code, 'too_many_recipients');
    const unknown = await call('POST', '/badges/nosuch/awards.json', { users: ['ann'] });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.error.code, 'badge_not_found');
  });

  test('1,000 recipients in one request', async () => {
    const emails = Array.from({ length: 1000 }, (_, i) => `person${i}@bulk.example`);
    const answer = await call('POST', '/badges/thanks/awards.json', { emails });
    assert.equal(answer.status, 200, answer.text);
    assert.equal(Object.values(answer.json.successes).filter((v) => v === 'INVITED').length, 1000);
    assert.equal((await call('GET', '/invitations.json?email=person999@bulk.example')).json.invitations.length, 1);
  });

  test('pending invitations are listed; a user who gets the address claims them, dated then, the first date kept', async () => {
    const listed = await call('GET', '/invitations.json?email=NEW@example.net');
    assert.equal(listed.status, 200, listed.text);
    // Listed by expiry: both expire at once, so in no particular order.
    assert.deepEqual(listed.json.invitations.map((i: { badge: string; state: string }) => [i.badge, i.state]).sort(), [['speaker', 'pending'], ['thanks', 'pending']]);
    const invitedAt = listed.json.invitations.find((i: { badge: string }) => i.badge === 'speaker').createdAt;
    assert.ok(listed.json.invitations.every((i: { createdAt: string }) => i.createdAt === invitedAt));
    assert.equal(listed.json.paging.total, 2);

    now += DAY;
    const claimed = await call('PUT', '/users/dan/emails.json', { emails: ['new@example.net'] });
    assert.equal(claimed.status, 200, claimed.text);
    assert.deepEqual(claimed.json.claimed.map((c: { badge: string; user: string; createdAt: string; claimedAt: string }) => [c.badge, c.user, c.createdAt, c.claimedAt]).sort(), [
      ['speaker', 'dan', invitedAt, new Date(now).toISOString()],
      ['thanks', 'dan', invitedAt, new Date(now).toISOString()],
    ]);
    const dan = (await h.request('GET', '/v1/shop/users/dan.json')).json;
    assert.deepEqual(dan.badges.map((b: { name: string; latest: string }) => [b.name, b.latest]).sort(), [
      ['speaker', new Date(now).toISOString()],
      ['thanks', new Date(now).toISOString()],
    ]);
    assert.equal((await call('GET', '/invitations.json?email=new@example.net')).json.invitations.length, 0);
    const history = await call('GET', '/invitations.json?state=claimed&email=new@example.net');
    assert.deepEqual(history.json.invitations.map((i: { user: string; createdAt: string }) => [i.user, i.createdAt]), [['dan', invitedAt], ['dan', invitedAt]]);
    // Now that the address is dan's, awarding it awards dan.
    assert.deepEqual((await call('POST', '/badges/speaker/awards.json', { emails: ['new@example.net'] })).json.errors, { 'new@example.net': 'ALREADYAWARDED' });
  });

  test('an invitation is cancelled, or expires (the expiry job removes it; an expired one is never claimed)', async () => {
    const answer = await call('POST', '/badges/thanks/awards.json', { emails: ['gone@example.org', 'late@example.org'] });
    assert.equal(answer.status, 200);
    const [gone] = (await call('GET', '/invitations.json?email=gone@example.org')).json.invitations;
    const cancelled = await call('DELETE', `/invitations/${gone.id}.json`);
    assert.equal(cancelled.status, 200, cancelled.text);
    assert.equal(cancelled.json.email, 'gone@example.org');
    assert.equal((await call('DELETE', `/invitations/${gone.id}.json`)).status, 404);

    now += 31 * DAY;
    assert.deepEqual((await call('PUT', '/users/erin/emails.json', { emails: ['late@example.org'] })).json.claimed, [], 'expired: not claimed');
    const before = (await call('GET', '/invitations.json?page_size=1000')).json.paging.total;
    assert.ok(before > 1000);
    h.background.wake(EXPIRY_JOB);
    await h.background.settled(EXPIRY_JOB);
    assert.equal((await call('GET', '/invitations.json?page_size=1000')).json.paging.total, 0);
  });
});


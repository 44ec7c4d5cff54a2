import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { start, type Harness } from './harness.js';
import { rawRequest } from './raw-http.js';

/** The smaller points of issue 18.10, each on its own; two services side by side where it matters. */

const TOKEN = 'operator-token';

describe('the smaller points (issue 18.10)', () => {
  let h: Harness;
  const as = (service: string) => ({ authorization: `${service}-key` });
  const send = (service: string, method: string, path: string, body?: unknown, headers: Record<string, string> = as(service)) => h.request(method, `/v1/${service}${path}`, { body, headers });
  const keyFor = async (service: string, operations: string[], badges: string[]) => {
    const made = await send(service, 'POST', '/keys.json', { label: 'limited', operations, badges });
    assert.equal(made.status, 201, made.text);
    return { token: made.json.token as string, badges: made.json.badges as string[] };
  };

  before(async () => {
    h = await start({ config: { adminToken: TOKEN, access: { webhookAllowPrivate: true } } });
    for (const service of ['shop', 'club']) {
      await h.domain.createService(service, `${service}-key`);
      await h.domain.putBadges(service, [{ name: 'gold', fields: {} }, { name: 'silver', fields: {} }, { name: 'Zoë', fields: {} }]);
    }
  });
  after(() => h.close());

  test('read_private keeps to its badges: invitations to them only; addresses only of their holders; codes only of them', async () => {
    for (const service of ['shop', 'club']) {
      await send(service, 'POST', '/badges/gold/awards.json', { emails: ['g@x.org'] });
      await send(service, 'POST', '/badges/silver/awards.json', { emails: ['s@x.org'] });
      await send(service, 'PUT', '/users/goldie/emails.json', { emails: ['goldie@x.org'] });
      await send(service, 'PUT', '/users/silvia/emails.json', { emails: ['silvia@x.org'] });
      await send(service, 'PUT', '/users/goldie.json', { badges: ['gold'] });
      await send(service, 'PUT', '/users/silvia.json', { badges: ['silver'] });
      await send(service, 'POST', '/badges/silver/claim-codes.json', { count: 1 });
    }
    const reader = { authorization: (await keyFor('shop', ['read_private'], ['gold'])).token };
    const invitations = await send('shop', 'GET', '/invitations.json', undefined, reader);
    assert.equal(invitations.status, 200);
    assert.deepEqual(invitations.json.invitations.map((i: { badge: string }) => i.badge), ['gold']);
    assert.equal(invitations.json.paging.total, 1);
    assert.deepEqual((await send('shop', 'GET', '/invitations.json?email=s@x.org', undefined, reader)).json.invitations, []);
    assert.equal((await send('shop', 'GET', '/invitations.json')).json.invitations.length, 2, "the service's own key sees both");
    assert.deepEqual((await send('shop', 'GET', '/users/goldie/emails.json', undefined, reader)).json.emails, ['goldie@x.org']);
    const silvia = await send('shop', 'GET', '/users/silvia/emails.json', undefined, reader);
    assert.deepEqual([silvia.status, silvia.json.error.code], [403, 'key_out_of_scope']);
    assert.equal((await send('shop', 'GET', '/badges/silver/claim-codes.json', undefined, reader)).status, 403);
    assert.equal((await send('club', 'GET', '/invitations.json', undefined, reader)).status, 401, "a key of one service is nothing to another");
  });

  test("a key's badges are kept NFC-normalised: a key made for Zoë spelt decomposed works for Zoë", async () => {
    const decomposed = 'Zoe\u0308';
    const key = await keyFor('shop', ['award'], [decomposed]);
    assert.deepEqual(key.badges, ['Zoë']);
    assert.deepEqual((await send('shop', 'GET', '/keys.json')).json.keys.at(-1).badges, ['Zoë']);
    const awarded = await send('shop', 'POST', `/badges/${encodeURIComponent('Zoë')}/awards.json`, { users: ['ann'] }, { authorization: key.token });
    assert.equal(awarded.status, 200, awarded.text);
    assert.deepEqual(awarded.json.successes, { ann: 'AWARDED' });
  });

  test('2026-02-31 is refused wherever a time is taken, not read as 3 March', async () => {
    const badge = await send('shop', 'PUT', '/badges.json', { badges: [{ name: 'feb', date_start: '2026-02-31T00:00:00Z' }] });
    assert.deepEqual([badge.status, badge.json.error.code], [400, 'invalid_date']);
    const leap = await send('shop', 'PUT', '/badges.json', { badges: [{ name: 'feb', date_start: '2028-02-29T00:00:00Z' }] });
    assert.equal(leap.status, 200, 'a day the calendar has');
    await send('shop', 'PUT', '/event-types.json', { eventTypes: [{ source: 's', type: 't', action: 'a' }] });
    const event = await send('shop', 'POST', '/events.json', { events: [{ eventType: { source: 's', type: 't', action: 'a' }, id: 'feb', user: 'ann', at: '2026-02-31T12:00:00Z' }] });
    assert.equal(event.json.events[0].error.code, 'invalid_at');
    const key = await send('shop', 'POST', '/keys.json', { label: 'x', operations: ['award'], expiresAt: '2027-02-31T00:00:00Z' });
    assert.deepEqual([key.status, key.json.error.code], [400, 'invalid_time']);
    const codes = await send('shop', 'POST', '/badges/gold/claim-codes.json', { expiresAt: '2027-04-31T00:00:00+02:00' });
    assert.deepEqual([codes.status, codes.json.error.code], [400, 'invalid_time']);
  });

  test('a bulk-award recipient named __proto__ is answered like any other', async () => {
    const r = await send('club', 'POST', '/badges/gold/awards.json', { users: ['__proto__', 'bob'], emails: ['constructor@x.org'] });
    assert.equal(r.status, 200, r.text);
    assert.match(r.text, /"__proto__":"AWARDED"/);
    assert.equal(Object.keys(r.json.successes).length, 3, r.text);
    assert.deepEqual((await h.request('GET', '/v1/club/users/__proto__.json')).json.badges.map((b: { name: string }) => b.name), ['gold']);
  });

  test('webhook endpoints refuse event names that do not exist', async () => {
    for (const events of [['award.create'], ['award.created', 'badge.renamed'], ['']]) {
      const made = await send('shop', 'POST', '/webhooks.json', { url: 'http://127.0.0.1:9/hook', events });
      assert.deepEqual([made.status, made.json.error.code], [400, 'invalid_events'], JSON.stringify(events));
      assert.match(made.json.error.message, /award\.created/);
    }
    const good = await send('shop', 'POST', '/webhooks.json', { url: 'http://127.0.0.1:9/hook', events: ['award.created', '*'] });
    assert.equal(good.status, 201);
    const changed = await send('shop', 'PATCH', `/webhooks/${good.json.id}.json`, { events: ['award.create'] });
    assert.deepEqual([changed.status, changed.json.error.code], [400, 'invalid_events']);
  });

  test('DELETE /admin/services/. (a client sends /admin/services/) answers 400 invalid_service_name, not a 405', async () => {
    const admin = { authorization: `Bearer ${TOKEN}` };
    // fetch resolves the dot segment, as curl and browsers do.
    for (const method of ['DELETE', 'PATCH', 'PUT']) {
      const r = await h.request(method, '/admin/services/.', { headers: admin, ...(method === 'DELETE' ? {} : { body: {} }) });
      assert.deepEqual([r.status, r.json.error.code], [400, 'invalid_service_name'], method);
    }
    const raw = rawRequest(Number(new URL(h.base).port), `DELETE /admin/services/. HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nConnection: close\r\n\r\n`);
    assert.equal((await raw.response)?.status, 400);
    assert.equal((await h.request('GET', '/admin/services/', { headers: admin })).status, 200, 'the list is still there');
    assert.ok(await h.store.getService('shop'), 'nothing was deleted');
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { appConfigOf } from '../../server/config/app.js';
import { readSettings } from '../../server/config/settings.js';
import { DEFAULT_QUOTAS } from '../../server/core/rules/quota.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { start, type Harness } from './harness.js';

/**
 * Per-service quotas (issue 18.4): the operator's defaults, a service's own through the admin API,
 * refusals that name the quota and say how to raise it, checked inside the unit so that requests at
 * once cannot step over. Two services side by side: one at its quota leaves the other alone.
 */

const TOKEN = 'operator-token';
const QUOTAS = { ...DEFAULT_QUOTAS, webhook_endpoints: 2, redeliveries: 2, events: 5, rejected_events: 3, invitations: 2, claim_codes: 3 };

describe('quotas (issue 18.4)', () => {
  let h: Harness;
  let receiver: Receiver;
  const call = (service: string, method: string, path: string, body?: unknown) => h.request(method, `/v1/${service}${path}`, { body, headers: { authorization: `${service}-key` } });
  const admin = (method: string, path: string, body?: unknown) => h.request(method, `/admin/services${path}`, { body, headers: { authorization: `Bearer ${TOKEN}` } });
  const refused = (r: { status: number; json: any; headers: Headers }, status: number, code: string, limit: number, service: string) => {
    assert.equal(r.status, status, JSON.stringify(r.json));
    assert.equal(r.json.error.code, code);
    assert.match(r.json.error.message, new RegExp(`at most ${limit} `));
    assert.ok(r.json.error.message.includes(`PATCH /admin/services/${service}/quotas`), r.json.error.message);
    assert.ok(r.json.error.message.includes(`QUOTA_${code.slice('quota_'.length).toUpperCase()}`), r.json.error.message);
  };
  const endpoint = (service: string, path = '/hook') => call(service, 'POST', '/webhooks.json', { url: `${receiver.base}${path}`, events: ['award.created'] });
  const event = (id: string, type = 'shop/order/paid') => {
    const [source, kind, action] = type.split('/');
    return { eventType: { source, type: kind, action }, id, user: 'ann' };
  };

  before(async () => {
    receiver = await startReceiver();
    h = await start({ config: { adminToken: TOKEN, quotas: QUOTAS, access: { webhookAllowPrivate: true } } });
    for (const service of ['shop', 'club', 'race']) {
      await h.domain.createService(service, `${service}-key`);
      await h.domain.putBadges(service, [{ name: 'gold', fields: {} }]);
      await call(service, 'PUT', '/event-types.json', { eventTypes: [{ source: 'shop', type: 'order', action: 'paid' }] });
    }
  });
  after(async () => {
    await h.close();
    await receiver.close();
  });

  test('webhook endpoints: the third is a 403 naming the quota; the other service has its own two; the admin API raises one service', async () => {
    for (let i = 0; i < 2; i++) assert.equal((await endpoint('shop')).status, 201);
    refused(await endpoint('shop'), 403, 'quota_webhook_endpoints', 2, 'shop');
    for (let i = 0; i < 2; i++) assert.equal((await endpoint('club')).status, 201, 'the other service is not held by the first');

    const raised = await admin('PATCH', '/shop/quotas', { webhook_endpoints: 3 });
    assert.equal(raised.status, 200, raised.text);
    assert.deepEqual(raised.json.quotas.webhook_endpoints, { limit: 3, default: 2, own: 3, used: 2 });
    assert.equal((await endpoint('shop')).status, 201);
    refused(await endpoint('shop'), 403, 'quota_webhook_endpoints', 3, 'shop');
    refused(await endpoint('club'), 403, 'quota_webhook_endpoints', 2, 'club');
    const back = await admin('PATCH', '/shop/quotas', { webhook_endpoints: null });
    assert.deepEqual(back.json.quotas.webhook_endpoints, { limit: 2, default: 2, own: null, used: 3 });
    assert.equal((await admin('GET', '/shop/quotas')).json.quotas.events.limit, 5);
    for (const [body, code] of [[{ webhook_endpoints: -1 }, 'invalid_quota'], [{ webhook_endpoints: 1.5 }, 'invalid_quota'], [{ endpoints: 3 }, 'invalid_body']] as const) {
      assert.equal((await admin('PATCH', '/shop/quotas', body)).json.error.code, code);
    }
    assert.equal((await h.request('GET', '/admin/services/shop/quotas', { headers: { authorization: 'Bearer nope' } })).status, 401);
  });

  test('ten endpoints asked for at once, quota two: exactly two are made', async () => {
    const answers = await Promise.all(Array.from({ length: 10 }, () => endpoint('race', '/race')));
    assert.deepEqual(answers.map((a) => a.status).sort(), [201, 201, ...Array(8).fill(403)]);
    assert.equal((await call('race', 'GET', '/webhooks.json')).json.endpoints.length, 2);
  });

  test('redeliveries: two an hour, the third a 429 with Retry-After', async () => {
    const made = (await call('club', 'GET', '/webhooks.json')).json.endpoints[0];
    await call('club', 'PUT', '/users/ann.json', { badges: ['gold'] });
    await receiver.until(() => receiver.at('/hook').length > 0);
    const message = receiver.at('/hook')[0]!.id;
    for (let i = 0; i < 2; i++) assert.equal((await call('club', 'POST', `/webhooks/${made.id}/messages/${message}/redeliver.json`)).status, 201);
    const third = await call('club', 'POST', `/webhooks/${made.id}/messages/${message}/redeliver.json`);
    refused(third, 429, 'quota_redeliveries', 2, 'club');
    const wait = Number(third.headers.get('retry-after'));
    assert.ok(wait > 3000 && wait <= 3600, `Retry-After ${wait}`);
    assert.equal((await admin('GET', '/club/quotas')).json.quotas.redeliveries.used, 2);
  });

  test('stored events: a batch that would go past the quota changes nothing; the other service still records', async () => {
    const first = await call('shop', 'POST', '/events.json', { events: [1, 2, 3, 4].map((i) => event(`e${i}`)) });
    assert.equal(first.json.recorded, 4);
    refused(await call('shop', 'POST', '/events.json', { events: [5, 6].map((i) => event(`e${i}`)) }), 403, 'quota_events', 5, 'shop');
    const one = await call('shop', 'POST', '/events.json', { events: [event('e5')] });
    assert.equal(one.json.recorded, 1, 'what fits is taken');
    refused(await call('shop', 'POST', '/events.json', { events: [event('e6')] }), 403, 'quota_events', 5, 'shop');
    assert.equal((await admin('GET', '/shop/quotas')).json.quotas.events.used, 5);
    assert.equal((await call('club', 'POST', '/events.json', { events: [event('c1')] })).json.recorded, 1);
    // A batch of duplicates records nothing, so it passes.
    assert.equal((await call('shop', 'POST', '/events.json', { events: [event('e1')] })).json.duplicates, 1);
  });

  test("a person's data: renaming them leaves what a quota counts as it was; erasing them frees their part", async () => {
    const used = async () => (await admin('GET', '/shop/quotas')).json.quotas.events.used;
    assert.equal(await used(), 5, "ann's five events");
    const renamed = await call('shop', 'POST', '/users/ann/rename.json', { to: 'ann2' });
    assert.equal(renamed.status, 200, renamed.text);
    assert.equal(await used(), 5, 'her events moved, none was added or lost');
    refused(await call('shop', 'POST', '/events.json', { events: [event('e6')] }), 403, 'quota_events', 5, 'shop');
    const erased = await call('shop', 'POST', '/users/ann2/erase.json');
    assert.equal(erased.status, 200, erased.text);
    assert.equal(erased.json.removed.event, 5);
    assert.equal(await used(), 0, 'her events went with her');
    assert.equal((await call('shop', 'POST', '/events.json', { events: [event('e6')] })).json.recorded, 1);
    assert.equal(await used(), 1);
  });

  test('kept refusals: the newest three stay, the oldest give way', async () => {
    for (let i = 0; i < 5; i++) {
      const r = await call('club', 'POST', '/events.json', { events: [event(`bad${i}`, 'no/such/type')] });
      assert.equal(r.json.rejected, 1);
    }
    const kept = (await call('club', 'GET', '/events/rejected.json')).json.rejected.map((r: { id: string }) => r.id);
    assert.deepEqual(kept, ['bad4', 'bad3', 'bad2']);
  });

  test('pending invitations: a bulk award that would leave three is refused whole', async () => {
    refused(await call('shop', 'POST', '/badges/gold/awards.json', { emails: ['a@x.org', 'b@x.org', 'c@x.org'] }), 403, 'quota_invitations', 2, 'shop');
    assert.equal((await call('shop', 'GET', '/invitations.json')).json.invitations.length, 0, 'nothing invited');
    assert.deepEqual((await call('shop', 'POST', '/badges/gold/awards.json', { emails: ['a@x.org', 'b@x.org'] })).json.successes, { 'a@x.org': 'INVITED', 'b@x.org': 'INVITED' });
    assert.equal((await call('club', 'POST', '/badges/gold/awards.json', { emails: ['a@x.org'] })).status, 200);
  });

  test('claim codes: four at once past a quota of three are refused, three are made, one more is refused', async () => {
    refused(await call('shop', 'POST', '/badges/gold/claim-codes.json', { count: 4 }), 403, 'quota_claim_codes', 3, 'shop');
    assert.equal((await call('shop', 'POST', '/badges/gold/claim-codes.json', { count: 3 })).status, 201);
    refused(await call('shop', 'POST', '/badges/gold/claim-codes.json', {}), 403, 'quota_claim_codes', 3, 'shop');
    assert.equal((await call('club', 'POST', '/badges/gold/claim-codes.json', { count: 3 })).status, 201);
  });

  test('the operator sets the defaults with QUOTA_* variables or flags; a typo is refused with its name', () => {
    const quotasOf = (sources: Parameters<typeof readSettings>[0]) => appConfigOf(readSettings(sources)).quotas;
    assert.deepEqual(quotasOf({}), DEFAULT_QUOTAS);
    assert.deepEqual(quotasOf({ env: { QUOTA_EVENTS: '100', QUOTA_WEBHOOK_ENDPOINTS: '0' } }), { ...DEFAULT_QUOTAS, events: 100, webhook_endpoints: 0 });
    assert.deepEqual(quotasOf({ flags: { 'quota-claim-codes': '7' }, env: { QUOTA_CLAIM_CODES: '5' } }), { ...DEFAULT_QUOTAS, claim_codes: 7 });
    assert.throws(() => readSettings({ env: { QUOTA_CLAIM_CODES: 'lots' } }), /QUOTA_CLAIM_CODES must be a whole number from 0 to 1000000000, not "lots"/);
  });
});

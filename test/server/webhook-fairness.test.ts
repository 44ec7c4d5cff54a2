import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_QUOTAS } from '../../server/core/rules/quota.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { start, type Harness } from './harness.js';

/**
 * One service's receivers that never answer do not delay another's deliveries, nor the service's
 * own other endpoints (issue 18.3). Attempts give up after 10 s here; before, a round of attempts
 * waited for its slowest, so every delivery behind 32 hanging ones waited 10 s or more.
 */

const waitFor = async (what: string, check: () => boolean, ms: number) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

async function setUp(t: { after: (fn: () => Promise<void>) => void }) {
  const receiver = await startReceiver();
  // 32 endpoints of one service: past the default quota of 20, raised as an operator would.
  const h = await start({
    config: { quotas: { ...DEFAULT_QUOTAS, webhook_endpoints: 32 }, access: { webhookAllowPrivate: true, webhookTimeoutMs: 10_000, webhookLeaseMs: 60_000, webhookPollMs: 200 } },
  });
  t.after(async () => {
    await receiver.close();
    await h.close();
  });
  for (const service of ['hanging', 'quick']) {
    await h.domain.createService(service, `${service}-key`);
    await h.domain.putBadges(service, [{ name: 'gold', fields: {} }]);
  }
  return { receiver, h };
}

async function register(h: Harness, receiver: Receiver, service: string, path: string, reply?: Parameters<Receiver['expect']>[2]) {
  const made = await h.request('POST', `/v1/${service}/webhooks.json`, { body: { url: receiver.base + path, events: ['award.created'] }, headers: { authorization: `${service}-key` } });
  assert.equal(made.status, 201, made.text);
  receiver.expect(path, made.json.secret, reply);
}

const award = (h: Harness, service: string, user: string) =>
  h.request('PUT', `/v1/${service}/users/${user}.json`, { body: { badges: ['gold'] }, headers: { authorization: `${service}-key` } });

describe('fair webhook delivery (issue 18.3)', () => {
  test("32 endpoints of one service that never answer: another service's deliveries arrive within a second or two", async (t) => {
    const { receiver, h } = await setUp(t);
    for (let i = 0; i < 32; i++) await register(h, receiver, 'hanging', `/hang/${i}`, () => 'hang');
    await register(h, receiver, 'quick', '/quick');
    for (let i = 0; i < 3; i++) assert.equal((await award(h, 'hanging', `u${i}`)).status, 200);
    // The hanging service's attempts are under way (96 deliveries owed, all stuck).
    await waitFor('the hanging attempts began', () => receiver.received.filter((r) => r.path.startsWith('/hang/')).length >= 8, 10_000);
    for (let i = 0; i < 5; i++) {
      const sent = Date.now();
      assert.equal((await award(h, 'quick', `v${i}`)).status, 200);
      await waitFor(`delivery ${i + 1} of the other service`, () => receiver.at('/quick').length === i + 1, 5_000);
      t.diagnostic(`delivered after ${Date.now() - sent} ms`);
    }
    const stuck = receiver.received.filter((r) => r.path.startsWith('/hang/')).length;
    assert.ok(stuck <= 8, `the hanging service holds at most its 8 slots (it had ${stuck} attempts under way)`);
  });

  test('a delivery due in the very millisecond its wake-up comes is sent then, not at the next poll', async (t) => {
    // The clock stands still: the award, its delivery and the wake-up share one millisecond.
    const receiver = await startReceiver();
    const now = Date.parse('2026-12-01T00:00:00Z');
    const h = await start({ config: { now: () => now, access: { webhookAllowPrivate: true, webhookPollMs: 600_000 } } });
    t.after(async () => {
      await receiver.close();
      await h.close();
    });
    await h.domain.createService('quick', 'quick-key');
    await h.domain.putBadges('quick', [{ name: 'gold', fields: {} }]);
    await register(h, receiver, 'quick', '/now');
    assert.equal((await award(h, 'quick', 'ann')).status, 200);
    await waitFor('the delivery', () => receiver.at('/now').length === 1, 5_000);
  });

  test("an endpoint that never answers holds at most 4 slots: the same service's other endpoint is delivered to meanwhile", async (t) => {
    const { receiver, h } = await setUp(t);
    await register(h, receiver, 'hanging', '/slow', () => 'hang');
    await register(h, receiver, 'hanging', '/fine');
    for (let i = 0; i < 20; i++) assert.equal((await award(h, 'hanging', `u${i}`)).status, 200);
    await waitFor('20 deliveries to the endpoint that answers', () => receiver.at('/fine').length === 20, 5_000);
    assert.equal(receiver.at('/slow').length, 4, 'four attempts at the hanging endpoint at a time');
  });
});

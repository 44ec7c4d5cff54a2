import { WEBHOOK_LOG_JOB } from '../../server/jobs/webhooks.js';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { send } from '../../server/webhooks/send.js';
import { isPrivateAddress } from '../../server/webhooks/ssrf.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { start, type Harness } from './harness.js';

/**
 * Signed webhooks delivered at least once, to a real receiver that verifies them with the
 * `standardwebhooks` package. The retry schedule runs at 1/10,000 of its real length.
 */

const KEY = 'shop-key-0123456789';
const as = { authorization: KEY };

describe('webhooks', () => {
  let h: Harness;
  let receiver: Receiver;
  const call = (method: string, path: string, body?: unknown) => h.request(method, `/v1/shop${path}`, { body, headers: as });
  const register = async (path: string, events?: string[], reply?: Parameters<Receiver['expect']>[2]) => {
    const made = await call('POST', '/webhooks.json', { url: receiver.base + path, ...(events ? { events } : {}), description: path });
    assert.equal(made.status, 201, made.text);
    receiver.expect(path, made.json.secret, reply);
    return made.json as { id: string; secret: string };
  };
  const payloads = (path: string) => receiver.at(path).map((r) => ('payload' in r.verified ? r.verified.payload : r.verified)) as { type: string; data: Record<string, unknown> }[];

  before(async () => {
    receiver = await startReceiver();
    h = await start({
      config: { access: { webhookAllowPrivate: true, webhookRetryScale: 0.0001, webhookPollMs: 50, webhookLeaseMs: 5_000, webhookDisableAfterMs: 1_000, webhookTimeoutMs: 2_000 } },
    });
    await h.domain.createService('shop', KEY);
    await h.domain.putBadges('shop', [{ name: 'gold', fields: {} }]);
  });
  after(async () => {
    await h.close();
    await receiver.close();
  });

  test('an award is delivered signed per Standard Webhooks, in the Standard Webhooks payload shape', async () => {
    const endpoint = await register('/all');
    assert.match(endpoint.secret, /^whsec_[A-Za-z0-9+/]+=*$/);
    await call('PUT', '/users/ann.json', { badges: ['gold'] });
    // `*`: every event, the endpoint's own registration first.
    await receiver.until(() => receiver.at('/all').length === 2);
    assert.deepEqual(payloads('/all').map((p) => p.type), ['endpoint.created', 'award.created']);
    const got = receiver.at('/all')[1];
    assert.ok('payload' in got!.verified, JSON.stringify(got!.verified));
    assert.match(got!.id, /^msg_[a-z2-7]{20}$/);
    assert.match(String(got!.headers['webhook-timestamp']), /^\d{10}$/);
    assert.match(String(got!.headers['webhook-signature']), /^v1,/);
    const payload = payloads('/all')[1]!;
    const [award] = payload.data.awards as string[];
    assert.match(award!, /^aw_[a-z2-7]{20}$/, 'the award instance made');
    assert.deepEqual(payload.data, { service: 'shop', user: 'ann', badge: 'gold', count: 1, awards: [award], actor: { type: 'service' }, at: (payload as unknown as { timestamp: string }).timestamp });
    await call('PATCH', `/webhooks/${endpoint.id}.json`, { disabled: true });
  });

  test('each endpoint gets the event types it asked for; badge, invitation and claim code events too', async () => {
    await register('/badges', ['badge.created', 'badge.updated', 'badge.deleted']);
    await register('/deferred', ['invitation.created', 'invitation.claimed', 'claim_code.redeemed']);
    await call('PUT', '/badges.json', { badges: [{ name: 'silver' }] });
    await call('PUT', '/badges.json', { badges: [{ name: 'silver', description: 'Shiny' }] });
    await call('DELETE', '/badges.json', { badges: ['silver'] });
    await call('POST', '/badges/gold/awards.json', { emails: ['new@example.org'] });
    await call('PUT', '/users/bea/emails.json', { emails: ['new@example.org'] });
    const [code] = (await call('POST', '/badges/gold/claim-codes.json', {})).json.codes;
    await call('POST', `/claim-codes/${code.code}/redeem.json`, { user: 'cid' });
    await receiver.until(() => receiver.at('/badges').length === 3 && receiver.at('/deferred').length === 3);
    assert.deepEqual(payloads('/badges').map((p) => [p.type, p.data.badge]), [['badge.created', 'silver'], ['badge.updated', 'silver'], ['badge.deleted', 'silver']]);
    const deferred = payloads('/deferred');
    assert.deepEqual(deferred.map((p) => p.type), ['invitation.created', 'invitation.claimed', 'claim_code.redeemed']);
    assert.equal(deferred[1]!.data.user, 'bea');
    assert.equal(deferred[1]!.data.invitedAt, deferred[0]!.data.at, 'the original award date travels with the claim');
    assert.equal(deferred[2]!.data.user, 'cid');
  });

  test('failures are retried on the schedule with the same webhook-id, and logged per endpoint', async () => {
    let calls = 0;
    const endpoint = await register('/flaky', ['award.created'], () => (++calls <= 2 ? { status: 500 } : { status: 200 }));
    await call('PUT', '/users/dan.json', { badges: ['gold'] });
    await receiver.until(() => receiver.at('/flaky').length === 3);
    assert.equal(new Set(receiver.at('/flaky').map((r) => r.id)).size, 1, 'one message, three attempts');
    assert.ok(receiver.at('/flaky').every((r) => 'payload' in r.verified));
    let log: { attempts: { attempt: number; outcome: string; responseCode: number; latencyMs: number; next: string | null }[] } = { attempts: [] };
    for (let i = 0; i < 100 && log.attempts.length < 3; i++) {
      log = (await call('GET', `/webhooks/${endpoint.id}/attempts.json`)).json;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.deepEqual(log.attempts.map((a) => [a.attempt, a.outcome, a.responseCode]), [[3, 'succeeded', 200], [2, 'failed', 500], [1, 'failed', 500]]);
    assert.ok(log.attempts.every((a) => Number.isInteger(a.latencyMs)));
    assert.equal(log.attempts[0]!.next, null);
    assert.ok(log.attempts[1]!.next !== null);
    const view = (await call('GET', `/webhooks/${endpoint.id}.json`)).json;
    assert.equal(view.failingSince, null, 'a success clears the failures');
    assert.equal(view.pending, 0);
  });

  test('a receiver that trickles its answer is given up on at the deadline (2 s here), the attempt failed and retried', async () => {
    const { createServer } = await import('node:http');
    let answered = 0;
    const trickler = createServer((req, res) => {
      answered++;
      req.resume();
      res.writeHead(200, { 'content-type': 'text/plain' });
      // A byte now and then, never the end: a socket timeout alone would never fire.
      const drip = setInterval(() => res.write('.'), 200);
      res.on('close', () => clearInterval(drip));
    });
    await new Promise<void>((resolve) => trickler.listen(0, '127.0.0.1', resolve));
    try {
      const made = await call('POST', '/webhooks.json', { url: `http://127.0.0.1:${(trickler.address() as { port: number }).port}/slow`, events: ['award.created'] });
      const started = Date.now();
      await call('PUT', '/users/tia.json', { badges: ['gold'] });
      let log: { attempts: { attempt: number; outcome: string; error?: string }[] } = { attempts: [] };
      while (log.attempts.length === 0 && Date.now() - started < 10_000) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        log = (await call('GET', `/webhooks/${made.json.id}/attempts.json`)).json;
      }
      assert.equal(log.attempts[0]?.outcome, 'failed', JSON.stringify(log));
      assert.ok(Date.now() - started < 6_000, 'given up on by the deadline, not after the lease');
      assert.ok(answered >= 1);
      await call('DELETE', `/webhooks/${made.json.id}.json`);
    } finally {
      trickler.closeAllConnections();
      await new Promise((resolve) => trickler.close(resolve));
    }
  });

  test('messages and the attempt log are removed once older than the log keeps them', async () => {
    const short = await start({ config: { access: { webhookAllowPrivate: true, webhookPollMs: 50, webhookLogRetentionMs: 1 } } });
    try {
      await short.domain.createService('brief', KEY);
      await short.domain.putBadges('brief', [{ name: 'gold', fields: {} }]);
      const made = await short.request('POST', '/v1/brief/webhooks.json', { body: { url: `${receiver.base}/brief`, events: ['award.created'] }, headers: as });
      receiver.expect('/brief', made.json.secret);
      await short.request('PUT', '/v1/brief/users/ann.json', { body: { badges: ['gold'] }, headers: as });
      await receiver.until(() => receiver.at('/brief').length === 1);
      const log = () => short.request('GET', `/v1/brief/webhooks/${made.json.id}/attempts.json`, { headers: as });
      for (let i = 0; i < 200 && (await log()).json.attempts.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 25));
      assert.equal((await log()).json.attempts.length, 1);
      await new Promise((resolve) => setTimeout(resolve, 5));
      short.background.wake(WEBHOOK_LOG_JOB);
      await short.background.settled(WEBHOOK_LOG_JOB);
      assert.deepEqual((await log()).json.attempts, []);
      assert.deepEqual(await short.store.listItems('brief', 'webhook-message', {}), []);
    } finally {
      await short.close();
    }
  });

  test('Retry-After is honoured', async () => {
    let calls = 0;
    await register('/busy', ['award.created'], () => (++calls === 1 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 }));
    await call('PUT', '/users/eve.json', { badges: ['gold'] });
    await receiver.until(() => receiver.at('/busy').length === 2);
    const [first, second] = receiver.at('/busy');
    assert.ok(second!.at - first!.at >= 950, `${second!.at - first!.at} ms apart`);
  });

  test('a 410 disables the endpoint at once; enabled again, it is sent what comes next; redelivery sends a message again', async () => {
    let gone = true;
    const endpoint = await register('/gone', ['award.created'], () => (gone ? { status: 410 } : { status: 200 }));
    await call('PUT', '/users/fay.json', { badges: ['gold'] });
    await receiver.until(() => receiver.at('/gone').length === 1);
    let view;
    for (let i = 0; i < 100; i++) {
      view = (await call('GET', `/webhooks/${endpoint.id}.json`)).json;
      if (view.disabled) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(view.disabled, true);
    assert.match(view.disabledReason, /410/);
    await call('PUT', '/users/fay.json', { badges: ['gold'] });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(receiver.at('/gone').length, 1, 'nothing more to a disabled endpoint');

    gone = false;
    const message = receiver.at('/gone')[0]!.id;
    const again = await call('POST', `/webhooks/${endpoint.id}/messages/${message}/redeliver.json`);
    assert.equal(again.status, 201, again.text);
    await receiver.until(() => receiver.at('/gone').length === 2);
    assert.equal(receiver.at('/gone')[1]!.id, message, 'the same webhook-id: a receiver can tell it is the same message');

    assert.equal((await call('PATCH', `/webhooks/${endpoint.id}.json`, { disabled: false })).json.disabled, false);
    await call('PUT', '/users/fay.json', { badges: ['gold'] });
    await receiver.until(() => receiver.at('/gone').length === 3);
  });

  test('an endpoint that fails for long enough is disabled', async () => {
    const endpoint = await register('/down', ['award.created'], () => ({ status: 503 }));
    await call('PUT', '/users/gus.json', { badges: ['gold'] });
    let view;
    for (let i = 0; i < 300; i++) {
      view = (await call('GET', `/webhooks/${endpoint.id}.json`)).json;
      if (view.disabled) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    assert.equal(view.disabled, true);
    assert.match(view.disabledReason, /every attempt failed since/);
    assert.equal(view.pending, 0, 'its delivery was given up');
    assert.ok(receiver.at('/down').length >= 3);
  });

  test('endpoints: listed without secrets, changed, removed; refused on the test service and for private addresses', async () => {
    const list = await call('GET', '/webhooks.json');
    assert.ok(list.json.endpoints.length >= 5);
    assert.ok(list.json.endpoints.every((e: object) => !('secret' in e)));
    const endpoint = await register('/temp');
    assert.equal((await call('DELETE', `/webhooks/${endpoint.id}.json`)).json.deleted, true);
    assert.equal((await call('DELETE', `/webhooks/${endpoint.id}.json`)).status, 404);
    assert.equal((await h.request('POST', '/v1/test/webhooks.json', { body: { url: 'https://example.org/x' } })).json.error.code, 'not_on_test_service');
    assert.equal((await call('POST', '/webhooks.json', { url: 'ftp://example.org/x' })).json.error.code, 'invalid_url');
    assert.equal((await call('POST', '/webhooks.json', { url: 'https://user:pw@example.org/x' })).json.error.code, 'invalid_url');
  });
});

describe('sending one attempt', () => {
  test('an endpoint whose secret is not base64 fails its attempt with a reason; nothing throws', async () => {
    const endpoint = { id: 'ep_x', url: 'https://hooks.example.invalid/', events: ['*'], description: '', secret: 'whsec_x', disabled: false, disabledReason: null, failingSince: null, createdAt: new Date(0).toISOString() };
    const outcome = await send(endpoint, { id: 'msg_x', type: 'award.created', payload: '{}', at: new Date(0).toISOString() }, { timeoutMs: 1000, allowPrivate: false, now: Date.now() });
    assert.equal(outcome.ok, false);
    assert.match(outcome.error ?? '', /secret/);
  });
});

describe('the SSRF guard', () => {
  let h: Harness;
  before(async () => {
    h = await start();
    await h.domain.createService('shop', KEY);
  });
  after(() => h.close());

  test('endpoints on loopback, private, link-local or other non-public addresses are refused', async () => {
    for (const url of ['http://127.0.0.1:8080/x', 'http://localhost/x', 'http://169.254.169.254/latest/meta-data', 'http://10.1.2.3/', 'http://[::1]/x', 'http://[fd00::1]/', 'http://[::ffff:127.0.0.1]/', 'http://0.0.0.0/']) {
      const refused = await h.request('POST', '/v1/shop/webhooks.json', { headers: as, body: { url } });
      assert.equal(refused.status, 400, url);
      assert.equal(refused.json.error.code, 'private_address', url);
      assert.match(refused.json.error.message, /WEBHOOK_ALLOW_PRIVATE=on/, 'the refusal names the setting that would allow it');
    }
  });

  test('which addresses are blocked', () => {
    for (const ip of ['127.0.0.1', '10.0.0.1', '172.16.5.4', '192.168.1.1', '169.254.1.1', '100.64.0.1', '0.0.0.0', '::1', '::', 'fe80::1', 'fc00::1', '::ffff:10.0.0.1', '224.0.0.1', 'not an ip']) {
      assert.equal(isPrivateAddress(ip), true, ip);
    }
    for (const ip of ['93.184.216.34', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']) assert.equal(isPrivateAddress(ip), false, ip);
  });
});

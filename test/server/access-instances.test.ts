import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { withPostgres } from '../support/postgres.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { cli, serve, type Served } from '../support/serve.js';
import { tempDir } from './harness.js';

/**
 * What must hold across real server processes: a delivery in flight when its server is killed is
 * made after the restart (both stores); on one PostgreSQL database, a key revoked on one instance is
 * refused by the other at once, a claim code raced for on both has one winner, and each message is
 * delivered once while the receiver answers.
 */

const ENV = { WEBHOOK_ALLOW_PRIVATE: 'on', WEBHOOK_LEASE_MS: '1500', WEBHOOK_POLL_MS: '100', REQUEST_LOG: 'off' };

async function call(server: Served, method: string, path: string, key: string, body?: unknown) {
  const response = await fetch(server.base + path, {
    method,
    headers: { authorization: key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, text, json: text ? JSON.parse(text) : undefined };
}

async function createShop(place: string[]): Promise<string> {
  const created = await cli(['service', 'create', 'shop', ...place]);
  assert.equal(created.code, 0, created.stderr);
  return JSON.parse(created.stdout).key;
}

for (const store of ['lowdb file', 'PostgreSQL'] as const) {
  test(`${store}: a delivery in flight when the server is killed is made after the restart, with the same webhook-id`, async (t) => {
    const place = store === 'PostgreSQL' ? ['--database', await withPostgres()] : ['--data', join(await tempDir(t), 'db.json')];
    const key = await createShop(place);
    const receiver = await startReceiver();
    t.after(() => receiver.close());
    let server = await serve([...place, '--no-seed'], { env: ENV });
    t.after(() => server.stop());
    await call(server, 'PUT', '/v1/shop/badges.json', key, { badges: [{ name: 'gold' }] });
    const endpoint = await call(server, 'POST', '/v1/shop/webhooks.json', key, { url: `${receiver.base}/hook`, events: ['award.created'] });
    assert.equal(endpoint.status, 201, endpoint.text);
    // The first attempt never gets an answer: the server dies while it waits.
    receiver.expect('/hook', endpoint.json.secret, (r) => (receiver.at('/hook').indexOf(r) === 0 ? 'hang' : { status: 200 }));
    assert.equal((await call(server, 'PUT', '/v1/shop/users/ann.json', key, { badges: ['gold'] })).status, 200);
    await receiver.until(() => receiver.at('/hook').length === 1, 15_000, 'the first attempt');
    server.child.kill('SIGKILL');
    await server.stop();

    server = await serve([...place, '--no-seed'], { env: ENV });
    await receiver.until(() => receiver.at('/hook').length === 2, 20_000, 'the attempt after the restart');
    const [first, second] = receiver.at('/hook');
    assert.equal(second!.id, first!.id);
    assert.ok('payload' in second!.verified, JSON.stringify(second!.verified));
    let log;
    for (let i = 0; i < 100; i++) {
      log = await call(server, 'GET', `/v1/shop/webhooks/${endpoint.json.id}/attempts.json`, key);
      if (log.json.attempts.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.deepEqual(log!.json.attempts.map((a: { attempt: number; outcome: string }) => [a.attempt, a.outcome]), [[2, 'succeeded']], 'the killed attempt left no record, the lease ran out');
    // Stopped before the data folder is removed.
    await server.stop();
  });
}

describe('two server processes on one PostgreSQL database', () => {
  let database: string;
  let a: Served;
  let b: Served;
  let key: string;
  let receiver: Receiver;

  before(async () => {
    database = await withPostgres();
    key = await createShop(['--database', database]);
    receiver = await startReceiver();
    [a, b] = await Promise.all([serve(['--database', database, '--no-seed'], { env: ENV }), serve(['--database', database, '--no-seed'], { env: ENV })]);
    assert.equal((await call(a, 'PUT', '/v1/shop/badges.json', key, { badges: [{ name: 'gold' }, { name: 'early' }] })).status, 200);
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await receiver?.close();
  });

  test('a key revoked on A is refused by B on the next request', async () => {
    const made = await call(a, 'POST', '/v1/shop/keys.json', key, { label: 'bot', operations: ['award'] });
    assert.equal(made.status, 201);
    assert.equal((await call(b, 'PUT', '/v1/shop/users/ann.json', made.json.token, { badges: ['gold'] })).status, 200);
    assert.equal((await call(a, 'DELETE', `/v1/shop/keys/${made.json.id}.json`, key)).status, 200);
    const refused = await call(b, 'PUT', '/v1/shop/users/ann.json', made.json.token, { badges: ['gold'] });
    assert.equal(refused.status, 401, 'no cache between the revocation and B');
  });

  test('rotated with a grace on the database: both instances take the old key and the new one', async () => {
    const fresh = await cli(['service', 'rotate-key', 'shop', '--database', database, '--grace', '1h']);
    assert.equal(fresh.code, 0, fresh.stderr);
    const newKey = JSON.parse(fresh.stdout).key;
    assert.equal((await call(b, 'PUT', '/v1/shop/users/ann.json', key, { badges: ['gold'] })).status, 200, 'old key, in the grace');
    assert.equal((await call(a, 'PUT', '/v1/shop/users/ann.json', newKey, { badges: ['gold'] })).status, 200);
    key = newKey;
  });

  test('one single-use claim code redeemed 40 times on both instances at once: one winner', async () => {
    const [code] = (await call(a, 'POST', '/v1/shop/badges/early/claim-codes.json', key, {})).json.codes;
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => call(i % 2 ? a : b, 'POST', `/v1/shop/claim-codes/${code.code}/redeem.json`, key, { user: `racer${i}` })));
    assert.equal(answers.filter((r) => r.status === 200).length, 1, answers.map((r) => r.status).join(','));
    assert.deepEqual([...new Set(answers.filter((r) => r.status !== 200).map((r) => r.json.error.code))], ['claim_code_used']);
  });

  test('awards on both instances: every message delivered, each once', async () => {
    const endpoint = await call(a, 'POST', '/v1/shop/webhooks.json', key, { url: `${receiver.base}/both`, events: ['award.created'] });
    receiver.expect('/both', endpoint.json.secret);
    await Promise.all(Array.from({ length: 60 }, (_, i) => call(i % 2 ? a : b, 'PUT', `/v1/shop/users/u${i}.json`, key, { badges: ['gold'] })));
    await receiver.until(() => receiver.at('/both').length >= 60, 20_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const ids = receiver.at('/both').map((r) => r.id);
    assert.equal(ids.length, 60, 'no delivery made twice');
    assert.equal(new Set(ids).size, 60);
    assert.ok(receiver.at('/both').every((r) => 'payload' in r.verified));
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { start, type Harness } from './harness.js';

/**
 * What the admin console reads beside the rest of the API: what a key may do (`keys/me.json`), the
 * service's own key rotation, the figures of its plots (`stats.json`), the member search and the
 * service's export. Two services side by side: nothing of one shows in the other's answers.
 */

const KEY = 'shop-key-0123456789';
const OTHER_KEY = 'other-key-0123456789';
const DAY = 86_400_000;

describe('console reads', () => {
  let h: Harness;
  let receiver: Receiver;
  /** The server's clock runs this far from the real one: awards dated on earlier days. */
  let offset = 0;
  const as = (key: string) => ({ authorization: key });
  const shop = (method: string, path: string, body?: unknown, key = KEY) => h.request(method, `/v1/shop${path}`, { body, headers: as(key) });
  const scoped = async (operations: string[], badges?: string[]) => {
    const made = await shop('POST', '/keys.json', { label: operations.join('+'), operations, ...(badges ? { badges } : {}) });
    assert.equal(made.status, 201, made.text);
    return made.json.token as string;
  };

  before(async () => {
    receiver = await startReceiver();
    h = await start({ config: { now: () => Date.now() + offset, access: { webhookAllowPrivate: true, webhookRetryScale: 0.0001, webhookPollMs: 50 } } });
    await h.domain.createService('shop', KEY);
    await h.domain.createService('other', OTHER_KEY);
    for (const service of ['shop', 'other']) await h.domain.putBadges(service, [{ name: 'gold', fields: {} }, { name: 'silver', fields: {} }]);
  });
  after(async () => {
    await h.close();
    await receiver.close();
  });

  test('keys/me.json: the service key may do everything; a scoped key what it was made for; no key, none', async () => {
    const own = await shop('GET', '/keys/me.json');
    assert.equal(own.status, 200, own.text);
    assert.deepEqual(own.json, { service: 'shop', kind: 'service', operations: ['award', 'revoke', 'manage_badges', 'read_private'], badges: null, previousKeyUntil: null });
    assert.equal(own.headers.get('cache-control'), 'no-store');
    const token = await scoped(['award'], ['gold']);
    const key = await shop('GET', '/keys/me.json', undefined, token);
    assert.equal(key.status, 200, key.text);
    assert.equal(key.json.kind, 'key');
    assert.deepEqual([key.json.operations, key.json.badges, key.json.label, key.json.expiresAt], [['award'], ['gold'], 'award', null]);
    assert.match(key.json.id, /^key_/);
    assert.equal(key.json.secret, undefined);
    assert.equal((await h.request('GET', '/v1/shop/keys/me.json')).status, 401);
    assert.equal((await shop('GET', '/keys/me.json', undefined, OTHER_KEY)).status, 401, "another service's key is no key of this one");
    // A revoked key may do nothing from the next request on.
    await shop('DELETE', `/keys/${key.json.id}.json`);
    assert.equal((await shop('GET', '/keys/me.json', undefined, token)).status, 401);
  });

  test('key.json: the service rotates its own key; the old one works through the grace; a scoped key may not', async () => {
    const token = await scoped(['award', 'revoke', 'manage_badges', 'read_private']);
    const refused = await h.request('POST', '/v1/shop/key.json?grace=1h', { headers: as(token) });
    assert.equal(refused.status, 403, refused.text);
    assert.equal(refused.json.error.code, 'key_out_of_scope');
    const rotated = await h.request('POST', '/v1/shop/key.json?grace=1h', { headers: as(KEY) });
    assert.equal(rotated.status, 200, rotated.text);
    const { key, previousKeyUntil } = rotated.json;
    assert.notEqual(key, KEY);
    assert.ok(Date.parse(previousKeyUntil) > Date.now() + 59 * 60_000);
    assert.equal((await shop('GET', '/keys/me.json', undefined, KEY)).json.previousKeyUntil, previousKeyUntil, 'the old key still works, and says until when');
    assert.equal((await shop('GET', '/keys/me.json', undefined, key)).status, 200);
    // Back to the key the other tests use, at once: the rotated one stops.
    const back = await h.request('POST', '/v1/shop/key.json', { headers: as(key) });
    assert.equal(back.json.previousKeyUntil, null);
    assert.equal((await shop('GET', '/keys/me.json', undefined, key)).status, 401);
    await h.domain.run('shop', async (tx) => {
      const { rotateServiceKey } = await import('../../server/core/access/keys.js');
      await rotateServiceKey(tx, 'shop', KEY, 0);
    });
    assert.equal((await shop('GET', '/keys/me.json')).status, 200);
    assert.equal((await h.request('POST', '/v1/shop/key.json?grace=forever', { headers: as(KEY) })).json.error.code, 'invalid_grace');
  });

  test('stats.json counts awards per day and badge, revocations, active users, badges per user, webhook attempts', async () => {
    const endpoint = await shop('POST', '/webhooks.json', { url: receiver.base + '/flaky', events: ['award.created'] });
    let calls = 0;
    receiver.expect('/flaky', endpoint.json.secret, () => (++calls === 1 ? { status: 500 } : { status: 204 }));
    offset = -2 * DAY;
    await shop('PUT', '/users/ann.json', { badges: ['gold'] });
    await shop('PUT', '/users/bob.json', { badges: ['gold', 'silver'] });
    // The clock goes forward only once these three are sent and logged (the first twice): a delivery
    // still in flight when it jumps two days would find its lease long run out and go again.
    await receiver.until(() => receiver.at('/flaky').length === 4);
    for (const deadline = Date.now() + 15_000; ; await new Promise((resolve) => setTimeout(resolve, 50))) {
      const logged = (await shop('GET', '/stats.json?days=3')).json.webhooks?.attempts ?? [];
      if (logged.reduce((a: number, b: number) => a + b, 0) === 4) break;
      assert.ok(Date.now() < deadline, `the back-dated attempts were never all logged: ${JSON.stringify(logged)}`);
    }
    offset = 0;
    await shop('PUT', '/users/ann.json', { badges: ['gold', 'silver'] });
    await shop('PUT', '/users/cid.json', { badges: ['silver'] });
    await shop('DELETE', '/users/cid.json', { badges: ['silver'] });
    // The other service's awards count in its own figures only.
    await h.request('PUT', '/v1/other/users/zed.json', { body: { badges: ['gold', 'silver'] }, headers: as(OTHER_KEY) });
    // Six awards, the first sent twice; each attempt is logged once its answer came, dated by the
    // server's clock (those sent while it ran two days behind, on that day).
    await receiver.until(() => receiver.at('/flaky').length === 7);
    const sum = (days: number[]) => days.reduce((a, b) => a + b, 0);
    let stats = await shop('GET', '/stats.json?days=3');
    for (const deadline = Date.now() + 15_000; sum(stats.json.webhooks?.attempts ?? []) !== 7; stats = await shop('GET', '/stats.json?days=3')) {
      assert.ok(Date.now() < deadline, `the seventh delivery attempt was never logged: ${stats.text}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(stats.status, 200, stats.text);
    const today = new Date().toISOString().slice(0, 10);
    assert.equal(stats.json.days.length, 3);
    assert.equal(stats.json.days[2], today);
    assert.deepEqual(stats.json.awards.total, [3, 0, 3]);
    assert.deepEqual(stats.json.awards.byBadge, { gold: [2, 0, 1], silver: [1, 0, 2] });
    assert.deepEqual(stats.json.awards.revocations, [0, 0, 1]);
    assert.deepEqual(stats.json.activeUsers, [2, 0, 2]);
    // ann holds two badges, bob two, cid none (revoked).
    assert.deepEqual(stats.json.badgesPerUser, [{ badges: 0, users: 1 }, { badges: 2, users: 2 }]);
    assert.equal(stats.json.users, 3);
    assert.equal(stats.json.partial, false);
    const { attempts, failures, latencyP50, latencyP95 } = stats.json.webhooks;
    assert.equal(sum(failures), 1);
    assert.deepEqual([attempts[1], failures[1], latencyP50[1], latencyP95[1]], [0, 0, null, null], 'a day without attempts has no latency');
    assert.ok(latencyP95[2] >= latencyP50[2] && latencyP50[2] >= 0);

    const other = await h.request('GET', '/v1/other/stats.json?days=3', { headers: as(OTHER_KEY) });
    assert.deepEqual(other.json.awards.total, [0, 0, 2]);
    assert.deepEqual(other.json.webhooks.attempts, [0, 0, 0]);

    assert.equal((await shop('GET', '/stats.json', undefined, await scoped(['award']))).status, 403, 'the figures read private data');
    assert.equal((await shop('GET', '/stats.json', undefined, await scoped(['read_private']))).status, 200);
    assert.equal((await shop('GET', '/stats.json?days=91')).json.error.code, 'invalid_days');
    assert.equal((await h.request('GET', '/v1/test/stats.json')).json.error.code, 'not_on_test_service');
  });

  test('members.json finds users by the start of their name, and by address with a key that may read private data', async () => {
    for (const name of ['anna', 'annabel', 'annie', 'ben']) await shop('PUT', `/users/${name}.json`, { badges: ['gold'] });
    await shop('PUT', '/users/ben/emails.json', { emails: ['Ben@Example.org'] });
    const found = await shop('GET', '/members.json?q=ann');
    assert.equal(found.status, 200, found.text);
    assert.deepEqual(found.json.members.map((m: { name: string }) => m.name), ['ann', 'anna', 'annabel', 'annie']);
    assert.deepEqual(found.json.members[0], { name: 'ann', badges: 2, awards: 3, createdAt: found.json.members[0].createdAt });
    assert.deepEqual((await shop('GET', '/members.json?q=ann&limit=2')).json.members.map((m: { name: string }) => m.name), ['ann', 'anna']);
    const byAddress = await shop('GET', '/members.json?q=' + encodeURIComponent(' ben@example.ORG'));
    assert.deepEqual(byAddress.json.members, [{ name: 'ben', badges: 1, awards: 1, createdAt: byAddress.json.members[0].createdAt, email: 'ben@example.org' }]);
    const awarder = await scoped(['award']);
    assert.deepEqual((await shop('GET', '/members.json?q=ann&limit=1', undefined, awarder)).json.members.map((m: { name: string }) => m.name), ['ann'], 'names are public');
    assert.deepEqual((await shop('GET', '/members.json?q=ben@example.org', undefined, awarder)).json.members, [], 'addresses are not');
    assert.deepEqual((await h.request('GET', '/v1/other/members.json?q=ann', { headers: as(OTHER_KEY) })).json.members, []);
    assert.equal((await shop('GET', '/members.json?q=')).json.error.code, 'invalid_q');
  });

  test('export.jsonl is the service alone, from its own key; secrets=off leaves its keys out', async () => {
    const full = await shop('GET', '/export.jsonl');
    assert.equal(full.status, 200, full.text);
    assert.match(full.headers.get('content-type')!, /^application\/x-ndjson/);
    const lines = full.text.trim().split('\n').map((line) => JSON.parse(line));
    assert.equal(lines[0].format, 'user-badges-export');
    assert.deepEqual(lines.filter((l) => l.service).map((l) => [l.service.name, l.service.key]), [['shop', KEY]]);
    assert.ok(lines.some((l) => l.user?.record.name === 'ann'));
    // Quoted, because random ids and hashes in the export may hold the three letters.
    assert.ok(!full.text.includes('"zed"') && !full.text.includes(OTHER_KEY), "nothing of the other service's");
    const bare = await shop('GET', '/export.jsonl?secrets=off');
    assert.ok(!bare.text.includes(KEY));
    assert.equal((await shop('GET', '/export.jsonl', undefined, await scoped(['read_private']))).status, 403, "the service's own key only");
  });
});

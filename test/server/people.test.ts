import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import pg from 'pg';
import { DOMAIN_EVENT_TYPES } from '../../server/core/events.js';
import { sign } from '../../server/http/auth/signatures.js';
import { openStore } from '../../server/app/open-store.js';
import { composeDomain } from '../../server/app/domain.js';
import { createEndpoint, newEndpointSecret } from '../../server/core/access/webhooks.js';
import { exportStore } from '../../server/transfer/export.js';
import { ANN, ANNS_TRACES, aPersonEverywhere } from '../support/person.js';
import { dropDatabase, withPostgres } from '../support/postgres.js';
import { cli } from '../support/serve.js';
import { start, type Harness } from './harness.js';

/**
 * The audit trail and a person's data over HTTP and the CLI (issue 19): who did what, with every
 * webhook saying who; export, erasure and renaming; and an erasure that leaves no trace of the
 * person in the embedded store's files nor in any PostgreSQL table.
 */

const KEY = 'shop-key-0123456789';
const ADMIN = 'admin-token-0123456789';
const as = { authorization: KEY };

async function shop(h: Harness): Promise<void> {
  await h.domain.createService('shop', KEY);
  await h.domain.putBadges('shop', [{ name: 'gold', fields: {} }, { name: 'silver', fields: {} }, { name: 'bronze', fields: {} }]);
}

/** Every file under `dir`, as text. */
async function filesUnder(dir: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    // A checkpoint may remove a journal segment between the listing and the reading.
    const text = await readFile(join(entry.parentPath, entry.name), 'utf8').catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? null : Promise.reject(error)));
    if (text !== null) found.set(join(entry.parentPath, entry.name), text);
  }
  return found;
}

/** Every row of every table of the database, as text. */
async function rowsOf(url: string): Promise<Map<string, string>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const found = new Map<string, string>();
    const { rows: tables } = await client.query<{ name: string }>(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`);
    for (const { name } of tables) {
      const { rows } = await client.query<{ row: string }>(`SELECT t::text AS row FROM ${client.escapeIdentifier(name)} t`);
      found.set(name, rows.map((r) => r.row).join('\n'));
    }
    return found;
  } finally {
    await client.end();
  }
}

const traces = (texts: Map<string, string>) => [...texts].flatMap(([where, text]) => ANNS_TRACES.filter((trace) => text.includes(trace) || text.includes(JSON.stringify(trace).slice(1, -1))).map((trace) => `${trace} in ${where}`));

describe('the audit trail over HTTP', () => {
  test('filtered by actor, user and badge, newest first, a page at a time by cursor', async (t) => {
    const h = await start({ config: { adminToken: ADMIN } });
    t.after(() => h.close());
    await shop(h);
    const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = as) => h.request(method, `/v1/shop${path}`, { body, headers });
    for (let i = 0; i < 7; i++) await call('PUT', `/users/u${i % 3}.json`, { badges: [i % 2 ? 'gold' : 'silver'] });
    const key = (await call('POST', '/keys.json', { label: 'bot', operations: ['award'] })).json;
    await call('PUT', '/users/u0.json', { badges: ['bronze'] }, { authorization: key.token });

    const all = (await call('GET', '/audit.json?page_size=1000')).json;
    assert.equal(all.paging.next, null);
    assert.deepEqual(all.audit.slice(0, 2).map((e: { action: string; actor: object }) => [e.action, e.actor]), [
      ['award.created', { type: 'key', id: key.id }],
      ['key.created', { type: 'service' }],
    ]);
    let walked: string[] = [];
    for (let path: string | null = '/v1/shop/audit.json?page_size=4'; path; ) {
      const page = await h.request('GET', path, { headers: as });
      assert.equal(page.status, 200, page.text);
      assert.ok(page.json.audit.length <= 4);
      walked = walked.concat(page.json.audit.map((e: { id: string }) => e.id));
      path = page.json.paging.next;
    }
    assert.deepEqual(walked, all.audit.map((e: { id: string }) => e.id), 'the pages, end to end, are the whole trail');

    const ids = async (query: string) => (await call('GET', `/audit.json?${query}`)).json.audit.map((e: { action: string; user?: string; badge?: string }) => `${e.action} ${e.user ?? ''} ${e.badge ?? ''}`.trim());
    assert.deepEqual(await ids(`actor=key:${key.id}`), ['award.created u0 bronze']);
    assert.deepEqual(await ids('user=u1'), ['award.created u1 silver', 'award.created u1 gold']);
    assert.deepEqual(await ids('badge=bronze'), ['award.created u0 bronze', 'badge.created  bronze']);
    assert.deepEqual(await ids('user=u0&badge=bronze&actor=service'), []);
    const sparse = (await call('GET', '/audit.json?badge=bronze&page_size=1')).json;
    assert.equal(sparse.audit.length, 1);
    assert.match(sparse.paging.next, /^\/v1\/shop\/audit\.json\?badge=bronze&page_size=1&cursor=[\w-]+$/, 'the links keep the filters');

    assert.equal((await call('GET', '/audit.json?cursor=bm90IG91cnM')).json.error.code, 'invalid_cursor');
    assert.equal((await call('GET', '/audit.json', undefined, { authorization: key.token })).status, 403, "the service's own key only");
    assert.equal((await h.request('GET', '/v1/test/audit.json')).json.error.code, 'not_on_test_service');
  });

  test('every webhook says who acted, for every type of event a service can be told', async (t) => {
    const h = await start({ config: { adminToken: ADMIN } });
    t.after(() => h.close());
    await shop(h);
    let key = KEY;
    const call = async (method: string, path: string, body?: unknown, authorization = key) => {
      const answer = await h.request(method, path.startsWith('/admin') ? path : `/v1/shop${path}`, { body, headers: { authorization } });
      assert.ok(answer.status < 300, `${method} ${path}: ${answer.text}`);
      return answer.json;
    };
    const type = { source: 'app', type: 'comment', action: 'post' };
    const endpoint = (await call('POST', '/webhooks.json', { url: 'https://hooks.example.invalid/all' })).id;
    const scoped = await call('POST', '/keys.json', { label: 'bot', operations: ['award'] });
    await call('PUT', '/users/ann.json', { badges: ['gold'] }, scoped.token);
    await call('DELETE', '/users/ann.json', { badges: ['gold'] });
    await call('DELETE', `/keys/${scoped.id}.json`);
    await call('PUT', '/badges.json', { badges: [{ name: 'tin' }] });
    await call('PUT', '/badges.json', { badges: [{ name: 'tin', description: 'Tin' }] });
    await call('DELETE', '/badges.json', { badges: ['tin'] });
    await call('PUT', '/event-types.json', { eventTypes: [type] });
    await call('POST', '/rules.json', { id: 'talker', badge: 'silver', condition: 'first', eventTypes: [type] });
    await call('PUT', '/rules/talker.json', { badge: 'silver', condition: 'count', count: 2, eventTypes: [type] });
    await call('DELETE', '/rules/talker.json');
    await call('PUT', '/event-settings.json', { retentionDays: 30 });
    const integration = await call('POST', '/integrations.json', { name: 'gitlab' });
    await call('DELETE', `/integrations/${integration.id}.json`);
    const other = await call('POST', '/webhooks.json', { url: 'https://hooks.example.invalid/other', events: ['badge.created'] });
    await call('PATCH', `/webhooks/${other.id}.json`, { disabled: true });
    await call('DELETE', `/webhooks/${other.id}.json`);
    await call('POST', '/badges/gold/awards.json', { emails: ['bea@example.org', 'cy@example.org'] });
    await call('PUT', '/users/bea/emails.json', { emails: ['bea@example.org'] });
    const [pending] = (await call('GET', '/invitations.json?email=cy@example.org')).invitations;
    await call('DELETE', `/invitations/${pending.id}.json`);
    const [code] = (await call('POST', '/badges/bronze/claim-codes.json', {})).codes;
    await call('POST', `/claim-codes/${code.code}/redeem.json`, { user: 'bea' });
    await call('PUT', '/issuers/library.json', { name: 'Library' });
    await call('PUT', '/issuers/library.json', { name: 'The Library' });
    await call('PUT', '/programs/summer.json', { issuer: 'library', name: 'Summer' });
    await call('PUT', '/programs/summer.json', { issuer: 'library', name: 'Summer reading' });
    await call('DELETE', '/programs/summer.json');
    await call('DELETE', '/issuers/library.json');
    const application = await call('POST', '/badges/silver/applications.json', { user: 'bea', evidence: [{ url: 'https://example.org/essay' }] });
    await call('PUT', `/applications/${application.id}/assignment.json`, { reviewer: 'rita' });
    await call('POST', `/applications/${application.id}/reviews.json`, { reviewer: 'rita', approved: true });
    await call('POST', `/applications/${application.id}/award.json`);
    await call('DELETE', `/applications/${application.id}.json`);
    await call('POST', '/users/bea/rename.json', { to: 'beatrix' });
    await call('PUT', '/users/beatrix/display.json', { featured: ['bronze'] });
    // An erasure takes the person's messages with it: someone else's, then.
    await call('PUT', '/users/zed.json', { badges: ['gold'] });
    await call('POST', '/users/zed/erase.json');
    await call('PATCH', '/admin/services/shop', { legacySignatures: false }, `Bearer ${ADMIN}`);
    key = (await call('POST', '/admin/services/shop/key', undefined, `Bearer ${ADMIN}`)).key;
    await call('PUT', '/users/ann.json', { badges: ['silver'] });

    const messages = (await h.store.listItems('shop', 'webhook-message', {})).map((item) => JSON.parse((item.v as { payload: string }).payload) as { type: string; data: { actor: unknown } });
    // A service's creation is before it has endpoints, its deletion takes them: those two are never owed.
    assert.deepEqual(new Set(messages.map((m) => m.type)), new Set(DOMAIN_EVENT_TYPES.filter((t) => t !== 'service.created' && t !== 'service.deleted')));
    const actors = new Set(messages.map((m) => JSON.stringify(m.data.actor)));
    assert.deepEqual(actors, new Set([{ type: 'service' }, { type: 'key', id: scoped.id }, { type: 'operator' }].map((a) => JSON.stringify(a))), 'every payload names its actor');
    assert.deepEqual(messages.filter((m) => m.data.actor && (m.data.actor as { type: string }).type !== 'service').map((m) => m.type), ['award.created', 'service.updated', 'service.key_rotated']);
    assert.equal(messages[0]!.type, 'endpoint.created', `the endpoint (${endpoint}) is told of its own making`);
    const awards = (await h.request('GET', '/v1/shop/audit.json?actor=operator', { headers: { authorization: key } })).json.audit;
    assert.deepEqual(awards.map((e: { action: string; settings?: string[] }) => [e.action, e.settings]), [['service.key_rotated', undefined], ['service.updated', ['legacySignatures']]]);
  });
});

describe("a person's data over HTTP", () => {
  for (const where of ['the embedded store', 'PostgreSQL'] as const) {
    test(`an erasure leaves no trace of the person in ${where === 'PostgreSQL' ? "any of PostgreSQL's tables" : "the embedded store's files"}, kept answers and cached reads included`, async (t) => {
      const dir = await mkdtemp(join(tmpdir(), 'user-badges-test-'));
      const database = where === 'PostgreSQL' ? await withPostgres() : undefined;
      let clock = Date.now();
      const h = await start({ config: { now: () => clock }, store: database ? { database, seed: false } : { file: join(dir, 'db.json'), seed: false } });
      t.after(async () => {
        await h.close();
        await rm(dir, { recursive: true, force: true });
        if (database) await dropDatabase(database);
      });
      await shop(h);
      await aPersonEverywhere(h.domain, h.store, (ms) => (clock += ms));
      const look = () => (database ? rowsOf(database) : filesUnder(dir));
      assert.ok(traces(await look()).length > 0, 'she is there before');

      // A signed request without nonce keeps its answer, which shows her name; a widget read caches her.
      const path = `/v1/shop/users/${encodeURIComponent(ANN.name)}.json`;
      const body = JSON.stringify({ badges: ['gold'] });
      const ts = String(Math.floor(clock / 1000));
      const signed = `${path}?ts=${ts}&signature=${sign(KEY, ts, { method: 'PUT', path, body: Buffer.from(body) })}`;
      assert.equal((await h.request('PUT', signed, { raw: body })).status, 200);
      const again = await h.request('PUT', signed, { raw: body });
      assert.equal(again.headers.get('x-replay'), 'true');
      assert.match(again.text, /Ann Zed/);
      const read = `/v1/shop/users.json?names=${encodeURIComponent(ANN.name)},bob`;
      assert.deepEqual((await h.request('GET', read)).json.users.map((u: { name: string }) => u.name), [ANN.name, 'bob']);

      const exported = await h.request('GET', `/v1/shop/users/${encodeURIComponent(ANN.name)}/export.json`, { headers: as });
      assert.equal(exported.headers.get('cache-control'), 'no-store');
      assert.deepEqual(exported.json.emails, ANN.addresses);
      const erased = await h.request('POST', `/v1/shop/users/${encodeURIComponent(ANN.name)}/erase.json`, { headers: as });
      assert.equal(erased.status, 200, erased.text);
      assert.equal(erased.json.erased, true);
      assert.equal(erased.text.includes(ANN.name), false, 'the answer names nobody');

      assert.deepEqual(traces(await look()), []);
      const replayed = await h.request('PUT', signed, { raw: body });
      assert.deepEqual([replayed.status, replayed.json.error.code], [401, 'replayed_signature'], 'the kept answer that showed her is gone');
      assert.deepEqual((await h.request('GET', read)).json.users.map((u: { name: string }) => u.name), ['bob'], 'and so is the cached read');
      assert.equal((await h.request('GET', `/v1/shop/users/${encodeURIComponent(ANN.name)}/export.json`, { headers: as })).json.error.code, 'user_not_found');
      const dump = new PassThrough();
      const chunks: Buffer[] = [];
      dump.on('data', (chunk: Buffer) => chunks.push(chunk));
      await exportStore(h.store, dump);
      assert.deepEqual(traces(new Map([['the export of the store', Buffer.concat(chunks).toString()]])), []);
      const [message] = await h.store.listItems('shop', 'webhook-message', { order: 'desc', limit: 1 });
      assert.deepEqual(JSON.parse((message!.v as { payload: string }).payload).data, { service: 'shop', user: erased.json.pseudonym, actor: { type: 'service' }, at: new Date(clock).toISOString() }, 'user.erased names the pseudonym only');
    });
  }

  test('a rename over HTTP moves everything; the old name holds nothing', async (t) => {
    let clock = Date.now();
    const h = await start({ config: { now: () => clock } });
    t.after(() => h.close());
    await shop(h);
    await aPersonEverywhere(h.domain, h.store, (ms) => (clock += ms));
    const renamed = await h.request('POST', `/v1/shop/users/${encodeURIComponent(ANN.name)}/rename.json`, { body: { to: 'Ann B' }, headers: as });
    assert.equal(renamed.status, 200, renamed.text);
    assert.equal(renamed.json.moved.event, 2);
    assert.equal((await h.request('GET', `/v1/shop/users/${encodeURIComponent(ANN.name)}.json`)).status, 404);
    assert.deepEqual((await h.request('GET', '/v1/shop/users/Ann%20B.json')).json.badges.map((b: { name: string }) => b.name).sort(), ['bronze', 'gold', 'silver']);
    assert.equal((await h.request('GET', `/v1/shop/users/${encodeURIComponent(ANN.name)}/activity.json`)).json.activity.length, 0);
    assert.ok((await h.request('GET', '/v1/shop/users/Ann%20B/activity.json')).json.activity.length >= 3);
    const taken = await h.request('POST', '/v1/shop/users/Ann%20B/rename.json', { body: { to: 'bob' }, headers: as });
    assert.deepEqual([taken.status, taken.json.error.code], [409, 'user_exists']);
    const bad = await h.request('POST', '/v1/shop/users/Ann%20B/rename.json', { body: { to: 'a/b' }, headers: as });
    assert.deepEqual([bad.status, bad.json.error.code], [400, 'invalid_user_name']);
  });
});

describe('the seed and the CLI write what the same writes over HTTP write', () => {
  test('a seeded award has its activity and audit entries; a CLI erasure its audit entry and its webhook, as over HTTP', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'user-badges-test-'));
    let h: Harness | undefined;
    t.after(async () => {
      await h?.close();
      await rm(dir, { recursive: true, force: true });
    });
    const data = join(dir, 'db.json');
    const store = await openStore({ file: data, seed: true });
    const seeded = (await store.listItems('demo', 'audit', { subject: 'daniel' })).map((i) => i.v as { action: string; actor: object; badge: string });
    assert.deepEqual(new Set(seeded.map((e) => `${e.action} ${e.badge} ${JSON.stringify(e.actor)}`)), new Set(['donated', 'popular', 'commenter'].map((b) => `award.created ${b} {"type":"system","job":"seed"}`)));
    assert.equal(await store.countItems('demo', 'activity', { owner: 'daniel' }), 4, 'an entry per award');
    await composeDomain(store).run('demo', (tx) => createEndpoint(tx, 'demo', 'ep_aaaaaaaaaaaaaaaaaaaa', newEndpointSecret(), { url: 'https://hooks.example.invalid/all', events: ['user.erased', 'award.created'], description: '' }));
    await store.close();

    const erased = await cli(['user', 'erase', 'demo', 'daniel', '--data', data]);
    assert.equal(erased.code, 0, erased.stderr);
    const { pseudonym } = JSON.parse(erased.stdout);
    assert.equal(erased.stdout.includes('daniel'), false);

    h = await start({ store: { file: data, seed: false } });
    const key = (await h.store.getService('demo'))!.key;
    assert.equal((await h.request('PUT', '/v1/demo/users/eve.json', { body: { badges: ['founder'] }, headers: { authorization: key } })).status, 200);
    assert.equal((await h.request('POST', '/v1/demo/users/bob/erase.json', { headers: { authorization: key } })).status, 200);

    const trail = (await h!.store.listItems('demo', 'audit', { order: 'desc', limit: 3 })).map((i) => i.v as { action: string; actor: object; user: string });
    assert.deepEqual(trail.map((e) => [e.action, e.actor]), [
      ['user.erased', { type: 'service' }],
      ['award.created', { type: 'service' }],
      ['user.erased', { type: 'cli', command: 'user erase' }],
    ]);
    assert.equal(trail[2]!.user, pseudonym);
    const owed = (await h.store.listItems('demo', 'webhook-message', {})).map((i) => JSON.parse((i.v as { payload: string }).payload) as { type: string; data: { actor: object } });
    assert.deepEqual(owed.map((m) => [m.type, m.data.actor]), [
      ['user.erased', { type: 'cli', command: 'user erase' }],
      ['award.created', { type: 'service' }],
      ['user.erased', { type: 'service' }],
    ]);
    const deliveries = (await h.store.listItems('demo', 'delivery', {})).map((i) => (i.v as { message: string }).message);
    const ids = (await h.store.listItems('demo', 'webhook-message', {})).map((i) => i.id);
    assert.deepEqual(ids.filter((id) => !deliveries.includes(id)), [], 'each owed to the endpoint');
    assert.equal(await h.store.countItems('demo', 'activity', { owner: 'eve' }), 1, "the HTTP award's activity entry, as the seed's");
    await h.store.checkpoint();
    assert.deepEqual([...(await filesUnder(dir))].filter(([, text]) => text.includes('daniel')).map(([file]) => file), []);
  });
});

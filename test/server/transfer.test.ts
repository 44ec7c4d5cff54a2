import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createReadStream, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { describe, test } from 'node:test';
import { composeDomain } from '../../server/app/domain.js';
import { putEventTypes } from '../../server/core/events/event-types.js';
import { createRule } from '../../server/core/events/rules.js';
import { openStore } from '../../server/stores/index.js';
import { exportStore } from '../../server/transfer/export.js';
import { importStore } from '../../server/transfer/import.js';
import { createKey, rotateServiceKey } from '../../server/core/access/keys.js';
import { createEndpoint } from '../../server/core/access/webhooks.js';
import { withPostgres } from '../support/postgres.js';
import { start, tempDir, type Harness } from './harness.js';

/** The reads whose bytes must not change when a service moves between stores. */
const READS = [
  '/v1/demo/badges.json',
  '/v1/demo/badges.json?sort=-count',
  '/v1/demo/users.json',
  '/v1/demo/users.json?sort=-date&page_size=2&page=2',
  '/v1/demo/users.json?names=daniel,Zo%C3%AB,bob,nobody',
  '/v1/demo/users.json?names=daniel,bob&sort=count',
  '/v1/demo/users/Zo%C3%AB.json',
  '/v1/demo/users/Zo%C3%AB.json?states=all',
  '/v1/demo/users/daniel.json?sort=name',
];

async function answers(h: Harness): Promise<string[]> {
  const all: string[] = [];
  for (const url of READS) {
    const r = await h.request('GET', url);
    // Open Badges links carry the origin the request came to, and each harness listens on a port of
    // its own: such an answer is compared without its origin (and so without its ETag).
    const text = r.text.replace(/http:\/\/127\.0\.0\.1:\d+/g, 'ORIGIN');
    all.push(`${r.status} ${text === r.text ? r.headers.get('etag') : '(with an origin)'} ${text}`);
  }
  return all;
}

async function exportTo(h: Harness, file: string, service?: string, withoutSecrets = false) {
  const out = createWriteStream(file);
  const counts = await exportStore(h.store, out, { service, withoutSecrets });
  out.end();
  await finished(out);
  return counts;
}

describe('export and import', () => {
  test('a service moved to another store and back answers byte for byte the same', async (t) => {
    const opened: Harness[] = [];
    t.after(() => Promise.all(opened.map((h) => h.close())));
    const dir = await tempDir(t);
    const source = await start();
    opened.push(source);
    await source.domain.putBadges('demo', [{ name: 'Café ☕', fields: { description: 'un café', nested: { a: [1, 2] } } }]);
    await source.domain.award('demo', 'Zoë', ['Café ☕', 'popular', 'Café ☕'], new Date('2026-11-01T00:00:00Z'));
    // Progress, and an award counted in its frequency period: records only the rules read.
    await source.domain.putBadges('demo', [{ name: 'lessons', fields: { goal: 5, frequency: { freq_cap: 2, freq_period: 'week' } } }]);
    await source.domain.setProgress('demo', 'Zoë', { lessons: 3 });
    await source.domain.award('demo', 'Zoë', ['lessons'], new Date('2026-11-01T00:00:00Z'));
    const zoe = await source.store.getUser('demo', 'Zoë');
    assert.deepEqual([zoe?.progress, zoe?.awards.at(-1)?.period], [{ lessons: 3 }, { start: '2026-10-26T00:00:00.000Z', count: 1 }]);
    await source.domain.revoke('demo', 'bob', ['reviewer']);
    for (let i = 0; i < 30; i++) await source.domain.award('demo', `user ${i}`, ['founder'], new Date(Date.UTC(2026, 10, 2, 0, i)));
    // Items of several kinds, more of one than an export page holds.
    const type = { source: 'app', type: 'task', action: 'close' };
    await source.domain.run('demo', (tx) => putEventTypes(tx, 'demo', [type]));
    await source.domain.run('demo', (tx) => createRule(tx, 'demo', { badge: 'popular', condition: 'count', eventTypes: [type], count: 5000, window: 'P7D' }, 'r1'));
    await source.domain.run('demo', async (tx) => {
      for (let i = 0; i < 1001; i++) tx.put({ t: 'item', s: 'demo', v: { kind: 'event', id: `e${i}`, owner: i % 2 ? 'Zoë' : 'bob', at: new Date(Date.UTC(2026, 10, 3, 0, 0, i % 7)).toISOString(), v: { t: 'app/task/close', d: { i, 'ключ': ['☕'] } } } });
    });
    const items = async (h: Harness) => [
      ...(await h.store.listItems('demo', 'event', {})),
      ...(await h.store.listItems('demo', 'event-type', {})),
      ...(await h.store.listItems('demo', 'rule', {})),
      ...(await h.store.listItems('demo', 'activity', {})),
      ...(await h.store.listItems('demo', 'audit', {})),
    ];
    // Every award above wrote its activity entry, the seed's too: they move with the service.
    const activity = await source.store.countItems('demo', 'activity', {});
    assert.ok(activity >= 33, `the awards' activity entries (${activity})`);
    // And their audit trail, with the seed's acts.
    const audit = await source.store.countItems('demo', 'audit', {});
    assert.ok(audit >= activity, `the audit entries (${audit})`);
    // And an award instance for each award made (core/rules/instances.ts).
    const awards = await source.store.countItems('demo', 'award', {});
    assert.ok(awards >= 33, `the award instances (${awards})`);
    // And what open pages were told of each (core/live.ts): the backlog and its sequence.
    const live = (await source.store.countItems('demo', 'live', {})) + (await source.store.countItems('demo', 'live-seq', {}));
    assert.ok(live > 0, `the live backlog (${live})`);
    // And each badge's integer id (CrowdTwist's), by name and by number, and the next to give.
    const numbers = (await source.store.countItems('demo', 'badge-number', {})) + (await source.store.countItems('demo', 'badge-numbered', {})) + (await source.store.countItems('demo', 'badge-number-next', {}));
    assert.equal(numbers, 7 * 2 + 1, 'the badge ids');
    const before = await answers(source);
    const itemsBefore = await items(source);

    const first = join(dir, 'first.jsonl');
    assert.deepEqual(await exportTo(source, first), { services: 1, badges: 7, users: 34, items: 1003 + activity + audit + awards + live + numbers, secrets: true });
    // Through PostgreSQL and back into the embedded store: the move a growing site makes.
    const middle = await start({ store: { database: await withPostgres(), seed: false } });
    opened.push(middle);
    const imported = await importStore(middle.domain, middle.store, createReadStream(first));
    assert.deepEqual({ ...imported, header: undefined }, { services: 1, badges: 7, users: 34, items: 1003 + activity + audit + awards + live + numbers, newKeys: [], header: undefined });
    assert.deepEqual(await answers(middle), before);
    assert.deepEqual(await middle.store.getUser('demo', 'Zoë'), zoe);
    assert.deepEqual(await items(middle), itemsBefore);

    const second = join(dir, 'second.jsonl');
    await exportTo(middle, second);
    const back = await start({ store: { file: join(dir, 'back.json'), seed: false } });
    opened.push(back);
    await importStore(back.domain, back.store, createReadStream(second));
    assert.deepEqual(await answers(back), before);
    assert.deepEqual(await back.store.getUser('demo', 'Zoë'), zoe);
    assert.deepEqual(JSON.stringify(await items(back)), JSON.stringify(itemsBefore), 'items come back with their keys in order');
    // The key moves too: the service's integrations keep working.
    assert.equal((await back.store.getService('demo'))!.key, source.key);
  });

  test('one service of several, and a store that already has it refuses it', async (t) => {
    const dir = await tempDir(t);
    const h = await start();
    t.after(() => h.close());
    await h.domain.createService('other', 'k');
    const file = join(dir, 'other.jsonl');
    assert.deepEqual(await exportTo(h, file, 'other'), { services: 1, badges: 0, users: 0, items: 1, secrets: true }, 'the audit entry of its creation');
    await assert.rejects(importStore(h.domain, h.store, createReadStream(file)), /line 2: service "other" exists already/);
    await assert.rejects(exportTo(h, join(dir, 'x.jsonl'), 'nope'), /does not exist/);
  });

  test('a damaged file stops at its line and says why', async (t) => {
    const dir = await tempDir(t);
    const h = await start();
    t.after(() => h.close());
    const file = join(dir, 'all.jsonl');
    await exportTo(h, file);
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    const cases: [string, string[], RegExp][] = [
      ['not an export', ['{"hello":1}'], /line 1: not a user-badges export/],
      ['a newer version', [lines[0]!.replace('"version":1', '"version":2'), ...lines.slice(1)], /version 2/],
      ['a negative count', [...lines.slice(0, 2), lines[2]!.replace(/"count":\d+/, '"count":-1'), ...lines.slice(3)], /line 3: badge \/count: /],
      ['a user before its service', [lines[0]!, lines.at(-1)!], /line 2: a record of "demo" outside/],
      ['not JSON', [...lines.slice(0, 2), '{oops', ...lines.slice(2)], /line 3: not JSON/],
      ['empty', [], /empty/],
    ];
    for (const [what, content, error] of cases) {
      const fresh = await openStore();
      await assert.rejects(importStore(composeDomain(fresh), fresh, Readable.from(content.map((l) => l + '\n'))), error, what);
      await fresh.close();
    }
  });

  test('--without-secrets leaves out keys and signing secrets and says so; an import makes new ones (issue 24.9)', async (t) => {
    const dir = await tempDir(t);
    const h = await start();
    t.after(() => h.close());
    const scoped = { id: 'key_abc', secret: 'scoped-secret-0123456789', label: 'bot', operations: ['award' as const], badges: null, expiresAt: null };
    await h.domain.run('demo', async (tx) => {
      await createKey(tx, 'demo', scoped);
      await createEndpoint(tx, 'demo', 'ep_cccccccccccccccccccc', 'whsec_c2VjcmV0LXNpZ25pbmcta2V5LTAxMjM0NTY3', { url: 'https://example.com/hook', events: ['*'], description: '' });
      await rotateServiceKey(tx, 'demo', 'the-new-service-key-0123456789', 3_600_000);
    });
    const withSecrets = join(dir, 'all.jsonl');
    assert.equal((await exportTo(h, withSecrets)).secrets, true);
    const kept = await readFile(withSecrets, 'utf8');
    for (const secret of [h.key, 'the-new-service-key-0123456789', scoped.secret, 'whsec_c2VjcmV0LXNpZ25pbmcta2V5LTAxMjM0NTY3']) assert.ok(kept.includes(secret), secret);
    assert.match(kept.split('\n')[0]!, /"secrets":true/);

    const without = join(dir, 'without.jsonl');
    const counts = await exportTo(h, without, 'demo', true);
    assert.equal(counts.secrets, false);
    const text = await readFile(without, 'utf8');
    for (const secret of [h.key, 'the-new-service-key-0123456789', scoped.secret, 'whsec_', '"kind":"key"', '"kind":"previous-key"']) assert.ok(!text.includes(secret), `${secret} left out`);
    assert.match(text.split('\n')[0]!, /"secrets":false/);

    const fresh = await openStore();
    t.after(() => fresh.close());
    const imported = await importStore(composeDomain(fresh), fresh, createReadStream(without));
    assert.deepEqual(imported.newKeys, ['demo']);
    const service = (await fresh.getService('demo'))!;
    assert.match(service.key, /^[0-9a-f]{64}$/);
    assert.notEqual(service.key, 'the-new-service-key-0123456789');
    const endpoint = (await fresh.getItem('demo', 'webhook-endpoint', 'ep_cccccccccccccccccccc'))!.v as { secret: string; url: string };
    assert.match(endpoint.secret, /^whsec_[A-Za-z0-9+/=]{32}$/);
    assert.equal(endpoint.url, 'https://example.com/hook');
    assert.equal(await fresh.getItem('demo', 'key', 'key_abc'), undefined);
    assert.equal((await fresh.listUsers('demo', { offset: 0, limit: 0 })).total, (await h.store.listUsers('demo', { offset: 0, limit: 0 })).total, 'everything else came');
  });
});

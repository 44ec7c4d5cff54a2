import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import type { Item } from '../../server/core/model.js';
import type { Store } from '../../server/core/ports.js';
import { LowdbStore } from '../../server/stores/lowdb/lowdb-store.js';
import { migrate, migrations } from '../../server/stores/postgres/migrations.js';
import { PostgresStore } from '../../server/stores/postgres/postgres-store.js';
import { dropDatabase, withPostgres } from '../support/postgres.js';

/**
 * Records written before items named their data subject get the subject their kind gives them
 * (server/core/subjects.ts): the embedded store when it reads old journal lines and files,
 * PostgreSQL in the migration that adds the column. Both from the same table, so both agree.
 */

const at = '2026-11-01T00:00:00.000Z';
const payload = (type: string, data: object) => JSON.stringify({ type, timestamp: at, data: { service: 'shop', ...data, at } });
const legacy = (kind: string, id: string, owner: string | null, v: unknown, subject: string | null) => ({ item: { kind, id, owner, at, v } as Item, subject });

/** Items as written before subjects, each with the subject it must get. */
const ITEMS = [
  legacy('event', 'e1', 'ann', { t: 'a/b/c' }, 'ann'),
  legacy('activity', 'a1', 'ann', { type: 'award', badge: 'gold', count: 1 }, 'ann'),
  legacy('rule-state', 'r/ann', 'ann', { r: 'x', n: 1, a: 0 }, 'ann'),
  legacy('rule-expiry', 'r/ann', 'ann', { rule: 'r', user: 'ann' }, 'ann'),
  legacy('email', 'ann@example.org', 'ann', { user: 'ann' }, 'ann'),
  legacy('claim-redemption', 'CODE\nann', 'ann', { code: 'CODE', user: 'ann', badge: 'gold', at }, 'ann'),
  legacy('invitation', 'inv_1', 'new@example.org', { id: 'inv_1', email: 'new@example.org', badge: 'gold' }, 'email/new@example.org'),
  legacy('invitation-claimed', 'inv_2', 'ann@example.org', { id: 'inv_2', email: 'ann@example.org', badge: 'gold', user: 'ann' }, 'ann'),
  legacy('event-rejected', 'x1', null, { code: 'unknown_event_type', message: '', via: 'api', sent: JSON.stringify({ id: 'x', user: 'Zoe\u0308' }) }, 'Zoë'),
  legacy('event-rejected', 'x2', null, { code: 'unknown_user', message: '', via: 'api', sent: JSON.stringify({ id: 'y', email: ' NEW@example.org' }) }, 'email/new@example.org'),
  legacy('event-rejected', 'x3', null, { code: 'invalid_event', message: '', via: 'api', sent: '{"user":"ann","data":"cut sho' }, null),
  legacy('webhook-message', 'msg_1', null, { id: 'msg_1', type: 'award.created', payload: payload('award.created', { user: 'ann', badge: 'gold' }), at }, 'ann'),
  legacy('webhook-message', 'msg_2', null, { id: 'msg_2', type: 'invitation.created', payload: payload('invitation.created', { email: 'new@example.org' }), at }, 'email/new@example.org'),
  legacy('webhook-message', 'msg_3', null, { id: 'msg_3', type: 'badge.created', payload: payload('badge.created', { badge: 'gold' }), at }, null),
  legacy('delivery', 'msg_1.ep_1', 'ep_1', { id: 'msg_1.ep_1', message: 'msg_1', endpoint: 'ep_1', attempt: 0 }, null),
  legacy('rule', 'r', null, { badge: 'gold', condition: 'first' }, null),
];

async function check(store: Store): Promise<void> {
  for (const { item, subject } of ITEMS) assert.equal((await store.getItem('shop', item.kind, item.id))?.subject, subject, `${item.kind} ${item.id}`);
  const ids = async (subject: string) => (await store.listItemsOfSubjects('shop', [subject])).map((i) => `${i.kind} ${i.id}`);
  assert.deepEqual(await ids('ann'), ITEMS.filter((i) => i.subject === 'ann').map(({ item }) => `${item.kind} ${item.id}`).sort());
  assert.deepEqual(await ids('email/new@example.org'), ['event-rejected x2', 'invitation inv_1', 'webhook-message msg_2']);
}

test("the embedded store gives old journal lines and old files' items the subject their kind gives", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'user-badges-subjects-'));
  let store: LowdbStore | undefined;
  t.after(async () => {
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });
  const service = { name: 'shop', key: 'k', createdAt: at };
  const [inFile, ...inJournal] = ITEMS;
  await writeFile(join(dir, 'db.json'), JSON.stringify({ format: 1, services: [{ ...service, badges: [] }] }));
  await mkdir(join(dir, 'db.d/items/shop/event'), { recursive: true });
  await writeFile(join(dir, 'db.d/items/shop/event/2026-11-01T00.json'), JSON.stringify({ items: [inFile!.item] }));
  await mkdir(join(dir, 'db.d/journal'), { recursive: true });
  await writeFile(join(dir, 'db.d/journal/00000001.jsonl'), JSON.stringify(inJournal.map(({ item }) => ({ t: 'item', s: 'shop', v: item }))) + '\n');
  store = await LowdbStore.open({ file: join(dir, 'db.json') });
  await check(store);
  // Checkpointed, the files hold the subjects; read again, the same.
  await store.close();
  store = await LowdbStore.open({ file: join(dir, 'db.json') });
  await check(store);
});

test('PostgreSQL gives the rows of a database from before subjects theirs, in the migration that adds them', async (t) => {
  const url = await withPostgres();
  t.after(() => dropDatabase(url));
  await migrate(url, migrations.filter((m) => m.version < 4));
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`INSERT INTO services (name, name_lower, key, created_at) VALUES ('shop', 'shop', 'k', $1)`, [at]);
    for (const { item } of ITEMS) {
      await client.query('INSERT INTO items (service, kind, id, owner, at, v) VALUES ($1, $2, $3, $4, $5, $6)', ['shop', item.kind, item.id, item.owner, item.at, JSON.stringify(item.v)]);
    }
  } finally {
    await client.end();
  }
  const store = await PostgresStore.open({ url, poolSize: 2 });
  t.after(() => store.close());
  await check(store);
});

import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import type { UserRecord } from '../../server/core/model.js';
import type { Store } from '../../server/core/ports.js';
import { LowdbStore } from '../../server/stores/lowdb/lowdb-store.js';
import { migrate, migrations } from '../../server/stores/postgres/migrations.js';
import { PostgresStore } from '../../server/stores/postgres/postgres-store.js';
import { dropDatabase, withPostgres } from '../support/postgres.js';
import { tempDir } from './harness.js';

/**
 * Awards made before points existed (issue 21) count 1 each, on both stores: the embedded store
 * reads its old files and journal lines so, and PostgreSQL's migration 5 gives old rows their
 * scores and holdings.
 */
const at = '2026-11-01T00:00:00.000Z';
const OLD_USERS: UserRecord[] = [
  { name: 'ann', createdAt: at, awards: [{ badge: 'gold', count: 3, first: at, latest: '2026-11-03T00:00:00.000Z' }] },
  { name: 'bob', createdAt: at, awards: [{ badge: 'gold', count: 1, first: at, latest: at }, { badge: 'silver', count: 1, first: at, latest: '2026-11-02T00:00:00.000Z' }] },
];

async function check(store: Store): Promise<void> {
  assert.deepEqual(await store.board('shop', { period: 'all', start: '' }, null, 10), [
    { rank: 1, name: 'ann', score: 3, reached: '2026-11-03T00:00:00.000Z' },
    { rank: 2, name: 'bob', score: 2, reached: '2026-11-02T00:00:00.000Z' },
  ]);
  assert.deepEqual((await store.board('shop', { period: 'all', start: '', badge: 'gold' }, null, 10)).map((r) => [r.name, r.score]), [['ann', 3], ['bob', 1]]);
  assert.deepEqual((await store.holdersPage('shop', 'gold', null, 10)).map((h) => h.name), ['ann', 'bob']);
  assert.deepEqual(await store.board('shop', { period: 'week', start: '2026-10-26T00:00:00.000Z' }, null, 10), [], 'no period tallies for old awards');
}

test('the embedded store counts awards from before points 1 each', async (t) => {
  const dir = await tempDir(t);
  const service = { name: 'shop', key: 'k', createdAt: at };
  await writeFile(join(dir, 'db.json'), JSON.stringify({ format: 1, services: [{ ...service, badges: [] }] }));
  await mkdir(join(dir, 'db.d/journal'), { recursive: true });
  await writeFile(join(dir, 'db.d/journal/00000001.jsonl'), JSON.stringify(OLD_USERS.map((v) => ({ t: 'user', s: 'shop', v }))) + '\n');
  const store = await LowdbStore.open({ file: join(dir, 'db.json') });
  try {
    await check(store);
  } finally {
    // Before the folder goes: closing writes a checkpoint into it.
    await store.close();
  }
});

test('PostgreSQL gives the users of a database from before points their scores and holdings, in the migration that adds them', async (t) => {
  const url = await withPostgres();
  t.after(() => dropDatabase(url));
  await migrate(url, migrations.filter((m) => m.version < 5));
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`INSERT INTO services (name, name_lower, key, created_at) VALUES ('shop', 'shop', 'k', $1)`, [at]);
    for (const user of OLD_USERS) {
      const total = user.awards.reduce((n, a) => n + a.count, 0);
      const latest = user.awards.map((a) => a.latest).sort().at(-1);
      await client.query('INSERT INTO users (service, name, created_at, awards, total, latest) VALUES ($1, $2, $3, $4, $5, $6)', ['shop', user.name, user.createdAt, JSON.stringify(user.awards), total, latest]);
    }
  } finally {
    await client.end();
  }
  const store = await PostgresStore.open({ url, poolSize: 2 });
  t.after(() => store.close());
  await check(store);
});

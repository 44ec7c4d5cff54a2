import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import type { UserRecord } from '../../server/core/model.js';
import type { Store } from '../../server/core/ports.js';
import { LowdbStore } from '../../server/stores/lowdb/lowdb-store.js';
import { migrate, migrations } from '../../server/stores/postgres/migrations.js';
import { boardQuery, holdersQuery, PostgresStore } from '../../server/stores/postgres/postgres-store.js';
import { dropDatabase, withPostgres } from '../support/postgres.js';
import { tempDir } from './harness.js';

/**
 * Awards made before points existed (issue 21) count 1 each, on both stores: the embedded store
 * reads its old files and journal lines so, and PostgreSQL's migration 6 gives old rows their
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
  await migrate(url, migrations.filter((m) => m.version < 6));
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

test('PostgreSQL reads every board and holders page along an index: no scan, no sort, whatever the page', async (t) => {
  const url = await withPostgres();
  t.after(() => dropDatabase(url));
  const store = await PostgresStore.open({ url, poolSize: 2 });
  t.after(() => store.close());
  const week = '2026-11-30T00:00:00.000Z';
  const month = '2026-11-01T00:00:00.000Z';
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // 20,000 users in each of two services, every one holding "gold": enough rows that a scan and a
    // sort would be the planner's choice if the index did not serve the order.
    for (const service of ['shop', 'other']) {
      await client.query(`INSERT INTO services (name, name_lower, key, created_at) VALUES ($1, $1, 'k', $2)`, [service, at]);
      await client.query(
        `INSERT INTO users (service, name, created_at, awards, total, latest, score, score_at, week_start, week_score, week_at, month_start, month_score, month_at)
          SELECT $1, 'u' || i, $2, '[]', i % 50, $2, i % 50, $2, $3, i % 7, $2, $4, i % 13, $2 FROM generate_series(1, 20000) i`,
        [service, at, week, month],
      );
      await client.query(
        `INSERT INTO holdings (service, name, badge, count, first, latest, week_start, week_count, month_start, month_count, hidden)
          SELECT $1, 'u' || i, 'gold', 1 + i % 9, $2, to_char(timestamp '2026-01-01' + i * interval '1 minute', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), $3, 1, $4, 1 + i % 3, i % 10 = 0
            FROM generate_series(1, 20000) i`,
        [service, at, week, month],
      );
    }
    await client.query('ANALYZE users; ANALYZE holdings');
    const cursor = { rank: 25, score: 10, reached: at, name: 'u500' };
    const queries = {
      'all time': boardQuery('shop', 'all', '', undefined, null, 25),
      'all time, after a cursor': boardQuery('shop', 'all', '', undefined, cursor, 25),
      week: boardQuery('shop', 'week', week, undefined, null, 25),
      'month, after a cursor': boardQuery('shop', 'month', month, undefined, cursor, 25),
      "a badge's, all time": boardQuery('shop', 'all', '', 'gold', null, 25),
      "a badge's month, after a cursor": boardQuery('shop', 'month', month, 'gold', cursor, 25),
      "a badge's week": boardQuery('shop', 'week', week, 'gold', null, 25),
      holders: holdersQuery('shop', 'gold', null, 25),
      'holders after a cursor': holdersQuery('shop', 'gold', { latest: '2026-01-05T00:00:00.000Z', name: 'u100' }, 25),
    };
    // The store prepares these statements once per connection, and PostgreSQL may then keep a
    // generic plan (one made without the values): that one must read along the index too.
    await client.query('SET plan_cache_mode = force_generic_plan');
    for (const [i, [what, { text, values }]] of Object.entries(queries).entries()) {
      const custom = (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${text}`, values)).rows;
      await client.query(`PREPARE board_${i} AS ${text}`);
      const generic = (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN EXECUTE board_${i} (${values.map((v) => client.escapeLiteral(String(v))).join(', ')})`)).rows;
      for (const [kind, rows] of [['custom', custom], ['generic', generic]] as const) {
        const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
        assert.match(plan, /Index (Only )?Scan using (users_board|holdings_)/, `${what} (${kind} plan): read along its index\n${plan}`);
        assert.doesNotMatch(plan, /Seq Scan|Sort/, `${what} (${kind} plan): neither a scan nor a sort\n${plan}`);
      }
    }
  } finally {
    await client.end();
  }
});

import assert from 'node:assert/strict';
import { connect, createServer, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import pg from 'pg';
import type { Invalidation } from '../../server/core/changes.js';
import { composeDomain } from '../../server/app/domain.js';
import type { Domain } from '../../server/core/domain.js';
import { DomainError } from '../../server/core/errors.js';
import type { Store } from '../../server/core/ports.js';
import { LowdbStore } from '../../server/stores/lowdb/lowdb-store.js';
import { migrate, migrations } from '../../server/stores/postgres/migrations.js';
import { PostgresStore, usersPageQuery } from '../../server/stores/postgres/postgres-store.js';
import { inline } from '../../server/stores/postgres/tx-reads.js';
import { SORT_KEYS } from '../../types/api.js';
import { sortField, userCount, userLatest } from '../../server/core/order.js';
import { PostgresReplays } from '../../server/stores/postgres/replays.js';
import { dropDatabase, withPostgres } from '../support/postgres.js';

/**
 * What only the shared store does: instances on one database (in one process here), migrations,
 * the feed's connection, failures of the database. The rest is the store contract's.
 */

const T0 = Date.parse('2026-11-01T00:00:00.000Z');

/** A fresh database with the `shop` service and its badges, and a way to open instances on it. */
async function shared(t: { after: (fn: () => Promise<void>) => void }) {
  const url = await withPostgres();
  const opened: PostgresStore[] = [];
  const open = async () => {
    const store = await PostgresStore.open({ url, poolSize: 4 });
    opened.push(store);
    return store;
  };
  t.after(async () => {
    await Promise.all(opened.map((store) => store.close().catch(() => {})));
    await dropDatabase(url);
  });
  const a = await open();
  await composeDomain(a).createService('shop', 'key-1');
  await composeDomain(a).putBadges('shop', [
    { name: 'gold', fields: {} },
    { name: 'silver', fields: {} },
  ]);
  return { url, open, a, sql: (text: string, values: unknown[] = []) => query(url, text, values) };
}

async function query(url: string, text: string, values: unknown[] = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, values)).rows;
  } finally {
    await client.end();
  }
}

/**
 * Resolves once `check` passes, or fails after `ms`. Give every assert.ok in a check a message:
 * without one, a failing assert.ok parses this TypeScript file with acorn to quote the expression,
 * blocking the event loop for seconds, so nothing can arrive before the deadline.
 */
async function within<T>(ms: number, check: () => Promise<T> | T): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}
const planNodes = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(planNodes)];

function listen(store: Store): Invalidation[] {
  const heard: Invalidation[] = [];
  // Items in name order: which kinds a unit wrote is the point, not the order the store lists them in.
  store.feed.subscribe((change) => heard.push(change.items ? { ...change, items: [...change.items].sort() } : change));
  return heard;
}

describe('PostgreSQL: instances sharing one database', () => {
  test('200 concurrent awards split over two instances count exactly 200', async (t) => {
    const { a, open } = await shared(t);
    const b = await open();
    const [da, db] = [composeDomain(a), composeDomain(b)];
    await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 ? da : db).award('shop', 'crowd', ['gold'])));
    for (const store of [a, b]) {
      assert.equal((await store.getUser('shop', 'crowd'))!.awards[0]!.count, 200);
      assert.equal((await store.getBadges('shop', ['gold']))[0]!.count, 200);
    }
  });

  test('a batch of awards is three round trips once its scope wrote before: the lock with every read, the write, COMMIT', async (t) => {
    const { a } = await shared(t);
    const domain = composeDomain(a);
    // The first batch of a scope learns what its batches read (service, badges, rules, counters).
    await domain.award('shop', 'first', ['gold']);
    const sent: string[] = [];
    const query = pg.Client.prototype.query;
    pg.Client.prototype.query = function (this: pg.Client, ...args: Parameters<typeof query>) {
      const text = args[0] as string | { text: string };
      sent.push(typeof text === 'string' ? text : text.text);
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof query;
    let awarded;
    try {
      // Queued at once, so one batch, whose users are named before it starts.
      awarded = await Promise.all(Array.from({ length: 20 }, (_, i) => domain.award('shop', `u${i}`, [i % 2 ? 'gold' : 'silver'])));
    } finally {
      pg.Client.prototype.query = query;
    }
    assert.deepEqual(awarded.map((done) => done.awards.length), Array(20).fill(1));
    assert.deepEqual(
      sent.map((text) => text.trim().split(/\s+/, 2).join(' ')),
      ['BEGIN; SELECT', 'WITH s', 'COMMIT'],
      `the batch's queries:\n${sent.map((text) => text.slice(0, 120)).join('\n')}`,
    );
    // What the round trip of the lock read is what the units saw: badge counts went on from it.
    assert.equal((await a.getBadges('shop', ['gold']))[0]!.count, 11);
    assert.equal((await a.getUser('shop', 'u3'))!.awards[0]!.badge, 'gold');
  });

  test("values written into the lock's round trip as literals read what parameters read, whatever the text", async (t) => {
    const { a, url } = await shared(t);
    const names = ["o'brien", 'back\\slash', "\\'; DROP TABLE users; --", '$1 and $2', 'Zoë 🏅', 'tab\there'];
    for (const name of names) await composeDomain(a).award('shop', name, ['gold']);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    // Ended before the database is dropped (the shared after hook would cut it off).
    t.after(() => client.end());
    client.on('error', () => {});
    const text = 'SELECT name FROM users WHERE service = $1 AND name = ANY($2::text[]) ORDER BY name';
    const quote = (s: string) => client.escapeLiteral(s);
    for (const values of [['shop', names], ['shop', []], ['shop', [names[2]!, 'nobody']]] as const) {
      const literal = (await client.query(inline(text, values, quote))).rows;
      assert.deepEqual(literal, (await client.query(text, [...values])).rows, JSON.stringify(values));
    }
    assert.equal((await client.query(inline(text, ['shop', names], quote))).rows.length, names.length);
    const typed = 'SELECT $1::bool AS a, $2::text AS b, $3::int AS c, $4::text[] AS d';
    const values = [false, null, -3, ['x', null]];
    assert.deepEqual((await client.query(inline(typed, values, quote))).rows, (await client.query(typed, values)).rows);
    assert.throws(() => inline('SELECT $1', [{}], quote), /cannot inline object/);
    assert.throws(() => inline('SELECT $1, $2', ['one'], quote), /no value for \$2/);
  });

  test('a page of users.json by cursor, in every order, is an index range: no OFFSET, no sort, no scan of the users before it', async (t) => {
    const { a, sql } = await shared(t);
    const domain = composeDomain(a);
    for (const [i, name] of ['ann', 'bob', 'cy'].entries()) await domain.award('shop', name, i === 1 ? ['gold', 'gold'] : ['silver']);
    // 20,000 more users, copies of ann and bob, so the planner has a table worth an index.
    await sql(
      `INSERT INTO users SELECT (jsonb_populate_record(u, jsonb_build_object('name', 'u' || lpad(g::text, 6, '0')))).* FROM users u, generate_series(1, 10000) g WHERE u.service = 'shop' AND u.name IN ('ann', 'bob') AND (g % 2 = 0) = (u.name = 'ann')`,
    );
    await sql('ANALYZE users');
    for (const sort of SORT_KEYS) {
      const deep = (await a.listUsers('shop', { sort, offset: 9_000, limit: 1 })).users[0]!;
      const { field } = sortField(sort);
      const key = field === 'name' ? deep.name : field === 'count' ? userCount(deep) : (userLatest(deep) ?? '');
      const { text, values } = usersPageQuery('shop', sort, { key, name: deep.name }, 100);
      assert.doesNotMatch(text, /OFFSET/i, sort);
      const [{ 'QUERY PLAN': [{ Plan: plan }] }] = (await sql(`EXPLAIN (FORMAT JSON) ${text}`, values)) as [{ 'QUERY PLAN': [{ Plan: PlanNode }] }];
      const nodes = planNodes(plan);
      assert.ok(nodes.some((node) => /^Index (Only )?Scan$/.test(node['Node Type']) && node['Relation Name'] === 'users'), `${sort}: read along an index (${nodes.map((n) => n['Node Type']).join(', ')})`);
      assert.ok(!nodes.some((node) => ['Seq Scan', 'Sort', 'Incremental Sort'].includes(node['Node Type'])), `${sort}: no scan of the table, no sort (${nodes.map((n) => n['Node Type']).join(', ')})`);
      // And the page is the one after the place: as listUsers' offset answers.
      const page = await a.usersPage('shop', sort, { key, name: deep.name }, 3);
      assert.deepEqual(page.map((u) => u.name), (await a.listUsers('shop', { sort, offset: 9_001, limit: 3 })).users.map((u) => u.name), sort);
    }
  });

  test("a write on one instance is in the other's queries and reaches its feed within a second", async (t) => {
    const { a, open } = await shared(t);
    const b = await open();
    const heardB = listen(b);
    const heardA = listen(a);
    await composeDomain(a).award('shop', 'ann', ['gold']);
    assert.deepEqual(heardA, [{ service: 'shop', users: ['ann'], badges: ['gold'], items: ['activity', 'audit', 'award', 'live', 'live-seq'] }], 'told at once on the writing instance');
    assert.equal((await b.getUser('shop', 'ann'))!.awards[0]!.count, 1);
    await within(1000, () => assert.deepEqual(heardB, [{ service: 'shop', users: ['ann'], badges: ['gold'], items: ['activity', 'audit', 'award', 'live', 'live-seq'] }]));
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(heardA.length, 1, "an instance's own notification is not told twice");

    // The service record is cached per instance, misses too: a change on A reaches B's cache by the feed.
    assert.equal(await b.getService('later'), undefined);
    await composeDomain(a).createService('later', 'k');
    await within(1000, async () => assert.equal((await b.getService('later'))?.name, 'later'));
    assert.equal((await b.getService('shop'))!.key, 'key-1');
    await composeDomain(a).setServiceKey('shop', 'key-2');
    await within(1000, async () => assert.equal((await b.getService('shop'))!.key, 'key-2'));
    await composeDomain(b).deleteService('shop');
    await within(1000, async () => assert.equal(await a.getService('shop'), undefined));
  });

  test('a change too large for one notification invalidates its whole service', async (t) => {
    const { a, open } = await shared(t);
    const b = await open();
    const domain = composeDomain(a);
    const heard = listen(b);
    await Promise.all(Array.from({ length: 600 }, (_, i) => domain.award('shop', `user-with-a-longish-name-${i}`, ['gold'])));
    // Notifications arrive in commit order: once a later one is heard, all the awards' are.
    await domain.award('shop', 'marker', ['silver']);
    await within(1000, () => assert.ok(heard.some((change) => change.users?.includes('marker')), 'the marker'));
    heard.length = 0;
    await domain.deleteBadges('shop', ['gold']);
    await within(1000, () => assert.deepEqual(heard, [{ service: 'shop', all: true }]));
  });

  test('losing the listening connection says "everything" when lost and again when back', async (t) => {
    const { a, open, sql } = await shared(t);
    const b = await open();
    const heard = listen(b);
    await sql(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN user_badges'`);
    await within(2000, () => assert.deepEqual(heard, [EVERYTHING, EVERYTHING]));
    heard.length = 0;
    await composeDomain(a).award('shop', 'ann', ['gold']);
    await within(1000, () => assert.deepEqual(heard, [{ service: 'shop', users: ['ann'], badges: ['gold'], items: ['activity', 'audit', 'award', 'live', 'live-seq'] }]));
  });
});

const EVERYTHING: Invalidation = { service: '*', all: true };

/**
 * A TCP proxy to PostgreSQL whose open connections can be frozen: they stay open and carry nothing,
 * as when a network goes quiet. New connections still get through.
 */
async function freezableProxy(url: string) {
  const target = new URL(url);
  const pairs = new Set<[Socket, Socket]>();
  // Every socket until it is closed itself: a pair loses its upstream first when the database drops
  // it, and a frozen (unpiped) client side then stays open, which server.close() would wait for.
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    for (const socket of pair) {
      sockets.add(socket);
      socket.on('error', () => {}).on('close', () => {
        sockets.delete(socket);
        pairs.delete(pair);
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxied = new URL(url);
  proxied.host = `127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    url: proxied.href,
    freeze() {
      for (const [client, upstream] of pairs) {
        client.unpipe(upstream).pause();
        upstream.unpipe(client).pause();
      }
    },
    async close() {
      // Stop accepting first: a store reconnecting in between would hold a connection open that
      // server.close() then waits for, until that store closes, which waits for this.
      const closed = new Promise((resolve) => server.close(resolve));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

// Each test of a failure has a deadline of its own, so that a hang (once seen under heavy load, never
// reproduced alone) names its test instead of timing out the whole file.
const HANG = { timeout: 60_000 };

describe('PostgreSQL: failures and shutdown', () => {
  test('a listening connection gone silent is noticed by the heartbeat and replaced', HANG, async (t) => {
    const { a, url } = await shared(t);
    const network = await freezableProxy(url);
    const b = await PostgresStore.open({ url: network.url, poolSize: 1, heartbeatMs: 200 });
    // Before the store closes: its frozen connections would never answer the goodbye.
    t.after(async () => {
      await network.close();
      await b.close();
    });
    const heard = listen(b);
    network.freeze();
    await within(2000, () => assert.deepEqual(heard, [EVERYTHING, EVERYTHING]));
    heard.length = 0;
    await composeDomain(a).award('shop', 'ann', ['gold']);
    await within(1000, () => assert.deepEqual(heard, [{ service: 'shop', users: ['ann'], badges: ['gold'], items: ['activity', 'audit', 'award', 'live', 'live-seq'] }]));
  });

  test('when the database fails during a batch, every unit of the batch fails and none is saved', HANG, async (t) => {
    const { a, sql } = await shared(t);
    const domain = composeDomain(a);
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    // All three join one batch; the last one holds it open, inside its transaction, after the others ran.
    const rest = [domain.award('shop', 'ann', ['gold']), domain.award('shop', 'bob', ['gold'])];
    const last = a.run('shop', new Date(T0), async (tx) => {
      await gate;
      tx.put({ t: 'user', s: 'shop', v: { name: 'last', createdAt: new Date(T0).toISOString(), awards: [] } });
    });
    try {
      // A wait for the set-up, not a figure: generous on a loaded machine.
      await within(10_000, async () => assert.equal((await sql(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction'`)).length, 1));
      await sql(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction'`);
    } finally {
      // Whatever failed above, the held unit must end: the store's close() waits for it.
      open();
    }
    const results = await Promise.allSettled([...rest, last]);
    for (const result of results) {
      assert.equal(result.status, 'rejected');
      const error = (result as PromiseRejectedResult).reason;
      assert.ok(error instanceof DomainError && error.kind === 'unavailable' && error.code === 'store_failed', String(error));
    }
    assert.deepEqual((await a.listUsers('shop', { offset: 0, limit: 10 })).users, []);
    // The pool replaced the connection: the next unit works.
    await domain.award('shop', 'ann', ['gold']);
    assert.equal((await a.getBadges('shop', ['gold']))[0]!.count, 1);
  });

  test('a database gone away: queries, units and replays answer unavailable, and the cause is reported', HANG, async (t) => {
    const { url } = await shared(t);
    const network = await freezableProxy(url);
    const reported: unknown[] = [];
    const store = await PostgresStore.open({ url: network.url, poolSize: 2, onError: (error) => reported.push(error) });
    t.after(() => store.close());
    assert.equal((await store.getUsers('shop', ['ann'])).length, 0);
    await network.close();
    const gone = (error: unknown) => error instanceof DomainError && error.kind === 'unavailable' && !/127\.0\.0\.1|ECONN/.test(error.message);
    await assert.rejects(store.listUsers('shop', { offset: 0, limit: 10 }), gone);
    await assert.rejects(composeDomain(store).award('shop', 'ann', ['gold']), gone);
    await assert.rejects(store.replays.firstUse('sig', 'PUT /x', T0 + 1000, T0, false), gone);
    assert.ok(reported.length >= 3, `reported: ${reported.length}`);
  });

  test('close() answers the units it accepted, then refuses new ones', HANG, async (t) => {
    const { a } = await shared(t);
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const slow = a.run('shop', new Date(T0), async (tx) => {
      await gate;
      tx.put({ t: 'user', s: 'shop', v: { name: 'late', createdAt: new Date(T0).toISOString(), awards: [] } });
      return 'done';
    });
    const queued = composeDomain(a).award('shop', 'queued', ['gold']);
    const closing = a.close();
    try {
      await assert.rejects(composeDomain(a).award('shop', 'ann', ['gold']), (e) => e instanceof DomainError && e.code === 'store_closed');
    } finally {
      // The held unit must end whatever failed above: close() waits for it.
      open();
    }
    assert.equal(await slow, 'done');
    assert.equal((await queued).user.name, 'queued');
    await closing;
  });
});

describe('PostgreSQL: replays', () => {
  test('expired keys are swept now and then', async (t) => {
    const url = await withPostgres();
    await migrate(url);
    const pool = new pg.Pool({ connectionString: url });
    t.after(async () => {
      await pool.end();
      await dropDatabase(url);
    });
    const replays = new PostgresReplays(pool, () => {}, 3);
    await replays.firstUse('old-1', 'r', T0, T0 - 1000, false);
    await replays.firstUse('old-2', 'r', T0, T0 - 1000, false);
    // The third use sweeps what expired by its clock, and keeps what has not.
    await replays.firstUse('new', 'r', T0 + 10_000, T0 + 1, false);
    await replays.close();
    assert.deepEqual((await query(url, 'SELECT key FROM replays ORDER BY key')).map((r) => r.key), ['new']);
  });
});

describe('PostgreSQL: migrations', () => {
  test('instances opening at once apply each migration once; a later open applies nothing', async (t) => {
    const url = await withPostgres();
    t.after(() => dropDatabase(url));
    const stores = await Promise.all([1, 2, 3].map(() => PostgresStore.open({ url, poolSize: 1 })));
    await Promise.all(stores.map((store) => store.close()));
    const rows = await query(url, 'SELECT version, name FROM schema_migrations ORDER BY version');
    assert.deepEqual(rows, migrations.map(({ version, name }) => ({ version, name })));
    assert.deepEqual(await migrate(url), []);
  });

  test('a database whose schema is newer than the code is refused', async (t) => {
    const url = await withPostgres();
    t.after(() => dropDatabase(url));
    assert.deepEqual(await migrate(url), migrations.map((m) => m.version));
    await query(url, `INSERT INTO schema_migrations (version, name) VALUES (999, 'from the future')`);
    await assert.rejects(PostgresStore.open({ url }), /schema is at version 999, newer than this user-badges knows/);
  });

  test('steps are applied in version order, each once, also one listed out of order or merged after a later one', async (t) => {
    const url = await withPostgres();
    t.after(() => dropDatabase(url));
    const step = (version: number) => ({ version, name: `step ${version}`, sql: `CREATE TABLE t${version} (x int)` });
    // A branch's step 12 reached the database before another branch's step 11 was merged.
    assert.deepEqual(await migrate(url, [...migrations, step(12)]), [...migrations.map((m) => m.version), 12]);
    assert.deepEqual(await migrate(url, [...migrations, step(12), step(11)]), [11]);
    assert.deepEqual(await migrate(url, [step(11), ...migrations, step(12)]), []);
  });

  test('a database not in UTF-8 is refused before anything is created in it', async (t) => {
    const url = await withPostgres();
    const ascii = Object.assign(new URL(url), { pathname: '/ascii' }).href;
    await query(url, `CREATE DATABASE ascii ENCODING 'SQL_ASCII' TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'`);
    t.after(async () => {
      await dropDatabase(ascii);
      await dropDatabase(url);
    });
    await assert.rejects(migrate(ascii), /encoding is SQL_ASCII; user-badges needs a UTF8 database/);
    assert.deepEqual(await query(ascii, `SELECT to_regclass('schema_migrations') AS t`), [{ t: null }]);
  });

  test('a failed step is rolled back whole and stops the migration', async (t) => {
    const url = await withPostgres();
    t.after(() => dropDatabase(url));
    const steps = [...migrations, { version: 1000, name: 'broken', sql: 'CREATE TABLE half (x int); SELECT nonsense' }];
    await assert.rejects(migrate(url, steps), /Migration 1000 \(broken\) failed/);
    assert.deepEqual(await query(url, `SELECT to_regclass('half') AS half`), [{ half: null }]);
    assert.deepEqual(await migrate(url), [], 'the steps before it stay applied');
  });
});

describe('PostgreSQL: the same answers as the embedded store', () => {
  let url: string;
  let postgres: PostgresStore;
  let lowdb: LowdbStore;
  before(async () => {
    url = await withPostgres();
    postgres = await PostgresStore.open({ url });
    lowdb = await LowdbStore.open();
  });
  after(async () => {
    await postgres.close();
    await lowdb.close();
    await dropDatabase(url);
  });

  const user = fc.constantFrom('ann', 'bob', 'Zoë', 'zoe', 'émile', 'X', '日本');
  const badge = fc.constantFrom('gold', 'silver', 'bronze', 'tin');
  const badges = fc.array(badge, { minLength: 1, maxLength: 3 });
  type Op =
    | { op: 'award'; user: string; badges: string[]; backdated: boolean }
    | { op: 'revoke'; user: string; badges: string[] }
    | { op: 'deleteBadges'; badges: string[] }
    | { op: 'putBadges'; badges: string[]; value: string | null }
    | { op: 'progress'; user: string; value: number };
  const op: fc.Arbitrary<Op> = fc.oneof(
    { weight: 4, arbitrary: fc.record({ op: fc.constant('award' as const), user, badges, backdated: fc.boolean() }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('revoke' as const), user, badges }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('deleteBadges' as const), badges }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('putBadges' as const), badges, value: fc.option(fc.string({ maxLength: 4 })) }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('progress' as const), user, value: fc.integer({ min: 0, max: 4 }) }) },
  );

  const apply = (domain: Domain, service: string, o: Op): Promise<unknown> => {
    switch (o.op) {
      case 'award':
        return domain.award(service, o.user, o.badges, o.backdated ? new Date(T0 - 60_000) : undefined);
      case 'revoke':
        return domain.revoke(service, o.user, o.badges);
      case 'deleteBadges':
        return domain.deleteBadges(service, o.badges);
      case 'putBadges':
        return domain.putBadges(service, o.badges.map((name) => ({ name, fields: { note: o.value, [name]: 1 } })));
      case 'progress':
        return domain.setProgress(service, o.user, { bronze: o.value });
    }
  };

  test('random bursts of awards, progress, revocations and badge changes leave both stores answering alike', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(op, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 6 }), async (bursts) => {
        const service = `p${run++}`;
        const outcomes = await Promise.all(
          [postgres, lowdb].map(async (store) => {
            let time = T0;
            const domain = composeDomain(store, { now: () => (time += 1000) });
            await domain.createService(service, 'k');
            // With a cap, a unique badge and a goal: the records only the rules read must come back alike too.
            await domain.putBadges(service, [
              { name: 'gold', fields: { a: 1, frequency: { freq_cap: 2, freq_period: 'day', freq_max: 4 } } },
              { name: 'silver', fields: { unique: true } },
              { name: 'bronze', fields: { goal: 3 } },
            ]);
            const results: unknown[] = [];
            // Each burst at once: on PostgreSQL they share transactions.
            for (const burst of bursts) {
              const settled = await Promise.allSettled(burst.map((o) => apply(domain, service, o)));
              results.push(settled.map((r) => (r.status === 'fulfilled' ? r.value ?? null : (r.reason as DomainError).code)));
            }
            const orders = await Promise.all(
              (['name', '-name', 'count', '-count', 'date', '-date'] as const).map((sort) => store.listUsers(service, { sort, offset: 0, limit: 100 })),
            );
            // Award instances have ids of their own, drawn at random in each store.
            return JSON.stringify({ results, badges: await store.listBadges(service), orders }).replace(/aw_[a-z0-9]{20}/g, 'aw_');
          }),
        );
        assert.equal(outcomes[0], outcomes[1]);
      }),
      { numRuns: 40 },
    );
  });
});

import pg from 'pg';
import type { SortKey } from '../../../types/api.js';
import type { Invalidation } from '../../core/changes.js';
import { conflict, DomainError, notFound } from '../../core/errors.js';
import { HIDDEN, isHidden } from '../../core/rules/services.js';
import type { BadgeRecord, Item, ServiceRecord, UserRecord } from '../../core/model.js';
import { sortField } from '../../core/order.js';
import type { BoardCursor, BoardPeriod, Holder, HolderCursor, Ranked } from '../../core/standings.js';
import type { DueExcept, ItemCount, ItemQuery, ListUsersOptions, Queries, Store, Tx, UnitReads, UserPlace } from '../../core/ports.js';
import { unavailable } from './failures.js';
import { PostgresFeed } from './feed.js';
import { GroupCommit } from './group-commit.js';
import { ITEM_COLUMNS, itemRecord, itemsCount, itemsQuery, subjectItemsQuery, type ItemRow } from './item-sql.js';
import { migrate } from './migrations.js';
import { PostgresReplays } from './replays.js';
import { BADGE_COLUMNS, SERVICE_COLUMNS, USER_COLUMNS, badgeRecord, serviceRecord, userRecord, type BadgeRow, type ServiceRow, type UserRow } from './rows.js';
import { ServiceCache } from './service-cache.js';

export interface PostgresStoreOptions {
  /** A connection string: postgres://user:password@host:port/database */
  url: string;
  /** Connections for units of work and queries; the feed has one more of its own. */
  poolSize?: number;
  /** Connection failures that no caller sees: idle pool connections, the feed's reconnects. */
  onError?: (error: unknown) => void;
  /** How often the feed checks its connection, and how long an answer may take (default 5 s). */
  heartbeatMs?: number;
}

/** Counts are bigint; every count here fits in a JavaScript number. */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 ? Number : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/**
 * The shared store: any number of instances on one PostgreSQL database. Units of work are
 * committed in groups per service (see GroupCommit); queries read committed data; the change feed
 * reaches every instance through LISTEN/NOTIFY.
 */
export class PostgresStore implements Store {
  private readonly units: GroupCommit;
  private readonly services: ServiceCache;
  readonly replays: PostgresReplays;
  private closing: Promise<void> | null = null;

  private constructor(
    private readonly pool: pg.Pool,
    readonly feed: PostgresFeed,
    private readonly onError: (error: unknown) => void,
  ) {
    this.services = new ServiceCache(async (name) => {
      const [row] = await this.rows<ServiceRow>(`SELECT ${SERVICE_COLUMNS} FROM services WHERE name = $1`, [name]);
      return row && serviceRecord(row);
    });
    feed.subscribe((change) => this.services.invalidate(change));
    this.units = new GroupCommit(
      pool,
      { payloads: (changes) => feed.payloads(changes), committed: (changes) => feed.publish(changes) },
      onError,
    );
    this.replays = new PostgresReplays(pool, onError);
  }

  /** Brings the schema up to date (see migrations.ts), then connects. */
  static async open({ url, poolSize = 10, onError = () => {}, heartbeatMs }: PostgresStoreOptions): Promise<PostgresStore> {
    await migrate(url);
    const pool = new pg.Pool({ connectionString: url, max: poolSize, types });
    pool.on('error', onError);
    const feed = new PostgresFeed(url, onError, heartbeatMs);
    try {
      await feed.start();
    } catch (error) {
      await pool.end();
      throw error;
    }
    return new PostgresStore(pool, feed, onError);
  }

  run<T>(scope: string, now: Date, work: (tx: Tx) => Promise<T>, reads?: UnitReads): Promise<T> {
    return this.units.run(scope, now, work, reads);
  }

  // Queries: committed data only.

  getService(name: string): Promise<ServiceRecord | undefined> {
    return this.services.get(name);
  }

  async listServices(): Promise<ServiceRecord[]> {
    return (await this.rows<ServiceRow>(`SELECT ${SERVICE_COLUMNS} FROM services ORDER BY position`, [])).map(serviceRecord).filter((service) => !isHidden(service.name));
  }

  async listBadges(service: string): Promise<BadgeRecord[]> {
    await this.requireService(service);
    return (await this.rows<BadgeRow>(`SELECT ${BADGE_COLUMNS} FROM badges WHERE service = $1 ORDER BY position`, [service])).map(badgeRecord);
  }

  async getBadges(service: string, names: Iterable<string>): Promise<BadgeRecord[]> {
    const asked = [...names];
    await this.requireService(service);
    if (asked.length === 0) return [];
    const rows = await this.rows<BadgeRow>(`SELECT ${BADGE_COLUMNS} FROM badges WHERE service = $1 AND name = ANY($2::text[])`, [service, asked]);
    return inOrder(asked, rows.map(badgeRecord));
  }

  async getUser(service: string, name: string): Promise<UserRecord | undefined> {
    return (await this.getUsers(service, [name]))[0];
  }

  async getUsers(service: string, names: readonly string[]): Promise<UserRecord[]> {
    await this.requireService(service);
    if (names.length === 0) return [];
    const rows = await this.rows<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE service = $1 AND name = ANY($2::text[])`, [service, names]);
    return inOrder(names, rows.map(userRecord));
  }

  async listUsers(service: string, { sort = 'name', offset, limit }: ListUsersOptions): Promise<{ users: UserRecord[]; total: number }> {
    await this.requireService(service);
    // The count and the page in one statement, so they agree; the page is sorted again outside the
    // join, which keeps no order of its own (at most `limit` rows).
    const { inner, outer } = orderBy(sort);
    const rows = await this.rows<UserRow & { user_count: number }>(
      `SELECT c.user_count, p.name, p.created_at, p.awards, p.progress, p.display
         FROM (SELECT count(*) AS user_count FROM users WHERE service = $1) c
         LEFT JOIN LATERAL (
           SELECT name, created_at, awards, progress, display, total AS by_count, coalesce(latest, '') AS by_date
             FROM users WHERE service = $1 ORDER BY ${inner} LIMIT $2 OFFSET $3
         ) p ON true
        ORDER BY ${outer}`,
      [service, limit, offset],
    );
    return { users: rows.filter((row) => row.name !== null).map(userRecord), total: rows[0]?.user_count ?? 0 };
  }

  async usersAfter(service: string, after: string | null, limit: number): Promise<UserRecord[]> {
    return this.usersPage(service, 'name', after === null ? null : { key: after, name: after }, limit);
  }

  async usersPage(service: string, sort: SortKey, after: UserPlace | null, limit: number): Promise<UserRecord[]> {
    await this.requireService(service);
    const { text, values } = usersPageQuery(service, sort, after, limit);
    return (await this.rows<UserRow>(text, values)).map(userRecord);
  }

  async board(service: string, { period, start, badge }: { period: BoardPeriod; start: string; badge?: string }, after: BoardCursor | null, limit: number): Promise<Ranked[]> {
    await this.requireService(service);
    const { text, values } = boardQuery(service, period, start, badge, after, limit);
    const rows = await this.rows<{ name: string; score: number; reached: string }>(text, values, prepared(text));
    let rank = after?.rank ?? 0;
    return rows.map((row) => ({ rank: ++rank, name: row.name, score: row.score, reached: row.reached }));
  }

  async holdersPage(service: string, badge: string, after: HolderCursor | null, limit: number): Promise<Holder[]> {
    await this.requireService(service);
    const { text, values } = holdersQuery(service, badge, after, limit);
    const rows = await this.rows<Holder>(text, values, prepared(text));
    return rows.map((row) => ({ name: row.name, count: row.count, first: row.first, latest: row.latest }));
  }

  async getItem(service: string, kind: string, id: string): Promise<Item | undefined> {
    await this.requireService(service);
    const [row] = await this.rows<ItemRow>(`SELECT ${ITEM_COLUMNS} FROM items WHERE service = $1 AND kind = $2 AND id = $3`, [service, kind, id]);
    return row && itemRecord(row);
  }

  async listItems(service: string, kind: string, query: ItemQuery & { offset?: number }): Promise<Item[]> {
    await this.requireService(service);
    const { text, values } = itemsQuery(service, kind, query);
    return (await this.rows<ItemRow>(text, values)).map(itemRecord);
  }

  async countItems(service: string, kind: string, query: ItemCount): Promise<number> {
    await this.requireService(service);
    // All of a kind: the count the triggers keep (migration 6), not count(*) over every row.
    if (query.owner === undefined && query.from === undefined && query.to === undefined) {
      return Number((await this.rows<{ n: number }>('SELECT coalesce((SELECT n FROM item_counts WHERE service = $1 AND kind = $2), 0) AS n', [service, kind]))[0]!.n);
    }
    const { text, values } = itemsCount(service, kind, query);
    return (await this.rows<{ count: number }>(text, values))[0]!.count;
  }

  async itemKinds(service: string): Promise<string[]> {
    await this.requireService(service);
    // A loose index scan: one probe per kind, however many items each has.
    const rows = await this.rows<{ kind: string }>(
      `WITH RECURSIVE k AS (
         (SELECT kind FROM items WHERE service = $1 ORDER BY kind LIMIT 1)
         UNION ALL
         SELECT (SELECT kind FROM items WHERE service = $1 AND kind > k.kind ORDER BY kind LIMIT 1) FROM k WHERE k.kind IS NOT NULL
       ) SELECT kind FROM k WHERE kind IS NOT NULL`,
      [service],
    );
    return rows.map((row) => row.kind);
  }

  async listItemsOfSubjects(service: string, subjects: readonly string[]): Promise<Item[]> {
    await this.requireService(service);
    const { text, values } = subjectItemsQuery(service, subjects);
    return (await this.rows<ItemRow>(text, values)).map(itemRecord);
  }

  /** Nothing to do: PostgreSQL keeps no journal of ours, and a row deleted is in no table. */
  async checkpoint(): Promise<void> {}

  /**
   * VACUUM (ANALYZE) of the store's tables (not of whatever else the database holds), as after any
   * bulk load: the planner's statistics, and the rows marked visible to all once, here, rather than
   * by the first reads of each page and then by autovacuum working through the whole load while the
   * server answers (it did, during the live bench's first minutes after an import).
   */
  async settle(): Promise<void> {
    await this.pool.query('VACUUM (ANALYZE) services, badges, users, holdings, items, item_counts, replays');
  }

  async dueItems(kind: string, before: string, limit: number, except: DueExcept = {}): Promise<{ service: string; item: Item }[]> {
    const services = [...(except.services ?? [])];
    const owners = (except.owners ?? []).map(({ service, owner }) => `${service}\n${owner}`);
    const rows = await this.rows<ItemRow & { service: string }>(
      services.length === 0 && owners.length === 0
        ? `SELECT service, ${ITEM_COLUMNS} FROM items WHERE kind = $1 AND at < $2 AND NOT starts_with(service, $4) ORDER BY at, id LIMIT $3`
        : `SELECT service, ${ITEM_COLUMNS} FROM items
            WHERE kind = $1 AND at < $2 AND NOT starts_with(service, $4) AND NOT (service = ANY($5::text[])) AND (owner IS NULL OR NOT (service || E'\\n' || owner) = ANY($6::text[]))
            ORDER BY at, id LIMIT $3`,
      services.length === 0 && owners.length === 0 ? [kind, before, limit, HIDDEN] : [kind, before, limit, HIDDEN, services, owners],
    );
    return rows.map((row) => ({ service: row.service, item: itemRecord(row) }));
  }

  /**
   * One transaction under both names' locks (the ones their units take), so no unit of either runs
   * meanwhile on any instance: the rows are moved to the new name, and every instance is told.
   */
  async renameService(from: string, to: string): Promise<void> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw unavailable(error, this.onError);
    }
    const renamed: Invalidation[] = [
      { service: from, all: true },
      { service: to, all: true },
    ];
    let failure: unknown;
    try {
      await client.query('BEGIN');
      for (const scope of [...new Set([from.toLowerCase(), to.toLowerCase()])].sort()) await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [scope]);
      if ((await client.query('SELECT 1 FROM services WHERE name = $1', [from])).rowCount === 0) throw notFound('service_not_found', `Service "${from}" does not exist`);
      const [clash] = (await client.query<{ name: string }>('SELECT name FROM services WHERE name_lower = $1', [to.toLowerCase()])).rows;
      if (clash) throw conflict('service_exists', `Service "${clash.name}" exists already`);
      await client.query('INSERT INTO services (name, name_lower, key, created_at, settings) SELECT $2, $3, key, created_at, settings FROM services WHERE name = $1', [from, to, to.toLowerCase()]);
      // Items keep their subject; their counts (kept by triggers on insert and delete, not on update)
      // move with them, over the zero counts a service of that name once deleted may have left.
      for (const table of ['badges', 'users', 'items']) await client.query(`UPDATE ${table} SET service = $2 WHERE service = $1`, [from, to]);
      await client.query('DELETE FROM item_counts WHERE service = $1', [to]);
      await client.query('UPDATE item_counts SET service = $2 WHERE service = $1', [from, to]);
      await client.query('DELETE FROM services WHERE name = $1', [from]);
      await client.query("SELECT pg_notify('user_badges', payload) FROM unnest($1::text[]) AS payload", [this.feed.payloads(renamed)]);
      await client.query('COMMIT');
    } catch (error) {
      failure = error;
      await client.query('ROLLBACK').catch(() => {});
    } finally {
      client.release();
    }
    if (failure instanceof DomainError) throw failure;
    if (failure) throw unavailable(failure, this.onError);
    this.feed.publish(renamed);
  }

  /**
   * database as it was when the first one ran, and writers are not held back.
   */
  async snapshot<T>(work: (view: Queries) => Promise<T>): Promise<T> {
    const client = await this.pool.connect().catch((error: unknown) => {
      throw unavailable(error, this.onError);
    });
    const rows = async <R extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<R[]> => {
      try {
        return (await client.query<R>(text, values)).rows;
      } catch (error) {
        throw unavailable(error, this.onError);
      }
    };
    const services = new ServiceCache(async (name) => {
      const [row] = await rows<ServiceRow>(`SELECT ${SERVICE_COLUMNS} FROM services WHERE name = $1`, [name]);
      return row && serviceRecord(row);
    });
    let failed = false;
    try {
      await rows('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', []);
      // Every query method of this store, reading through the transaction's connection.
      const view = Object.create(this, { rows: { value: rows }, services: { value: services } }) as PostgresStore;
      const result = await work(view);
      await rows('COMMIT', []);
      return result;
    } catch (error) {
      failed = true;
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release(failed);
    }
  }

  /** Takes no more units, waits for those accepted, and disconnects. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.units.close();
      await this.replays.close();
      await this.feed.close();
      await this.pool.end();
    })();
    return this.closing;
  }

  private async requireService(name: string): Promise<void> {
    if (!(await this.services.get(name))) throw notFound('service_not_found', `Service "${name}" does not exist`);
  }

  /** `name`: a statement prepared once per connection (see `prepared`). */
  private async rows<R extends pg.QueryResultRow>(text: string, values: unknown[], name?: string): Promise<R[]> {
    try {
      return (await this.pool.query<R>(name === undefined ? { text, values } : { name, text, values })).rows;
    } catch (error) {
      throw unavailable(error, this.onError);
    }
  }
}

/** ORDER BY for a sort key, as server/core/order.ts sorts: by the key, ties by name ascending. */
function orderBy(sort: SortKey): { inner: string; outer: string } {
  const { field, descending } = sortField(sort);
  const direction = descending ? 'DESC' : 'ASC';
  if (field === 'name') return { inner: `name ${direction}`, outer: `p.name ${direction}` };
  // The same expressions as the indexes users_by_count(_desc) and users_by_date(_desc).
  const key = field === 'count' ? 'total' : `coalesce(latest, '')`;
  const column = field === 'count' ? 'p.by_count' : 'p.by_date';
  return { inner: `${key} ${direction}, name`, outer: `${column} ${direction}, p.name` };
}

/**
 * A page of users in a `?sort=` order after a place, read along the order's index (the primary key
 * (service, name) in C collation, users_by_count(_desc), users_by_date(_desc)): the place bounds the
 * index range, so a deep page reads no row before it. The key's direction may differ from the name's
 * (ties are by name ascending either way), so the place is `key beyond, or key equal and name after`,
 * with `key at or beyond` as the range's bound.
 */
export function usersPageQuery(service: string, sort: SortKey, after: UserPlace | null, limit: number) {
  const { field, descending } = sortField(sort);
  const values: unknown[] = [service, limit];
  if (field === 'name') {
    const where = after ? ` AND name ${descending ? '<' : '>'} $3` : '';
    if (after) values.push(String(after.name));
    return { text: `SELECT ${USER_COLUMNS} FROM users WHERE service = $1${where} ORDER BY name ${descending ? 'DESC' : ''} LIMIT $2`, values };
  }
  const key = field === 'count' ? 'total' : `coalesce(latest, '')`;
  const [beyond, atOrBeyond] = descending ? ['<', '<='] : ['>', '>='];
  let where = '';
  if (after) {
    values.push(field === 'count' ? Number(after.key) : String(after.key), after.name);
    where = ` AND ${key} ${atOrBeyond} $3 AND (${key} ${beyond} $3 OR name > $4)`;
  }
  return { text: `SELECT ${USER_COLUMNS} FROM users WHERE service = $1${where} ORDER BY ${key} ${descending ? 'DESC' : ''}, name LIMIT $2`, values };
}

/**
 * The name of a statement each connection prepares once, for the reads asked most under load (the
 * boards and holders pages, a dozen texts in all): PostgreSQL then plans them once per connection,
 * not per read, and planning cost as much as running them (about 0.1 ms each, on an idle server). Their
 * generic plans read the same indexes as the custom ones (the store contract suite checks the plans).
 */
const statementNames = new Map<string, string>();
function prepared(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) statementNames.set(text, (name = `ub_read_${statementNames.size}`));
  return name;
}

/** A page of a badge's holders, newest first, read along holdings_newest (migration 6). */
export function holdersQuery(service: string, badge: string, after: HolderCursor | null, limit: number) {
  // latest <= $4 bounds the index range; the ties at that instant are sorted out by name.
  return {
    text: `SELECT name, count, first, latest FROM holdings
      WHERE service = $1 AND badge = $2 AND NOT hidden ${after ? 'AND latest <= $4 AND (latest < $4 OR name > $5)' : ''}
      ORDER BY latest DESC, name LIMIT $3`,
    values: after ? [service, badge, limit, after.latest, after.name] : [service, badge, limit],
  };
}

/**
 * A page of a board, read along its index (migration 6): the order is the index's, a cursor a row
 * comparison, so every page costs the same.
 */
export function boardQuery(service: string, period: BoardPeriod, start: string, badge: string | undefined, after: BoardCursor | null, limit: number) {
  const values: unknown[] = [service, limit];
  const param = (value: unknown) => `$${values.push(value)}`;
  let table: string;
  let key: string;
  let where: string;
  if (badge === undefined) {
    table = 'users';
    const [score, at] = period === 'all' ? ['score', 'score_at'] : [`${period}_score`, `${period}_at`];
    key = `(-${score}), ${at}, name`;
    where = period === 'all' ? 'score IS NOT NULL' : `${period}_start IS NOT NULL AND ${period}_start = ${param(start)}`;
    return build(`SELECT name, ${score} AS score, ${at} AS reached FROM ${table}`);
  }
  table = 'holdings';
  const count = period === 'all' ? 'count' : `${period}_count`;
  key = `(-${count}), latest, name`;
  where = `badge = ${param(badge)} AND NOT hidden${period === 'all' ? '' : ` AND ${period}_start IS NOT NULL AND ${period}_start = ${param(start)}`}`;
  return build(`SELECT name, ${count} AS score, latest AS reached FROM ${table}`);

  function build(select: string) {
    const cursor = after ? ` AND (${key}) > (${param(-after.score)}::int8, ${param(after.reached)}, ${param(after.name)})` : '';
    return { text: `${select} WHERE service = $1 AND ${where}${cursor} ORDER BY ${key} LIMIT $2`, values };
  }
}

/** Records in the order their names were asked for, those that exist. */
function inOrder<R extends { name: string }>(names: readonly string[], records: R[]): R[] {
  const byName = new Map(records.map((record) => [record.name, record]));
  return names.map((name) => byName.get(name)).filter((record): record is R => record !== undefined);
}

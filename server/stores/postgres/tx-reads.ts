import type pg from 'pg';
import type { BadgeRecord, Item, ServiceRecord, UserRecord } from '../../core/model.js';
import type { ItemQuery, Reads, UnitReads } from '../../core/ports.js';
import { notSaved } from './failures.js';
import { ITEM_COLUMNS, itemRecord, itemsQuery, subjectItemsQuery, type ItemRow } from './item-sql.js';
import { BADGE_COLUMNS, SERVICE_COLUMNS, USER_COLUMNS, badgeRecord, serviceRecord, userRecord, type BadgeRow, type ServiceRow, type UserRow } from './rows.js';

/** Whole kinds of at most this many items are remembered (rules, endpoints); a service's events are not. */
const KEPT_KIND = 1000;

/**
 * Many primary keys, as a set of rows rather than "name = ANY($2)": for that, PostgreSQL chose skip
 * scans of other indexes (a whole sort index of users; every item of a kind its statistics think
 * rare, such as rule states written since the last ANALYZE), tens of ms where the keys' lookups
 * take one.
 */
const KEYS = '(SELECT $1, unnest($2::text[]))';
const ITEM_KEYS = '(SELECT $1, $2, unnest($3::text[]))';

/** The holders index's document for one service's badge (see the `users_holding` index). */
const HOLDING = `jsonb_set('{}'::jsonb, ARRAY[service], awards) @> $2::jsonb`;
const holding = (service: string, badge: string) => JSON.stringify({ [service]: [{ badge }] });

/**
 * What a batch of units reads, on the batch's connection inside its transaction. The batch holds
 * its scope's advisory lock, so no other writer changes these records until it commits: what was
 * read once is remembered for the rest of the batch. Only the point reads every unit makes, and the
 * small kinds every unit lists whole, are remembered; other scans go to the database each time.
 *
 * A failed query fails the whole batch (its transaction is aborted): `failure` says so.
 */
export class TxReads implements Reads {
  private readonly services = new Map<string, ServiceRecord | null>();
  private readonly badgeRecords = new Map<string, Map<string, BadgeRecord | null>>();
  private readonly userRecords = new Map<string, Map<string, UserRecord | null>>();
  private readonly counts = new Map<string, number>();
  /** "service\nkind" -> id -> item */
  private readonly itemRecords = new Map<string, Map<string, Item | null>>();
  /** "service\nkind" -> all its items, for small kinds every unit lists (rules, webhook endpoints) */
  private readonly kinds = new Map<string, Item[]>();
  failure: Error | undefined;

  constructor(private readonly client: pg.ClientBase) {}

  async service(name: string): Promise<ServiceRecord | undefined> {
    if (!this.services.has(name)) {
      const [row] = await this.query<ServiceRow>(`SELECT ${SERVICE_COLUMNS} FROM services WHERE name = $1`, [name]);
      this.services.set(name, row ? serviceRecord(row) : null);
    }
    return this.services.get(name) ?? undefined;
  }

  async serviceIgnoringCase(name: string): Promise<ServiceRecord | undefined> {
    // Lowered here, not by PostgreSQL: the stores must agree on what "ignoring case" means.
    const [row] = await this.query<ServiceRow>(`SELECT ${SERVICE_COLUMNS} FROM services WHERE name_lower = $1`, [name.toLowerCase()]);
    return row ? serviceRecord(row) : undefined;
  }

  async badges(service: string, names: readonly string[]): Promise<Map<string, BadgeRecord>> {
    return this.many(inner(this.badgeRecords, service), names, async (missing) =>
      (await this.query<BadgeRow>(`SELECT ${BADGE_COLUMNS} FROM badges WHERE service = $1 AND name = ANY($2::text[])`, [service, missing])).map((row) => [row.name, badgeRecord(row)]),
    );
  }

  async badgeCount(service: string): Promise<number> {
    return this.count('badges', service);
  }

  async allBadges(service: string): Promise<BadgeRecord[]> {
    const badges = (await this.query<BadgeRow>(`SELECT ${BADGE_COLUMNS} FROM badges WHERE service = $1 ORDER BY position`, [service])).map(badgeRecord);
    const known = inner(this.badgeRecords, service);
    for (const badge of badges) known.set(badge.name, badge);
    return badges;
  }

  async user(service: string, name: string): Promise<UserRecord | undefined> {
    const known = inner(this.userRecords, service);
    if (!known.has(name)) {
      const [row] = await this.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE service = $1 AND name = $2`, [service, name]);
      known.set(name, row ? userRecord(row) : null);
    }
    return known.get(name) ?? undefined;
  }

  async users(service: string, names: readonly string[]): Promise<Map<string, UserRecord>> {
    return this.many(inner(this.userRecords, service), names, async (missing) =>
      (await this.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE (service, name) IN ${KEYS}`, [service, missing])).map((row) => [row.name, userRecord(row)]),
    );
  }

  /** Whether every record `named` names was read already (found or not). */
  knows(named: UnitReads): boolean {
    const known = this.userRecords.get(named.service);
    return known !== undefined && named.users.every((name) => known.has(name));
  }

  /** Reads what units will read, those of a service in one query, so that each unit finds its records read. */
  async readAhead(named: readonly UnitReads[]): Promise<void> {
    const byService = new Map<string, string[]>();
    for (const { service, users } of named) {
      let names = byService.get(service);
      if (!names) byService.set(service, (names = []));
      names.push(...users);
    }
    for (const [service, names] of byService) await this.users(service, names);
  }

  async userCount(service: string): Promise<number> {
    return this.count('users', service);
  }

  async holders(service: string, badge: string, except: ReadonlySet<string> = new Set()): Promise<string[]> {
    const rows = await this.query<{ name: string }>(
      `SELECT name FROM users WHERE service = $1 AND ${HOLDING} AND NOT (name = ANY($3::text[]))`,
      [service, holding(service, badge), [...except]],
    );
    return rows.map((row) => row.name);
  }

  async latestAward(service: string, badge: string, except: ReadonlySet<string> = new Set()): Promise<string | null> {
    const [row] = await this.query<{ latest: string | null }>(
      `SELECT max((a ->> 'latest') COLLATE "C") AS latest
         FROM users, jsonb_array_elements(awards) a
        WHERE service = $1 AND ${HOLDING} AND NOT (name = ANY($3::text[])) AND a ->> 'badge' = $4`,
      [service, holding(service, badge), [...except], badge],
    );
    return row?.latest ?? null;
  }

  async item(service: string, kind: string, id: string): Promise<Item | undefined> {
    const known = inner(this.itemRecords, `${service}\n${kind}`);
    if (!known.has(id)) {
      const [row] = await this.query<ItemRow>(`SELECT ${ITEM_COLUMNS} FROM items WHERE service = $1 AND kind = $2 AND id = $3`, [service, kind, id]);
      known.set(id, row ? itemRecord(row) : null);
    }
    return known.get(id) ?? undefined;
  }

  async itemsById(service: string, kind: string, ids: readonly string[]): Promise<Map<string, Item>> {
    return this.many(inner(this.itemRecords, `${service}\n${kind}`), ids, async (missing) =>
      (await this.query<ItemRow>(`SELECT ${ITEM_COLUMNS} FROM items WHERE (service, kind, id) IN ${ITEM_KEYS}`, [service, kind, missing])).map((row) => [row.id, itemRecord(row)]),
    );
  }

  async itemsByOwner(service: string, kind: string, owners: readonly string[], range: Pick<ItemQuery, 'from' | 'to'> = {}): Promise<Map<string, Item[]>> {
    const byOwner = new Map<string, Item[]>(owners.map((owner) => [owner, []]));
    if (owners.length === 0) return byOwner;
    const { text, values } = itemsQuery(service, kind, range, [...byOwner.keys()]);
    for (const row of await this.query<ItemRow>(text, values)) byOwner.get(row.owner!)!.push(itemRecord(row));
    return byOwner;
  }

  async items(service: string, kind: string, query: ItemQuery = {}): Promise<Item[]> {
    const whole = Object.keys(query).length === 0;
    const key = `${service}\n${kind}`;
    const kept = whole ? this.kinds.get(key) : undefined;
    if (kept) return [...kept];
    const { text, values } = itemsQuery(service, kind, query);
    const items = (await this.query<ItemRow>(text, values)).map(itemRecord);
    // A copy: the caller may sort or add to its answer.
    if (whole && items.length <= KEPT_KIND) this.kinds.set(key, [...items]);
    return items;
  }

  async itemCount(service: string, kind: string): Promise<number> {
    // Kept by triggers on `items` (migration 5): one row, whatever the count.
    const key = `items\n${service}\n${kind}`;
    let count = this.counts.get(key);
    if (count === undefined) {
      const [row] = await this.query<{ n: number }>('SELECT coalesce((SELECT n FROM item_counts WHERE service = $1 AND kind = $2), 0) AS n', [service, kind]);
      this.counts.set(key, (count = Number(row!.n)));
    }
    return count;
  }

  async itemsOfSubjects(service: string, subjects: readonly string[]): Promise<Item[]> {
    const { text, values } = subjectItemsQuery(service, subjects);
    return (await this.query<ItemRow>(text, values)).map(itemRecord);
  }

  /** The records of `keys` that exist: those not known yet read in one query, and remembered, found or not. */
  private async many<R>(known: Map<string, R | null>, keys: readonly string[], read: (missing: string[]) => Promise<[string, R][]>): Promise<Map<string, R>> {
    const missing = [...new Set(keys.filter((key) => !known.has(key)))];
    if (missing.length > 0) {
      const rows = await read(missing);
      for (const key of missing) known.set(key, null);
      for (const [key, record] of rows) known.set(key, record);
    }
    const found = new Map<string, R>();
    for (const key of keys) {
      const record = known.get(key);
      if (record) found.set(key, record);
    }
    return found;
  }

  private async count(table: 'badges' | 'users', service: string): Promise<number> {
    const key = `${table}\n${service}`;
    let count = this.counts.get(key);
    if (count === undefined) {
      const [row] = await this.query<{ count: number }>(`SELECT count(*) AS count FROM ${table} WHERE service = $1`, [service]);
      this.counts.set(key, (count = row!.count));
    }
    return count;
  }

  private async query<R extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<R[]> {
    try {
      return (await this.client.query<R>(text, values)).rows;
    } catch (error) {
      this.failure ??= error as Error;
      throw notSaved();
    }
  }
}

function inner<V>(outer: Map<string, Map<string, V>>, key: string): Map<string, V> {
  let map = outer.get(key);
  if (!map) outer.set(key, (map = new Map()));
  return map;
}

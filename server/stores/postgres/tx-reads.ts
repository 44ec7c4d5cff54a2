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
/** At most this many single items (sequence counters and the like) are read ahead by the next batch. */
const PLANNED_ITEMS = 64;

/**
 * What a batch read that the next batch of its scope will most likely read again: its service,
 * its badges, the small kinds it listed whole (rules, webhook endpoints), single items such as
 * counters. The next batch reads them in the round trip that takes the lock (see `prelude`).
 */
export interface ReadPlan {
  services: Set<string>;
  /** Services whose badges were read. */
  badges: Set<string>;
  /** "service\nkind" of kinds listed whole. */
  kinds: Set<string>;
  /** "service\nkind\nid" */
  items: Set<string>;
}

/** One query and what to do with its rows. */
interface Read {
  text: string;
  values: unknown[];
  take(rows: pg.QueryResultRow[]): void;
}

/** Statements that read ahead, to be sent after the lock in its round trip, and what to do with their results. */
export interface Prelude {
  sql: string;
  take(results: readonly pg.QueryResult[]): void;
}

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
  /** service -> all its badges, in order, when they were read whole */
  private readonly badgeLists = new Map<string, BadgeRecord[]>();
  private readonly userRecords = new Map<string, Map<string, UserRecord | null>>();
  private readonly counts = new Map<string, number>();
  /** "service\nkind" -> id -> item */
  private readonly itemRecords = new Map<string, Map<string, Item | null>>();
  /** "service\nkind" -> all its items, for small kinds every unit lists (rules, webhook endpoints) */
  private readonly kinds = new Map<string, Item[]>();
  failure: Error | undefined;
  readonly plan: ReadPlan = { services: new Set(), badges: new Set(), kinds: new Set(), items: new Set() };

  constructor(private readonly client: pg.ClientBase) {}

  /**
   * The reads of `plan` (the last batch's) and the users `named` by queued units, as statements
   * of one simple query: sent with the lock, they cost no round trip of their own. Each is the
   * same query its method makes, with the values inlined as literals.
   */
  prelude(plan: ReadPlan | undefined, named: readonly UnitReads[]): Prelude {
    const reads: Read[] = [];
    for (const name of plan?.services ?? []) reads.push(this.serviceRead(name));
    for (const service of plan?.badges ?? []) reads.push(this.badgeListRead(service));
    for (const key of plan?.kinds ?? []) {
      const [service, kind] = key.split('\n') as [string, string];
      reads.push(this.kindRead(service, kind));
    }
    for (const key of plan?.items ?? []) {
      const [service, kind, id] = key.split('\n') as [string, string, string];
      reads.push(this.itemRead(service, kind, id));
    }
    for (const [service, names] of byService(named)) reads.push(this.usersRead(service, names));
    return {
      sql: reads.map((read) => inline(read.text, read.values, (text) => this.client.escapeLiteral(text))).join(';\n'),
      take: (results) => reads.forEach((read, i) => read.take(results[i]!.rows)),
    };
  }

  async service(name: string): Promise<ServiceRecord | undefined> {
    this.plan.services.add(name);
    if (!this.services.has(name)) await this.run(this.serviceRead(name));
    return this.services.get(name) ?? undefined;
  }

  private serviceRead(name: string): Read {
    return {
      text: `SELECT ${SERVICE_COLUMNS} FROM services WHERE name = $1`,
      values: [name],
      take: ([row]) => this.services.set(name, row ? serviceRecord(row as ServiceRow) : null),
    };
  }

  async serviceIgnoringCase(name: string): Promise<ServiceRecord | undefined> {
    // Lowered here, not by PostgreSQL: the stores must agree on what "ignoring case" means.
    const [row] = await this.query<ServiceRow>(`SELECT ${SERVICE_COLUMNS} FROM services WHERE name_lower = $1`, [name.toLowerCase()]);
    return row ? serviceRecord(row) : undefined;
  }

  async badges(service: string, names: readonly string[]): Promise<Map<string, BadgeRecord>> {
    this.plan.badges.add(service);
    const known = inner(this.badgeRecords, service);
    // All of them were read: a name not among them is no badge.
    if (this.badgeLists.has(service)) for (const name of names) if (!known.has(name)) known.set(name, null);
    return this.many(known, names, (missing) => ({
      text: `SELECT ${BADGE_COLUMNS} FROM badges WHERE service = $1 AND name = ANY($2::text[])`,
      values: [service, missing],
      take: (rows) => fill(known, missing, (rows as BadgeRow[]).map((row) => [row.name, badgeRecord(row)])),
    }));
  }

  async badgeCount(service: string): Promise<number> {
    return this.count('badges', service);
  }

  async allBadges(service: string): Promise<BadgeRecord[]> {
    this.plan.badges.add(service);
    const kept = this.badgeLists.get(service);
    if (kept) return [...kept];
    const badges = (await this.query<BadgeRow>(`SELECT ${BADGE_COLUMNS} FROM badges WHERE service = $1 ORDER BY position`, [service])).map(badgeRecord);
    const known = inner(this.badgeRecords, service);
    for (const badge of badges) known.set(badge.name, badge);
    return badges;
  }

  /** A service's badges, all of them if there are at most KEPT_KIND (more are not read ahead). */
  private badgeListRead(service: string): Read {
    return {
      text: `SELECT ${BADGE_COLUMNS} FROM badges WHERE service = $1 ORDER BY position LIMIT ${KEPT_KIND + 1}`,
      values: [service],
      take: (rows) => {
        if (rows.length > KEPT_KIND) return;
        const badges = (rows as BadgeRow[]).map(badgeRecord);
        const known = inner(this.badgeRecords, service);
        for (const badge of badges) known.set(badge.name, badge);
        this.badgeLists.set(service, badges);
      },
    };
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
    return this.many(inner(this.userRecords, service), names, (missing) => this.usersRead(service, missing));
  }

  /** Users of a service, remembered found or not. */
  private usersRead(service: string, names: readonly string[]): Read {
    return {
      text: `SELECT ${USER_COLUMNS} FROM users WHERE (service, name) IN ${KEYS}`,
      values: [service, names],
      take: (rows) => fill(inner(this.userRecords, service), names, (rows as UserRow[]).map((row) => [row.name, userRecord(row)])),
    };
  }

  /** Whether every record `named` names was read already (found or not). */
  knows(named: UnitReads): boolean {
    const known = this.userRecords.get(named.service);
    return known !== undefined && named.users.every((name) => known.has(name));
  }

  /** Reads what units will read, those of a service in one query, so that each unit finds its records read. */
  async readAhead(named: readonly UnitReads[]): Promise<void> {
    for (const [service, names] of byService(named)) await this.users(service, names);
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
    if (this.plan.items.size < PLANNED_ITEMS) this.plan.items.add(`${service}\n${kind}\n${id}`);
    const known = inner(this.itemRecords, `${service}\n${kind}`);
    if (!known.has(id)) await this.run(this.itemRead(service, kind, id));
    return known.get(id) ?? undefined;
  }

  private itemRead(service: string, kind: string, id: string): Read {
    return {
      text: `SELECT ${ITEM_COLUMNS} FROM items WHERE service = $1 AND kind = $2 AND id = $3`,
      values: [service, kind, id],
      take: ([row]) => inner(this.itemRecords, `${service}\n${kind}`).set(id, row ? itemRecord(row as ItemRow) : null),
    };
  }

  async itemsById(service: string, kind: string, ids: readonly string[]): Promise<Map<string, Item>> {
    const known = inner(this.itemRecords, `${service}\n${kind}`);
    return this.many(known, ids, (missing) => ({
      text: `SELECT ${ITEM_COLUMNS} FROM items WHERE (service, kind, id) IN ${ITEM_KEYS}`,
      values: [service, kind, missing],
      take: (rows) => fill(known, missing, (rows as ItemRow[]).map((row) => [row.id, itemRecord(row)])),
    }));
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
    if (kept) {
      this.plan.kinds.add(key);
      // A copy: the caller may sort or add to its answer.
      return [...kept];
    }
    const { text, values } = itemsQuery(service, kind, query);
    const items = (await this.query<ItemRow>(text, values)).map(itemRecord);
    if (whole && items.length <= KEPT_KIND) {
      this.kinds.set(key, [...items]);
      this.plan.kinds.add(key);
    }
    return items;
  }

  /** A kind read whole, kept if it is small (rules, endpoints), not if it is large (a service's events). */
  private kindRead(service: string, kind: string): Read {
    const { text, values } = itemsQuery(service, kind, { limit: KEPT_KIND + 1 });
    return {
      text,
      values,
      take: (rows) => {
        if (rows.length <= KEPT_KIND) this.kinds.set(`${service}\n${kind}`, (rows as ItemRow[]).map(itemRecord));
      },
    };
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

  /** The records of `keys` that exist: those not known yet read in one query (`read`), and remembered, found or not. */
  private async many<R>(known: Map<string, R | null>, keys: readonly string[], read: (missing: string[]) => Read): Promise<Map<string, R>> {
    const missing = [...new Set(keys.filter((key) => !known.has(key)))];
    if (missing.length > 0) await this.run(read(missing));
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

  private async run(read: Read): Promise<void> {
    read.take(await this.query(read.text, read.values));
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

/** Remembers `keys` as read: the records `found`, the others as not there. */
function fill<R>(known: Map<string, R | null>, keys: readonly string[], found: readonly (readonly [string, R])[]): void {
  for (const key of keys) known.set(key, null);
  for (const [key, record] of found) known.set(key, record);
}

function byService(named: readonly UnitReads[]): Map<string, string[]> {
  const names = new Map<string, string[]>();
  for (const { service, users } of named) {
    const list = names.get(service);
    if (list) list.push(...users);
    else names.set(service, [...users]);
  }
  for (const [service, list] of names) names.set(service, [...new Set(list)]);
  return names;
}

/**
 * A parameterised query with its values written in as literals, for a simple query of several
 * statements (the extended protocol takes one). Strings are quoted by the driver's escapeLiteral;
 * arrays become ARRAY[...], which the queries cast (`$2::text[]`), so an empty one is typed too.
 */
export function inline(text: string, values: readonly unknown[], quote: (text: string) => string): string {
  const literal = (value: unknown): string => {
    if (typeof value === 'string') return quote(value);
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
    if (value === null) return 'NULL';
    if (Array.isArray(value)) return `ARRAY[${value.map(literal).join(', ')}]`;
    throw new Error(`cannot inline ${typeof value} into SQL`);
  };
  return text.replace(/\$(\d+)/g, (_, n: string) => {
    const index = Number(n) - 1;
    if (index >= values.length) throw new Error(`no value for $${n}`);
    return literal(values[index]);
  });
}

import type { SortKey } from '../../types/api.js';
import type { Change, Invalidation } from './changes.js';
import type { DomainEvent } from './events.js';
import type { BadgeRecord, Item, ServiceRecord, UserRecord } from './model.js';
import type { SortValue } from './order.js';
import type { BoardCursor, BoardPeriod, Holder, HolderCursor, Ranked } from './standings.js';

/**
 * What the rules read: a narrow port every store answers, inside a unit of work, where it sees the
 * unit's own changes. Shaped by the rules, not by tables or maps.
 */
export interface Reads {
  service(name: string): Promise<ServiceRecord | undefined>;
  /** A service whose name equals `name` ignoring case, if any: names may not differ only in case. */
  serviceIgnoringCase(name: string): Promise<ServiceRecord | undefined>;
  /** The named badges that exist. */
  badges(service: string, names: readonly string[]): Promise<Map<string, BadgeRecord>>;
  badgeCount(service: string): Promise<number>;
  /** Every badge of the service, in the order registered: for the few rules that look at all of them (is an issuer in use?). */
  allBadges(service: string): Promise<BadgeRecord[]>;
  user(service: string, name: string): Promise<UserRecord | undefined>;
  /** The named users that exist: what a unit will read of many users, in one read. */
  users(service: string, names: readonly string[]): Promise<Map<string, UserRecord>>;
  userCount(service: string): Promise<number>;
  /** Names of the users holding the badge, leaving out `except`. */
  holders(service: string, badge: string, except?: ReadonlySet<string>): Promise<string[]>;
  /** The latest award of the badge among its holders, leaving out `except`; null if none. */
  latestAward(service: string, badge: string, except?: ReadonlySet<string>): Promise<string | null>;
  item(service: string, kind: string, id: string): Promise<Item | undefined>;
  /** The items of a kind with these ids that exist: many point reads in one. */
  itemsById(service: string, kind: string, ids: readonly string[]): Promise<Map<string, Item>>;
  /** Each owner's items of a kind in (at, id) order, as `items` with `owner` would answer, for many owners in one read; every owner asked has an entry. */
  itemsByOwner(service: string, kind: string, owners: readonly string[], range?: Pick<ItemQuery, 'from' | 'to'>): Promise<Map<string, Item[]>>;
  /** Items of a kind in (at, id) order (reversed with `order: 'desc'`), as `query` narrows them. */
  items(service: string, kind: string, query?: ItemQuery): Promise<Item[]>;
  /** How many items of a kind the service has: what a quota is checked against, cheap at any size. */
  itemCount(service: string, kind: string): Promise<number>;
  /** Every item of any kind whose data subject is one of `subjects` (see core/subjects.ts), in (kind, at, id) order. */
  itemsOfSubjects(service: string, subjects: readonly string[]): Promise<Item[]>;
}

/** Which items of a kind: all by default. */
export interface ItemQuery {
  /** Only the owner's. */
  owner?: string;
  /** Only those holding this subject's data (see core/subjects.ts). */
  subject?: string;
  /** `at` at or after this time. */
  from?: string;
  /** `at` before this time. */
  to?: string;
  order?: 'asc' | 'desc';
  /** Only items after this one in the query's order: a cursor, which costs the same on every page. */
  after?: { at: string; id: string };
  limit?: number;
}

/** What a count of items can narrow by. */
export type ItemCount = Pick<ItemQuery, 'owner' | 'from' | 'to'>;

/** One unit of work: reads that see its own writes, and the changes it makes. */
export interface Tx extends Reads {
  /** The unit's clock: every rule dates what it does with this one instant. */
  readonly now: Date;
  put(change: Change): void;
  /** Tells the unit's reactors what happened (see events.ts). */
  emit(event: DomainEvent): void;
  /** The events emitted and not yet handed to reactors; taking them empties the list. */
  takeEvents(): DomainEvent[];
}

/**
 * Runs units of work atomically: all of a unit's changes become durable together, or none do, and
 * units of one scope (a service) never interleave. The promise resolves after the changes are
 * durable; a unit that throws changes nothing.
 */
export interface UnitOfWork {
  /**
   * `now` becomes the unit's `tx.now`: the caller's clock, so tests move time without sleeping.
   * `reads` names records the unit will read, when the caller knows: a store that runs units in
   * batches reads those of a whole batch in one query (a hint; what the unit reads is what it reads).
   */
  run<T>(scope: string, now: Date, work: (tx: Tx) => Promise<T>, reads?: UnitReads): Promise<T>;
}

/** Records a unit will read: the named users of a service. */
export interface UnitReads {
  service: string;
  users: readonly string[];
}

export interface ListUsersOptions {
  sort?: SortKey;
  /** Zero-based offset into the sorted list. */
  offset: number;
  limit: number;
}

/** Where a page of users starts: after the user `name`, whose value of the sort's key was `key` (see order.ts). */
export interface UserPlace {
  key: SortValue;
  name: string;
}

/** Reads outside any unit of work: what the API answers. They see only durable data. */
export interface Queries {
  getService(name: string): Promise<ServiceRecord | undefined>;
  /** Every service but hidden ones (an import under way: see rules/services.ts). */
  listServices(): Promise<ServiceRecord[]>;
  listBadges(service: string): Promise<BadgeRecord[]>;
  /** The named badges that exist, in the order asked. */
  getBadges(service: string, names: Iterable<string>): Promise<BadgeRecord[]>;
  getUser(service: string, name: string): Promise<UserRecord | undefined>;
  /** The named users that exist, in the order asked. */
  getUsers(service: string, names: readonly string[]): Promise<UserRecord[]>;
  listUsers(service: string, options: ListUsersOptions): Promise<{ users: UserRecord[]; total: number }>;
  /**
   * Up to `limit` users in name order, after the user named `after` (from the first when null): a
   * walk through every user that costs the same on every page, unlike an offset.
   */
  usersAfter(service: string, after: string | null, limit: number): Promise<UserRecord[]>;
  /** As usersAfter, in any order of `?sort=`: a page read along that order's index, never past the users before it. */
  usersPage(service: string, sort: SortKey, after: UserPlace | null, limit: number): Promise<UserRecord[]>;
  /**
   * A page of a leaderboard (core/standings.ts), from an index: the service's users by score on the
   * board of `period` whose period starts at `start` ('' for all time), or with `badge` that badge's
   * holders by times earned (those hiding it left out); after `after`, ranked from its rank on.
   */
  board(service: string, board: { period: BoardPeriod; start: string; badge?: string }, after: BoardCursor | null, limit: number): Promise<Ranked[]>;
  /** A page of a badge's holders, newest award first (those hiding it left out), after `after`. */
  holdersPage(service: string, badge: string, after: HolderCursor | null, limit: number): Promise<Holder[]>;
  getItem(service: string, kind: string, id: string): Promise<Item | undefined>;
  /** A page of the items `query` selects (see Reads.items), after skipping `offset` of them. */
  listItems(service: string, kind: string, query: ItemQuery & { offset?: number }): Promise<Item[]>;
  countItems(service: string, kind: string, query: ItemCount): Promise<number>;
  /** The kinds of which the service has items. */
  itemKinds(service: string): Promise<string[]>;
  /** As Reads.itemsOfSubjects: everything the service holds of these data subjects, but users. */
  listItemsOfSubjects(service: string, subjects: readonly string[]): Promise<Item[]>;
  /**
   * Items of a kind, of every service, whose `at` is before `before`, earliest first: work that is
   * due (a webhook delivery, an expiry). Whoever acts on one re-reads it in a unit of work. Hidden
   * services' items are not due: nothing of an import under way is acted on before it is whole.
   */
  dueItems(kind: string, before: string, limit: number, except?: DueExcept): Promise<{ service: string; item: Item }[]>;
}

/**
 * Due items to pass over: those of busy services, or of busy owners (a webhook endpoint with as
 * many attempts in flight as it may have), so that their backlog does not hide others' work.
 */
export interface DueExcept {
  services?: readonly string[];
  owners?: readonly { service: string; owner: string }[];
}

/** Tells readers what became stale, on every instance that shares the store. */
export interface ChangeFeed {
  /**
   * `listener` gets what each durable unit changed; `{ all: true }` with service "*" means "anything
   * may have changed" (the feed lost its connection and cannot tell). Returns the unsubscribe.
   */
  subscribe(listener: (change: Invalidation) => void): () => void;
}

/** A store: persists units of work and answers queries. It knows nothing of the API. */
export interface Store extends UnitOfWork, Queries {
  readonly feed: ChangeFeed;
  /**
   * Gives a service and all it holds another name, at once: how a service imported under a hidden
   * name (see rules/services.ts) appears whole or not at all. Refused if `from` does not exist or
   * `to` does, in any case. No unit of either may be under way.
   */
  renameService(from: string, to: string): Promise<void>;
  /**
   * Makes the store's own files hold what is durable and nothing else: the embedded store writes
   * its snapshots and drops the journal they cover, so that what an erasure removed is in no file
   * once this resolves. A store that keeps no journal of its own has nothing to do.
   */
  checkpoint(): Promise<void>;
  /**
   * After a bulk load (an import): whatever the store needs so that reads of what was loaded are as
   * fast as any other. PostgreSQL vacuums and gathers its planner's statistics; before autovacuum got
   * to the new rows, a badge's board of the month was planned along the wrong index and read 55,000
   * rows (205 ms instead of 0.2 at 100,000 users). The embedded store has no planner.
   */
  settle(): Promise<void>;
  /**
   * Runs `work` over reads of one moment: no unit becomes durable in what they see until it is done,
   * so an export taken while the server runs is consistent (a badge's count agrees with its holders).
   * The embedded store holds writes back meanwhile; PostgreSQL reads in one REPEATABLE READ
   * transaction and holds nothing back.
   */
  snapshot<T>(work: (view: Queries) => Promise<T>): Promise<T>;
  /** Flushes and releases files and connections; the store is unusable afterwards. */
  close(): Promise<void>;
}

import { changeKey, type Change } from './changes.js';
import type { DomainEvent } from './events.js';
import { checkItem, compareKindThenItem, itemMatches, selectItems } from './items.js';
import type { BadgeRecord, Item, ServiceRecord, UserRecord } from './model.js';
import type { ItemQuery, Reads, Tx } from './ports.js';
import { withSubject } from './subjects.js';

/**
 * Reads over a base that see changes not yet written to it: a unit of work's own changes, or, in a
 * store, the changes of units that are written but not yet durable. Every store runs its units
 * through this one class, so "a unit sees its own writes" is implemented once.
 *
 * Values are `null` for a record the overlay removed.
 */
export class Overlay implements Tx {
  private readonly services = new Map<string, ServiceRecord | null>();
  private readonly badgeRecords = new Map<string, Map<string, BadgeRecord | null>>();
  private readonly userRecords = new Map<string, Map<string, UserRecord | null>>();
  /** service -> kind -> id -> item */
  private readonly itemRecords = new Map<string, Map<string, Map<string, Item | null>>>();
  /** Every change, in order; a key changed twice keeps its last position. */
  private readonly log = new Map<string, Change>();
  /**
   * Services removed here (and maybe created again): what the base holds of their badges and users
   * is gone with them, so reads of those stop at this overlay.
   */
  private readonly removed = new Set<string>();
  private events: DomainEvent[] = [];

  constructor(
    private readonly base: Reads,
    readonly now: Date = new Date(),
  ) {}

  /** The changes put so far, the last of each record, in the order they were last put. */
  get changes(): Change[] {
    return [...this.log.values()];
  }

  get size(): number {
    return this.log.size;
  }

  emit(event: DomainEvent): void {
    this.events.push(event);
  }

  takeEvents(): DomainEvent[] {
    const taken = this.events;
    this.events = [];
    return taken;
  }

  /** The changes put so far with their keys, as `changes`: what `adopt` takes. */
  get keyedChanges(): [string, Change][] {
    return [...this.log];
  }

  put(change: Change): void {
    // Every item names its data subject; a rule that leaves it out gets its kind's.
    if (change.t === 'item' && change.v.subject === undefined) change = { ...change, v: withSubject(change.v) };
    if (change.t === 'item') checkItem(change.v);
    this.adopt(changeKey(change), change);
  }

  /**
   * Puts a change another overlay took, with the key it gave it (`keyedChanges`): checked and its
   * subject named there already. A store's overlay of writes on their way to disk takes every unit's
   * changes so; checking and keying each again was a share of every award (issue 25).
   */
  adopt(key: string, change: Change): void {
    this.log.delete(key);
    this.log.set(key, change);
    switch (change.t) {
      case 'service':
        this.services.set(change.v.name, change.v);
        return;
      case 'service-':
        this.services.set(change.n, null);
        this.dropContents(change.n);
        return;
      case 'badge':
        inner(this.badgeRecords, change.s).set(change.v.name, change.v);
        return;
      case 'badge-':
        inner(this.badgeRecords, change.s).set(change.n, null);
        return;
      case 'user':
        inner(this.userRecords, change.s).set(change.v.name, change.v);
        return;
      case 'user-':
        inner(this.userRecords, change.s).set(change.n, null);
        return;
      case 'item':
        inner(inner(this.itemRecords, change.s), change.v.kind).set(change.v.id, change.v);
        return;
      case 'item-':
        inner(inner(this.itemRecords, change.s), change.k).set(change.id, null);
        return;
    }
  }

  /**
   * Forgets a change if it is still the last one of its record (a store dropping what became
   * durable); `key` as `keyedChanges` gave it.
   */
  forget(change: Change, key = changeKey(change)): void {
    if (this.log.get(key) !== change) return;
    this.log.delete(key);
    switch (change.t) {
      case 'service':
      case 'service-': {
        const name = change.t === 'service' ? change.v.name : change.n;
        this.services.delete(name);
        // The base applied this change and every earlier one, the removal included.
        this.removed.delete(name);
        return;
      }
      case 'badge':
      case 'badge-':
        this.badgeRecords.get(change.s)?.delete(change.t === 'badge' ? change.v.name : change.n);
        return;
      case 'user':
      case 'user-':
        this.userRecords.get(change.s)?.delete(change.t === 'user' ? change.v.name : change.n);
        return;
      case 'item':
      case 'item-':
        this.itemRecords.get(change.s)?.get(change.t === 'item' ? change.v.kind : change.k)?.delete(change.t === 'item' ? change.v.id : change.id);
        return;
    }
  }

  async service(name: string): Promise<ServiceRecord | undefined> {
    const own = this.services.get(name);
    if (own !== undefined) return own ?? undefined;
    // A removed service takes its badges and users with it.
    return this.base.service(name);
  }

  async serviceIgnoringCase(name: string): Promise<ServiceRecord | undefined> {
    const lower = name.toLowerCase();
    for (const [other, record] of this.services) if (record && other.toLowerCase() === lower) return record;
    const found = await this.base.serviceIgnoringCase(name);
    return found && this.services.get(found.name) === null ? undefined : found;
  }

  async badges(service: string, names: readonly string[]): Promise<Map<string, BadgeRecord>> {
    return this.ownOverBase(service, this.badgeRecords.get(service), names, (missing) => this.base.badges(service, missing));
  }

  async badgeCount(service: string): Promise<number> {
    if (this.removed.has(service)) return countOwn(this.badgeRecords.get(service));
    return this.base.badgeCount(service).then((count) => this.adjustCount(service, this.badgeRecords, count, (names) => this.base.badges(service, names)));
  }

  async allBadges(service: string): Promise<BadgeRecord[]> {
    const own = this.badgeRecords.get(service);
    const base = this.removed.has(service) ? [] : await this.base.allBadges(service);
    if (!own || own.size === 0) return base;
    // Changed ones where they stood, removed ones left out, new ones last.
    const listed = base.flatMap((badge) => (own.has(badge.name) ? (own.get(badge.name) ? [own.get(badge.name)!] : []) : [badge]));
    const known = new Set(base.map((badge) => badge.name));
    for (const [name, badge] of own) if (badge && !known.has(name)) listed.push(badge);
    return listed;
  }

  async user(service: string, name: string): Promise<UserRecord | undefined> {
    const own = this.userRecords.get(service)?.get(name);
    if (own !== undefined || this.removed.has(service)) return own ?? undefined;
    return this.base.user(service, name);
  }

  async users(service: string, names: readonly string[]): Promise<Map<string, UserRecord>> {
    return this.ownOverBase(service, this.userRecords.get(service), names, (missing) => this.base.users(service, missing));
  }

  async userCount(service: string): Promise<number> {
    if (this.removed.has(service)) return countOwn(this.userRecords.get(service));
    const count = await this.base.userCount(service);
    return this.adjustCount(service, this.userRecords, count, async (names) => {
      const found = new Map<string, UserRecord>();
      for (const name of names) {
        const user = await this.base.user(service, name);
        if (user) found.set(name, user);
      }
      return found;
    });
  }

  async holders(service: string, badge: string, except: ReadonlySet<string> = new Set()): Promise<string[]> {
    const own = this.userRecords.get(service);
    const gone = this.removed.has(service);
    if (!gone && (!own || own.size === 0)) return this.base.holders(service, badge, except);
    const holders = gone ? [] : await this.base.holders(service, badge, new Set([...except, ...own!.keys()]));
    for (const [name, user] of own ?? []) {
      if (user && !except.has(name) && user.awards.some((a) => a.badge === badge)) holders.push(name);
    }
    return holders;
  }

  async latestAward(service: string, badge: string, except: ReadonlySet<string> = new Set()): Promise<string | null> {
    const own = this.userRecords.get(service);
    const gone = this.removed.has(service);
    if (!gone && (!own || own.size === 0)) return this.base.latestAward(service, badge, except);
    let latest = gone ? null : await this.base.latestAward(service, badge, new Set([...except, ...own!.keys()]));
    for (const [name, user] of own ?? []) {
      if (!user || except.has(name)) continue;
      const award = user.awards.find((a) => a.badge === badge);
      if (award && (latest === null || award.latest > latest)) latest = award.latest;
    }
    return latest;
  }

  async item(service: string, kind: string, id: string): Promise<Item | undefined> {
    const own = this.itemRecords.get(service)?.get(kind)?.get(id);
    if (own !== undefined || this.removed.has(service)) return own ?? undefined;
    return this.base.item(service, kind, id);
  }

  async itemsById(service: string, kind: string, ids: readonly string[]): Promise<Map<string, Item>> {
    return this.ownOverBase(service, this.itemRecords.get(service)?.get(kind), ids, (missing) => this.base.itemsById(service, kind, missing));
  }

  async itemsByOwner(service: string, kind: string, owners: readonly string[], range: Pick<ItemQuery, 'from' | 'to'> = {}): Promise<Map<string, Item[]>> {
    const own = this.itemRecords.get(service)?.get(kind) ?? new Map<string, Item | null>();
    const gone = this.removed.has(service);
    if (!gone && own.size === 0) return this.base.itemsByOwner(service, kind, owners, range);
    const found = gone ? new Map<string, Item[]>(owners.map((owner) => [owner, []])) : await this.base.itemsByOwner(service, kind, owners, range);
    const mine = new Map<string, Item[]>();
    for (const item of own.values()) {
      if (item === null || item.owner === null || !found.has(item.owner) || !itemMatches(item, range)) continue;
      const list = mine.get(item.owner);
      if (list) list.push(item);
      else mine.set(item.owner, [item]);
    }
    for (const [owner, items] of found) {
      if (!mine.has(owner) && !items.some((item) => own.has(item.id))) continue;
      found.set(owner, selectItems([...items.filter((item) => !own.has(item.id)), ...(mine.get(owner) ?? [])]));
    }
    return found;
  }

  async items(service: string, kind: string, query: ItemQuery = {}): Promise<Item[]> {
    const own = this.itemRecords.get(service)?.get(kind) ?? new Map<string, Item | null>();
    const gone = this.removed.has(service);
    if (!gone && own.size === 0) return this.base.items(service, kind, query);
    // The base's answer may hold items changed here: ask for as many more as could be dropped.
    const fromBase = gone ? [] : await this.base.items(service, kind, query.limit === undefined ? query : { ...query, limit: query.limit + own.size });
    const mine = [...own.values()].filter((item): item is Item => item !== null && itemMatches(item, query));
    return selectItems([...fromBase.filter((item) => !own.has(item.id)), ...mine], query);
  }

  async itemCount(service: string, kind: string): Promise<number> {
    const own = this.itemRecords.get(service)?.get(kind);
    if (this.removed.has(service)) return countOwn(own);
    const count = await this.base.itemCount(service, kind);
    if (!own || own.size === 0) return count;
    return this.adjustCount(service, new Map([[service, own]]), count, (ids) => this.base.itemsById(service, kind, ids));
  }

  async itemsOfSubjects(service: string, subjects: readonly string[]): Promise<Item[]> {
    const own = this.itemRecords.get(service);
    const gone = this.removed.has(service);
    if (!gone && !own) return this.base.itemsOfSubjects(service, subjects);
    const wanted = new Set(subjects);
    const fromBase = gone ? [] : await this.base.itemsOfSubjects(service, subjects);
    const mine: Item[] = [];
    for (const items of own?.values() ?? []) for (const item of items.values()) if (item?.subject != null && wanted.has(item.subject)) mine.push(item);
    return [...fromBase.filter((item) => !own?.get(item.kind)?.has(item.id)), ...mine].sort(compareKindThenItem);
  }

  /** Records of a service by key: those changed here, the rest as the base has them. */
  private async ownOverBase<R>(service: string, own: Map<string, R | null> | undefined, keys: readonly string[], inBase: (keys: readonly string[]) => Promise<Map<string, R>>): Promise<Map<string, R>> {
    const missing = this.removed.has(service) ? [] : own ? keys.filter((key) => !own.has(key)) : keys;
    const found = missing.length > 0 ? await inBase(missing) : new Map<string, R>();
    for (const key of keys) {
      const record = own?.get(key);
      if (record) found.set(key, record);
    }
    return found;
  }

  /** Badges and users of a removed service die with it, also those changed here before. */
  private dropContents(service: string): void {
    this.removed.add(service);
    for (const [key, change] of this.log) if (change.t !== 'service' && change.t !== 'service-' && change.s === service) this.log.delete(key);
    this.badgeRecords.delete(service);
    this.userRecords.delete(service);
    this.itemRecords.delete(service);
  }

  /** A base count corrected by what this overlay added and removed. */
  private async adjustCount<R>(
    service: string,
    records: Map<string, Map<string, R | null>>,
    baseCount: number,
    inBase: (names: string[]) => Promise<Map<string, unknown>>,
  ): Promise<number> {
    const own = records.get(service);
    if (!own || own.size === 0) return baseCount;
    const existing = await inBase([...own.keys()]);
    let count = baseCount;
    for (const [name, record] of own) {
      if (record && !existing.has(name)) count++;
      else if (!record && existing.has(name)) count--;
    }
    return count;
  }
}

function countOwn<R>(own: Map<string, R | null> | undefined): number {
  let count = 0;
  for (const record of own?.values() ?? []) if (record) count++;
  return count;
}

function inner<V>(outer: Map<string, Map<string, V>>, key: string): Map<string, V> {
  let map = outer.get(key);
  if (!map) outer.set(key, (map = new Map()));
  return map;
}

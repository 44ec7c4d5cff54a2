import type { SortKey } from '../../../types/api.js';
import type { Change } from '../../core/changes.js';
import { compareItems, compareKindThenItem } from '../../core/items.js';
import { isHidden } from '../../core/rules/services.js';
import { subjectOf } from '../../core/subjects.js';
import type { BadgeRecord, Item, ServiceRecord, UserRecord } from '../../core/model.js';
import type { DueExcept, ItemQuery, Reads, UserPlace } from '../../core/ports.js';
import { ItemIndex } from './item-index.js';
import type { Place } from './line-files.js';
import { SortedIndex } from './sorted-index.js';
import { PackedUsers, userPacker } from './packed-users.js';
import { Boards } from './boards.js';
import { MemberSet } from './member-set.js';
import { Names } from './names.js';

export interface ServiceState {
  record: ServiceRecord;
  badges: Map<string, BadgeRecord>;
  /** Packed: see packed-users.ts. */
  users: PackedUsers;
  /** badge name -> the numbers of the members holding it (see member-set.ts); keeps revocation and badge deletion off full scans. */
  holders: Map<string, MemberSet>;
  /** User orders for paging, built when first asked for and kept up to date from then on. */
  sorted: Map<SortKey, SortedIndex>;
  /** kind -> its items */
  items: Map<string, ItemIndex>;
  /** The names of its users and of its items' owners and subjects, numbered once for all of them (see names.ts). */
  itemNames: Names;
  /** Leaderboards and holders lists, built when first read (see boards.ts). */
  boards?: Boards;
}

/**
 * The embedded store's durable data in memory, with the indexes its reads need. It only applies
 * changes; the rules that make them live in the domain core.
 */
export class State implements Reads {
  readonly services = new Map<string, ServiceState>();
  /** Every service's users are packed by it: their keys and badge names are words of its dictionary. */
  private readonly packer = userPacker();

  apply(change: Change): void {
    switch (change.t) {
      case 'service': {
        const existing = this.services.get(change.v.name);
        if (existing) existing.record = change.v;
        else {
          const names = new Names();
          this.services.set(change.v.name, {
            record: change.v,
            badges: new Map(),
            users: new PackedUsers(this.packer, names),
            holders: new Map(),
            sorted: new Map(),
            items: new Map(),
            itemNames: names,
          });
        }
        return;
      }
      case 'service-':
        this.services.delete(change.n);
        return;
      case 'badge':
        this.services.get(change.s)?.badges.set(change.v.name, change.v);
        return;
      case 'badge-': {
        const service = this.services.get(change.s);
        service?.badges.delete(change.n);
        service?.holders.delete(change.n);
        service?.boards?.dropBadge(change.n);
        return;
      }
      case 'user':
      case 'user-': {
        const service = this.services.get(change.s);
        if (!service) return;
        const name = change.t === 'user' ? change.v.name : change.n;
        const packed = service.users.packedOf(name);
        const had = packed === undefined ? [] : service.users.badgesOf(packed);
        // Unpacked only for the indexes that keep users, which exist once someone has read them.
        const previous = packed !== undefined && (service.sorted.size > 0 || service.boards) ? service.users.get(name) : undefined;
        if (change.t === 'user-') {
          const member = service.users.numberOf(name);
          if (member !== undefined) for (const badge of had) service.holders.get(badge)?.delete(member);
          service.users.delete(name);
          for (const index of service.sorted.values()) index.update(previous, undefined);
          service.boards?.update(previous, undefined);
          return;
        }
        const member = service.users.set(name, change.v);
        const has = new Set(change.v.awards.map((award) => award.badge));
        for (const badge of had) if (!has.has(badge)) service.holders.get(badge)?.delete(member);
        for (const badge of has) hold(service, badge, member);
        for (const index of service.sorted.values()) index.update(previous, change.v);
        service.boards?.update(previous, change.v);
        return;
      }
      case 'item':
        this.putItem(change.s, change.v);
        return;
      case 'item-':
        this.services.get(change.s)?.items.get(change.k)?.remove(change.id);
        return;
    }
  }

  /** An item, with the place of its line when it was read from a snapshot file (see line-files.ts). */
  putItem(name: string, item: Item, place?: Place): void {
    const service = this.services.get(name);
    if (!service) return;
    let index = service.items.get(item.kind);
    if (!index) service.items.set(item.kind, (index = new ItemIndex(item.kind, service.itemNames)));
    // Journal lines and files written before subjects existed get their kind's.
    index.put({ ...item, subject: item.subject !== undefined ? item.subject : subjectOf(item) }, place);
  }

  /** The words of the users' packer, for a start image; null when it is too crowded to carry over. */
  userWordsToKeep(): string[] | null {
    return this.packer.crowded() ? null : this.packer.words();
  }

  /** A start image's words, before any user is read: false if it is too late, or they are not a dictionary. */
  restoreUserWords(words: readonly string[]): boolean {
    return this.packer.restoreWords(words);
  }

  /**
   * A service's users as a start image keeps them, packed by a packer of the words restored, into a
   * service that has none yet. False, and nothing changed, if a record is not one of this packer's.
   */
  restoreUsers(name: string, names: readonly string[], packed: readonly string[]): boolean {
    const service = this.services.get(name);
    if (!service) return true;
    // Every record is read (for its badges) before any is taken: a bad one leaves the service as it was.
    const badges: string[][] = [];
    try {
      for (const record of packed) badges.push(service.users.badgesOf(record));
    } catch {
      return false;
    }
    for (let i = 0; i < names.length; i++) {
      const member = service.users.restore(names[i]!, packed[i]!);
      for (const badge of badges[i]!) hold(service, badge, member);
    }
    return true;
  }

  /** A service's items of a kind, read whole (from the start image): `index` makes it, numbering its names in the service's. */
  putIndex(name: string, kind: string, index: (names: Names) => ItemIndex): void {
    const service = this.services.get(name);
    service?.items.set(kind, index(service.itemNames));
  }

  /** The service under another name, with all it holds; listed after the others, as a new one. */
  rename(from: string, to: string): void {
    const service = this.services.get(from);
    if (!service) return;
    this.services.delete(from);
    service.record = { ...service.record, name: to };
    this.services.set(to, service);
  }

  /** The index of a service's items of a kind, if it has any. */
  itemIndex(service: string, kind: string): ItemIndex | undefined {
    return this.services.get(service)?.items.get(kind);
  }

  /** Items of a kind due before `before`, of every service, earliest first, but those `except` names. */
  dueItems(kind: string, before: string, limit: number, except: DueExcept = {}): { service: string; item: Item }[] {
    const skipped = new Set(except.services);
    const busy = new Map<string, Set<string>>();
    for (const { service, owner } of except.owners ?? []) (busy.get(service) ?? busy.set(service, new Set()).get(service)!).add(owner);
    const due: { service: string; item: Item }[] = [];
    for (const [name, service] of this.services) {
      if (skipped.has(name) || isHidden(name)) continue;
      const owners = busy.get(name);
      // With owners to pass over, their items are read and dropped: the rest may lie behind them.
      const items = service.items.get(kind)?.select({ to: before, ...(owners ? {} : { limit }) }) ?? [];
      let taken = 0;
      for (const item of items) {
        if (owners && item.owner !== null && owners.has(item.owner)) continue;
        due.push({ service: name, item });
        if (++taken === limit) break;
      }
    }
    return due.sort((a, b) => compareItems(a.item, b.item)).slice(0, limit);
  }

  /** One page of the service's users in `sort` order, and how many users there are. */
  pageOfUsers(service: ServiceState, sort: SortKey, offset: number, limit: number): { users: UserRecord[]; total: number } {
    const index = this.sortedBy(service, sort);
    return { users: index.slice(offset, limit).map((name) => service.users.get(name)!), total: index.size };
  }

  /** Up to `limit` users in name order after `after` (from the first when null). */
  usersAfter(service: ServiceState, after: string | null, limit: number): UserRecord[] {
    return this.usersPage(service, 'name', after === null ? null : { key: after, name: after }, limit);
  }

  /** Up to `limit` users in `sort` order after `after` (from the first when null). */
  usersPage(service: ServiceState, sort: SortKey, after: UserPlace | null, limit: number): UserRecord[] {
    const index = this.sortedBy(service, sort);
    const names = after === null ? index.slice(0, limit) : index.after(after.key, after.name, limit);
    return names.map((name) => service.users.get(name)!);
  }

  /** The service's leaderboards and holders lists (see boards.ts). */
  boardsOf(service: ServiceState): Boards {
    return (service.boards ??= new Boards(
      () => [...service.users.keys()],
      (badge) => holderNames(service, badge),
      (name) => service.users.get(name),
    ));
  }

  private sortedBy(service: ServiceState, sort: SortKey): SortedIndex {
    let index = service.sorted.get(sort);
    if (!index) service.sorted.set(sort, (index = new SortedIndex(sort, service.users.values())));
    return index;
  }

  // Reads for the rules: what is durable. Units see what is not yet durable through an Overlay.

  async service(name: string) {
    return this.services.get(name)?.record;
  }
  async serviceIgnoringCase(name: string) {
    const lower = name.toLowerCase();
    for (const [other, service] of this.services) if (other.toLowerCase() === lower) return service.record;
    return undefined;
  }
  async badges(service: string, names: readonly string[]) {
    return pick(names, (name) => this.services.get(service)?.badges.get(name));
  }
  async badgeCount(service: string) {
    return this.services.get(service)?.badges.size ?? 0;
  }
  async allBadges(service: string) {
    return [...(this.services.get(service)?.badges.values() ?? [])];
  }
  async user(service: string, name: string) {
    return this.services.get(service)?.users.get(name);
  }
  async users(service: string, names: readonly string[]) {
    return pick(names, (name) => this.services.get(service)?.users.get(name));
  }
  async userCount(service: string) {
    return this.services.get(service)?.users.size ?? 0;
  }
  async holders(service: string, badge: string, except?: ReadonlySet<string>) {
    const state = this.services.get(service);
    const holders = state ? holderNames(state, badge) : [];
    return except ? holders.filter((name) => !except.has(name)) : holders;
  }
  async latestAward(service: string, badge: string, except?: ReadonlySet<string>) {
    const state = this.services.get(service);
    let latest: string | null = null;
    for (const member of state?.holders.get(badge)?.numbers() ?? []) {
      if (except?.has(state!.users.nameOf(member))) continue;
      const held = state!.users.latestOf(member, badge)!;
      if (latest === null || held > latest) latest = held;
    }
    return latest;
  }
  async item(service: string, kind: string, id: string) {
    return this.itemIndex(service, kind)?.get(id);
  }
  async itemsById(service: string, kind: string, ids: readonly string[]) {
    const index = this.itemIndex(service, kind);
    return pick(ids, (id) => index?.get(id));
  }
  async itemsByOwner(service: string, kind: string, owners: readonly string[], range: Pick<ItemQuery, 'from' | 'to'> = {}) {
    const index = this.itemIndex(service, kind);
    return new Map(owners.map((owner) => [owner, index?.select({ ...range, owner }) ?? []]));
  }
  async items(service: string, kind: string, query?: ItemQuery) {
    return this.itemIndex(service, kind)?.select(query) ?? [];
  }
  async itemCount(service: string, kind: string) {
    return this.itemIndex(service, kind)?.size ?? 0;
  }
  async itemsOfSubjects(service: string, subjects: readonly string[]) {
    const found: Item[] = [];
    for (const index of this.services.get(service)?.items.values() ?? []) for (const subject of new Set(subjects)) found.push(...index.select({ subject }));
    return found.sort(compareKindThenItem);
  }
}

/** Member number `member` holds `badge`: in its holders, made on the badge's first holder. */
function hold(service: ServiceState, badge: string, member: number): void {
  let holders = service.holders.get(badge);
  if (!holders) service.holders.set(badge, (holders = new MemberSet()));
  holders.add(member);
}

/** The names of the badge's holders. */
function holderNames(service: ServiceState, badge: string): string[] {
  return Array.from(service.holders.get(badge)?.numbers() ?? [], (member) => service.users.nameOf(member));
}

/** The records of `keys` that `get` finds. */
function pick<R>(keys: readonly string[], get: (key: string) => R | undefined): Map<string, R> {
  const found = new Map<string, R>();
  for (const key of keys) {
    const record = get(key);
    if (record) found.set(key, record);
  }
  return found;
}

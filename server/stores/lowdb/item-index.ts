import { compareItems, itemMatches } from '../../core/items.js';
import type { Item } from '../../core/model.js';
import type { ItemCount, ItemQuery } from '../../core/ports.js';
import type { LineFile, Place } from './line-files.js';

/**
 * An item as the embedded store keeps it: its value serialised until a checkpoint has written it,
 * then only where its line lies in the snapshot file (issue 25: a service may hold a million
 * events, and their values were most of its memory). Reads parse what they return.
 */
export class Kept {
  /** The value's JSON while it is in no snapshot file; undefined once `file` says where its line is. */
  json: string | undefined;
  /** Where the item's line is (inline rather than an object of its own: a million items). */
  file: LineFile | undefined = undefined;
  offset = 0;
  length = 0;
  /** Removed: left in the ordered list until the next compaction (see `remove`). */
  gone = false;

  constructor(
    readonly id: string,
    readonly owner: string | null,
    readonly subject: string | null,
    readonly at: string,
    json: string | undefined,
  ) {
    this.json = json;
  }

  /** The item's line is durable at this place: its value need not stay in memory. */
  placeAt({ file, offset, length }: Place): void {
    this.file = file;
    this.offset = offset;
    this.length = length;
    this.json = undefined;
  }

  /** The item's whole line as a snapshot file holds it (from the file, if that is where it is). */
  line(kind: string): string {
    if (this.json === undefined) return this.stored();
    return `{"kind":${JSON.stringify(kind)},"id":${JSON.stringify(this.id)},"owner":${JSON.stringify(this.owner)},"subject":${JSON.stringify(this.subject)},"at":${JSON.stringify(this.at)},"v":${this.json}}`;
  }

  value(): unknown {
    return this.json === undefined ? (JSON.parse(this.stored()) as { v: unknown }).v : JSON.parse(this.json);
  }

  /** The line as its file holds it. */
  private stored(): string {
    return this.file!.read(this.offset, this.length);
  }
}

/**
 * One service's items of one kind, by id, in (at, id) order, per owner and per data subject. Items mostly arrive in
 * time order and leave oldest first (retention), so the order is an array appended at its end;
 * removals only mark an entry, and the array is compacted once half of it is marked.
 */
export class ItemIndex {
  private readonly byId = new Map<string, Kept>();
  private ordered: Kept[] = [];
  private goneCount = 0;
  private readonly byOwner = new Map<string, Kept[]>();
  private readonly bySubject = new Map<string, Kept[]>();

  constructor(readonly kind: string) {}

  get size(): number {
    return this.byId.size;
  }

  get(id: string): Item | undefined {
    const kept = this.byId.get(id);
    return kept && this.item(kept);
  }

  /** The time of the item now held under `id`, if any. */
  atOf(id: string): string | undefined {
    return this.byId.get(id)?.at;
  }

  /** The item held under `id` as kept: unparsed, for a checkpoint to write as it is. */
  kept(id: string): Kept | undefined {
    return this.byId.get(id);
  }

  /**
   * `item` names its subject (a unit fills it in: see core/subjects.ts). `place`: the item was read
   * from that line of a snapshot file, and its value stays there.
   */
  put(item: Item & { subject: string | null }, place?: Place): void {
    this.remove(item.id);
    // One copy of an owner's name for all their items, and of a time for the items of one unit:
    // strings parsed from files are each new.
    const owner = item.owner === null ? null : (this.byOwner.get(item.owner)?.[0]?.owner ?? item.owner);
    const subject = item.subject === null ? null : item.subject === owner ? owner : (this.bySubject.get(item.subject)?.[0]?.subject ?? item.subject);
    const last = this.ordered.at(-1);
    const at = last?.at === item.at ? last.at : item.at;
    const kept = new Kept(item.id, owner, subject, at, place ? undefined : JSON.stringify(item.v));
    if (place) kept.placeAt(place);
    this.byId.set(item.id, kept);
    insertSorted(this.ordered, kept);
    // Read from a file (a start): lists grow by push, and `settle` trims them once all are read.
    const exact = place === undefined;
    if (kept.owner !== null) insertInto(this.byOwner, kept.owner, kept, exact);
    if (aboutAnother(kept)) insertInto(this.bySubject, kept.subject!, kept, exact);
  }

  /** After a start's puts: short lists take their exact length (see SHORT). */
  settle(): void {
    for (const lists of [this.byOwner, this.bySubject]) {
      for (const [key, list] of lists) if (list.length < SHORT) lists.set(key, list.slice());
    }
  }

  remove(id: string): void {
    const kept = this.byId.get(id);
    if (!kept) return;
    this.byId.delete(id);
    kept.gone = true;
    this.goneCount++;
    if (kept.owner !== null) removeFrom(this.byOwner, kept.owner, kept);
    if (aboutAnother(kept)) removeFrom(this.bySubject, kept.subject!, kept);
    if (this.goneCount > 1024 && this.goneCount * 2 > this.ordered.length) {
      this.ordered = this.ordered.filter((entry) => !entry.gone);
      this.goneCount = 0;
    }
  }

  /** `offset` items are skipped before any is read. */
  select(query: ItemQuery & { offset?: number } = {}): Item[] {
    const list = this.listFor(query);
    let start = query.from === undefined ? 0 : lowerBound(list, query.from);
    let end = query.to === undefined ? list.length : lowerBound(list, query.to);
    // A cursor narrows the range to its time; items of the same time are sorted out by itemMatches.
    if (query.after && query.order === 'desc') end = Math.min(end, lowerBound(list, query.after.at + '\0'));
    else if (query.after) start = Math.max(start, lowerBound(list, query.after.at));
    const limit = query.limit ?? Infinity;
    const found: Item[] = [];
    let skip = query.offset ?? 0;
    const descending = query.order === 'desc';
    for (let i = descending ? end - 1 : start; descending ? i >= start : i < end; descending ? i-- : i++) {
      const kept = list[i]!;
      if (found.length >= limit) break;
      if (kept.gone || !itemMatches(kept, query)) continue;
      if (skip > 0) skip--;
      else found.push(this.item(kept));
    }
    return found;
  }

  /**
   * The items of `at` in [from, to), as kept: unparsed, for a checkpoint to write as they are. Their
   * fields never change (a change keeps a new entry), so holding them is a snapshot.
   */
  keptRange(from: string, to: string): Kept[] {
    const found: Kept[] = [];
    for (let i = lowerBound(this.ordered, from), end = lowerBound(this.ordered, to); i < end; i++) {
      const kept = this.ordered[i]!;
      if (!kept.gone) found.push(kept);
    }
    return found;
  }

  /** The hours ("2026-11-29T15") of the items' times: the files a checkpoint keeps them in. */
  hours(): Set<string> {
    const hours = new Set<string>();
    for (const kept of this.ordered) if (!kept.gone) hours.add(kept.at.slice(0, 13));
    return hours;
  }

  count(query: ItemCount = {}): number {
    const list = this.listFor(query);
    const start = query.from === undefined ? 0 : lowerBound(list, query.from);
    const end = query.to === undefined ? list.length : lowerBound(list, query.to);
    if (end <= start) return 0;
    if (list !== this.ordered || this.goneCount === 0) return end - start;
    let count = 0;
    for (let i = start; i < end; i++) if (!list[i]!.gone) count++;
    return count;
  }

  /**
   * The narrowest list a query reads: a subject's, an owner's, or all; itemMatches does the rest.
   * A subject's items are those it owns about itself (kept in its owner's list only: most items)
   * and those others own about it, merged in order.
   */
  private listFor(query: Pick<ItemQuery, 'owner' | 'subject'>): Kept[] {
    if (query.subject !== undefined) {
      const others = this.bySubject.get(query.subject) ?? [];
      const own = (this.byOwner.get(query.subject) ?? []).filter((kept) => kept.subject === query.subject);
      return own.length === 0 ? others : others.length === 0 ? own : mergeSorted(own, others);
    }
    return query.owner === undefined ? this.ordered : (this.byOwner.get(query.owner) ?? []);
  }

  private item(kept: Kept): Item {
    return { kind: this.kind, id: kept.id, owner: kept.owner, subject: kept.subject, at: kept.at, v: kept.value() };
  }
}

/** Items whose subject is someone other than their owner: only these are listed by subject apart. */
const aboutAnother = (kept: Kept) => kept.subject !== null && kept.subject !== kept.owner;

/**
 * Lists of one owner or subject are mostly short (a member's few awards). An array grown by push
 * keeps room for 16 more (about 110 bytes each, for 100,000 members and several kinds: tens of MB,
 * issue 25), so a short list is copied to its exact length instead; at a start, where a copy per
 * item read was a quarter of the indexing's time, once after all are read (`settle`).
 */
const SHORT = 32;

function insertInto(lists: Map<string, Kept[]>, key: string, kept: Kept, exact: boolean): void {
  const list = lists.get(key);
  if (!list) lists.set(key, [kept]);
  else if (list.length >= SHORT || !exact) insertSorted(list, kept);
  else {
    const at = positionOf(list, kept);
    lists.set(key, at === list.length ? list.concat([kept]) : list.slice(0, at).concat([kept], list.slice(at)));
  }
}

function removeFrom(lists: Map<string, Kept[]>, key: string, kept: Kept): void {
  const list = lists.get(key)!;
  const at = list.indexOf(kept);
  if (list.length === 1) lists.delete(key);
  else if (list.length <= SHORT) lists.set(key, list.slice(0, at).concat(list.slice(at + 1)));
  else list.splice(at, 1);
}

/** Two lists in (at, id) order as one. */
function mergeSorted(a: Kept[], b: Kept[]): Kept[] {
  const merged: Kept[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) merged.push(j >= b.length || (i < a.length && compareItems(a[i]!, b[j]!) < 0) ? a[i++]! : b[j++]!);
  return merged;
}

/** Where `kept` goes in a list in (at, id) order. */
function positionOf(list: Kept[], kept: Kept): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compareItems(list[mid]!, kept) < 0) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Inserts in (at, id) order; at the end, where items in time order go, without a search. */
function insertSorted(list: Kept[], kept: Kept): void {
  const last = list.at(-1);
  if (!last || compareItems(last, kept) < 0) {
    list.push(kept);
    return;
  }
  list.splice(positionOf(list, kept), 0, kept);
}

/** The first position whose `at` is not before `at`. */
function lowerBound(list: Kept[], at: string): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (list[mid]!.at < at) low = mid + 1;
    else high = mid;
  }
  return low;
}

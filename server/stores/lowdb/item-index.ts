import { compareItems, itemMatches } from '../../core/items.js';
import type { Item } from '../../core/model.js';
import { compareCodePoints } from '../../core/order.js';
import type { ItemCount, ItemQuery } from '../../core/ports.js';
import { hoursOf, isoOf, timeOf } from './item-times.js';
import type { LineFile, Place } from './line-files.js';
import { Names } from './names.js';
import { PackedStrings, type PackedParts } from './packed-strings.js';
import { RowsById } from './rows-by-id.js';

/**
 * Where a row's value is: its JSON while it is in no snapshot file, the file once a checkpoint has
 * written its line (at the row's offset), null once the item is removed.
 */
type Where = string | LineFile | null;

/**
 * An index's live rows as plain columns, in (at, id) order: what the start image keeps of it.
 * Owners and subjects are numbers into `names` (-1: none), files numbers into the image's list.
 */
export interface ItemColumns {
  ids: PackedParts;
  names: string[];
  owners: Int32Array<ArrayBuffer>;
  subjects: Int32Array<ArrayBuffer>;
  files: Int32Array<ArrayBuffer>;
  times: Float64Array<ArrayBuffer>;
  offsets: Float64Array<ArrayBuffer>;
  lengths: Uint32Array<ArrayBuffer>;
  /** Rows whose time is not in the core's form (NaN in `times`), with the time as written. */
  odd: [number, string][];
  /** The rows' id table (see RowsById.table), when it was made by this version's hash. */
  slots?: Int32Array<ArrayBuffer>;
}

/** The fields of one item, as `itemMatches` and `compareItems` read them. */
interface Fields {
  id: string;
  owner: string | null;
  subject: string | null;
  at: string;
}

/**
 * An item as a checkpoint takes it: its fields when it was taken, its value where it was then. A
 * checkpoint writes it and tells the index where its line landed (`placeAt`); the index takes the
 * place only if the item it holds under that id is still this one.
 */
export class Kept implements Fields {
  constructor(
    private readonly index: ItemIndex,
    readonly id: string,
    readonly owner: string | null,
    readonly subject: string | null,
    /** The time as the index keeps it (see item-times.ts), and as written. */
    readonly time: number,
    readonly at: string,
    /** The value's JSON, if it was in no snapshot file. */
    readonly json: string | undefined,
    /** Otherwise the file its line is in, and where. */
    readonly file: LineFile | undefined,
    readonly offset: number,
    readonly length: number,
  ) {}

  /** The item's whole line as a snapshot file holds it (from the file, if that is where it is). */
  line(kind: string): string {
    if (this.json === undefined) return this.file!.read(this.offset, this.length);
    return `{"kind":${JSON.stringify(kind)},"id":${JSON.stringify(this.id)},"owner":${JSON.stringify(this.owner)},"subject":${JSON.stringify(this.subject)},"at":${JSON.stringify(this.at)},"v":${this.json}}`;
  }

  /** The item's line is durable at this place: its value need not stay in memory. */
  placeAt(place: Place): void {
    this.index.place(this, place);
  }
}

/**
 * One service's items of one kind, by id, in (at, id) order, per owner and per data subject.
 *
 * An item is a row of columns rather than an object (issue 25: a service with a million events held
 * a million objects, with their headers, pointers and times; the start-up built them all and the
 * collector walked them). A row is a number; the order, the owners' and the subjects' lists are
 * lists of rows. Items mostly arrive in time order and leave oldest first (retention), so the order
 * is appended at its end; removals only mark a row, and the columns are compacted once half of
 * their rows are marked.
 */
export class ItemIndex {
  /** Row n's id is string n: packed, as a start made millions of them (see packed-strings.ts). */
  private ids = new PackedStrings();
  private readonly byId = new RowsById(() => this.ids);
  /** Owners and subjects as numbers of `names` (-1: none). */
  private names = new Names();
  private owners: Int32Array<ArrayBuffer> = new Int32Array(64);
  private subjects: Int32Array<ArrayBuffer> = new Int32Array(64);
  /** Each row's time in milliseconds; NaN where its form is not the core's, kept in `odd` instead. */
  private times: Float64Array<ArrayBuffer> = new Float64Array(64);
  private odd = new Map<number, string>();
  private wheres: Where[] = [];
  /** Where a placed row's line is in its file: typed, at 12 bytes a row where two arrays of numbers took 20. */
  private offsets: Float64Array<ArrayBuffer> = new Float64Array(64);
  private lengths: Uint32Array<ArrayBuffer> = new Uint32Array(64);
  /** Rows in (at, id) order, removed ones included until the next compaction. */
  private ordered: number[] = [];
  private goneCount = 0;
  /** Rows by the number of their owner, and of their subject where it is not the owner. */
  private byOwner: (number[] | undefined)[] = [];
  private bySubject: (number[] | undefined)[] = [];
  /** Its lists have their exact lengths: read from a start image, or settled once. */
  private settled = false;
  /** Rows read as items by the core's one meaning of an item query, without an object per row. */
  private readonly probe: Fields = { id: '', owner: null, subject: null, at: '' };
  private readonly other: Fields = { id: '', owner: null, subject: null, at: '' };

  constructor(readonly kind: string) {}

  get size(): number {
    return this.byId.size;
  }

  get(id: string): Item | undefined {
    const row = this.byId.get(id);
    return row === undefined ? undefined : this.item(row);
  }

  /** The time of the item now held under `id`, if any. */
  atOf(id: string): string | undefined {
    const row = this.byId.get(id);
    return row === undefined ? undefined : this.at(row);
  }

  /** The item held under `id` as kept: unparsed, for a checkpoint to write as it is. */
  kept(id: string): Kept | undefined {
    const row = this.byId.get(id);
    return row === undefined ? undefined : this.keptAt(row);
  }

  /**
   * `item` names its subject (a unit fills it in: see core/subjects.ts). `place`: the item was read
   * from that line of a snapshot file, and its value stays there.
   */
  put(item: Item & { subject: string | null }, place?: Place): void {
    this.remove(item.id);
    const owner = this.names.take(item.owner);
    const subject = this.names.take(item.subject);
    const row = this.ids.push(item.id);
    if (row === this.times.length) {
      const size = row + (row >> 1);
      this.times = grown(this.times, size);
      this.offsets = grown(this.offsets, size);
      this.lengths = grown(this.lengths, size);
      this.owners = grown(this.owners, size);
      this.subjects = grown(this.subjects, size);
    }
    this.owners[row] = owner;
    this.subjects[row] = subject;
    const time = timeOf(item.at);
    this.times[row] = time;
    if (time !== time) this.odd.set(row, item.at);
    this.wheres.push(place ? place.file : JSON.stringify(item.v));
    this.offsets[row] = place ? place.offset : 0;
    this.lengths[row] = place ? place.length : 0;
    this.byId.add(row);
    this.insertSorted(this.ordered, row);
    // Read from a file (a start): lists grow by push, and `settle` trims them once all are read.
    const exact = place === undefined;
    if (owner >= 0) this.insertInto(this.byOwner, owner, row, exact);
    if (subject >= 0 && subject !== owner) this.insertInto(this.bySubject, subject, row, exact);
  }

  /**
   * The live rows as columns, in (at, id) order, for the start image (item-image.ts); null when a
   * row's value is in no snapshot file, as the image holds places, not values.
   */
  columns(fileNumber: (file: LineFile) => number): ItemColumns | null {
    if (this.ordered.some((row) => typeof this.wheres[row] === 'string')) return null;
    const { live, ids, names, ...copied } = this.liveColumns((rows) => rows);
    const files = new Int32Array(live.length);
    for (let now = 0; now < live.length; now++) files[now] = fileNumber(this.wheres[live[now]!] as LineFile);
    // The id table of these rows, so that a start need not hash two million ids again.
    const table = new RowsById(() => ids);
    table.rebuild(Array.from(live, (_, row) => row));
    return { ...copied, ids: ids.parts(), names: names.all(), files, slots: table.table() };
  }

  /** The index the columns of `columns()` describe, its rows' lines in `files`. It takes their arrays as its own. */
  static fromColumns(kind: string, columns: ItemColumns, files: readonly LineFile[]): ItemIndex {
    const index = new ItemIndex(kind);
    const rows = columns.ids.starts.length - 1;
    const room = Math.max(64, rows + (rows >> 2));
    index.ids = PackedStrings.fromParts(columns.ids);
    index.names = Names.of(columns.names);
    // A plain loop: a mapping callback per row was a tenth of a start's time.
    const wheres = (index.wheres = new Array<Where>(rows));
    const ordered = (index.ordered = new Array<number>(rows));
    for (let row = 0; row < rows; row++) {
      wheres[row] = files[columns.files[row]!]!;
      ordered[row] = row;
      index.names.use(columns.owners[row]!);
      index.names.use(columns.subjects[row]!);
    }
    index.times = grown(columns.times, room);
    index.offsets = grown(columns.offsets, room);
    index.lengths = grown(columns.lengths, room);
    index.owners = grown(columns.owners, room);
    index.subjects = grown(columns.subjects, room);
    index.odd = new Map(columns.odd);
    index.buildLists(rows);
    index.settled = true;
    if (columns.slots) index.byId.restore(columns.slots, rows);
    else index.byId.rebuild(ordered);
    return index;
  }

  /**
   * The owners' and subjects' lists anew, of rows 0 to `rows` - 1, which are in (at, id) order:
   * each at its exact length (see SHORT), counted first and then filled in order.
   */
  private buildLists(rows: number): void {
    const names = this.names.count;
    const ownerCounts = new Int32Array(names);
    const subjectCounts = new Int32Array(names);
    for (let row = 0; row < rows; row++) {
      const owner = this.owners[row]!;
      const subject = this.subjects[row]!;
      if (owner >= 0) ownerCounts[owner]!++;
      if (subject >= 0 && subject !== owner) subjectCounts[subject]!++;
    }
    const byOwner = (this.byOwner = Array.from(ownerCounts, (count) => (count > 0 ? new Array<number>(count) : undefined)));
    const bySubject = (this.bySubject = Array.from(subjectCounts, (count) => (count > 0 ? new Array<number>(count) : undefined)));
    ownerCounts.fill(0);
    subjectCounts.fill(0);
    for (let row = 0; row < rows; row++) {
      const owner = this.owners[row]!;
      const subject = this.subjects[row]!;
      if (owner >= 0) byOwner[owner]![ownerCounts[owner]!++] = row;
      if (subject >= 0 && subject !== owner) bySubject[subject]![subjectCounts[subject]!++] = row;
    }
  }

  /** Numbers of `names` for this index's, each use counted: each name asked for is numbered in the order asked. */
  private renaming(names: Names): (n: number) => number {
    const old = this.names;
    const renamed = new Int32Array(old.count).fill(-1);
    return (n) => {
      if (n < 0) return -1;
      if (renamed[n]! < 0) renamed[n] = names.take(old.nameOf(n));
      else names.use(renamed[n]!);
      return renamed[n]!;
    };
  }

  /** After a start's puts: short lists take their exact length (see SHORT). */
  settle(): void {
    if (this.settled) return;
    this.settled = true;
    for (const lists of [this.byOwner, this.bySubject]) {
      lists.forEach((list, n) => {
        if (list && list.length < SHORT) lists[n] = list.slice();
      });
    }
  }

  remove(id: string): void {
    const row = this.byId.delete(id);
    if (row === undefined) return;
    this.wheres[row] = null;
    this.goneCount++;
    const owner = this.owners[row]!;
    const subject = this.subjects[row]!;
    if (owner >= 0) this.removeFrom(this.byOwner, owner, row);
    if (subject >= 0 && subject !== owner) this.removeFrom(this.bySubject, subject, row);
    // The numbers may go to other names: the removed row keeps none.
    this.names.release(owner);
    this.names.release(subject);
    this.owners[row] = -1;
    this.subjects[row] = -1;
    if (this.goneCount > 1024 && this.goneCount * 2 > this.ordered.length) this.compact();
  }

  /** `offset` items are skipped before any is read. */
  select(query: ItemQuery & { offset?: number } = {}): Item[] {
    const list = this.listFor(query);
    let start = query.from === undefined ? 0 : this.lowerBound(list, query.from);
    let end = query.to === undefined ? list.length : this.lowerBound(list, query.to);
    // A cursor narrows the range to its time; items of the same time are sorted out by itemMatches.
    if (query.after && query.order === 'desc') end = Math.min(end, this.lowerBound(list, query.after.at + '\0'));
    else if (query.after) start = Math.max(start, this.lowerBound(list, query.after.at));
    const limit = query.limit ?? Infinity;
    const found: Item[] = [];
    let skip = query.offset ?? 0;
    const descending = query.order === 'desc';
    for (let i = descending ? end - 1 : start; descending ? i >= start : i < end; descending ? i-- : i++) {
      const row = list[i]!;
      if (found.length >= limit) break;
      if (this.wheres[row] === null) continue;
      const fields = this.fields(row);
      if (!itemMatches(fields, query)) continue;
      if (skip > 0) skip--;
      else found.push(this.item(row, fields.at));
    }
    return found;
  }

  /**
   * The items of `at` in [from, to), as kept: unparsed, for a checkpoint to write as they are. Their
   * fields never change (a change keeps a new row), so holding them is a snapshot.
   */
  keptRange(from: string, to: string): Kept[] {
    const found: Kept[] = [];
    for (let i = this.lowerBound(this.ordered, from), end = this.lowerBound(this.ordered, to); i < end; i++) {
      const row = this.ordered[i]!;
      if (this.wheres[row] !== null) found.push(this.keptAt(row));
    }
    return found;
  }

  /** The hours ("2026-11-29T15") of the items' times: the files a checkpoint keeps them in. */
  hours(): Set<string> {
    const times: number[] = [];
    const hours = new Set<string>();
    for (const row of this.ordered) {
      if (this.wheres[row] === null) continue;
      const time = this.times[row]!;
      if (time === time) times.push(time);
      else hours.add(this.odd.get(row)!.slice(0, 13));
    }
    for (const hour of hoursOf(times)) hours.add(hour);
    return hours;
  }

  count(query: ItemCount = {}): number {
    const list = this.listFor(query);
    const start = query.from === undefined ? 0 : this.lowerBound(list, query.from);
    const end = query.to === undefined ? list.length : this.lowerBound(list, query.to);
    if (end <= start) return 0;
    if (list !== this.ordered || this.goneCount === 0) return end - start;
    let count = 0;
    for (let i = start; i < end; i++) if (this.wheres[list[i]!] !== null) count++;
    return count;
  }

  /**
   * A checkpoint wrote `kept`'s line at `place`. The row under its id takes the place if it still
   * holds that item, with the value where `kept` found it: one changed or removed meanwhile has
   * another line to come, and one placed meanwhile already has a durable line.
   */
  place(kept: Kept, place: Place): void {
    const row = this.byId.get(kept.id);
    if (row === undefined) return;
    const where = this.wheres[row];
    const time = this.times[row]!;
    const same =
      (time === time ? time === kept.time : this.odd.get(row) === kept.at) &&
      this.names.nameOf(this.owners[row]!) === kept.owner &&
      this.names.nameOf(this.subjects[row]!) === kept.subject &&
      (typeof where === 'string' ? where === kept.json : where === kept.file && this.offsets[row] === kept.offset);
    if (!same) return;
    this.wheres[row] = place.file;
    this.offsets[row] = place.offset;
    this.lengths[row] = place.length;
  }

  /**
   * The narrowest list a query reads: a subject's, an owner's, or all; itemMatches does the rest.
   * A subject's items are those it owns about itself (kept in its owner's list only: most items)
   * and those others own about it, merged in order.
   */
  private listFor(query: Pick<ItemQuery, 'owner' | 'subject'>): number[] {
    if (query.subject !== undefined) {
      const n = this.names.find(query.subject);
      if (n === undefined) return [];
      const others = this.bySubject[n] ?? [];
      const own = (this.byOwner[n] ?? []).filter((row) => this.subjects[row] === n);
      return own.length === 0 ? others : others.length === 0 ? own : this.mergeSorted(own, others);
    }
    if (query.owner === undefined) return this.ordered;
    const n = this.names.find(query.owner);
    return n === undefined ? [] : (this.byOwner[n] ?? []);
  }

  private item(row: number, at = this.at(row)): Item {
    const where = this.wheres[row]!;
    const v: unknown = typeof where === 'string' ? JSON.parse(where) : (JSON.parse(where.read(this.offsets[row]!, this.lengths[row]!)) as { v: unknown }).v;
    return { kind: this.kind, id: this.ids.get(row), owner: this.names.nameOf(this.owners[row]!), subject: this.names.nameOf(this.subjects[row]!), at, v };
  }

  private keptAt(row: number): Kept {
    const where = this.wheres[row]!;
    const json = typeof where === 'string' ? where : undefined;
    const file = typeof where === 'string' ? undefined : where;
    return new Kept(this, this.ids.get(row), this.names.nameOf(this.owners[row]!), this.names.nameOf(this.subjects[row]!), this.times[row]!, this.at(row), json, file, this.offsets[row]!, this.lengths[row]!);
  }

  /** The row's time as written. */
  private at(row: number): string {
    const time = this.times[row]!;
    return time === time ? isoOf(time) : this.odd.get(row)!;
  }

  /** The row's fields in the one object kept for that: read before the next call. */
  private fields(row: number, into = this.probe): Fields {
    into.id = this.ids.get(row);
    into.owner = this.names.nameOf(this.owners[row]!);
    into.subject = this.names.nameOf(this.subjects[row]!);
    into.at = this.at(row);
    return into;
  }

  /** compareItems: by numbers where both times are in the core's form, whose order is their strings'. */
  private compareRows(a: number, b: number): number {
    const timeA = this.times[a]!;
    const timeB = this.times[b]!;
    if (timeA === timeA && timeB === timeB) return timeA < timeB ? -1 : timeA > timeB ? 1 : compareCodePoints(this.ids.get(a), this.ids.get(b));
    return compareItems(this.fields(a), this.fields(b, this.other));
  }

  /** The rows not removed, in (at, id) order. */
  private liveRows(): number[] {
    const live: number[] = [];
    for (const row of this.ordered) if (this.wheres[row] !== null) live.push(row);
    return live;
  }

  /**
   * The live rows' columns, renumbered 0, 1, 2... in (at, id) order, in arrays of `room(rows)`
   * rows, their owners and subjects numbered anew: what a compaction keeps and a start image holds.
   */
  private liveColumns(room: (rows: number) => number): Omit<ItemColumns, 'ids' | 'names' | 'files' | 'slots'> & { live: number[]; ids: PackedStrings; names: Names } {
    const live = this.liveRows();
    const size = room(live.length);
    const names = new Names();
    const rename = this.renaming(names);
    const owners = new Int32Array(size);
    const subjects = new Int32Array(size);
    const times = new Float64Array(size);
    const offsets = new Float64Array(size);
    const lengths = new Uint32Array(size);
    const odd: [number, string][] = [];
    for (let now = 0; now < live.length; now++) {
      const row = live[now]!;
      owners[now] = rename(this.owners[row]!);
      subjects[now] = rename(this.subjects[row]!);
      times[now] = this.times[row]!;
      offsets[now] = this.offsets[row]!;
      lengths[now] = this.lengths[row]!;
      if (this.odd.has(row)) odd.push([now, this.odd.get(row)!]);
    }
    return { live, ids: this.ids.pick(live), names, owners, subjects, times, offsets, lengths, odd };
  }

  /**
   * The columns without their removed rows (see liveColumns). A checkpoint holding `Kept`s
   * meanwhile is unaffected: they name ids.
   */
  private compact(): void {
    const { live, ids, names, owners, subjects, times, offsets, lengths, odd } = this.liveColumns((rows) => Math.max(64, rows + (rows >> 2)));
    this.wheres = live.map((row) => this.wheres[row]!);
    this.ids = ids;
    this.names = names;
    this.owners = owners;
    this.subjects = subjects;
    this.times = times;
    this.offsets = offsets;
    this.lengths = lengths;
    this.odd = new Map(odd);
    this.ordered = Array.from(live, (_, row) => row);
    this.goneCount = 0;
    this.byId.rebuild(this.ordered);
    this.buildLists(live.length);
  }

  private insertInto(lists: (number[] | undefined)[], key: number, row: number, exact: boolean): void {
    const list = lists[key];
    if (!list) lists[key] = [row];
    else if (list.length >= SHORT || !exact) this.insertSorted(list, row);
    else {
      const at = this.positionOf(list, row);
      lists[key] = at === list.length ? list.concat([row]) : list.slice(0, at).concat([row], list.slice(at));
    }
  }

  private removeFrom(lists: (number[] | undefined)[], key: number, row: number): void {
    const list = lists[key]!;
    const at = list.indexOf(row);
    if (list.length === 1) lists[key] = undefined;
    else if (list.length <= SHORT) lists[key] = list.slice(0, at).concat(list.slice(at + 1));
    else list.splice(at, 1);
  }

  /** Two lists in (at, id) order as one. */
  private mergeSorted(a: number[], b: number[]): number[] {
    const merged: number[] = [];
    let i = 0;
    let j = 0;
    while (i < a.length || j < b.length) merged.push(j >= b.length || (i < a.length && this.compareRows(a[i]!, b[j]!) < 0) ? a[i++]! : b[j++]!);
    return merged;
  }

  /** Where `row` goes in a list in (at, id) order. */
  private positionOf(list: number[], row: number): number {
    let low = 0;
    let high = list.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.compareRows(list[mid]!, row) < 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** Inserts in (at, id) order; at the end, where items in time order go, without a search. */
  private insertSorted(list: number[], row: number): void {
    const last = list.at(-1);
    if (last === undefined || this.compareRows(last, row) < 0) list.push(row);
    else list.splice(this.positionOf(list, row), 0, row);
  }

  /** The first position whose `at` is not before `at` (by numbers where both are in the core's form). */
  private lowerBound(list: number[], at: string): number {
    const bound = timeOf(at);
    let low = 0;
    let high = list.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const time = this.times[list[mid]!]!;
      if (time === time && bound === bound ? time < bound : this.at(list[mid]!) < at) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

/** `column` with room for `size` rows (at least 64). */
function grown<Column extends Float64Array<ArrayBuffer> | Uint32Array<ArrayBuffer> | Int32Array<ArrayBuffer>>(column: Column, size: number): Column {
  const bigger = new (column.constructor as new (size: number) => Column)(Math.max(64, size));
  bigger.set(column);
  return bigger;
}

/**
 * Lists of one owner or subject are mostly short (a member's few awards). An array grown by push
 * keeps room for 16 more (about 70 bytes each, for 100,000 members and several kinds: tens of MB,
 * issue 25), so a short list is copied to its exact length instead; at a start, where a copy per
 * item read was a quarter of the indexing's time, once after all are read (`settle`).
 */
const SHORT = 32;

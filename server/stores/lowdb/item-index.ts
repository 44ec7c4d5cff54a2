import { compareItems, itemMatches } from '../../core/items.js';
import type { Item } from '../../core/model.js';
import type { ItemCount, ItemQuery } from '../../core/ports.js';
import { hoursOf, isoOf, timeOf } from './item-times.js';
import type { LineFile, Place } from './line-files.js';
import { grownColumn, newColumn, type Column } from './grown-column.js';
import { Names } from './names.js';
import { PackedStrings, type PackedParts } from './packed-strings.js';
import { PendingValues } from './pending-values.js';
import { RowColumn } from './row-column.js';
import { RowLists } from './row-lists.js';
import { RowsById } from './rows-by-id.js';

/**
 * Where a row's value is, in its `files` column: a number of the index's LineFiles once a checkpoint
 * has written its line (at the row's offset); PENDING while it is in no snapshot file, its JSON in
 * `pending`; GONE once the item is removed.
 */
const GONE = -1;
const PENDING = -2;

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
    /** The time as the index keeps it (see item-times.ts); as written where that is not the core's form (NaN). */
    readonly time: number,
    private readonly oddAt: string | undefined,
    /** The value's JSON, if it was in no snapshot file. */
    readonly json: string | undefined,
    /** Otherwise the file its line is in, and where. */
    readonly file: LineFile | undefined,
    readonly offset: number,
    readonly length: number,
  ) {}

  /** The time as written: formatted when asked, as a checkpoint takes hundreds of thousands of these and reads few. */
  get at(): string {
    return this.time === this.time ? isoOf(this.time) : this.oddAt!;
  }

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
  /**
   * Owners and subjects as numbers of `names` (-1: none): the service's, which every kind shares, as
   * the same members own most of each kind's items (see names.ts).
   */
  private readonly names: Names;
  private owners: Int32Array<ArrayBuffer> = new Int32Array(64);
  private subjects: Int32Array<ArrayBuffer> = new Int32Array(64);
  /** Each row's time in milliseconds; NaN where its form is not the core's, kept in `odd` instead. */
  private times: Float64Array<ArrayBuffer> = new Float64Array(64);
  private odd = new Map<number, string>();
  private files: Int32Array<ArrayBuffer> = new Int32Array(64);
  private lineFiles = new FileNumbers();
  /** How many files were numbered at the last count (see fileNumber). */
  private filesCounted = 0;
  /** The JSON of rows in no snapshot file yet (PENDING), at their `offsets` and `lengths`. */
  private pending = new PendingValues();
  /** Where a placed row's line is in its file: typed, at 12 bytes a row where two arrays of numbers took 20. */
  private offsets: Float64Array<ArrayBuffer> = new Float64Array(64);
  private lengths: Uint32Array<ArrayBuffer> = new Uint32Array(64);
  /** Rows in (at, id) order, removed ones included until the next compaction. */
  private ordered = new RowColumn(64);
  private goneCount = 0;
  private readonly order = (a: number, b: number): number => this.compareRows(a, b);
  /** Rows by the number of their owner, and of their subject where it is not the owner. */
  private byOwner = new RowLists(this.order);
  private bySubject = new RowLists(this.order);
  /** Rows read as items by the core's one meaning of an item query, without an object per row. */
  private readonly probe: Fields = { id: '', owner: null, subject: null, at: '' };
  private readonly other: Fields = { id: '', owner: null, subject: null, at: '' };

  constructor(
    readonly kind: string,
    names = new Names(),
  ) {
    this.names = names;
  }

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
    // Numbered before the row is: a count of the files' numbers reads every row there is.
    const file = place ? this.fileNumber(place.file) : PENDING;
    const row = this.ids.push(item.id);
    if (row === this.times.length) {
      const size = row + (row >> 1);
      this.times = grown(this.times, size);
      this.offsets = grown(this.offsets, size);
      this.lengths = grown(this.lengths, size);
      this.owners = grown(this.owners, size);
      this.subjects = grown(this.subjects, size);
      this.files = grown(this.files, size);
    }
    this.owners[row] = owner;
    this.subjects[row] = subject;
    const time = timeOf(item.at);
    this.times[row] = time;
    if (time !== time) this.odd.set(row, item.at);
    const where = place ?? this.pending.add(JSON.stringify(item.v));
    this.files[row] = file;
    this.offsets[row] = where.offset;
    this.lengths[row] = where.length;
    this.byId.add(row);
    this.ordered.insertSorted(row, this.order);
    if (owner >= 0) this.byOwner.insert(owner, row);
    if (subject >= 0 && subject !== owner) this.bySubject.insert(subject, row);
  }

  /**
   * The live rows as columns, in (at, id) order, for the start image (item-image.ts); null when a
   * row's value is in no snapshot file, as the image holds places, not values.
   */
  columns(fileNumber: (file: LineFile) => number): ItemColumns | null {
    if (this.pending.count > 0) return null;
    // Numbered anew, without gaps and without the other kinds' names.
    const names = new Names();
    const { live, ids, ...copied } = this.liveColumns((rows) => rows, this.renaming(names));
    const files = new Int32Array(live.length);
    for (let now = 0; now < live.length; now++) files[now] = fileNumber(this.lineFiles.file(this.files[live[now]!]!));
    // The id table of these rows, so that a start need not hash two million ids again.
    const table = new RowsById(() => ids);
    table.rebuild(Array.from(live, (_, row) => row));
    return { ...copied, ids: ids.parts(), names: names.all(), files, slots: table.table() };
  }

  /**
   * The index the columns of `columns()` describe, its rows' lines in `files`, its owners and
   * subjects numbered in `names`. It takes their arrays as its own.
   */
  static fromColumns(kind: string, columns: ItemColumns, files: readonly LineFile[], names = new Names()): ItemIndex {
    const index = new ItemIndex(kind, names);
    const rows = columns.ids.starts.length - 1;
    const room = Math.max(64, rows + (rows >> 2));
    index.ids = PackedStrings.fromParts(columns.ids);
    index.lineFiles = FileNumbers.of(files);
    index.ordered = RowColumn.counting(rows, room);
    const numbers = Int32Array.from(columns.names, (name) => names.number(name));
    // A plain loop: a mapping callback per row was a tenth of a start's time.
    for (let row = 0; row < rows; row++) {
      const owner = columns.owners[row]!;
      const subject = columns.subjects[row]!;
      if (owner >= 0) names.use((columns.owners[row] = numbers[owner]!));
      if (subject >= 0) names.use((columns.subjects[row] = numbers[subject]!));
    }
    index.files = grown(columns.files, room);
    index.times = grown(columns.times, room);
    index.offsets = grown(columns.offsets, room);
    index.lengths = grown(columns.lengths, room);
    index.owners = grown(columns.owners, room);
    index.subjects = grown(columns.subjects, room);
    index.odd = new Map(columns.odd);
    index.buildLists(rows, room);
    if (columns.slots) index.byId.restore(columns.slots, rows);
    else index.byId.rebuild(index.ordered.view());
    return index;
  }

  /** The owners' and subjects' lists anew, of rows 0 to `rows` - 1, which are in (at, id) order. */
  private buildLists(rows: number, room: number): void {
    this.byOwner = RowLists.build(this.order, rows, room, (row) => this.owners[row]!);
    this.bySubject = RowLists.build(this.order, rows, room, (row) => (this.subjects[row] === this.owners[row] ? -1 : this.subjects[row]!));
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

  remove(id: string): void {
    const row = this.byId.delete(id);
    if (row === undefined) return;
    this.settle(row);
    this.files[row] = GONE;
    this.goneCount++;
    const owner = this.owners[row]!;
    const subject = this.subjects[row]!;
    if (owner >= 0) this.byOwner.remove(owner, row);
    if (subject >= 0 && subject !== owner) this.bySubject.remove(subject, row);
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
      if (this.files[row] === GONE) continue;
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
    const ordered = this.ordered.view();
    for (let i = this.lowerBound(ordered, from), end = this.lowerBound(ordered, to); i < end; i++) {
      const row = ordered[i]!;
      if (this.files[row] !== GONE) found.push(this.keptAt(row));
    }
    return found;
  }

  /** The hours ("2026-11-29T15") of the items' times: the files a checkpoint keeps them in. */
  hours(): Set<string> {
    const times: number[] = [];
    const hours = new Set<string>();
    for (const row of this.ordered.view()) {
      if (this.files[row] === GONE) continue;
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
    // An owner's list holds no removed rows.
    if (query.owner !== undefined || this.goneCount === 0) return end - start;
    let count = 0;
    for (let i = start; i < end; i++) if (this.files[list[i]!] !== GONE) count++;
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
    const file = this.files[row]!;
    const time = this.times[row]!;
    const same =
      (time === time ? time === kept.time : kept.time !== kept.time && this.odd.get(row) === kept.at) &&
      this.names.nameOf(this.owners[row]!) === kept.owner &&
      this.names.nameOf(this.subjects[row]!) === kept.subject &&
      (file === PENDING ? this.pendingJson(row) === kept.json : this.lineFiles.file(file) === kept.file && this.offsets[row] === kept.offset);
    if (!same) return;
    this.settle(row);
    this.files[row] = this.fileNumber(place.file);
    this.offsets[row] = place.offset;
    this.lengths[row] = place.length;
  }

  /**
   * The narrowest list a query reads: a subject's, an owner's, or all; itemMatches does the rest.
   * A subject's items are those it owns about itself (kept in its owner's list only: most items)
   * and those others own about it, merged in order.
   */
  private listFor(query: Pick<ItemQuery, 'owner' | 'subject'>): Int32Array {
    if (query.subject !== undefined) {
      const n = this.names.find(query.subject);
      if (n === undefined) return NONE;
      const others = this.bySubject.list(n);
      const own = this.byOwner.list(n).filter((row) => this.subjects[row] === n);
      return own.length === 0 ? others : others.length === 0 ? own : this.mergeSorted(own, others);
    }
    if (query.owner === undefined) return this.ordered.view();
    const n = this.names.find(query.owner);
    return n === undefined ? NONE : this.byOwner.list(n);
  }

  private item(row: number, at = this.at(row)): Item {
    const file = this.files[row]!;
    const v: unknown = file === PENDING ? JSON.parse(this.pendingJson(row)) : (JSON.parse(this.lineFiles.file(file).read(this.offsets[row]!, this.lengths[row]!)) as { v: unknown }).v;
    return { kind: this.kind, id: this.ids.get(row), owner: this.names.nameOf(this.owners[row]!), subject: this.names.nameOf(this.subjects[row]!), at, v };
  }

  private keptAt(row: number): Kept {
    const number = this.files[row]!;
    const json = number === PENDING ? this.pendingJson(row) : undefined;
    const file = number === PENDING ? undefined : this.lineFiles.file(number);
    return new Kept(this, this.ids.get(row), this.names.nameOf(this.owners[row]!), this.names.nameOf(this.subjects[row]!), this.times[row]!, this.odd.get(row), json, file, this.offsets[row]!, this.lengths[row]!);
  }

  /**
   * The number of `file`, numbered if it is new. Each rewrite of a file makes a new version of it,
   * and a version no row is in any more keeps its number until the numbers are counted again: when
   * they have doubled since the last count, by a pass over the rows.
   */
  private fileNumber(file: LineFile): number {
    const numbered = this.lineFiles.size;
    const n = this.lineFiles.numberOf(file);
    if (n < numbered || numbered < Math.max(256, 2 * this.filesCounted)) return n;
    const lineFiles = new FileNumbers();
    for (let row = 0; row < this.ids.count; row++) {
      const number = this.files[row]!;
      if (number >= 0) this.files[row] = lineFiles.numberOf(this.lineFiles.file(number));
    }
    this.lineFiles = lineFiles;
    this.filesCounted = lineFiles.size + 1;
    return lineFiles.numberOf(file);
  }

  private pendingJson(row: number): string {
    return this.pending.read(this.offsets[row]!, this.lengths[row]!);
  }

  /** A row's value, if pending, is no longer: its bytes go at the next compaction of the pending values. */
  private settle(row: number): void {
    if (this.files[row] !== PENDING) return;
    this.pending.drop(this.lengths[row]!);
    if (!this.pending.wasteful) return;
    // The row is not PENDING by the time this is read: its caller changes it next, and it is not copied.
    const leaving = row;
    this.pending.compact((move) => {
      for (let other = 0; other < this.ids.count; other++) {
        if (other !== leaving && this.files[other] === PENDING) this.offsets[other] = move(this.offsets[other]!, this.lengths[other]!);
      }
    });
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
    if (timeA === timeA && timeB === timeB) return timeA < timeB ? -1 : timeA > timeB ? 1 : this.ids.compare(a, b);
    return compareItems(this.fields(a), this.fields(b, this.other));
  }

  /** The rows not removed, in (at, id) order. */
  private liveRows(): Int32Array {
    return this.ordered.view().filter((row) => this.files[row] !== GONE);
  }

  /**
   * The live rows' columns, renumbered 0, 1, 2... in (at, id) order, in arrays of `room(rows)`
   * rows, their owners and subjects `rename`d: what a compaction keeps and a start image holds.
   */
  private liveColumns(room: (rows: number) => number, rename = (n: number) => n): Omit<ItemColumns, 'ids' | 'names' | 'files' | 'slots'> & { live: Int32Array; ids: PackedStrings } {
    const live = this.liveRows();
    const size = room(live.length);
    const owners = newColumn(Int32Array, size);
    const subjects = newColumn(Int32Array, size);
    const times = newColumn(Float64Array, size);
    const offsets = newColumn(Float64Array, size);
    const lengths = newColumn(Uint32Array, size);
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
    return { live, ids: this.ids.pick(live), owners, subjects, times, offsets, lengths, odd };
  }

  /**
   * The columns without their removed rows (see liveColumns). A checkpoint holding `Kept`s
   * meanwhile is unaffected: they name ids.
   */
  private compact(): void {
    const { live, ids, owners, subjects, times, offsets, lengths, odd } = this.liveColumns((rows) => Math.max(64, rows + (rows >> 2)));
    // The files keep their numbers: fileNumber counts them again when their table has doubled.
    const files = newColumn(Int32Array, times.length);
    for (let now = 0; now < live.length; now++) files[now] = this.files[live[now]!]!;
    this.files = files;
    this.ids = ids;
    this.owners = owners;
    this.subjects = subjects;
    this.times = times;
    this.offsets = offsets;
    this.lengths = lengths;
    this.odd = new Map(odd);
    this.ordered = RowColumn.counting(live.length, times.length);
    this.goneCount = 0;
    this.byId.rebuild(this.ordered.view());
    this.buildLists(live.length, times.length);
  }

  /** Two lists in (at, id) order as one. */
  private mergeSorted(a: Int32Array, b: Int32Array): Int32Array {
    const merged = new Int32Array(a.length + b.length);
    let i = 0;
    let j = 0;
    for (let k = 0; k < merged.length; k++) merged[k] = j >= b.length || (i < a.length && this.compareRows(a[i]!, b[j]!) < 0) ? a[i++]! : b[j++]!;
    return merged;
  }

  /** The first position whose `at` is not before `at` (by numbers where both are in the core's form). */
  private lowerBound(list: ArrayLike<number>, at: string): number {
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
const grown = <C extends Column>(column: C, size: number): C => grownColumn(column, Math.max(64, size));

const NONE = new Int32Array(0);

/** The files an index's rows are in, numbered: a row keeps 4 bytes where it kept a pointer. */
class FileNumbers {
  private readonly files: LineFile[] = [];
  private readonly numbers = new Map<LineFile, number>();

  numberOf(file: LineFile): number {
    let n = this.numbers.get(file);
    if (n === undefined) {
      n = this.files.push(file) - 1;
      this.numbers.set(file, n);
    }
    return n;
  }

  file(n: number): LineFile {
    return this.files[n]!;
  }

  get size(): number {
    return this.files.length;
  }

  /** Files numbered in the order given. */
  static of(files: readonly LineFile[]): FileNumbers {
    const numbered = new FileNumbers();
    numbered.files.push(...files);
    files.forEach((file, n) => {
      if (!numbered.numbers.has(file)) numbered.numbers.set(file, n);
    });
    return numbered;
  }
}

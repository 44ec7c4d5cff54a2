import { grownColumn, newColumn, type Column } from './grown-column.js';
import { RowColumn } from './row-column.js';

/**
 * Rows grouped by a number (an item index's owners and subjects, by their numbers in its Names),
 * each group in the index's (at, id) order.
 *
 * Most groups are short: a member's few awards. A group as an array of its own cost about 160 bytes
 * of heap with its room to grow (issue 25: 300,000 of them at 100,000 members with three kinds of
 * items, 50 MB, which the collector marked at each full collection). A short group is a chain instead, through a typed
 * column of each row's next row: 4 bytes a row and 9 a group, off the heap. A group that grows to
 * SHORT rows becomes a RowColumn, which a read can search.
 */
export class RowLists {
  /** Each row's next in its chain (-1: the last). */
  private next: Int32Array<ArrayBuffer> = new Int32Array(64);
  /** Each chained group's first and last row, and its length (0: none, or a column in `long`). */
  private heads: Int32Array<ArrayBuffer> = new Int32Array(16);
  private tails: Int32Array<ArrayBuffer> = new Int32Array(16);
  private lengths: Uint8Array<ArrayBuffer> = new Uint8Array(16);
  private readonly long = new Map<number, RowColumn>();

  /** `compare`: the index's (at, id) order of two rows. */
  constructor(private readonly compare: (a: number, b: number) => number) {}

  /** Group `key`'s rows in order: a long group's own view, a short one's copy. Valid until the next change. */
  list(key: number): Int32Array<ArrayBuffer> {
    const long = this.long.get(key);
    if (long) return long.view();
    const length = key < this.lengths.length ? this.lengths[key]! : 0;
    const rows = new Int32Array(length);
    for (let i = 0, row = this.heads[key]!; i < length; i++, row = this.next[row]!) rows[i] = row;
    return rows;
  }

  /** Puts `row` in group `key`, in order; at the end, where rows in time order go, without a walk. */
  insert(key: number, row: number): void {
    this.room(key, row);
    const long = this.long.get(key);
    if (long) return long.insertSorted(row, this.compare);
    const length = this.lengths[key]!;
    if (length === 0) return this.start(key, row);
    if (length + 1 >= SHORT) {
      const column = RowColumn.from(this.list(key), SHORT * 2);
      this.lengths[key] = 0;
      this.long.set(key, column);
      return column.insertSorted(row, this.compare);
    }
    const tail = this.tails[key]!;
    const head = this.heads[key]!;
    if (this.compare(tail, row) < 0) {
      this.next[tail] = row;
      this.next[row] = -1;
      this.tails[key] = row;
    } else if (this.compare(row, head) < 0) {
      this.next[row] = head;
      this.heads[key] = row;
    } else {
      let before = head;
      while (this.compare(this.next[before]!, row) < 0) before = this.next[before]!;
      this.next[row] = this.next[before]!;
      this.next[before] = row;
    }
    this.lengths[key] = length + 1;
  }

  /** Takes `row` out of group `key`, where it is. */
  remove(key: number, row: number): void {
    const long = this.long.get(key);
    if (long) {
      long.remove(row);
      if (long.length === 0) this.long.delete(key);
      return;
    }
    const length = this.lengths[key]!;
    if (this.heads[key] === row) this.heads[key] = this.next[row]!;
    else {
      let before = this.heads[key]!;
      while (this.next[before] !== row) before = this.next[before]!;
      this.next[before] = this.next[row]!;
      if (this.tails[key] === row) this.tails[key] = before;
    }
    this.lengths[key] = length - 1;
  }

  /** The groups anew, of rows 0 to `rows` - 1, which are in order: `keyOf(row)` is a row's group, or -1. */
  static build(compare: (a: number, b: number) => number, rows: number, room: number, keyOf: (row: number) => number): RowLists {
    const lists = new RowLists(compare);
    // Room for every row only if a row is in a group: a subject's lists are mostly empty.
    for (let row = 0; row < rows; row++) {
      if (keyOf(row) >= 0) {
        lists.next = newColumn(Int32Array, Math.max(64, room));
        break;
      }
    }
    for (let row = 0; row < rows; row++) {
      const key = keyOf(row);
      if (key < 0) continue;
      lists.room(key, row);
      const long = lists.long.get(key);
      const length = lists.lengths[key]!;
      if (long) long.push(row);
      else if (length === 0) lists.start(key, row);
      else if (length + 1 >= SHORT) {
        const column = RowColumn.from(lists.list(key), SHORT * 2);
        column.push(row);
        lists.lengths[key] = 0;
        lists.long.set(key, column);
      } else {
        lists.next[lists.tails[key]!] = row;
        lists.next[row] = -1;
        lists.tails[key] = row;
        lists.lengths[key] = length + 1;
      }
    }
    return lists;
  }

  private start(key: number, row: number): void {
    this.heads[key] = row;
    this.tails[key] = row;
    this.next[row] = -1;
    this.lengths[key] = 1;
  }

  /** Room for group `key` and row `row`. */
  private room(key: number, row: number): void {
    if (row >= this.next.length) this.next = grown(this.next, row + 1);
    if (key >= this.heads.length) {
      this.heads = grown(this.heads, key + 1);
      this.tails = grown(this.tails, key + 1);
      this.lengths = grown(this.lengths, key + 1);
    }
  }
}

/**
 * Groups reach this length before they become columns: a walk of a chain to put a row in the
 * middle, or to take one out, stays this short.
 */
const SHORT = 32;

const grown = <C extends Column>(column: C, size: number): C => grownColumn(column, Math.max(size, column.length + (column.length >> 1)));

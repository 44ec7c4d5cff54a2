import { grownColumn, newColumn } from './grown-column.js';

/**
 * A growing list of row numbers in a typed column: 4 bytes a row, outside the collected heap, where
 * an array of numbers took 8 on it and the collector marked it at every full collection (issue 25:
 * an index's order of a million rows, regrown past each size, was tens of MB).
 */
export class RowColumn {
  private rows: Int32Array<ArrayBuffer>;
  length = 0;

  constructor(room = 16) {
    this.rows = newColumn(Int32Array, Math.max(16, room));
  }

  /** The rows 0, 1, ... `count` - 1, with room for `room`. */
  static counting(count: number, room = count): RowColumn {
    const column = new RowColumn(room);
    for (let row = 0; row < count; row++) column.rows[row] = row;
    column.length = count;
    return column;
  }

  /** A column of `rows`, with room for `room`. */
  static from(rows: ArrayLike<number>, room = rows.length): RowColumn {
    const column = new RowColumn(Math.max(room, rows.length));
    column.rows.set(rows);
    column.length = rows.length;
    return column;
  }

  /** The rows as they are now: a view, valid until the next change. */
  view(): Int32Array<ArrayBuffer> {
    return this.rows.subarray(0, this.length);
  }

  last(): number | undefined {
    return this.length === 0 ? undefined : this.rows[this.length - 1];
  }

  push(row: number): void {
    if (this.length === this.rows.length) this.grow();
    this.rows[this.length++] = row;
  }

  insert(at: number, row: number): void {
    if (this.length === this.rows.length) this.grow();
    this.rows.copyWithin(at + 1, at, this.length);
    this.rows[at] = row;
    this.length++;
  }

  /** Puts `row` where `compare` orders it; at the end, where rows in time order go, without a search. */
  insertSorted(row: number, compare: (a: number, b: number) => number): void {
    const last = this.last();
    if (last === undefined || compare(last, row) < 0) return this.push(row);
    let low = 0;
    let high = this.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (compare(this.rows[mid]!, row) < 0) low = mid + 1;
      else high = mid;
    }
    this.insert(low, row);
  }

  /** Takes `row` out: answers whether it was there. */
  remove(row: number): boolean {
    const at = this.view().indexOf(row);
    if (at < 0) return false;
    this.removeAt(at);
    return true;
  }

  removeAt(at: number): void {
    this.rows.copyWithin(at, at + 1, this.length);
    this.length--;
  }

  private grow(): void {
    this.rows = grownColumn(this.rows, this.rows.length + (this.rows.length >> 1));
  }
}

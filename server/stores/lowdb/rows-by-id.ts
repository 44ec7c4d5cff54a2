import { newColumn } from './grown-column.js';
import { probeOf, type PackedStrings } from './packed-strings.js';

/** A slot no row has taken, and one a removed row left (a probe goes on past it). */
const EMPTY = -1;
const GONE = -2;

/**
 * Row numbers by id, in an open-addressing table of 32-bit slots: 8 to 16 bytes an id, where a
 * `Map` of a million ids took 49 (issue 25). The ids themselves stay where the rows keep them
 * (`ids()`, row n's id being string n); a slot holds only the row.
 */
export class RowsById {
  private slots = new Int32Array(16).fill(EMPTY);
  /** Slots taken by a row or left GONE: what decides when the table is rebuilt. */
  private taken = 0;
  size = 0;

  constructor(private readonly ids: () => PackedStrings) {}

  get(id: string): number | undefined {
    const ids = this.ids();
    const probe = probeOf(id);
    const mask = this.slots.length - 1;
    for (let i = probe.hash & mask; ; i = (i + 1) & mask) {
      const row = this.slots[i]!;
      if (row === EMPTY) return undefined;
      if (row >= 0 && ids.equals(row, probe)) return row;
    }
  }

  /** Row `row`'s id must not be in the table: the index removes an item before it puts its new row. */
  add(row: number): void {
    if ((this.taken + 1) * 2 > this.slots.length) this.rebuild([...this.rows()], Math.max(16, nextPowerOfTwo((this.size + 1) * 2)));
    const mask = this.slots.length - 1;
    for (let i = this.ids().hashOf(row) & mask; ; i = (i + 1) & mask) {
      const slot = this.slots[i]!;
      if (slot === EMPTY || slot === GONE) {
        if (slot === EMPTY) this.taken++;
        this.slots[i] = row;
        this.size++;
        return;
      }
    }
  }

  /** Takes `id` out of the table: answers its row, if it was there. */
  delete(id: string): number | undefined {
    const ids = this.ids();
    const probe = probeOf(id);
    const mask = this.slots.length - 1;
    for (let i = probe.hash & mask; ; i = (i + 1) & mask) {
      const row = this.slots[i]!;
      if (row === EMPTY) return undefined;
      if (row >= 0 && ids.equals(row, probe)) {
        this.slots[i] = GONE;
        this.size--;
        return row;
      }
    }
  }

  /** The slots as they are: what the start image keeps (see `restore`). */
  table(): Int32Array<ArrayBuffer> {
    return this.slots;
  }

  /**
   * Takes slots that `table()` gave for the same rows of the same ids. The slots follow from
   * the ids' hash: a start image made with another (HASH_CHECK differs) is not restored but rebuilt.
   */
  restore(slots: Int32Array<ArrayBuffer>, size: number): void {
    this.slots = slots;
    this.size = size;
    this.taken = 0;
    for (const slot of slots) if (slot !== EMPTY) this.taken++;
  }

  /** Every row in the table, in no order. */
  *rows(): IterableIterator<number> {
    for (const row of this.slots) if (row >= 0) yield row;
  }

  /** The table anew, of these rows: after the index renumbered its rows, or to clear the GONE slots. */
  rebuild(rows: ArrayLike<number>, capacity = Math.max(16, nextPowerOfTwo(rows.length * 2))): void {
    this.slots = newColumn(Int32Array, capacity).fill(EMPTY);
    this.taken = 0;
    this.size = 0;
    for (let i = 0; i < rows.length; i++) this.add(rows[i]!);
  }
}

function nextPowerOfTwo(n: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(1, n)));
}

import { bufferOf, bytesOf, grownColumn, newColumn } from './grown-column.js';

/**
 * The JSON of items in no snapshot file yet, as UTF-8 bytes one after another in one buffer; each
 * item's row keeps where its value is. Under ingestion a checkpoint can take seconds, and the values
 * written meanwhile wait for the next: 250,000 of them as strings of their own were 52 MB of heap
 * (issue 25: JSON.stringify answers a string of several pieces, each with its header). Here they are
 * their bytes, off the heap. A value placed or removed leaves its bytes until the buffer is
 * compacted, once they are most of it (and 1 MB).
 */
export class PendingValues {
  private bytes: Buffer = Buffer.allocUnsafe(4096);
  private used = 0;
  /** Bytes of the values still pending. */
  private live = 0;
  /** Values still pending. */
  count = 0;

  /** Keeps `json`: answers where its bytes start (they are `byteLength(json)` long). */
  add(json: string): { offset: number; length: number } {
    // At most 3 bytes a UTF-16 unit.
    if (this.used + json.length * 3 > this.bytes.length) this.room(json.length * 3);
    const length = this.bytes.write(json, this.used, 'utf8');
    const offset = this.used;
    this.used += length;
    this.live += length;
    this.count++;
    return { offset, length };
  }

  read(offset: number, length: number): string {
    return this.bytes.toString('utf8', offset, offset + length);
  }

  /** The value of `length` bytes is no longer pending. */
  drop(length: number): void {
    this.live -= length;
    this.count--;
  }

  /** Most of the buffer is values no longer pending (and it is worth the copy). */
  get wasteful(): boolean {
    return this.used >= MIN_COMPACTED && this.used > 2 * this.live;
  }

  /**
   * Copies the values still pending to a buffer of their size: `each` gives each one's place and
   * takes its new offset.
   */
  compact(each: (move: (offset: number, length: number) => number) => void): void {
    const bytes = bufferOf(newColumn(Uint8Array, Math.max(4096, this.live + (this.live >> 1))));
    let used = 0;
    each((offset, length) => {
      this.bytes.copy(bytes, used, offset, offset + length);
      used += length;
      return used - length;
    });
    this.bytes = bytes;
    this.used = used;
    this.live = used;
  }

  private room(needed: number): void {
    this.bytes = bufferOf(grownColumn(bytesOf(this.bytes), Math.max(this.used + needed, this.bytes.length + (this.bytes.length >> 1))));
  }
}

/** A buffer smaller than this is not compacted: its waste costs less than the copies would. */
const MIN_COMPACTED = 1 << 20;

import { compareCodePoints } from '../../core/order.js';
import { fnv1aBytes, fnv1aUnits } from './fnv1a.js';
import { bufferOf, bytesOf, grownColumn, newColumn } from './grown-column.js';

/**
 * Strings kept as UTF-8 in one buffer, one after another, each found by its number: about 4 bytes
 * and its length each, where a string of its own took 40 for a 12-character id (a header, its
 * length and hash, its characters, and the pointer to it), and a start made two million of them
 * (issue 25). A string that is not well-formed UTF-16 (a lone surrogate, which UTF-8 cannot hold)
 * is kept as it is, beside the bytes.
 */
export class PackedStrings {
  private bytes: Buffer = Buffer.allocUnsafe(1024);
  /** Where each string starts in `bytes`; `starts[count]` is where the next one goes. */
  private starts: Uint32Array<ArrayBuffer> = new Uint32Array(64);
  private readonly odd = new Map<number, string>();
  count = 0;

  /** Keeps `value` as string number `count`, and answers that number. */
  push(value: string): number {
    const n = this.count;
    if (n + 2 > this.starts.length) this.starts = grownColumn(this.starts, n + 2 + ((n + 2) >> 1));
    let end = this.starts[n]!;
    if (wellFormed(value)) {
      // At most 3 bytes a UTF-16 unit.
      if (end + value.length * 3 > this.bytes.length) {
        this.bytes = bufferOf(grownColumn(bytesOf(this.bytes), Math.max(end + value.length * 3, this.bytes.length + (this.bytes.length >> 1))));
      }
      end += this.bytes.write(value, end, 'utf8');
      if (end > 0xffffffff) throw new RangeError('more than 4 GB of strings in one column');
    } else {
      this.odd.set(n, value);
    }
    this.starts[n + 1] = end;
    return this.count++;
  }

  get(n: number): string {
    return this.odd.get(n) ?? this.bytes.toString('utf8', this.starts[n]!, this.starts[n + 1]!);
  }

  /**
   * compareCodePoints of strings `a` and `b`, from their bytes: UTF-8's byte order is code-point
   * order. Rows of a time are ordered by id, and decoding both ids for it was a quarter of the
   * cost of a put under writes (issue 25).
   */
  compare(a: number, b: number): number {
    if (this.odd.size > 0 && (this.odd.has(a) || this.odd.has(b))) return compareCodePoints(this.get(a), this.get(b));
    const bytes = this.bytes;
    let i = this.starts[a]!;
    let j = this.starts[b]!;
    const endA = this.starts[a + 1]!;
    const endB = this.starts[b + 1]!;
    for (; i < endA && j < endB; i++, j++) if (bytes[i] !== bytes[j]) return bytes[i]! - bytes[j]!;
    return endA - i - (endB - j);
  }

  /** Whether string `n` is `probe`'s (see `probe`). */
  equals(n: number, probe: Probe): boolean {
    if (probe.odd !== undefined) return this.odd.get(n) === probe.odd;
    const start = this.starts[n]!;
    const length = this.starts[n + 1]! - start;
    if (length !== probe.length || (length === 0 && this.odd.has(n))) return false;
    const bytes = this.bytes;
    const other = probe.bytes;
    for (let i = 0; i < length; i++) if (bytes[start + i] !== other[i]) return false;
    return true;
  }

  /** The hash of string `n`: that of `probe(value)` for the same value. */
  hashOf(n: number): number {
    const odd = this.odd.get(n);
    return odd === undefined ? fnv1aBytes(this.bytes, this.starts[n]!, this.starts[n + 1]!) : fnv1aUnits(odd);
  }

  /** The strings numbered `numbers`, in that order, as a new column (compaction). */
  pick(numbers: ArrayLike<number>): PackedStrings {
    const picked = new PackedStrings();
    let size = 0;
    for (let i = 0; i < numbers.length; i++) size += this.starts[numbers[i]! + 1]! - this.starts[numbers[i]!]!;
    picked.bytes = bufferOf(newColumn(Uint8Array, Math.max(1024, size + (size >> 2))));
    picked.starts = newColumn(Uint32Array, Math.max(64, numbers.length + 1 + (numbers.length >> 2)));
    let at = 0;
    for (let i = 0; i < numbers.length; i++) {
      const n = numbers[i]!;
      const start = this.starts[n]!;
      const end = this.starts[n + 1]!;
      this.bytes.copy(picked.bytes, at, start, end);
      at += end - start;
      picked.starts[i + 1] = at;
      const odd = this.odd.get(n);
      if (odd !== undefined) picked.odd.set(i, odd);
    }
    picked.count = numbers.length;
    return picked;
  }

  /** The column as plain parts (the start image keeps them), and back. */
  parts(): PackedParts {
    return { bytes: this.bytes.subarray(0, this.starts[this.count]!), starts: this.starts.subarray(0, this.count + 1), odd: [...this.odd] };
  }

  static fromParts({ bytes, starts, odd }: PackedParts): PackedStrings {
    const strings = new PackedStrings();
    const count = starts.length - 1;
    if (count < 0 || starts[0] !== 0 || starts[count] !== bytes.length) throw new RangeError('packed strings whose starts do not fit their bytes');
    strings.bytes = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    strings.starts = newColumn(Uint32Array, Math.max(64, count + 1 + (count >> 2)));
    strings.starts.set(starts);
    for (const [n, value] of odd) strings.odd.set(n, value);
    strings.count = count;
    return strings;
  }
}

export interface PackedParts {
  bytes: Uint8Array;
  starts: Uint32Array;
  /** The strings kept as they are, by number. */
  odd: [number, string][];
}

/** A string to look for, encoded once for all the comparisons of one lookup. */
export interface Probe {
  /** Its UTF-8 bytes (the first `length`), unless it is not well-formed ... */
  bytes: Buffer;
  length: number;
  /** ... when it is this, as it is. */
  odd: string | undefined;
  hash: number;
}

/** String.prototype.isWellFormed: in every Node this runs on (20 and later), not in TypeScript's ES2022 lib. */
const wellFormed = (value: string): boolean => (value as unknown as { isWellFormed(): boolean }).isWellFormed();

let scratch = Buffer.allocUnsafe(256);
const probe: Probe = { bytes: scratch, length: 0, odd: undefined, hash: 0 };

/** `value` made ready to compare: the one Probe object, valid until the next call. */
export function probeOf(value: string): Probe {
  if (!wellFormed(value)) {
    probe.odd = value;
    probe.length = 0;
    probe.hash = fnv1aUnits(value);
    return probe;
  }
  if (value.length * 3 > scratch.length) probe.bytes = scratch = Buffer.allocUnsafe(value.length * 3);
  probe.odd = undefined;
  probe.length = scratch.write(value, 0, 'utf8');
  probe.hash = fnv1aBytes(scratch, 0, probe.length);
  return probe;
}

/**
 * What the hash makes of two fixed strings, one kept as bytes and one as it is: a table kept by
 * another version of either hash is not restored.
 */
export const HASH_CHECK = () => (probeOf('user-badges start image').hash ^ Math.imul(probeOf('\ud800 start image').hash, 31)) >>> 0;


/** The typed columns the embedded store keeps its indexes in. */
export type Column = Int32Array<ArrayBuffer> | Uint32Array<ArrayBuffer> | Float64Array<ArrayBuffer> | Uint8Array<ArrayBuffer>;

/** A column's constructor. */
type ColumnKind<C extends Column> = { new (length: number): C; new (buffer: ArrayBuffer, offset: number, length: number): C; BYTES_PER_ELEMENT: number };

/** ES2024's resizable ArrayBuffer (Node 20 and later), which TypeScript's ES2022 lib does not declare. */
interface Resizable extends ArrayBuffer {
  readonly resizable: boolean;
  readonly maxByteLength: number;
  resize(byteLength: number): void;
}
const Reserving = ArrayBuffer as unknown as new (byteLength: number, options: { maxByteLength: number }) => Resizable;

/** From this size a column grows in place. */
const LARGE = 1 << 20;
/**
 * A large column reserves address space for this many times its size, to grow into in place; past
 * that it is copied once into a new reservation. Not more: where address space is limited (`ulimit
 * -v`), reservations of a fixed gigabyte each left none for anything else.
 */
const ROOM = 8;

/**
 * `column` with room for `length` elements, its elements kept. A small column is copied into a
 * larger one. A large one is a view of a resizable ArrayBuffer, which reserves address space and
 * grows in place (and is copied to a new reservation when it outgrows it, which goes back to the
 * system whole): copying large columns left each old copy freed in malloc's heap, which kept it
 * (issue 25: 15 to 20 MB of a 310 MB peak under writes went when malloc was told to map such
 * blocks of its own, and give them back). Views of the old length stay valid.
 */
export function grownColumn<C extends Column>(column: C, length: number): C {
  const Kind = column.constructor as ColumnKind<C>;
  const bytes = length * column.BYTES_PER_ELEMENT;
  if (bytes < LARGE) {
    const bigger = new Kind(length);
    bigger.set(column);
    return bigger;
  }
  const buffer = column.buffer as Resizable;
  if (buffer.resizable && column.byteOffset === 0 && bytes <= buffer.maxByteLength) {
    if (bytes > buffer.byteLength) buffer.resize(bytes);
    return new Kind(buffer, 0, length);
  }
  const bigger = newColumn(Kind, length);
  bigger.set(column);
  return bigger;
}

/**
 * A new column of `length` elements (zeroed): for every long-lived column of rows (an index's, a
 * compaction's, the id table's, the pending values'). From 1 MB, memory mapped for it alone, which goes back
 * to the system with the column, where a block of malloc's heap would stay in the heap (see
 * `grownColumn`); and it can grow in place.
 */
export function newColumn<C extends Column>(Kind: ColumnKind<C>, length: number): C {
  const bytes = length * Kind.BYTES_PER_ELEMENT;
  if (bytes < LARGE) return new Kind(length);
  let buffer: Resizable;
  try {
    buffer = new Reserving(bytes, { maxByteLength: ROOM * bytes });
  } catch (error) {
    // Address space refused (a `ulimit -v`, say): a column as small ones are, copied when it grows.
    if (error instanceof RangeError) return new Kind(length);
    throw error;
  }
  return new Kind(buffer, 0, length);
}

/** A Buffer's bytes as a plain Uint8Array, for the functions above; and back. */
export const bytesOf = (buffer: Buffer): Uint8Array<ArrayBuffer> => new Uint8Array(buffer.buffer as ArrayBuffer, buffer.byteOffset, buffer.length);
export const bufferOf = (bytes: Uint8Array<ArrayBuffer>): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);

import { lstatSync } from 'node:fs';
import { readFile, unlink } from 'node:fs/promises';
import { endianness } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { crc32 } from 'node:zlib';
import { removeLeftoversOf, syncFolder, writeDurably } from './durable-file.js';
import { shortWrite } from './errors.js';
import type { ItemColumns } from './item-index.js';
import { PACKING } from './packed-records.js';
import { HASH_CHECK } from './packed-strings.js';

/**
 * The start image: what a start learns from reading every item's line (the item indexes, and how
 * many lines each file holds), written once at a clean close so that the next start reads one file
 * instead of millions of lines (issue 25: 1,000,000 events took 9 s to index, the time to parse and
 * index 2 million lines). Prometheus keeps its in-memory series the same way on shutdown. It holds
 * the users too, packed as they are kept (packed-users.ts), with the words of their dictionary:
 * 100,000 members took half a second to parse and pack again.
 *
 * The image only says where lines are; values stay in the snapshot files, which stay the truth:
 * - it is used once: the start that reads it removes it before anything else is written, so a
 *   running store's folder never holds one, and a crash never leaves a stale one behind;
 * - each file it covers must have the size, time and inode it had when the image was written, and
 *   each kind's folder exactly the files it lists; a kind where anything differs is read from its
 *   files, as is everything after a crash (no image) or a damaged image (its checksum);
 * - the journal is replayed over it as over the files.
 */

const MAGIC = Buffer.from('user-badges item image\n');
const FORMAT = 3;
/** Sections start at multiples of 8, where a typed array of any width may be laid. */
const ALIGN = 8;

/** A snapshot file an image covers: its path under the data folder, its lines, and how it was. */
type ImageFile = [path: string, lines: number, size: number, mtimeMs: number, ino: number];

/** One service's items of one kind: the files its lines are in, and its columns. */
export interface ImageKind {
  service: string;
  kind: string;
  /** Absolute paths, with their lines; the rows' `files` numbers are positions in this list. */
  files: { path: string; lines: number }[];
  columns: ItemColumns;
}

interface KindHeader {
  service: string;
  kind: string;
  files: ImageFile[];
  rows: number;
  /** Slots of the id table (see RowsById.table), laid after the typed columns. */
  slots: number;
  /** Bytes of the ids (packed-strings.ts), laid first, then their starts, then the names' JSON. */
  idBytes: number;
  namesBytes: number;
  /** Ids kept as they are (not well-formed UTF-16), and times not in the core's form, by row. */
  oddIds: [number, string][];
  odd: [number, string][];
}

/** One service's users: the files of their lines, and each one's name and packed record. */
export interface ImageUsers {
  service: string;
  files: { path: string; lines: number }[];
  names: string[];
  packed: string[];
}

interface UsersHeader {
  service: string;
  files: ImageFile[];
  count: number;
  /** Bytes of the names' JSON, laid first, then the records' starts, then the records' bytes. */
  namesBytes: number;
  packedBytes: number;
}

/** A service's users as read from an image: their names, and their records' bytes and starts. */
interface ImagedUsers {
  header: UsersHeader;
  names: string[];
  starts: Uint32Array;
  bytes: Buffer;
}

interface Header {
  format: number;
  endianness: string;
  /** The id tables' hash of a fixed id (HASH_CHECK): tables of another hash are rebuilt. */
  hash: number;
  kinds: KindHeader[];
  /** The users' packing (PACKING) and its dictionary: users packed otherwise are read from their files. */
  packing: number;
  words: string[];
  users: UsersHeader[];
}

/** A typed array's bytes, not copied. */
const view = (column: ArrayBufferView) => Buffer.from(column.buffer, column.byteOffset, column.byteLength);

/** The typed columns, in the order they are laid out after a kind's ids and names. */
const TYPED = ['owners', 'subjects', 'files', 'times', 'offsets', 'lengths'] as const;
const WIDTH = { owners: 4, subjects: 4, files: 4, times: 8, offsets: 8, lengths: 4 };

/** An image ready to write: its bytes, in pieces. */
export interface PreparedImage {
  chunks: Buffer[];
  bytes: number;
}

/**
 * The image of `kinds`, with each file as it is now. Synchronous, and to be called in the same turn
 * as the columns are taken: a file written after that does not match at the next start, and its kind
 * is read from its files. A file a kind names that is gone leaves that kind out.
 */
export function prepareImage(folder: string, kinds: ImageKind[], users: ImageUsers[], words: string[]): PreparedImage {
  const headers: KindHeader[] = [];
  const sections: Buffer[][] = [];
  for (const { service, kind, files, columns } of kinds) {
    const described = describe(folder, files);
    if (!described) continue;
    const { bytes, starts, odd: oddIds } = columns.ids;
    const names = Buffer.from(JSON.stringify(columns.names));
    const slots = columns.slots ?? new Int32Array(0);
    headers.push({ service, kind, files: described, rows: starts.length - 1, slots: slots.length, idBytes: bytes.length, namesBytes: names.length, oddIds, odd: columns.odd });
    sections.push([...[bytes, starts].map(view), names, ...[...TYPED.map((name) => columns[name]), slots].map(view)]);
  }
  const usersHeaders: UsersHeader[] = [];
  for (const { service, files, names, packed } of users) {
    const described = describe(folder, files);
    if (!described) continue;
    const namesJSON = Buffer.from(JSON.stringify(names));
    const starts = new Uint32Array(packed.length + 1);
    for (let i = 0; i < packed.length; i++) starts[i + 1] = starts[i]! + packed[i]!.length;
    const bytes = Buffer.allocUnsafe(starts[packed.length]!);
    for (let i = 0; i < packed.length; i++) bytes.write(packed[i]!, starts[i]!, 'latin1');
    usersHeaders.push({ service, files: described, count: names.length, namesBytes: namesJSON.length, packedBytes: bytes.length });
    sections.push([namesJSON, view(starts), bytes]);
  }
  const header = Buffer.from(
    JSON.stringify({ format: FORMAT, endianness: endianness(), hash: HASH_CHECK(), kinds: headers, packing: PACKING, words, users: usersHeaders } satisfies Header),
  );
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length);
  const chunks: Buffer[] = [MAGIC, length, header];
  let at = MAGIC.length + 4 + header.length;
  const pad = () => {
    const gap = (ALIGN - (at % ALIGN)) % ALIGN;
    if (gap > 0) chunks.push(Buffer.alloc(gap));
    at += gap;
  };
  pad();
  for (const kind of sections) {
    for (const section of kind) {
      chunks.push(section);
      at += section.length;
      pad();
    }
  }
  let sum = 0;
  for (const chunk of chunks) sum = crc32(chunk, sum);
  const trailer = Buffer.alloc(4);
  trailer.writeUInt32LE(sum);
  chunks.push(trailer);
  return { chunks, bytes: at + 4 };
}

/** Whether `value` is an array of strings (names and words, from the image's JSON). */
const strings = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === 'string');

/** Each file as it is now; null if one of them is gone. */
function describe(folder: string, files: { path: string; lines: number }[]): ImageFile[] | null {
  const described: ImageFile[] = [];
  for (const file of files) {
    const stats = lstatSync(file.path, { throwIfNoEntry: false });
    if (!stats) return null;
    described.push([relative(folder, file.path), file.lines, stats.size, stats.mtimeMs, stats.ino]);
  }
  return described;
}

/** Writes a prepared image at `path` (temporary file, fsync, rename). */
export async function writeImage(path: string, { chunks, bytes }: PreparedImage): Promise<void> {
  await writeDurably(path, async (handle) => {
    const { bytesWritten } = await handle.writev(chunks);
    if (bytesWritten !== bytes) throw shortWrite(bytesWritten, bytes);
  });
}

/** An image read at a start: each kind it holds, taken once its files are found as they were. */
export class StartImage {
  private constructor(
    private readonly folder: string,
    private readonly kinds: Map<string, { header: KindHeader; columns: ItemColumns }>,
    private readonly users: Map<string, ImagedUsers>,
    /** The users' dictionary; none when they were packed otherwise than this version packs. */
    readonly words: string[] | null,
  ) {}

  /**
   * Reads the image at `path` and removes it, before the store writes anything. Null when there is
   * none, or it is damaged or of another format.
   */
  static async take(path: string, folder: string): Promise<StartImage | null> {
    await removeLeftoversOf(path);
    let bytes: Buffer | null = null;
    try {
      bytes = await readFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      // Unreadable: not used, and removed if it can be; the start reads the files.
    }
    // Used once: gone (durably) before anything is written, or not used at all.
    try {
      await unlink(path);
      await syncFolder(dirname(path));
    } catch {
      return null;
    }
    if (!bytes) return null;
    try {
      return StartImage.decode(bytes, folder);
    } catch {
      // Its checksum held, yet it does not read as this version writes one: not believed either.
      return null;
    }
  }

  private static decode(bytes: Buffer, folder: string): StartImage | null {
    if (bytes.length < MAGIC.length + 8 || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) return null;
    if (crc32(bytes.subarray(0, bytes.length - 4)) !== bytes.readUInt32LE(bytes.length - 4)) return null;
    const headerLength = bytes.readUInt32LE(MAGIC.length);
    let at = MAGIC.length + 4;
    const header = JSON.parse(bytes.toString('utf8', at, at + headerLength)) as Header;
    if (header.format !== FORMAT || header.endianness !== endianness()) return null;
    at += headerLength;
    const align = () => (at += (ALIGN - (at % ALIGN)) % ALIGN);
    align();
    // Each section is read where the last ended, and the next begins at the next multiple of ALIGN.
    const section = (length: number): Buffer => {
      const found = bytes.subarray(at, at + length);
      at += length;
      align();
      return found;
    };
    // Copied out: the columns outlive the file's buffer, and need their own alignment.
    const typed = <T>(Type: new (buffer: ArrayBuffer) => T, width: number, count: number): T => {
      const { buffer, byteOffset, byteLength } = section(count * width);
      return new Type(buffer.slice(byteOffset, byteOffset + byteLength) as ArrayBuffer);
    };
    const json = (length: number): unknown => JSON.parse(section(length).toString('utf8'));
    const kinds = new Map<string, { header: KindHeader; columns: ItemColumns }>();
    for (const kind of header.kinds) {
      const idBytes = typed(Uint8Array, 1, kind.idBytes);
      const starts = typed(Uint32Array, 4, kind.rows + 1);
      const names = json(kind.namesBytes) as string[];
      const columns: ItemColumns = {
        ids: { bytes: idBytes, starts, odd: kind.oddIds },
        names,
        owners: typed(Int32Array, WIDTH.owners, kind.rows),
        subjects: typed(Int32Array, WIDTH.subjects, kind.rows),
        files: typed(Int32Array, WIDTH.files, kind.rows),
        times: typed(Float64Array, WIDTH.times, kind.rows),
        offsets: typed(Float64Array, WIDTH.offsets, kind.rows),
        lengths: typed(Uint32Array, WIDTH.lengths, kind.rows),
        odd: kind.odd,
      };
      const slots = typed(Int32Array, 4, kind.slots);
      if (at > bytes.length - 4 || !strings(names)) return null;
      // What the checksum cannot vouch for, a writer's own mistake, is checked where a wrong value
      // would not merely answer wrongly: a name out of range, or an id table with no free slot
      // (a lookup would go round it for ever).
      const named = names.length;
      for (const column of [columns.owners, columns.subjects]) for (const n of column) if (n < -1 || n >= named) return null;
      const table = slots.length;
      if (header.hash === HASH_CHECK() && table >= 16 && (table & (table - 1)) === 0 && table >= 2 * kind.rows) columns.slots = slots;
      kinds.set(`${kind.service}\n${kind.kind}`, { header: kind, columns });
    }
    const users = new Map<string, ImagedUsers>();
    for (const service of header.users) {
      const names = json(service.namesBytes);
      const starts = typed(Uint32Array, 4, service.count + 1);
      const packed = section(service.packedBytes);
      if (at > bytes.length - 4 || !strings(names) || names.length !== service.count || starts[0] !== 0 || starts[service.count] !== service.packedBytes) return null;
      for (let i = 0; i < service.count; i++) if (starts[i]! > starts[i + 1]!) return null;
      users.set(service.service, { header: service, names, starts, bytes: packed });
    }
    return new StartImage(folder, kinds, users, header.packing === PACKING && strings(header.words) ? header.words : null);
  }

  /**
   * The kind's columns and files, if the image holds it and its folder holds exactly the `.jsonl`
   * files named `files`, each as it was when the image was written.
   */
  take(service: string, kind: string, files: string[]): ImageKind | null {
    const key = `${service}\n${kind}`;
    const found = this.kinds.get(key);
    if (!found) return null;
    this.kinds.delete(key);
    const { header, columns } = found;
    const paths = this.unchanged(header.files, files);
    if (!paths) return null;
    // The rows' file numbers must each name a file of the list.
    for (const n of columns.files) if (n < 0 || n >= paths.length) return null;
    return { service, kind, files: paths, columns };
  }

  /**
   * The service's users, if the image holds them packed as this version packs, and their folder
   * holds exactly the `.jsonl` files named `files`, each as it was when the image was written.
   */
  takeUsers(service: string, files: string[]): ImageUsers | null {
    const found = this.users.get(service);
    if (!found || !this.words) return null;
    this.users.delete(service);
    const paths = this.unchanged(found.header.files, files);
    if (!paths) return null;
    const { names, starts, bytes } = found;
    const packed = new Array<string>(names.length);
    for (let i = 0; i < names.length; i++) packed[i] = bytes.toString('latin1', starts[i], starts[i + 1]);
    return { service, files: paths, names, packed };
  }

  /** The files of `described` with their lines, if `files` are exactly those, each as it was. */
  private unchanged(described: ImageFile[], files: string[]): { path: string; lines: number }[] | null {
    if (described.length !== files.length) return null;
    const listed = new Set(files);
    const paths: { path: string; lines: number }[] = [];
    for (const [file, lines, size, mtimeMs, ino] of described) {
      const path = join(this.folder, file);
      if (!listed.has(path)) return null;
      // Synchronous: nothing else runs during a start, and thousands of files are looked at.
      const stats = lstatSync(path, { throwIfNoEntry: false });
      if (!stats || stats.size !== size || stats.mtimeMs !== mtimeMs || stats.ino !== ino) return null;
      paths.push({ path, lines });
    }
    return paths;
  }
}

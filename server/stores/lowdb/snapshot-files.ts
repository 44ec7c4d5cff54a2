import { mkdir, open, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeDurably } from './durable-file.js';
import { shortWrite } from './errors.js';

/**
 * Snapshot files that grow by appending (`.jsonl`): one record per line, a later line replacing an
 * earlier one of the same key, and `{"-":key}` removing one. A checkpoint appends only what changed
 * since the last one, so its cost follows the journal it folds in, not the size of the data: a file
 * rewritten whole at every checkpoint made a service growing within one hour quadratic (issue 25).
 * A file is rewritten whole (temporary file, fsync, rename) when it is new, when removed lines
 * outnumber the live ones, or when an append may have left torn bytes.
 *
 * An append is not atomic: a crash can tear the last line. The checkpoint that was appending had not
 * yet removed the journal segments it covers, so whatever the torn line held is replayed from the
 * journal at the next start; the reader drops the torn line and the file is rewritten whole.
 */

/** The key of a removal line. Records are objects with their own fields and never have this one. */
export const REMOVED = '-';

export const removalLine = (key: string) => `{"${REMOVED}":${JSON.stringify(key)}}`;

/** A line's record, or the key it removes. */
export function parseLine<T>(line: string, file: string, number: number): { record: T } | { removed: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new Error(`${file} line ${number} is not valid JSON (${(error as Error).message}); refusing to start over it`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${file} line ${number} is not a record; refusing to start over it`);
  const removed = (value as Record<string, unknown>)[REMOVED];
  return typeof removed === 'string' ? { removed } : { record: value as T };
}

/** How much of a snapshot file is read at once at start: a file of an hour may hold 100 MB. */
const CHUNK = 1024 * 1024;

/**
 * Calls `visit` with each complete line of a snapshot file and where it lies (bytes), in order,
 * reading the file a chunk at a time, so a start holds one chunk of it and never all its lines at
 * once. Answers how many lines there were, or null when there is no file. `torn`: the last line
 * had no newline (a crash during an append) and was dropped.
 *
 * `ahead`: the file's bytes, read already by `readAhead` (a small file, whole).
 */
export async function eachLine(
  file: string,
  visit: (line: string, offset: number, length: number) => void,
  ahead?: Buffer,
): Promise<{ lines: number; torn: boolean } | null> {
  if (ahead) {
    const { lines, rest } = splitLines(ahead, 0, visit);
    return { lines, torn: rest.length > 0 };
  }
  const handle = await openIfThere(file);
  if (!handle) return null;
  try {
    let lines = 0;
    /** Bytes of the file before `buffer[0]`. */
    let base = 0;
    let buffer: Buffer = Buffer.alloc(0);
    let position = 0;
    const read = (at: number) => {
      const chunk = Buffer.allocUnsafe(CHUNK);
      return handle.read(chunk, 0, CHUNK, at).then(({ bytesRead }) => chunk.subarray(0, bytesRead));
    };
    // The next chunk is read while this one is parsed.
    let next = read(0);
    for (;;) {
      const data = await next;
      if (data.length === 0) break;
      position += data.length;
      next = read(position);
      // Awaited at the next turn; a parse that throws first must not leave its failure unhandled.
      next.catch(() => {});
      buffer = buffer.length === 0 ? data : Buffer.concat([buffer, data]);
      const split = splitLines(buffer, base, visit);
      lines += split.lines;
      base += buffer.length - split.rest.length;
      buffer = split.rest;
    }
    return { lines, torn: buffer.length > 0 };
  } finally {
    // Waits for a read still under way.
    await handle.close();
  }
}

/** The file opened for reading, or null if there is none. */
async function openIfThere(file: string): Promise<FileHandle | null> {
  try {
    return await open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** The complete lines of `buffer` (which starts at byte `base` of its file), and what follows the last. */
function splitLines(buffer: Buffer, base: number, visit: (line: string, offset: number, length: number) => void): { lines: number; rest: Buffer } {
  let lines = 0;
  let start = 0;
  for (let end = buffer.indexOf(10, start); end >= 0; start = end + 1, end = buffer.indexOf(10, start)) {
    if (end === start) continue;
    // Each line a string of its own, not a slice of the file's: a kept part would hold on to it all.
    visit(buffer.toString('utf8', start, end), base + start, end - start);
    lines++;
  }
  return { lines, rest: buffer.subarray(start) };
}

/** How many files `readAhead` keeps read and waiting, at most a CHUNK each. */
const AHEAD = 8;

/**
 * The files of `paths` in order, each with its bytes when it is small (at most a CHUNK), read
 * several files ahead of the one being parsed: a start reads thousands of files of a few KB, and
 * reading each only once the last was parsed left the process idle for a fifth of its start.
 * A larger file, or one that is gone, comes without bytes: `eachLine` reads it itself.
 */
export async function* readAhead(paths: readonly string[]): AsyncGenerator<{ path: string; bytes: Buffer | undefined }> {
  const small = async (path: string): Promise<Buffer | undefined> => {
    const handle = await openIfThere(path);
    if (!handle) return undefined;
    try {
      const { size } = await handle.stat();
      if (size > CHUNK) return undefined;
      const bytes = Buffer.allocUnsafe(size);
      let read = 0;
      while (read < size) {
        const { bytesRead } = await handle.read(bytes, read, size - read, read);
        if (bytesRead === 0) break;
        read += bytesRead;
      }
      return bytes.subarray(0, read);
    } finally {
      await handle.close();
    }
  };
  const pending: Promise<Buffer | undefined>[] = [];
  let queued = 0;
  const fill = () => {
    while (queued < paths.length && pending.length < AHEAD) {
      const reading = small(paths[queued++]!);
      // Awaited in turn below; one that fails while an earlier file is parsed is not unhandled.
      reading.catch(() => {});
      pending.push(reading);
    }
  };
  try {
    for (let i = 0; i < paths.length; i++) {
      fill();
      const bytes = await pending.shift()!;
      yield { path: paths[i]!, bytes };
    }
  } finally {
    // Stopped early (a file failed to parse): let the reads under way end before the files are touched.
    await Promise.allSettled(pending);
  }
}

/** Told where the lines of a write went, once they are durable (see line-files.ts). */
export interface LinesLanded {
  /** Before the file is replaced (rewritten or removed): its current lines must stay readable. */
  rewriting(): void;
  /** The lines written (`changed` appended, or `all()` as the whole file) start at byte `base`, `lengths` bytes each. */
  landed(rewritten: boolean, base: number, lengths: ArrayLike<number>): void;
  /** The file was removed, nothing being left in it: no version of it is current any more. */
  removed(): void;
  /** The write failed: the file is as it was. */
  failed(): void;
}

/** What a checkpoint writes to one file: the changed records' lines, and the whole file if it must be rewritten. */
export interface FileWrite {
  file: string;
  /** How many records changed since the last checkpoint. */
  count: number;
  /**
   * Their lines, made when the file is written: records and kept items are replaced, never edited,
   * so the lines are still those of the checkpoint's moment, and only one file's lines are in
   * memory at a time (all of them at once were the checkpoint's peak, issue 25).
   */
  changed: () => string[];
  /** How many records the file holds once this is written. */
  live: number;
  /** Every live record's line, for a rewrite (called only then). */
  all: () => Lines | Promise<Lines>;
  places?: LinesLanded;
}

/**
 * A file's lines, each made when it is written: a rewrite writes them a piece at a time, where the
 * lines of a file of hundreds of thousands, joined and copied to a buffer, were three times its
 * size in memory at once (issue 25: an hour of rules' states under ingestion).
 */
export interface Lines {
  count: number;
  line(i: number): string;
}

/** Lines are written in pieces of about this many characters. */
const PIECE = 1 << 20;

/** Lines each file holds, live and replaced: what decides between appending and rewriting. */
export class SnapshotFiles {
  private readonly lineCounts = new Map<string, number>();
  /** Files whose bytes past their last good line are in doubt, or that must be rewritten for another reason. */
  private readonly rewrite = new Set<string>();

  /** A file read at start: its lines, and whether it must be rewritten (a torn line, an older format). */
  loaded(file: string, lines: number, rewrite: boolean): void {
    this.lineCounts.set(file, lines);
    if (rewrite) this.rewrite.add(file);
  }

  /** The files under `prefix` with their lines, or null if one of them is to be rewritten. */
  under(prefix: string): { path: string; lines: number }[] | null {
    const found: { path: string; lines: number }[] = [];
    for (const [path, lines] of this.lineCounts) {
      if (!path.startsWith(prefix)) continue;
      if (this.rewrite.has(path)) return null;
      found.push({ path, lines });
    }
    return found;
  }

  /** Whether the next write of `file` rewrites it whole. */
  rewrites(file: string, changed: number, live: number): boolean {
    const lines = this.lineCounts.get(file);
    if (lines === undefined || this.rewrite.has(file)) return true;
    // Removed and replaced lines are dead weight: the file is compacted when they are the greater part.
    const after = lines + changed;
    return after > 64 && after > 2 * live;
  }

  /** Forces the next write of `file` to rewrite it whole. */
  mustRewrite(file: string): void {
    this.rewrite.add(file);
  }

  /** Files of a folder that is removed. */
  forgetUnder(folder: string): void {
    for (const file of this.lineCounts.keys()) if (file.startsWith(folder)) this.lineCounts.delete(file);
    for (const file of this.rewrite) if (file.startsWith(folder)) this.rewrite.delete(file);
  }

  /** Appends the changed lines, or rewrites the file whole (or removes it when nothing is left in it). */
  async write({ file, count, changed, live, all, places }: FileWrite): Promise<void> {
    if (count === 0 && !this.rewrite.has(file)) return;
    const rewriting = this.rewrites(file, count, live);
    if (rewriting) places?.rewriting();
    try {
      if (!rewriting) {
        const lines = changed();
        const base = await append(file, lines.join('\n') + '\n');
        this.lineCounts.set(file, this.lineCounts.get(file)! + lines.length);
        places?.landed(false, base, lines.map((line) => Buffer.byteLength(line)));
        return;
      }
      if (live === 0) {
        await unlink(file).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT') throw error;
        });
        this.lineCounts.delete(file);
        places?.removed();
      } else {
        const lines = await all();
        // Only a file written whole can be new: an append goes to one that exists.
        await mkdir(dirname(file), { recursive: true, mode: 0o700 });
        const lengths = await writeLines(file, lines);
        this.lineCounts.set(file, lines.count);
        places?.landed(true, 0, lengths);
      }
      this.rewrite.delete(file);
    } catch (error) {
      places?.failed();
      // An append cut short leaves bytes nobody vouches for: the next checkpoint replaces the file.
      this.rewrite.add(file);
      throw error;
    }
  }
}

/** Writes `lines` as the whole of `file`, durably, a piece at a time: answers each line's length in bytes. */
async function writeLines(file: string, lines: Lines): Promise<Uint32Array> {
  const lengths = new Uint32Array(lines.count);
  await writeDurably(file, async (handle) => {
    let piece: string[] = [];
    let size = 0;
    for (let i = 0; i < lines.count; i++) {
      const line = lines.line(i);
      lengths[i] = Buffer.byteLength(line);
      piece.push(line);
      size += line.length;
      if (size >= PIECE || i === lines.count - 1) {
        await handle.writeFile(piece.join('\n') + '\n');
        piece = [];
        size = 0;
      }
    }
  });
  return lengths;
}

/**
 * Appends and syncs; answers the file's size before, where the appended lines begin (this store is
 * the only writer). The file exists: a new file is written whole, which makes its name durable too.
 */
async function append(file: string, text: string): Promise<number> {
  const handle = await open(file, 'a', 0o600);
  try {
    const { size } = await handle.stat();
    const buffer = Buffer.from(text);
    const { bytesWritten } = await handle.write(buffer, 0, buffer.length);
    if (bytesWritten !== buffer.length) throw shortWrite(bytesWritten, buffer.length);
    await handle.datasync();
    return size;
  } finally {
    await handle.close();
  }
}

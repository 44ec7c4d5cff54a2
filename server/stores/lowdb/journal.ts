import { mkdir, open, readdir, readFile, truncate, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { syncFolder } from './durable-file.js';
import type { Change } from '../../core/changes.js';
import { StorageError, shortWrite } from './errors.js';

const SEGMENT = /^(\d{8})\.jsonl$/;

/** What the journal does with a segment file. A FileHandle is one; fault tests wrap it to fail on cue. */
export interface SegmentFile {
  write(buffer: Buffer, offset: number, length: number): Promise<{ bytesWritten: number }>;
  datasync(): Promise<void>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

/** Opens a segment for appending; data files are private (they hold every service's key). */
export type OpenSegment = (path: string) => Promise<SegmentFile>;
const openForAppend: OpenSegment = (path) => open(path, 'a', 0o600);

export interface JournalOptions {
  /**
   * Called the moment a batch fails, before its writers hear of it and before anything else can be
   * appended: whatever the caller applied for the failed batch and for the writes queued behind it
   * must be taken back now, since none of it will reach the disk.
   */
  onFailure?: (error: StorageError) => void;
  /** Called when the journal takes writes again after a failure. */
  onRecover?: () => void;
  /** How often a failed journal tries to become writable again (ms). */
  retryMs?: number;
  openSegment?: OpenSegment;
}

interface Waiter {
  resolve: () => void;
  reject: (error: Error) => void;
  durable?: () => void;
}

/** Bytes that start could not use and dropped, for the log. */
export interface Dropped {
  file: string;
  offset: number;
  bytes: number;
  reason: string;
}

/**
 * A block of newlines: the probe a failed journal writes (and cuts off again) to learn that the disk
 * takes data again. Replay skips blank lines, so a crash in the middle of a probe harms nothing.
 */
const PROBE = Buffer.alloc(4096, '\n');

/**
 * An append-only log of changes (or of other lines whose objects start with a "t" tag, such as the
 * replay memory's) with group commit: every write that arrives while one fsync is under
 * way joins the next one, so one fsync acknowledges a whole batch. One line holds the changes of one
 * request, so a request is in the log entirely or not at all.
 *
 * A batch is acknowledged only when every byte of it is written and synced; a short write is a
 * failure. After a failure the segment is cut back to its last good length before anything else is
 * written, so a torn line can only ever be the last one; the journal refuses appends until a retry
 * finds that it can write again (see `recover`).
 *
 * The log is split into segments; a checkpoint seals the current one, writes the snapshots, and then
 * removes the sealed segments.
 */
export class Journal<Line = Change> {
  private file!: SegmentFile;
  private segment = 0;
  private pending: string[] = [];
  private waiters: Waiter[] = [];
  private flushing: Promise<void> | null = null;
  private failure: StorageError | null = null;
  /** Whether the segment may hold bytes past `size` (a failed batch or probe not yet cut off). */
  private dirty = false;
  private retry: NodeJS.Timeout | null = null;
  private closed = false;
  /** Serialises use of the file: a batch is never written to a segment being swapped out. */
  private io: Promise<unknown> = Promise.resolve();
  /** Bytes in the current segment that are on disk and acknowledged: its last good length. */
  size = 0;

  private constructor(
    private readonly folder: string,
    private readonly options: JournalOptions,
  ) {}

  /**
   * Opens the journal in `folder`, first handing every logged batch of changes to `replay` in order.
   * Every complete line is kept. A torn last line (a write cut short, never acknowledged) is cut off;
   * so are torn bytes that an older version left in front of a later complete line. Any other damage
   * stops the start, because dropping it would lose acknowledged writes. `dropped` says what went.
   */
  static async open<Line = Change>(
    folder: string,
    replay: (lines: Line[]) => void,
    options: JournalOptions = {},
  ): Promise<{ journal: Journal<Line>; segments: number; dropped: Dropped[] }> {
    await mkdir(folder, { recursive: true, mode: 0o700 });
    const segments = await Journal.segments(folder);
    const texts = await Promise.all(segments.map((segment) => readFile(join(folder, name(segment)), 'utf8')));
    const dropped: Dropped[] = [];
    // A crash can leave a torn line only at the end of what was written last; empty segments after it
    // (a segment is started before anything goes into it) do not move that end.
    let lastWritten = texts.length - 1;
    while (lastWritten > 0 && texts[lastWritten]!.trim() === '') lastWritten--;
    for (const [index, segment] of segments.entries()) {
      const file = join(folder, name(segment));
      const text = texts[index]!;
      let offset = 0;
      for (const line of text.split('\n')) {
        const end = offset + Buffer.byteLength(line) + 1;
        if (line.trim() !== '') {
          const parsed = parseLine<Line>(line);
          if (parsed.changes) {
            if (parsed.skipped > 0) dropped.push({ file, offset, bytes: parsed.skipped, reason: 'torn line followed by a complete one' });
            replay(parsed.changes);
          } else {
            const last = index === lastWritten && end >= Buffer.byteLength(text);
            if (!last) throw new Error(`Journal ${file} is damaged at byte ${offset}; refusing to start`);
            dropped.push({ file, offset, bytes: end - 1 - offset, reason: 'torn last line (never acknowledged)' });
            await truncate(file, offset);
            break;
          }
        }
        offset = end;
      }
    }
    const journal = new Journal<Line>(folder, options);
    journal.file = await journal.openSegment((segments.at(-1) ?? 0) + 1);
    return { journal, segments: segments.length, dropped };
  }

  private static async segments(folder: string): Promise<number[]> {
    return (await readdir(folder))
      .map((file) => SEGMENT.exec(file)?.[1])
      .filter((match): match is string => match !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  }

  /**
   * Resolves once the changes are on disk; rejects with a StorageError if they never will be.
   * `durable` is called the moment they are synced, before anything else can use the journal (a seal
   * especially), so a caller can tell exactly which changes a sealed segment holds.
   */
  append(changes: Line[], durable?: () => void): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    this.pending.push(JSON.stringify(changes) + '\n');
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject, durable }));
    this.flushing ??= this.flush();
    return done;
  }

  /** Set while the journal refuses appends; cleared by a successful retry. */
  get failed(): StorageError | null {
    return this.failure;
  }

  private async flush(): Promise<void> {
    // Let the rest of this turn of the event loop add its writes to the batch.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.pending.length > 0) {
      const batch = Buffer.from(this.pending.join(''));
      const waiters = this.waiters;
      this.pending = [];
      this.waiters = [];
      try {
        await this.exclusive(() => this.writeBatch(batch, waiters));
        for (const waiter of waiters) waiter.resolve();
      } catch (error) {
        // Writes queued behind a failed batch fail with it: the caller took them back already.
        const failure = StorageError.from(error);
        for (const waiter of [...waiters, ...this.waiters]) waiter.reject(failure);
        this.waiters = [];
        this.pending = [];
      }
    }
    this.flushing = null;
  }

  private async writeBatch(batch: Buffer, waiters: Waiter[]): Promise<void> {
    if (this.failure) throw this.failure;
    try {
      await writeAll(this.file, batch);
      await this.file.datasync();
    } catch (error) {
      this.failure = StorageError.from(error);
      this.dirty = true;
      this.options.onFailure?.(this.failure);
      // Before the writers hear of it: a refused write leaves nothing behind that a restart could replay.
      await this.cutBack().catch(() => {});
      this.scheduleRetry();
      throw this.failure;
    }
    this.size += batch.length;
    for (const waiter of waiters) waiter.durable?.();
  }

  /** Truncates the segment to its last good length, dropping a failed batch's bytes. */
  private async cutBack(): Promise<void> {
    if (!this.dirty) return;
    await this.file.truncate(this.size);
    await this.file.datasync();
    this.dirty = false;
  }

  /**
   * After a failure: cuts the segment back, then writes and syncs a probe and cuts it off again. If
   * all of that works the disk takes data again and appends are accepted; otherwise it is retried
   * every `retryMs`. Returns whether the journal is writable.
   */
  recover(): Promise<boolean> {
    return this.exclusive(async () => {
      if (!this.failure) return true;
      if (this.closed) return false;
      try {
        await this.cutBack();
        this.dirty = true;
        await writeAll(this.file, PROBE);
        await this.file.datasync();
        await this.cutBack();
      } catch (error) {
        this.failure = StorageError.from(error);
        this.scheduleRetry();
        return false;
      }
      this.failure = null;
      this.options.onRecover?.();
      return true;
    });
  }

  private scheduleRetry(): void {
    if (this.retry || this.closed) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      void this.recover();
    }, this.options.retryMs ?? 1000);
    this.retry.unref();
  }

  /** Starts a new segment after the batch being written; returns the number of the sealed one. */
  seal(): Promise<number> {
    return this.exclusive(async () => {
      // A failed segment keeps its place until cut back: a torn line may only ever be the last one.
      if (this.failure) throw this.failure;
      const sealed = this.segment;
      // The new segment is opened first, so a failure to open it leaves the journal as it was.
      const next = await this.openSegment(sealed + 1);
      const previous = this.file;
      this.file = next;
      this.size = 0;
      await previous.close().catch(() => {});
      return sealed;
    });
  }

  /** Removes sealed segments up to and including `upTo`, once their changes are in the snapshots. */
  async removeUpTo(upTo: number): Promise<void> {
    for (const segment of await Journal.segments(this.folder)) {
      if (segment <= upTo) await unlink(join(this.folder, name(segment)));
    }
    await syncFolder(this.folder);
  }

  async close(): Promise<void> {
    while (this.flushing) await this.flushing;
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    await this.exclusive(async () => {
      await this.cutBack().catch(() => {});
      await this.file.close();
    });
    if (this.size === 0 && !this.dirty) await unlink(join(this.folder, name(this.segment))).catch(() => {});
  }

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.io.then(task);
    this.io = run.catch(() => {});
    return run;
  }

  private async openSegment(segment: number): Promise<SegmentFile> {
    const path = join(this.folder, name(segment));
    const file = await (this.options.openSegment ?? openForAppend)(path);
    try {
      await syncFolder(this.folder);
    } catch (error) {
      await file.close().catch(() => {});
      await unlink(path).catch(() => {});
      throw error;
    }
    this.segment = segment;
    return file;
  }
}

/** Writes all of `buffer`; a write that stores less than it was given is a failure, never a success. */
async function writeAll(file: SegmentFile, buffer: Buffer): Promise<void> {
  const { bytesWritten } = await file.write(buffer, 0, buffer.length);
  if (bytesWritten !== buffer.length) throw shortWrite(bytesWritten, buffer.length);
}

/**
 * A journal line's changes. A line that does not parse may be torn bytes that an older version
 * wrote on a full disk, followed (no newline between) by a complete line appended later: then that
 * line is kept, and `skipped` says how many bytes before it were not.
 */
function parseLine<Line>(line: string): { changes: Line[] | null; skipped: number } {
  try {
    return { changes: JSON.parse(line) as Line[], skipped: 0 };
  } catch {
    // Every line starts with the first change's tag.
    for (let at = line.indexOf('[{"t":"', 1); at > 0; at = line.indexOf('[{"t":"', at + 1)) {
      try {
        return { changes: JSON.parse(line.slice(at)) as Line[], skipped: Buffer.byteLength(line.slice(0, at)) };
      } catch {
        // Not the start of a line; look further.
      }
    }
    return { changes: null, skipped: 0 };
  }
}

const name = (segment: number) => `${String(segment).padStart(8, '0')}.jsonl`;

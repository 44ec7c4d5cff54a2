import { mkdir, open, readdir, readFile, truncate, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { syncFolder } from './durable-file.js';
import type { Change } from '../../core/changes.js';

const SEGMENT = /^(\d{8})\.jsonl$/;

/**
 * An append-only log of changes with group commit: every write that arrives while one fsync is under
 * way joins the next one, so one fsync acknowledges a whole batch. One line holds the changes of one
 * request, so a request is in the log entirely or not at all.
 *
 * The log is split into segments; a checkpoint seals the current one, writes the snapshots, and then
 * removes the sealed segments.
 */
export class Journal {
  private handle!: FileHandle;
  private segment = 0;
  private pending: string[] = [];
  private waiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  private flushing: Promise<void> | null = null;
  private failure: Error | null = null;
  /** Serialises use of the file handle: a batch is never written to a segment being swapped out. */
  private io: Promise<unknown> = Promise.resolve();
  /** Bytes in the current segment, for the store's checkpoint policy. */
  size = 0;

  private constructor(private readonly folder: string) {}

  /**
   * Opens the journal in `folder`, first handing every logged batch of changes to `replay` in order.
   * A torn last line (a write cut short by a crash, never acknowledged) is cut off; damage anywhere
   * else stops the start, because dropping it would lose acknowledged writes.
   */
  static async open(folder: string, replay: (changes: Change[]) => void): Promise<{ journal: Journal; segments: number }> {
    await mkdir(folder, { recursive: true });
    const segments = await Journal.segments(folder);
    const texts = await Promise.all(segments.map((segment) => readFile(join(folder, name(segment)), 'utf8')));
    // A crash can leave a torn line only at the end of what was written last; empty segments after it
    // (a segment is started before anything goes into it) do not move that end.
    let lastWritten = texts.length - 1;
    while (lastWritten > 0 && texts[lastWritten] === '') lastWritten--;
    for (const [index, segment] of segments.entries()) {
      const file = join(folder, name(segment));
      const text = texts[index]!;
      let offset = 0;
      for (const line of text.split('\n')) {
        const end = offset + Buffer.byteLength(line) + 1;
        if (line !== '') {
          let changes: Change[];
          try {
            changes = JSON.parse(line) as Change[];
          } catch {
            const last = index === lastWritten && end >= Buffer.byteLength(text);
            if (!last) throw new Error(`Journal ${file} is damaged at byte ${offset}; refusing to start`);
            await truncate(file, offset);
            break;
          }
          replay(changes);
        }
        offset = end;
      }
    }
    const journal = new Journal(folder);
    await journal.startSegment((segments.at(-1) ?? 0) + 1);
    return { journal, segments: segments.length };
  }

  private static async segments(folder: string): Promise<number[]> {
    return (await readdir(folder))
      .map((file) => SEGMENT.exec(file)?.[1])
      .filter((match): match is string => match !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  }

  /** Resolves once the changes are on disk. */
  append(changes: Change[]): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    this.pending.push(JSON.stringify(changes) + '\n');
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.flushing ??= this.flush();
    return done;
  }

  private async flush(): Promise<void> {
    // Let the rest of this turn of the event loop add its writes to the batch.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.pending.length > 0) {
      const lines = this.pending.join('');
      const waiters = this.waiters;
      this.pending = [];
      this.waiters = [];
      try {
        await this.exclusive(async () => {
          await this.handle.write(lines);
          await this.handle.datasync();
          this.size += Buffer.byteLength(lines);
        });
        for (const waiter of waiters) waiter.resolve();
      } catch (error) {
        // Memory already holds these changes; nothing later may be acknowledged over the gap.
        this.failure = new Error(`Journal write failed: ${(error as Error).message}`);
        for (const waiter of [...waiters, ...this.waiters]) waiter.reject(this.failure);
        this.waiters = [];
        this.pending = [];
      }
    }
    this.flushing = null;
  }

  /** Starts a new segment after the batch being written; returns the number of the sealed one. */
  seal(): Promise<number> {
    return this.exclusive(async () => {
      const sealed = this.segment;
      await this.handle.close();
      await this.startSegment(sealed + 1);
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
    await this.exclusive(() => this.handle.close());
    if (this.size === 0) await unlink(join(this.folder, name(this.segment))).catch(() => {});
  }

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.io.then(task);
    this.io = run.catch(() => {});
    return run;
  }

  get failed(): Error | null {
    return this.failure;
  }

  private async startSegment(segment: number): Promise<void> {
    this.segment = segment;
    this.handle = await open(join(this.folder, name(segment)), 'a');
    this.size = 0;
    await syncFolder(this.folder);
  }
}

const name = (segment: number) => `${String(segment).padStart(8, '0')}.jsonl`;

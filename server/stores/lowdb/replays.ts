import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { MemoryReplayStore, type ReplayStore, type Use } from '../replays.js';
import { DurableJSONFile } from './durable-file.js';
import { refusal } from './errors.js';
import { Journal } from './journal.js';

/** One used signature, as the journal keeps it: key, the request it was used for, when it expires (ms). */
interface Used {
  t: 'use';
  k: string;
  r: string;
  x: number;
}

/** A segment is sealed this often; it is removed once every use in it has expired. */
const SEAL_MS = 60_000;

/**
 * The embedded store's replay memory: the process's memory (replays.ts), with every first use also
 * appended to a journal of its own (`db.d/replays/`, group commit as the store's journal), and
 * answered only once it is on disk. At start the uses that have not expired are read back, so a
 * signature used before a restart, even one dated ahead of the clock, is refused after it. Segments
 * are sealed every minute and removed once their uses expired: the journal holds minutes of uses,
 * however long the server runs. Answers kept for identical repeats stay in memory only: after a
 * restart such a repeat is refused instead of answered.
 */
export class DurableReplays implements ReplayStore {
  /** Sealed segments and the latest expiry of a use in each, oldest first. */
  private readonly sealed: { segment: number; until: number }[] = [];
  /** The latest expiry among the uses in the open segment. */
  private until = 0;
  private sealedAt = Date.now();
  private sealing: Promise<void> | null = null;

  private constructor(
    private readonly memory: MemoryReplayStore,
    private readonly journal: Journal<Used>,
    private readonly onError: (error: unknown) => void,
  ) {}

  get since(): number {
    return this.memory.since;
  }

  /**
   * Opens the memory in `folder`. `fresh`: the data is new, so no signature was used before; else a
   * folder made now (data of a version without it) cannot know the uses before this start.
   */
  static async open(folder: string, options: { fresh: boolean; onError?: (error: unknown) => void }): Promise<DurableReplays> {
    await mkdir(folder, { recursive: true, mode: 0o700 });
    const sinceFile = new DurableJSONFile<{ since: number }>(join(folder, 'since.json'));
    let since = (await sinceFile.read())?.since;
    if (since === undefined) await sinceFile.write({ since: (since = options.fresh ? 0 : Date.now()) });
    const memory = new MemoryReplayStore(since);
    const now = Date.now();
    let until = 0;
    const { journal } = await Journal.open<Used>(folder, (lines) => {
      for (const used of lines) {
        if (used.t !== 'use') continue;
        if (used.x > now) memory.restore(used.k, used.r, used.x);
        until = Math.max(until, used.x);
      }
    });
    const replays = new DurableReplays(memory, journal, options.onError ?? (() => {}));
    // What was read back goes once it has expired, as a sealed segment would: now, if it has.
    const segment = await journal.seal();
    if (until > now) replays.sealed.push({ segment, until });
    else await journal.removeUpTo(segment);
    return replays;
  }

  async firstUse(key: string, request: string, expiresAt: number, now: number, keepAnswer: boolean): Promise<Use> {
    const use = await this.memory.firstUse(key, request, expiresAt, now, keepAnswer);
    if (!use.first) return use;
    try {
      await this.journal.append([{ t: 'use', k: key, r: request, x: expiresAt }], () => (this.until = Math.max(this.until, expiresAt)));
    } catch (error) {
      // Not durable, so not used: the request is refused, and a repeat waiting on it is let go.
      use.answered(null);
      this.memory.release(key);
      throw refusal(error);
    }
    this.maintain(now);
    return use;
  }

  /**
   * Kept answers live in memory only (the journal holds a use's key, a digest of its request and its
   * expiry, nothing of its answer), and none is read back at start: a forgotten answer stays
   * forgotten across a restart without a journal entry of its own.
   */
  forgetAnswers(service: string, texts: readonly string[]): Promise<number> {
    return this.memory.forgetAnswers(service, texts);
  }

  /** Seals the open segment once a minute, and removes the sealed ones whose uses all expired. */
  private maintain(now: number): void {
    if (this.sealing || Math.max(now, Date.now()) - this.sealedAt < SEAL_MS) return;
    this.sealing = (async () => {
      const segment = await this.journal.seal();
      // Uses that reached the sealed segment were counted in `until` before the seal ran.
      this.sealed.push({ segment, until: this.until });
      this.until = 0;
      this.sealedAt = Date.now();
      let upTo: number | undefined;
      while (this.sealed.length > 0 && this.sealed[0]!.until <= now) upTo = this.sealed.shift()!.segment;
      if (upTo !== undefined) await this.journal.removeUpTo(upTo);
    })()
      .catch(this.onError)
      .finally(() => (this.sealing = null));
  }

  async close(): Promise<void> {
    await this.sealing;
    await this.journal.close();
  }
}

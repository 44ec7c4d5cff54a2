import { DomainError } from '../core/errors.js';

/**
 * The replay memory of signed requests: which signatures were used, and the answers given to them,
 * so that a retry gets its first answer and a replay is refused. A store that several processes share
 * keeps it for all of them (PostgreSQL); the embedded store on a file keeps it in a journal of its
 * own, so that it outlives a restart (lowdb/replays.ts); a store in memory keeps it in memory
 * (`MemoryReplayStore`).
 */

/** An answer as sent, kept so that an identical repeat of a request can be given it again. */
export interface KeptAnswer {
  status: number;
  type: string;
  body: string;
}

/**
 * What the replay memory says about a signature. `first`: it was unused, and is used now; the caller
 * reports the answer it gave with `answered` (once; `null` when there is none to keep). Otherwise it
 * was used before, for `request`, and `answer` settles with what that use was answered (`null` if
 * it was not kept).
 */
export type Use =
  | { first: true; answered(answer: KeptAnswer | null): void }
  | { first: false; request: string; answer: Promise<KeptAnswer | null> };

/** Remembers which signatures were used, until their time window closes. */
export interface ReplayStore {
  /** Uses before this time (ms) are unknown to the memory: a restart forgets them. */
  readonly since: number;
  /**
   * Records the first use of `key` for `request` until `expiresAt` (ms). With `keepAnswer` the
   * answer reported for it is kept for repeats; otherwise repeats are only refused.
   */
  firstUse(key: string, request: string, expiresAt: number, now: number, keepAnswer: boolean): Promise<Use>;
  /**
   * Drops the kept answers to the service's requests (keys `<service>\n...`) whose body holds any of
   * `texts`: a person's name and addresses, as an erasure forgets them. An identical repeat of such a
   * request is then refused, as one whose answer was not kept. Answers how many were dropped.
   */
  forgetAnswers(service: string, texts: readonly string[]): Promise<number>;
}

/**
 * The forms a text takes in an answer's body: as a JSON string holds it, and percent-encoded in a
 * path (a paging link). Empty texts would match everything, and are left out.
 */
export function answerForms(texts: readonly string[]): string[] {
  return [...new Set(texts.filter((text) => text !== '').flatMap((text) => [JSON.stringify(text).slice(1, -1), encodeURIComponent(text)]))];
}

/** A first use whose answer is reported at most once, however often the caller reports it. */
export function firstUse(report: (answer: KeptAnswer | null) => void): Use {
  let settled = false;
  return {
    first: true,
    answered: (answer) => {
      if (settled) return;
      settled = true;
      report(answer);
    },
  };
}

interface Entry {
  expiresAt: number;
  request: string;
  answer: Promise<KeptAnswer | null>;
  /** The answer once kept, to look into when asked to forget some. */
  kept?: KeptAnswer;
  bytes: number;
}

/** The replay memory of one process. Bounded: entries by count, kept answers by bytes. */
export class MemoryReplayStore implements ReplayStore {
  private readonly used = new Map<string, Entry>();
  private answerBytes = 0;
  private prunedAt = 0;

  constructor(
    readonly since: number,
    private readonly limits = { entries: 1_000_000, answerBytes: 32 * 1024 * 1024 },
  ) {}

  async firstUse(key: string, request: string, expiresAt: number, now: number, keepAnswer: boolean): Promise<Use> {
    const seen = this.used.get(key);
    if (seen !== undefined && seen.expiresAt > now) return { first: false, request: seen.request, answer: seen.answer };
    if (seen !== undefined) this.forget(key, seen);
    // Expired entries go in bulk, at most every few seconds: a scan per request would cost more.
    if (this.used.size >= this.limits.entries || now - this.prunedAt > 5_000) this.prune(now);
    if (this.used.size >= this.limits.entries) {
      throw new DomainError('unavailable', 'busy', 'Too many signed requests in the last minutes; retry shortly');
    }
    let answered!: (answer: KeptAnswer | null) => void;
    const entry: Entry = { expiresAt, request, bytes: 0, answer: new Promise((resolve) => (answered = resolve)) };
    this.used.set(key, entry);
    return firstUse((answer) => {
      const bytes = answer ? answer.body.length * 2 + 64 : 0;
      // Past the budget the answer is not kept: a repeat is then refused instead of answered.
      if (!keepAnswer || !answer || this.answerBytes + bytes > this.limits.answerBytes || this.used.get(key) !== entry) {
        answered(null);
        return;
      }
      entry.bytes = bytes;
      entry.kept = answer;
      this.answerBytes += bytes;
      answered(answer);
    });
  }

  /** A use remembered from before a restart: refused again until it expires; its answer was not kept. */
  restore(key: string, request: string, expiresAt: number): void {
    const seen = this.used.get(key);
    if (seen) this.forget(key, seen);
    this.used.set(key, { expiresAt, request, bytes: 0, answer: Promise.resolve(null) });
  }

  /** Forgets a first use that did not happen after all (it could not be made durable). */
  release(key: string): void {
    const seen = this.used.get(key);
    if (seen) this.forget(key, seen);
  }

  async forgetAnswers(service: string, texts: readonly string[]): Promise<number> {
    const forms = answerForms(texts);
    let dropped = 0;
    for (const [key, entry] of this.used) {
      if (!key.startsWith(`${service}\n`) || !entry.kept || !forms.some((form) => entry.kept!.body.includes(form))) continue;
      entry.kept = undefined;
      entry.answer = Promise.resolve(null);
      this.answerBytes -= entry.bytes;
      entry.bytes = 0;
      dropped++;
    }
    return dropped;
  }

  private prune(now: number): void {
    this.prunedAt = now;
    for (const [key, entry] of this.used) if (entry.expiresAt <= now) this.forget(key, entry);
  }

  private forget(key: string, entry: Entry): void {
    this.used.delete(key);
    this.answerBytes -= entry.bytes;
  }
}

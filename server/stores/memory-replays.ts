import { DomainError } from '../core/errors.js';
import type { KeptAnswer, ReplayStore, Use } from '../core/ports.js';
import { firstUse } from '../core/replays.js';

export type { KeptAnswer, ReplayStore, Use } from '../core/ports.js';

interface Entry {
  expiresAt: number;
  request: string;
  answer: Promise<KeptAnswer | null>;
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
      this.answerBytes += bytes;
      answered(answer);
    });
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

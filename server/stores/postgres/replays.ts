import type pg from 'pg';
import { answerForms, firstUse, type KeptAnswer, type ReplayStore, type Use } from '../replays.js';
import { unavailable } from './failures.js';

/** Kept answers larger than this are not kept: a repeat of such a request is refused instead. */
const MAX_KEPT_BYTES = 64 * 1024;

/**
 * Signatures used, in the shared database, so a signature used on one instance is refused (or, for
 * an identical repeat, answered the same) on all. The table outlives restarts, so `since` is 0: no
 * signature has to be refused just because a process started after it was made.
 * Expired rows are swept now and then, a bounded number at a time.
 */
export class PostgresReplays implements ReplayStore {
  readonly since = 0;
  private uses = 0;
  private sweeping: Promise<unknown> | null = null;
  private closed = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly onError: (error: unknown) => void = () => {},
    private readonly sweepEvery = 1_000,
    /** How long a repeat waits for the first use's answer (it may still be running, anywhere). */
    private readonly waitMs = 5_000,
  ) {}

  async firstUse(key: string, request: string, expiresAt: number, now: number, keepAnswer: boolean): Promise<Use> {
    // An expired earlier use is taken over in the same statement: no window between check and write.
    const { rowCount } = await this.pool.query(
      `INSERT INTO replays (key, request, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (key) DO UPDATE SET request = excluded.request, expires_at = excluded.expires_at, answered = false, answer = NULL
         WHERE replays.expires_at <= $4
       RETURNING key`,
      [key, request, expiresAt, now],
    ).catch((error) => Promise.reject(unavailable(error, this.onError)));
    if (++this.uses % this.sweepEvery === 0) this.sweep(now);
    if (rowCount === 1) {
      return firstUse((answer) => {
        const kept = keepAnswer && answer && Buffer.byteLength(answer.body) <= MAX_KEPT_BYTES ? answer : null;
        // A lost update only makes a repeat wait, then be refused: never a wrong answer.
        this.pool.query('UPDATE replays SET answered = true, answer = $2 WHERE key = $1', [key, kept]).catch(() => {});
      });
    }
    const { rows } = await this.pool.query<{ request: string }>('SELECT request FROM replays WHERE key = $1', [key]);
    return { first: false, request: rows[0]?.request ?? '', answer: this.answerOf(key) };
  }

  /**
   * The answer of a first use, once given. Nobody may be waiting for it (only a retry of the same
   * request is), so it never rejects: a store closing or failing meanwhile makes it null.
   */
  private async answerOf(key: string): Promise<KeptAnswer | null> {
    const until = Date.now() + this.waitMs;
    while (Date.now() < until && !this.closed) {
      const found = await this.pool.query<{ answered: boolean; answer: KeptAnswer | null }>('SELECT answered, answer FROM replays WHERE key = $1', [key]).catch(() => null);
      if (!found) return null;
      const { rows } = found;
      if (!rows[0]) return null;
      if (rows[0].answered) return rows[0].answer;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return null;
  }

  async forgetAnswers(service: string, texts: readonly string[]): Promise<number> {
    const { rowCount } = await this.pool
      .query(
        `UPDATE replays SET answer = NULL
          WHERE left(key, length($1)) = $1 AND answer IS NOT NULL
            AND EXISTS (SELECT 1 FROM unnest($2::text[]) AS form WHERE strpos(answer ->> 'body', form) > 0)`,
        [`${service}\n`, answerForms(texts)],
      )
      .catch((error) => Promise.reject(unavailable(error, this.onError)));
    return rowCount ?? 0;
  }

  /** Waits for a sweep under way; answers still awaited become null. */
  async close(): Promise<void> {
    this.closed = true;
    await this.sweeping;
  }

  private sweep(now: number): void {
    this.sweeping ??= this.pool
      .query('DELETE FROM replays WHERE key IN (SELECT key FROM replays WHERE expires_at <= $1 LIMIT $2)', [now, this.sweepEvery * 10])
      // A failed sweep only leaves expired keys for the next one.
      .catch(() => {})
      .finally(() => (this.sweeping = null));
  }
}

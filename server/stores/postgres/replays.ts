import type pg from 'pg';
import type { ReplayStore } from '../../core/ports.js';
import { unavailable } from './failures.js';

/**
 * One-time keys in the shared database, so a signature used on one instance is refused on all.
 * Expired keys are swept now and then, a bounded number at a time.
 */
export class PostgresReplays implements ReplayStore {
  private uses = 0;
  private sweeping: Promise<unknown> | null = null;

  constructor(
    private readonly pool: pg.Pool,
    private readonly onError: (error: unknown) => void = () => {},
    private readonly sweepEvery = 1_000,
  ) {}

  async firstUse(key: string, expiresAt: number, now: number): Promise<boolean> {
    // An expired earlier use is taken over in the same statement: no window between check and write.
    const { rowCount } = await this.pool
      .query(
        `INSERT INTO replays (key, expires_at) VALUES ($1, $2)
         ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at WHERE replays.expires_at <= $3
         RETURNING key`,
        [key, expiresAt, now],
      )
      .catch((error) => Promise.reject(unavailable(error, this.onError)));
    if (++this.uses % this.sweepEvery === 0) this.sweep(now);
    return rowCount === 1;
  }

  /** Waits for a sweep under way. */
  async close(): Promise<void> {
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

import type { Invalidation } from '../core/changes.js';
import type { ChangeFeed, ReplayStore } from '../core/ports.js';

/** The change feed of a store that only one process uses: listeners in this process. */
export class LocalFeed implements ChangeFeed {
  private readonly listeners = new Set<(change: Invalidation) => void>();

  subscribe(listener: (change: Invalidation) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(change: Invalidation): void {
    for (const listener of this.listeners) listener(change);
  }
}

/**
 * One-time keys in memory, for a store that only one process uses. Bounded: when full, expired
 * keys are dropped; when still full, `firstUse` throws (the caller answers "busy").
 */
export class MemoryReplays implements ReplayStore {
  private readonly used = new Map<string, number>();

  constructor(private readonly capacity = 1_000_000) {}

  async firstUse(key: string, expiresAt: number, now: number): Promise<boolean> {
    const seen = this.used.get(key);
    if (seen !== undefined && seen > now) return false;
    if (this.used.size >= this.capacity) for (const [k, until] of this.used) if (until <= now) this.used.delete(k);
    if (this.used.size >= this.capacity) throw new Error('replay memory is full');
    this.used.set(key, expiresAt);
    return true;
  }
}

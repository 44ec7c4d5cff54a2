import type { Invalidation } from '../core/changes.js';
import type { ChangeFeed } from '../core/ports.js';

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

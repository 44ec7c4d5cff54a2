import type { Invalidation } from '../../core/changes.js';
import type { ServiceRecord } from '../../core/model.js';

/**
 * Service records by name, asked for on every request, kept until the change feed says the service
 * changed. An entry is the promise of the lookup, so concurrent requests share one query, and a
 * change that arrives while the query runs drops it: its answer may be from before the change.
 */
export class ServiceCache {
  private readonly entries = new Map<string, Promise<ServiceRecord | undefined>>();

  constructor(
    private readonly load: (name: string) => Promise<ServiceRecord | undefined>,
    private readonly capacity = 10_000,
  ) {}

  get(name: string): Promise<ServiceRecord | undefined> {
    let entry = this.entries.get(name);
    if (!entry) {
      // Misses are kept too (requests for services that do not exist are common), so bound it.
      if (this.entries.size >= this.capacity) this.entries.clear();
      const loading = this.load(name);
      this.entries.set(name, (entry = loading));
      loading.catch(() => this.entries.get(name) === loading && this.entries.delete(name));
    }
    return entry;
  }

  invalidate(change: Invalidation): void {
    if (change.service === '*') this.entries.clear();
    else if (change.all) this.entries.delete(change.service);
  }
}

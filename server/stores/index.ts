import type { Store } from '../core/ports.js';
import type { ReplayStore } from './replays.js';
import { LowdbStore, type LowdbStoreOptions } from './lowdb/lowdb-store.js';

export interface OpenStoreOptions extends LowdbStoreOptions {
  /** A PostgreSQL connection string: the shared store. Without it, the embedded lowdb store. */
  database?: string;
  /** PostgreSQL: connections in the pool (default 10). */
  poolSize?: number;
}

export type OpenedStore = Store & { readonly replays?: ReplayStore };

/**
 * Opens a store: PostgreSQL when `database` is given, else the embedded store on `file` (in memory
 * without one).
 */
export async function openStore(options: OpenStoreOptions = {}): Promise<OpenedStore> {
  const store: OpenedStore = options.database
    ? await (await import('./postgres/postgres-store.js')).PostgresStore.open({
        url: options.database,
        poolSize: options.poolSize,
        // Failures no request sees (an idle connection lost, the feed reconnecting) are still logged.
        onError: (error) => options.onError?.(error, false),
      })
    : await LowdbStore.open(options);
  return store;
}

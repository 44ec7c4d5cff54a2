import { Domain } from '../core/domain.js';
import type { Store } from '../core/ports.js';
import type { ReplayStore } from './replays.js';
import { LowdbStore, type LowdbStoreOptions } from './lowdb/lowdb-store.js';
import { seedDemo } from './seed.js';

export interface OpenStoreOptions extends LowdbStoreOptions {
  /** A PostgreSQL connection string: the shared store. Without it, the embedded lowdb store. */
  database?: string;
  /** PostgreSQL: connections in the pool (default 10). */
  poolSize?: number;
  /** Fill a new, empty store with the `demo` service. */
  seed?: boolean;
}

export type OpenedStore = Store & { readonly replays?: ReplayStore; seeded?: { service: string; key: string } };

/**
 * Opens a store: PostgreSQL when `database` is given, else the embedded store on `file` (in memory
 * without one). With `seed`, a store that has no services yet gets the demo service; `seeded` then
 * carries its key.
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
  if (options.seed) store.seeded = await seedIfEmpty(store);
  return store;
}

/**
 * Gives a store that has no services yet the demo service, and returns its key (undefined when there
 * was something already). `serve` calls it only once it listens: a start that fails earlier (the port
 * taken) must not make a key that nobody saw.
 */
export async function seedIfEmpty(store: Store, options: { learning?: boolean } = {}): Promise<{ service: string; key: string } | undefined> {
  if ((await store.listServices()).length > 0) return undefined;
  return seedDemo(new Domain(store), options).catch(async (error) => {
    // Another instance on the same database seeded it first.
    if ((error as { code?: string }).code === 'service_exists') return undefined;
    throw error;
  });
}

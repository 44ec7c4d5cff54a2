import { LowdbStore, type LowdbStoreOptions } from './lowdb/lowdb-store.js';
import { seedDemo } from './seed.js';
import type { Store } from './types.js';

export type { Store } from './types.js';
export type * from './types.js';

export interface OpenStoreOptions extends LowdbStoreOptions {
  /** Fill a new, empty store with the `demo` service. */
  seed?: boolean;
}

/**
 * Opens the embedded store: on `file` if given, in memory otherwise. With `seed`, a store that has no
 * services yet gets the demo service; `seeded` then carries its key.
 */
export async function openStore(options: OpenStoreOptions = {}): Promise<Store & { seeded?: { service: string; key: string } }> {
  const store: Store & { seeded?: { service: string; key: string } } = await LowdbStore.open(options);
  if (options.seed && (await store.listServices()).length === 0) store.seeded = await seedDemo(store);
  return store;
}

import type { Store } from '../core/ports.js';
import { openStore as openStoreOnly, type OpenedStore, type OpenStoreOptions as StoreOptions } from '../stores/index.js';
import { composeDomain } from './domain.js';
import { seedDemo } from './seed.js';

export interface OpenStoreOptions extends StoreOptions {
  /** Fill a new, empty store with the `demo` service. */
  seed?: boolean;
}

export type SeededStore = OpenedStore & { seeded?: { service: string; key: string } };

/**
 * Opens a store (see stores/index.ts). With `seed`, a store that has no services yet gets the demo
 * service, written through the composed Domain like any other write; `seeded` then carries its key.
 */
export async function openStore({ seed, ...options }: OpenStoreOptions = {}): Promise<SeededStore> {
  const store: SeededStore = await openStoreOnly(options);
  if (seed) store.seeded = await seedIfEmpty(store);
  return store;
}

/**
 * Gives a store that has no services yet the demo service, and returns its key (undefined when there
 * was something already). `serve` calls it only once it listens: a start that fails earlier (the port
 * taken) must not make a key that nobody saw.
 */
export async function seedIfEmpty(store: Store, options: { learning?: boolean } = {}): Promise<{ service: string; key: string } | undefined> {
  if ((await store.listServices()).length > 0) return undefined;
  return seedDemo(composeDomain(store, { actor: { type: 'system', job: 'seed' } }), options).catch(async (error) => {
    // Another instance on the same database seeded it first.
    if ((error as { code?: string }).code === 'service_exists') return undefined;
    throw error;
  });
}

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '../../server/core/ports.js';
import { openStore, type OpenStoreOptions, type SeededStore as OpenedStore } from '../../server/app/open-store.js';
import { dropDatabase, withPostgres } from './postgres.js';

/** Where one test keeps its data: every `open()` opens a store on it; `cleanup()` closes them all and removes it. */
export interface StorePlace {
  /** `options` as for openStore (seed, ...); where the data lives is the place's business. */
  open(options?: Omit<OpenStoreOptions, 'file' | 'database'>): Promise<OpenedStore>;
  cleanup(): Promise<void>;
}

export interface StoreKind {
  readonly name: string;
  /** Whether what was written is there after closing and opening again. */
  readonly durable: boolean;
  /** Whether several stores may be open on the same data at once (instances of a shared store). */
  readonly shared: boolean;
  /** A new, empty place. */
  place(): Promise<StorePlace>;
}

/** Every store the server can run on, for suites that must hold on each (the store contract, HTTP tests). */
export const storeKinds: readonly StoreKind[] = [
  { name: 'lowdb in memory', durable: false, shared: false, place: async () => tracked((options) => openStore(options)) },
  {
    name: 'lowdb on a file',
    durable: true,
    shared: false,
    place: async () => {
      const dir = await mkdtemp(join(tmpdir(), 'user-badges-store-'));
      return tracked(
        (options) => openStore({ ...options, file: join(dir, 'db.json') }),
        () => rm(dir, { recursive: true, force: true }),
      );
    },
  },
  {
    name: 'PostgreSQL',
    durable: true,
    shared: true,
    place: async () => {
      const database = await withPostgres();
      return tracked(
        (options) => openStore({ ...options, database }),
        () => dropDatabase(database),
      );
    },
  },
];

/** Remembers the stores a place opened, so that cleanup closes those a test left open. */
function tracked(open: StorePlace['open'], remove?: () => Promise<void>): StorePlace {
  const opened = new Set<Store>();
  return {
    async open(options) {
      const store = await open(options);
      opened.add(store);
      return store;
    },
    async cleanup() {
      // A store a test closed already answers close() again at once.
      await Promise.all([...opened].map((store) => store.close().catch(() => {})));
      await remove?.();
    },
  };
}

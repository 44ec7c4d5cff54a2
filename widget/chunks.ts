import { warn } from './events.js';
import { addCatalogue, addDefaults, type Messages } from './i18n.js';
import type { Kit } from './kit.js';

/**
 * How a build loads a chunk by name: the ES module build imports its own files (`chunk-list.ts`),
 * the classic script `<its folder>/chunks/<name>.js?v=<content version>` (`classic.ts`).
 */
export type ChunkImport = (name: string) => Promise<{ default: unknown }>;

/** How chunks load, and the {@link Kit} they receive: set by the entry point (classic.ts, index.ts). */
export const chunkConfig: { load?: ChunkImport; kit?: Kit } = {};

const pending = new Map<string, Promise<unknown>>();
const ready = new Map<string, unknown>();

/**
 * A chunk's default export, loaded once per page: a function is called with the kit (what
 * the script shares with its chunks: Lit's `html`, the badge helpers) and its result kept; its
 * `messages` are English defaults, and a catalogue (`messages/<lang>`) is the messages of its
 * language. A chunk
 * that cannot load (blocked, offline) resolves to null, said once in the console; the caller falls
 * back (English, the list of badges).
 *
 * Parts of the widget that a page may not use are chunks, each a module under `widget/chunks/`
 * whose default export is `(kit) => what it adds` or plain data (a message catalogue): a new one is
 * that file plus its line in `chunk-list.ts`; the build does the rest.
 */
export function chunk<T>(name: string): Promise<T | null> {
  let p = pending.get(name);
  if (!p)
    pending.set(
      name,
      (p = chunkConfig.load!(name)
        .then(
          (m) => (typeof m.default == 'function' ? m.default(chunkConfig.kit) : m.default),
          (e: Error) => (warn(`<user-badges>: cannot load its ${name} part (${e.message})`), null),
        )
        .then((v) => {
          if (v) name[0] == 'm' ? addCatalogue(name.slice(9), v as Partial<Messages>) : addDefaults((v as { messages?: Partial<Messages> }).messages || {});
          ready.set(name, v);
          return v;
        })),
    );
  return p as Promise<T | null>;
}

/** A chunk already loaded (null if it failed), else undefined. */
export const loaded = <T>(name: string): T | null | undefined => ready.get(name) as T | null | undefined;

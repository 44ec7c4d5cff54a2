import type { ChunkImport } from './chunks.js';

/**
 * The chunks, by name, as the ES module build imports them (a bundler makes each a file of its own).
 * The classic script loads the same modules built one by one into `dist/widget/chunks/`.
 * A new chunk: its module under `chunks/`, and its line here.
 */
const CHUNKS: Record<string, () => Promise<{ default: unknown }>> = {
  grid: () => import('./chunks/grid.js'),
  summary: () => import('./chunks/summary.js'),
  compact: () => import('./chunks/compact.js'),
  strings: () => import('./chunks/strings.js'),
  states: () => import('./chunks/states.js'),
  details: () => import('./chunks/details.js'),
  live: () => import('./chunks/live.js'),
  portable: () => import('./chunks/portable.js'),
  'messages/de': () => import('./chunks/messages/de.js'),
  'messages/fr': () => import('./chunks/messages/fr.js'),
  'messages/es': () => import('./chunks/messages/es.js'),
  'messages/pt-BR': () => import('./chunks/messages/pt-BR.js'),
  'messages/ja': () => import('./chunks/messages/ja.js'),
  'messages/ar': () => import('./chunks/messages/ar.js'),
};

export const importChunk: ChunkImport = (name) => CHUNKS[name]!();

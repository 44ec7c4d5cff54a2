/** The domain core: the model's rules, written once, run by every store. No HTTP, no storage. */
export * from './actor.js';
export * from './changes.js';
export * from './domain.js';
export * from './errors.js';
export type * from './model.js';
export { Overlay } from './overlay.js';
export type * from './ports.js';

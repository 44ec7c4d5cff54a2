/**
 * Open Badges 2.0 and 3.0 as pure functions over plain inputs: no HTTP, no store. The feature
 * module (app/features/openbadges.ts) feeds them awards, badges and issuers and serves the results.
 * Signing and verifying are loaded when first needed: see signing.ts.
 */
export * from './bake.js';
export * from './contexts.js';
export * from './jwt.js';
export * from './keys.js';
export * from './ob2.js';
export * from './ob3.js';
export * from './status-list.js';
export * from './images.js';
export type * from './data-integrity.js';
export type * from './verify.js';

/** The signing and verifying functions, loaded once, at the first call. */
export const signing = (): Promise<typeof import('./signing.js')> => (loaded ??= import('./signing.js'));
let loaded: Promise<typeof import('./signing.js')> | undefined;

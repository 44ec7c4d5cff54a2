/**
 * Open Badges 2.0 and 3.0 as pure functions over plain inputs: no HTTP, no store. The feature
 * module (app/features/openbadges.ts) feeds them awards, badges and issuers and serves the results.
 */
export * from './bake.js';
export * from './contexts.js';
export * from './data-integrity.js';
export * from './jwt.js';
export * from './keys.js';
export * from './ob2.js';
export * from './ob3.js';
export * from './status-list.js';
export * from './verify.js';
export * from './images.js';

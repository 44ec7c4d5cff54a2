/**
 * Signing and verifying credentials: JSON-LD, the Data Integrity suites and their contexts, about
 * 7 MB of memory and a tenth of a second of a start (issue 25). A server loads them at its first
 * credential (see index.ts's `signing`), not at every start.
 */
export * from './context-loader.js';
export * from './data-integrity.js';
export * from './verify.js';

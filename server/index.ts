/** The server as a library: build the app around a store of your choice and listen yourself. */
export { createApp, type CreateAppOptions } from './app/create-app.js';
export { openStore, type OpenStoreOptions } from './app/open-store.js';
export { composeDomain } from './app/domain.js';
export type * from './core/model.js';
export type * from './core/ports.js';
export type { KeptAnswer, ReplayStore, Use } from './stores/replays.js';
export { Domain, DomainError } from './core/index.js';
export { HttpError } from './http/errors.js';
export { UserBadgesClient, UserBadgesError, signRequest } from '../client/user-badges-client.js';

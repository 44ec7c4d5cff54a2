import { typeKey, type EventTypeRef } from './kinds.js';

/**
 * GetBadges' own event types, which its integrations sent without anyone registering them
 * (`GET /api/v0/event-types` listed them). Only those its published documentation names are here
 * (getbadges-api-v0): the full list was never published. A service takes them as if registered.
 */
export const GETBADGES_CATALOGUE: readonly EventTypeRef[] = [
  { source: 'issueTracker', type: 'task', action: 'reopen' },
  { source: 'issueTracker', type: 'task', action: 'close' },
  { source: 'ci', type: 'build', action: 'failed' },
  { source: 'crm', type: 'call', action: 'undo' },
  { source: 'codeRepository', type: 'pullRequest', action: 'add' },
];

const KEYS = new Set(GETBADGES_CATALOGUE.map(typeKey));

export const inCatalogue = (key: string) => KEYS.has(key);

import { revokeInStatusLists } from '../../core/openbadges.js';
import { openBadgesRoutes } from '../../http/routes/openbadges.js';
import type { Feature } from './feature.js';

/**
 * Badges that travel (issue 22): each award as an Open Badges 2.0 hosted assertion and a signed
 * Open Badges 3.0 credential, a page for people, and revocations entered in the issuers' status
 * lists in the unit that revokes.
 */
export const openBadges: Feature = {
  name: 'openbadges',
  reactors: [revokeInStatusLists],
  routes: openBadgesRoutes,
};

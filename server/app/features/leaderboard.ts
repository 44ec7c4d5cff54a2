import { standingRoutes } from '../../http/routes/standings.js';
import type { Feature } from './feature.js';

/**
 * Points and leaderboards, one badge and its holders, and what users feature and hide (issue 21).
 * The rules are the core's (core/standings.ts, rules/display.ts); each store keeps the indexes.
 */
export const leaderboard: Feature = { name: 'leaderboard', routes: standingRoutes };

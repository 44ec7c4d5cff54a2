import { activityEntries } from '../../core/events/activity.js';
import { metaBadges } from '../../core/events/meta.js';
import { activityRoutes } from '../../http/routes/activity.js';
import { eventRoutes } from '../../http/routes/events.js';
import { getBadgesRoutes } from '../../http/routes/getbadges.js';
import { ruleRoutes } from '../../http/routes/rules.js';
import { eventJobs } from '../../jobs/events.js';
import type { Feature } from './feature.js';

/**
 * Badges that award themselves (GetBadges' events and rules): event types, events, rules with
 * preview and backfill, meta-badges, and the activity feed every award and event appears in.
 */
export const events: Feature = {
  name: 'events',
  reactors: [activityEntries, metaBadges],
  routes: [...eventRoutes, ...ruleRoutes, ...activityRoutes, ...getBadgesRoutes],
  jobs: eventJobs,
};

import { awardRoutes } from '../../http/routes/awards.js';
import { badgeRoutes } from '../../http/routes/badges.js';
import { crowdTwistRoutes } from '../../http/routes/crowdtwist.js';
import { userRoutes } from '../../http/routes/users.js';
import type { Feature } from './feature.js';

/** The UserBadges v1 API: badges, users, awards (each an instance with its id), progress, members' segments; CrowdTwist's badges at their path. Its rules are the core's own. */
export const awards: Feature = { name: 'awards', routes: [...badgeRoutes, ...userRoutes, ...awardRoutes, ...crowdTwistRoutes] };

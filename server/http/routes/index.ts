import { adminRoutes } from './admin.js';
import { claimCodeRoutes } from './claim-codes.js';
import { invitationRoutes } from './invitations.js';
import { keyRoutes } from './keys.js';
import { webhookRoutes } from './webhooks.js';
import { badgeRoutes } from './badges.js';
import { metaRoutes } from './meta.js';
import { userRoutes } from './users.js';
import { activityRoutes } from './activity.js';
import { eventRoutes } from './events.js';
import { getBadgesRoutes } from './getbadges.js';
import { ruleRoutes } from './rules.js';

/** Every route the server can mount, grouped as `createApp` mounts them. */
export const routeGroups = {
  v1: [...badgeRoutes, ...userRoutes, ...eventRoutes, ...ruleRoutes, ...activityRoutes, ...getBadgesRoutes, ...invitationRoutes, ...keyRoutes, ...claimCodeRoutes, ...webhookRoutes],
  admin: adminRoutes,
  meta: metaRoutes,
};

export const routes = [...routeGroups.v1, ...routeGroups.admin, ...routeGroups.meta];

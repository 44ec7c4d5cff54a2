import { badgeLeftovers } from '../../core/access/claim-codes.js';
import { claimCodeRoutes } from '../../http/routes/claim-codes.js';
import { invitationRoutes } from '../../http/routes/invitations.js';
import { keyRoutes } from '../../http/routes/keys.js';
import { mozillaRoutes } from '../../http/routes/mozilla.js';
import { expiryJob } from '../../jobs/expiry.js';
import type { Feature } from './feature.js';

/** Awards by email with invitations, scoped keys and key rotation, claim codes (badges.mozilla.org, BadgeKit). */
export const access: Feature = {
  name: 'access',
  reactors: [badgeLeftovers],
  routes: [...invitationRoutes, ...keyRoutes, ...claimCodeRoutes, ...mozillaRoutes],
  jobs: (deps) => [expiryJob(deps)],
};

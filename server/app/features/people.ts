import { auditTrail } from '../../core/audit.js';
import { auditRoutes } from '../../http/routes/audit.js';
import { peopleRoutes } from '../../http/routes/people.js';
import type { Feature } from './feature.js';

/**
 * Who did what, and a person's data on request: the audit trail every unit writes (Discourse's
 * staff action log), and a user's data exported, erased or renamed (GDPR articles 15 and 17).
 */
export const people: Feature = {
  name: 'people',
  reactors: [auditTrail],
  routes: [...auditRoutes, ...peopleRoutes],
};

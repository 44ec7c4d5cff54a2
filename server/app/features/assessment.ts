import { applicationRoutes } from '../../http/routes/applications.js';
import type { Feature } from './feature.js';

/**
 * Earners' applications for a badge, reviewed against its criteria (BadgeKit's assessment). Its
 * webhooks (`application.reviewed`, ...) are domain events, sent by the webhooks feature's outbox.
 */
export const assessment: Feature = { name: 'assessment', routes: applicationRoutes };

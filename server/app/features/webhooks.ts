import { webhookOutbox } from '../../core/access/webhooks.js';
import { webhookRoutes } from '../../http/routes/webhooks.js';
import { deliveryJob, webhookLogJob } from '../../jobs/webhooks.js';
import type { Feature } from './feature.js';

/**
 * Signed webhooks (Standard Webhooks): the outbox writes a change's messages and deliveries in the
 * change's own unit; the delivery job sends them, the log job removes what is past retention.
 */
export const webhooks: Feature = {
  name: 'webhooks',
  reactors: [webhookOutbox],
  routes: webhookRoutes,
  jobs: (deps) => [deliveryJob(deps), webhookLogJob(deps)],
};

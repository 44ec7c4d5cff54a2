import { GetBadgesBody, GetBadgesEventTypes, GetBadgesResponse, TokenParams } from '../../../types/events-schema.js';
import { GETBADGES_CATALOGUE } from '../../core/events/catalogue.js';
import { ingest } from '../../core/events/ingest.js';
import { integrationOfToken } from '../../core/events/integrations.js';
import { notFound } from '../errors.js';
import { eventList, settingsDefaults } from './events.js';
import { route } from './table.js';

/** The integration a request's token names, found before its body is read (see `admit`). */
const admitted = new WeakMap<object, { service: string; id: string }>();

/**
 * GetBadges' webhook URL: their payload as it is (one event or an array, `version: 0`, the user by
 * `email`), their fixed answer, their catalogue of event types. The events are recorded before it
 * answers; those refused are kept with the reason (`GET /v1/{service}/events/rejected.json`), never
 * dropped unseen.
 */
export const getBadgesRoutes = [
  route({
    method: 'get',
    path: '/api/v0/event-types',
    operationId: 'getBadgesListEventTypes',
    summary: "GetBadges v0: the event types every service takes without registering them",
    description: 'A bare array of `{source, type, action}`, as GetBadges answered. A service takes these, and the types it registered (`GET /v1/{service}/event-types.json`).',
    tags: ['events'],
    auth: 'public',
    response: { description: 'The catalogue', schema: GetBadgesEventTypes },
    handler: async () => GETBADGES_CATALOGUE.map((t) => ({ ...t })),
  }),
  route({
    method: 'post',
    path: '/v0/event/log/{token}',
    operationId: 'getBadgesLogEvent',
    summary: 'GetBadges v0: record events sent to an integration URL',
    description:
      'Answers `{"status":"ok","message":"Event enqueued for processing"}` as GetBadges did, once the events are recorded. Ids are unique per integration, as there. An event for an address no user has yet is kept, and counted when a user gets the address. An event refused (unknown type, malformed) is listed with its reason at `GET /v1/{service}/events/rejected.json`.',
    tags: ['events'],
    auth: 'public',
    params: TokenParams,
    body: GetBadgesBody,
    bodyBytes: (config) => Math.max(config.maxBodyBytes, config.maxEventBodyBytes),
    response: { description: 'Taken', schema: GetBadgesResponse },
    errors: {
      400: 'The body is not an event nor an array of events (`invalid_body`), or holds more than 1,000 (`too_many_events`)',
      404: 'No integration has this token (`integration_not_found`)',
      403: "The events would make the service hold more than its quota (`quota_events`); nothing is recorded",
    },
    etag: false,
    // The token is the credential: a wrong one is refused before a byte of the body is read.
    admit: async (ctx, { params }, { store }) => {
      const integration = await integrationOfToken(store, params.token);
      if (!integration) throw notFound('integration_not_found', 'No integration has this token; make one with POST /v1/{service}/integrations.json');
      admitted.set(ctx, integration);
    },
    handler: async (ctx, { body }, { domain, config }) => {
      const integration = admitted.get(ctx)!;
      const events = eventList(body, () => undefined);
      const { service } = integration;
      await domain.as({ type: 'integration', id: integration.id }).run(service, (tx) => ingest(tx, service, events, { via: 'getbadges', integration: integration.id, defaults: settingsDefaults(config), quotas: config.quotas }));
      return { status: 'ok' as const, message: 'Event enqueued for processing' as const };
    },
  }),
];

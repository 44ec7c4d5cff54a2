import { EventSettings, EventSettingsBody, EventTypesBody, EventTypesResponse, EventsBody, EventsResponse, Integration, IntegrationBody, IntegrationDeleted, IntegrationParams, IntegrationWithToken, IntegrationsResponse, PageQuery, RejectedResponse, MAX_EVENTS_PER_REQUEST } from '../../../types/events-schema.js';
import { ServiceParams } from '../../../types/schema.js';
import { putEventTypes, listEventTypes } from '../../core/events/event-types.js';
import { ingest, type EventResult } from '../../core/events/ingest.js';
import { createIntegration, deleteIntegration, listIntegrations } from '../../core/events/integrations.js';
import { KIND, type RejectedEvent } from '../../core/events/kinds.js';
import { itemReads } from '../../core/events/store-reads.js';
import { eventSettings, setEventSettings, DEFAULT_SETTINGS } from '../../core/events/settings.js';
import type { AppConfig } from '../../config/app.js';
import { badRequest } from '../errors.js';
import { itemList, listPage } from '../paging.js';
import { route } from './table.js';

/** Event types, events, integration tokens and event settings of a service (issue 9). */

export const settingsDefaults = (config: AppConfig) => ({ ...DEFAULT_SETTINGS, retentionDays: config.eventRetentionDays });

/** `{"events": [...]}` or one event: the list of events either way. */
export function eventList(body: unknown, wrapped: (body: object) => unknown): unknown[] {
  if (typeof body !== 'object' || body === null) throw badRequest('invalid_body', 'The body must be an event, or a JSON object like {"events": [...]}');
  const list = Array.isArray(body) ? body : wrapped(body);
  const events = list === undefined ? [body] : list;
  if (!Array.isArray(events)) throw badRequest('invalid_body', '"events" must be an array of events');
  if (events.length > MAX_EVENTS_PER_REQUEST) throw badRequest('too_many_events', `At most ${MAX_EVENTS_PER_REQUEST} events per request; split the batch`);
  return events;
}

/** What the v1 API answers: an event is kept pending only when it came through an integration. */
type ApiResult = Exclude<EventResult, { status: 'pending' }>;

export function summary(results: ApiResult[]) {
  const count = (status: ApiResult['status']) => results.filter((r) => r.status === status).length;
  return { events: results, recorded: count('recorded'), duplicates: count('duplicate'), rejected: count('rejected') };
}

export const eventRoutes = [
  route({
    method: 'get',
    path: '/v1/{service}/event-types.json',
    operationId: 'listEventTypes',
    summary: 'The event types the service takes',
    tags: ['events'],
    auth: 'public',
    params: ServiceParams,
    response: { description: 'Every registered event type', schema: EventTypesResponse },
    handler: async (ctx, _input, { store }) => ({ eventTypes: await listEventTypes(itemReads(store), ctx.state.service.name) }),
  }),
  route({
    method: 'put',
    path: '/v1/{service}/event-types.json',
    operationId: 'putEventTypes',
    summary: 'Register event types (or update their descriptions)',
    description: 'Events of a type that is not registered are refused (`unknown_event_type`), so are rules that name one.',
    tags: ['events'],
    auth: 'service',
    params: ServiceParams,
    body: EventTypesBody,
    response: { description: 'Every registered event type', schema: EventTypesResponse },
    handler: async (ctx, { body }, { domain }) => ({ eventTypes: await domain.run(ctx.state.service.name, (tx) => putEventTypes(tx, ctx.state.service.name, body.eventTypes)) }),
  }),
  route({
    method: 'post',
    path: '/v1/{service}/events.json',
    operationId: 'postEvents',
    summary: 'Record events; rules award from them in the same write',
    description:
      'One event or `{"events": [...]}` (up to 1,000), in GetBadges\' shape, the user as `user` or `email`. Taken in as one atomic write, in the order sent; each event is answered on its own: `recorded` (with the badges it earned), `duplicate` (its id was recorded before: nothing changed) or `rejected` with an error (`invalid_event`, `invalid_event_id`, `invalid_event_type`, `unknown_event_type`, `invalid_user`, `unknown_user`, `invalid_at`, `at_out_of_range`, `invalid_preview`, `invalid_permalink`, `invalid_data`). Refused events are also kept a while (`events/rejected.json`).',
    tags: ['events'],
    auth: 'service',
    params: ServiceParams,
    body: EventsBody,
    bodyBytes: (config) => Math.max(config.maxBodyBytes, config.maxEventBodyBytes),
    response: { description: 'What became of each event, in the order sent', schema: EventsResponse },
    errors: {
      400: 'The body is not an event nor {"events": [...]} (`invalid_body`), or holds more than 1,000 events (`too_many_events`)',
      403: 'The events would make the service hold more than its quota (`quota_events`); nothing is recorded',
    },
    handler: async (ctx, { body }, { domain, config }) => {
      const service = ctx.state.service.name;
      const events = eventList(body, (b) => (b as { events?: unknown }).events);
      return summary((await domain.run(service, (tx) => ingest(tx, service, events, { via: 'api', defaults: settingsDefaults(config), quotas: config.quotas }))) as ApiResult[]);
    },
  }),
  route({
    method: 'get',
    path: '/v1/{service}/events/rejected.json',
    operationId: 'listRejectedEvents',
    summary: 'Events refused lately, newest first, with the reason',
    description: 'Every refused event, from this API and from the GetBadges URL (which answers 200 whatever happens), kept as long as events are.',
    tags: ['events'],
    auth: 'service',
    params: ServiceParams,
    query: PageQuery,
    response: { description: 'A page of refusals', schema: RejectedResponse },
    handler: async (ctx, { query }, { store }) => {
      const service = ctx.state.service.name;
      const rejected = itemList((q) => store.listItems(service, KIND.rejected, { order: 'desc', ...q }), () => store.countItems(service, KIND.rejected, {}));
      const { items, paging } = await listPage(ctx.path, {}, query, rejected);
      return { rejected: items.map((item) => ({ at: item.at, ...(item.v as RejectedEvent) })), paging };
    },
  }),
  route({
    method: 'get',
    path: '/v1/{service}/event-settings.json',
    operationId: 'getEventSettings',
    summary: 'How long events are kept, and whether they are public in the activity feed',
    tags: ['events'],
    auth: 'public',
    params: ServiceParams,
    response: { description: 'The settings', schema: EventSettings },
    handler: async (ctx, _input, { store, config }) => eventSettings(itemReads(store), ctx.state.service.name, settingsDefaults(config)),
  }),
  route({
    method: 'put',
    path: '/v1/{service}/event-settings.json',
    operationId: 'putEventSettings',
    summary: 'Change how long events are kept, or whether they are public',
    description: 'Events are kept at least as long as the longest window of a rule, whatever `retentionDays` says.',
    tags: ['events'],
    auth: 'service',
    params: ServiceParams,
    body: EventSettingsBody,
    response: { description: 'The settings', schema: EventSettings },
    handler: async (ctx, { body }, { domain, config }) => domain.run(ctx.state.service.name, (tx) => setEventSettings(tx, ctx.state.service.name, body, settingsDefaults(config))),
  }),
  route({
    method: 'get',
    path: '/v1/{service}/integrations.json',
    operationId: 'listIntegrations',
    summary: 'Integration tokens of the service (without the tokens)',
    tags: ['events'],
    auth: 'service',
    params: ServiceParams,
    response: { description: 'The integrations', schema: IntegrationsResponse },
    handler: async (ctx, _input, { store }) => ({ integrations: await listIntegrations(store, ctx.state.service.name) }),
  }),
  route({
    method: 'post',
    path: '/v1/{service}/integrations.json',
    operationId: 'createIntegration',
    summary: 'Make an integration token for the GetBadges URL',
    description: 'The token is shown once, in the answer; events posted to `/v0/event/log/{token}` go to this service.',
    tags: ['events'],
    auth: 'service',
    params: ServiceParams,
    body: IntegrationBody,
    response: { status: 201, description: 'The integration and its token', schema: IntegrationWithToken },
    handler: async (ctx, { body }, { domain }) => {
      ctx.set('Cache-Control', 'no-store');
      const made = await domain.run(ctx.state.service.name, (tx) => createIntegration(tx, ctx.state.service.name, body.name));
      return { ...made, url: `/v0/event/log/${made.token}` };
    },
  }),
  route({
    method: 'delete',
    path: '/v1/{service}/integrations/{id}.json',
    operationId: 'deleteIntegration',
    summary: 'Revoke an integration token',
    tags: ['events'],
    auth: 'service',
    params: IntegrationParams,
    response: { description: 'Deleted', schema: IntegrationDeleted },
    errors: { 404: 'The service, or the integration, does not exist (`service_not_found`, `integration_not_found`)' },
    handler: async (ctx, { params }, { domain }) => {
      await domain.run(ctx.state.service.name, (tx) => deleteIntegration(tx, ctx.state.service.name, params.id));
      return { id: params.id, deleted: true as const };
    },
  }),
];

export type { Integration };

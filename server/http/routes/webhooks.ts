import type { Static } from '@sinclair/typebox';
import {
  AttemptList,
  Endpoint as EndpointSchema,
  EndpointChange,
  EndpointDeleted,
  EndpointList,
  EndpointParams,
  NewEndpointBody,
  NewEndpointResponse,
  PageQuery,
  RedeliverParams,
  Redelivery,
} from '../../../types/access-schema.js';
import { ServiceParams } from '../../../types/schema.js';
import { accessConfig } from '../../config/access.js';
import { itemList, listPage } from '../paging.js';
import { checkEndpointUrl } from '../../webhooks/ssrf.js';
import { newId } from '../../core/access/ids.js';
import {
  ATTEMPT_KIND,
  createEndpoint,
  newEndpointSecret,
  deleteEndpoint,
  DELIVERY_KIND,
  ENDPOINT_KIND,
  redeliver,
  requireEndpoint,
  updateEndpoint,
  WEBHOOK_EVENTS,
  type Attempt,
  type Endpoint,
} from '../../core/access/webhooks.js';
import type { Store } from '../../core/ports.js';
import { notFound } from '../errors.js';
import { route } from './table.js';

/** `/v1/:service/webhooks`: where a service's events are delivered, and how that went. */


async function endpointView(store: Store, service: string, { secret: _secret, ...endpoint }: Endpoint): Promise<Static<typeof EndpointSchema>> {
  return { ...endpoint, pending: await store.countItems(service, DELIVERY_KIND, { owner: endpoint.id }) };
}

async function existing(store: Store, service: string, id: string): Promise<Endpoint> {
  const item = await store.getItem(service, ENDPOINT_KIND, id);
  if (!item) throw notFound('endpoint_not_found', `Service "${service}" has no webhook endpoint "${id}"`);
  return item.v as Endpoint;
}

const NO_ENDPOINT = { 404: 'The service or the endpoint does not exist (`service_not_found`, `endpoint_not_found`)' };
const URL_400 = 'Also: a URL that is not http(s), carries credentials (`invalid_url`), or reaches a loopback, private or link-local address (`private_address`)';

export const webhookRoutes = [
  route({
    method: 'get',
    path: '/v1/{service}/webhooks.json',
    operationId: 'listWebhookEndpoints',
    summary: "The service's webhook endpoints, without their secrets",
    tags: ['webhooks'],
    auth: 'service',
    operation: 'read_private',
    params: ServiceParams,
    response: { description: 'The endpoints', schema: EndpointList },
    handler: async (ctx, _input, { store }) => {
      const service = ctx.state.service.name;
      const items = await store.listItems(service, ENDPOINT_KIND, {});
      return { endpoints: await Promise.all(items.map((item) => endpointView(store, service, item.v as Endpoint))) };
    },
  }),
  route({
    method: 'post',
    path: '/v1/{service}/webhooks.json',
    operationId: 'createWebhookEndpoint',
    summary: 'Register an endpoint: the events it wants are POSTed to it, signed (Standard Webhooks)',
    description:
      `Events: ${WEBHOOK_EVENTS.map((type) => `\`${type}\``).join(', ')}, or \`*\` (the default) for all; each payload's \`data.actor\` says who acted. ` +
      'Each is written with the change that causes it and delivered at least once: retried after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h (or `Retry-After`, if longer); a 410 answer, or failing for days, disables the endpoint. Verify with the `standardwebhooks` package and the `secret`.',
    tags: ['webhooks'],
    auth: 'service',
    params: ServiceParams,
    body: NewEndpointBody,
    response: { status: 201, description: 'The endpoint, with its signing secret', schema: NewEndpointResponse },
    errors: { 400: URL_400, 403: 'The service has as many endpoints as its quota allows (`quota_webhook_endpoints`)' },
    handler: async (ctx, { body }, deps) => {
      const url = await checkEndpointUrl(body.url, accessConfig(deps.config).webhookAllowPrivate);
      const service = ctx.state.service.name;
      const events = [...new Set(body.events ?? ['*'])];
      const endpoint = await deps.domain.run(service, (tx) => createEndpoint(tx, service, newId('ep'), newEndpointSecret(), { url, events, description: body.description ?? '' }, deps.config.quotas));
      return { ...(await endpointView(deps.store, service, endpoint)), secret: endpoint.secret };
    },
  }),
  route({
    method: 'get',
    path: '/v1/{service}/webhooks/{id}.json',
    operationId: 'getWebhookEndpoint',
    summary: 'One endpoint, with its signing secret',
    tags: ['webhooks'],
    auth: 'service',
    params: EndpointParams,
    response: { description: 'The endpoint', schema: NewEndpointResponse },
    errors: NO_ENDPOINT,
    etag: false,
    handler: async (ctx, { params }, { store }) => {
      const service = ctx.state.service.name;
      const endpoint = await existing(store, service, params.id);
      ctx.set('Cache-Control', 'no-store');
      return { ...(await endpointView(store, service, endpoint)), secret: endpoint.secret };
    },
  }),
  route({
    method: 'patch',
    path: '/v1/{service}/webhooks/{id}.json',
    operationId: 'updateWebhookEndpoint',
    summary: 'Change an endpoint; `"disabled": false` enables a disabled one again',
    tags: ['webhooks'],
    auth: 'service',
    params: EndpointParams,
    body: EndpointChange,
    response: { description: 'The endpoint', schema: EndpointSchema },
    errors: { ...NO_ENDPOINT, 400: URL_400 },
    handler: async (ctx, { params, body }, deps) => {
      const service = ctx.state.service.name;
      const url = body.url === undefined ? undefined : await checkEndpointUrl(body.url, accessConfig(deps.config).webhookAllowPrivate);
      const change = { ...body, ...(url ? { url } : {}), ...(body.events ? { events: [...new Set(body.events)] } : {}) };
      const endpoint = await deps.domain.run(service, (tx) => updateEndpoint(tx, service, params.id, change));
      return endpointView(deps.store, service, endpoint);
    },
  }),
  route({
    method: 'delete',
    path: '/v1/{service}/webhooks/{id}.json',
    operationId: 'deleteWebhookEndpoint',
    summary: 'Remove an endpoint and the deliveries it still had due',
    tags: ['webhooks'],
    auth: 'service',
    params: EndpointParams,
    response: { description: 'Removed', schema: EndpointDeleted },
    errors: NO_ENDPOINT,
    handler: async (ctx, { params }, { domain }) => {
      const service = ctx.state.service.name;
      await domain.run(service, (tx) => deleteEndpoint(tx, service, params.id));
      return { id: params.id, deleted: true as const };
    },
  }),
  route({
    method: 'get',
    path: '/v1/{service}/webhooks/{id}/attempts.json',
    operationId: 'listDeliveryAttempts',
    summary: "The endpoint's delivery log, newest first: outcome, response code, latency, attempt",
    tags: ['webhooks'],
    auth: 'service',
    operation: 'read_private',
    params: EndpointParams,
    query: PageQuery,
    response: { description: 'A page of attempts', schema: AttemptList },
    errors: NO_ENDPOINT,
    handler: async (ctx, { params, query }, { store }) => {
      const service = ctx.state.service.name;
      await existing(store, service, params.id);
      const owner = params.id;
      const attempts = itemList((q) => store.listItems(service, ATTEMPT_KIND, { owner, order: 'desc', ...q }), () => store.countItems(service, ATTEMPT_KIND, { owner }));
      const { items, paging } = await listPage(ctx.path, {}, query, attempts);
      return { attempts: items.map((item) => item.v as Attempt), paging };
    },
  }),
  route({
    method: 'post',
    path: '/v1/{service}/webhooks/{id}/messages/{message}/redeliver.json',
    operationId: 'redeliverWebhookMessage',
    summary: 'Send a message to the endpoint again, now (a disabled endpoint too), with the same `webhook-id`',
    tags: ['webhooks'],
    auth: 'service',
    params: RedeliverParams,
    response: { status: 201, description: 'The new delivery', schema: Redelivery },
    errors: {
      404: 'The service, the endpoint or the message does not exist (`service_not_found`, `endpoint_not_found`, `message_not_found`)',
      429: 'The service made as many redeliveries this hour as its quota allows (`quota_redeliveries`; `Retry-After` says when)',
    },
    handler: async (ctx, { params }, { domain, config }) => {
      const service = ctx.state.service.name;
      const delivery = await domain.run(service, async (tx) => {
        await requireEndpoint(tx, service, params.id);
        return redeliver(tx, service, params.id, params.message, config.quotas);
      });
      return { delivery: delivery.id, message: delivery.message, endpoint: delivery.endpoint, due: delivery.createdAt };
    },
  }),
];

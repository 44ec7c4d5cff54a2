import { PassThrough } from 'node:stream';
import {
  AdminExportQuery,
  AdminServiceDeleted,
  AdminServiceList,
  AdminServiceParams,
  AdminServiceWithKey,
  AdminService as AdminServiceSchema,
  NewServiceBody,
  ExportLines,
  ServiceSettingsBody,
  type AdminService,
} from '../../../types/schema.js';
import { AdminRotatedKey, QuotasBody, RotateKeyQuery, ServiceQuotas } from '../../../types/access-schema.js';
import type { Static } from '@sinclair/typebox';
import { parseDuration } from '../../config/duration.js';
import { rotateServiceKey } from '../../core/access/keys.js';
import { badRequest, HttpError } from '../errors.js';
import type { Middleware } from 'koa';
import { newKey } from '../../core/service-key.js';
import type { ServiceRecord, ServiceSettings } from '../../core/model.js';
import type { Store } from '../../core/ports.js';
import type { AppConfig } from '../../config/app.js';
import { hourlyUsage, QUOTA_NAMES, QUOTA_USAGE_KIND, quotaOf, setQuotas, type QuotaName } from '../../core/rules/quota.js';
import { ENDPOINT_KIND } from '../../core/access/webhooks.js';
import { INVITATION_KIND } from '../../core/access/invitations.js';
import { CLAIM_CODE_KIND } from '../../core/access/claim-codes.js';
import { KIND } from '../../core/events/kinds.js';
import type { Deps, V1Context } from './context.js';
import { ANSWERED, route } from './table.js';

export type { AdminService };

/** A service as the admin API shows it: never its key, except right after making one. */
export const adminView = (service: ServiceRecord): AdminService => ({
  name: service.name,
  createdAt: service.createdAt,
  legacySignatures: service.settings?.legacySignatures !== false,
});

/** A new service's settings: what was asked, and in production no legacy signatures unless asked. */
export const withDefaults = (settings: ServiceSettings, legacySignaturesByDefault: boolean): ServiceSettings =>
  settings.legacySignatures === undefined && !legacySignaturesByDefault ? { ...settings, legacySignatures: false } : settings;

const existing = async (store: Store, name: string) => {
  const service = await store.getService(name);
  if (!service) throw new HttpError(404, 'service_not_found', `Service "${name}" does not exist`);
  return service;
};

/** Streams an export (JSON Lines) as the answer; the admin API's and a service's own (`export.jsonl`). */
export function sendExport(ctx: V1Context, { exportTo, config }: Pick<Deps, 'exportTo' | 'config'>, options: Parameters<Deps['exportTo']>[1]): typeof ANSWERED {
  const out = new PassThrough();
  ctx.status = 200;
  ctx.type = 'application/x-ndjson';
  ctx.set('Cache-Control', 'no-store');
  ctx.body = out;
  // A client that goes away ends the export, and with it the snapshot.
  ctx.res.once('close', () => out.destroy());
  exportTo(out, options).then(
    () => out.end(),
    (error: unknown) => {
      config.log('export failed', error);
      out.destroy(error as Error);
    },
  );
  return ANSWERED;
}

const noSuchService = { 404: 'No such service (`service_not_found`)' };

/** The items each quota counts; redeliveries are counted by the hour instead. */
const QUOTA_KINDS: Record<Exclude<QuotaName, 'redeliveries'>, string> = {
  webhook_endpoints: ENDPOINT_KIND,
  events: KIND.event,
  rejected_events: KIND.rejected,
  invitations: INVITATION_KIND,
  claim_codes: CLAIM_CODE_KIND,
};

/** Every quota of a service: what applies, the default, its own, and what it uses now. */
async function quotasView(store: Store, config: AppConfig, service: ServiceRecord): Promise<Static<typeof ServiceQuotas>> {
  const used = async (name: QuotaName) =>
    name === 'redeliveries' ? hourlyUsage(await store.getItem(service.name, QUOTA_USAGE_KIND, name), config.now()) : store.countItems(service.name, QUOTA_KINDS[name], {});
  const entries = await Promise.all(
    QUOTA_NAMES.map(async (name) => [name, { limit: quotaOf(service, name, config.quotas), default: config.quotas[name], own: service.settings?.quotas?.[name] ?? null, used: await used(name) }] as const),
  );
  return { name: service.name, quotas: Object.fromEntries(entries) as Static<typeof ServiceQuotas>['quotas'] };
}

/**
 * `/admin/services/.` reaches the server as `/admin/services/` (clients resolve dot segments), which
 * the router would take as the collection and answer DELETE or PATCH with a 405 for it: it names a
 * service, an empty one, and is refused as any invalid name is.
 */
export const refuseEmptyServiceName: Middleware = async (ctx, next) => {
  if (/^\/admin\/services\/+$/.test(ctx.path) && ctx.method !== 'GET' && ctx.method !== 'HEAD' && ctx.method !== 'POST' && ctx.method !== 'OPTIONS') {
    throw badRequest('invalid_service_name', `${ctx.method} ${ctx.path} names no service: a service name is 1-64 letters, digits, "_" or "-" (${ctx.method} /admin/services/{name})`);
  }
  await next();
};

/**
 * `/admin/services`: the running server manages services itself, since one process owns the data
 * and the CLI cannot open it beside a running server. Mounted only when the server has an operator
 * token; every request needs it as `Authorization: Bearer <token>`.
 */
export const adminRoutes = [
  route({
    method: 'get',
    path: '/admin/services',
    operationId: 'listServices',
    summary: 'Every service, without keys',
    tags: ['admin'],
    auth: 'admin',
    response: { description: 'The services', schema: AdminServiceList },
    handler: async (_ctx, _input, { store }) => ({ services: (await store.listServices()).map(adminView) }),
  }),
  route({
    method: 'post',
    path: '/admin/services',
    operationId: 'createService',
    summary: 'Create a service; the answer carries its key',
    tags: ['admin'],
    auth: 'admin',
    body: NewServiceBody,
    response: { status: 201, description: 'The service, with its key', schema: AdminServiceWithKey },
    errors: { 409: 'The name is taken, or differs from a taken one only in case (`service_exists`)' },
    handler: async (_ctx, { body: { name, ...settings } }, { domain, config }) => {
      const service = await domain.createService(name, newKey(), withDefaults(settings, config.legacySignaturesByDefault));
      return { ...adminView(service), key: service.key };
    },
  }),
  route({
    method: 'get',
    path: '/admin/services/{name}',
    operationId: 'getService',
    summary: 'One service, without its key',
    tags: ['admin'],
    auth: 'admin',
    params: AdminServiceParams,
    response: { description: 'The service', schema: AdminServiceSchema },
    errors: noSuchService,
    handler: async (_ctx, { params }, { store }) => adminView(await existing(store, params.name)),
  }),
  route({
    method: 'patch',
    path: '/admin/services/{name}',
    operationId: 'updateService',
    summary: "Change a service's settings",
    tags: ['admin'],
    auth: 'admin',
    params: AdminServiceParams,
    body: ServiceSettingsBody,
    response: { description: 'The service', schema: AdminServiceSchema },
    errors: noSuchService,
    handler: async (_ctx, { params, body }, { store, domain }) => {
      await existing(store, params.name);
      return adminView(await domain.updateServiceSettings(params.name, body));
    },
  }),
  route({
    method: 'delete',
    path: '/admin/services/{name}',
    operationId: 'deleteService',
    summary: 'Delete the service with all its badges and users',
    tags: ['admin'],
    auth: 'admin',
    params: AdminServiceParams,
    response: { description: 'Deleted', schema: AdminServiceDeleted },
    errors: noSuchService,
    handler: async (_ctx, { params }, { domain }) => {
      await domain.deleteService(params.name);
      return { name: params.name, deleted: true as const };
    },
  }),
  route({
    method: 'get',
    path: '/admin/services/{name}/quotas',
    operationId: 'getServiceQuotas',
    summary: "The service's quotas: what applies, the operator's default, the service's own, and what it uses now",
    tags: ['admin'],
    auth: 'admin',
    params: AdminServiceParams,
    response: { description: 'The quotas', schema: ServiceQuotas },
    errors: noSuchService,
    etag: false,
    handler: async (_ctx, { params }, { store, config }) => quotasView(store, config, await existing(store, params.name)),
  }),
  route({
    method: 'patch',
    path: '/admin/services/{name}/quotas',
    operationId: 'setServiceQuotas',
    summary: 'Give the service quotas of its own (null: back to the default)',
    description:
      'Quotas not named keep what they were. A quota lowered below what the service holds refuses only what would add more (`403 quota_...`); nothing is removed.',
    tags: ['admin'],
    auth: 'admin',
    params: AdminServiceParams,
    body: QuotasBody,
    response: { description: 'The quotas', schema: ServiceQuotas },
    errors: noSuchService,
    handler: async (_ctx, { params, body }, { store, domain, config }) => {
      const name = (await existing(store, params.name)).name;
      return quotasView(store, config, await domain.run(name, (tx) => setQuotas(tx, name, body)));
    },
  }),
  route({
    method: 'get',
    path: '/admin/services/{name}/key',
    operationId: 'showServiceKey',
    summary: "The service's key, again: for the operator who lost it (a first start's output scrolled away)",
    tags: ['admin'],
    auth: 'admin',
    params: AdminServiceParams,
    response: { description: 'The service, with its key', schema: AdminServiceWithKey },
    errors: noSuchService,
    // A key must not linger in a cache, and a validator of it is of no use to anyone.
    etag: false,
    handler: async (ctx, { params }, { store }) => {
      const service = await existing(store, params.name);
      ctx.set('Cache-Control', 'no-store');
      return { ...adminView(service), key: service.key };
    },
  }),
  route({
    method: 'post',
    path: '/admin/services/{name}/key',
    operationId: 'rotateServiceKey',
    summary: 'Give the service a new key; the old one stops working at once, or when the grace ends',
    tags: ['admin'],
    auth: 'admin',
    params: AdminServiceParams,
    query: RotateKeyQuery,
    response: { description: 'The service, with its new key', schema: AdminRotatedKey },
    errors: noSuchService,
    handler: async (_ctx, { params, query }, { store, domain }) => {
      const name = (await existing(store, params.name)).name;
      const service = await domain.run(name, (tx) => rotateServiceKey(tx, name, newKey(), query.grace ? parseDuration(query.grace)! : 0));
      return { ...adminView(service), key: service.key, previousKeyUntil: service.previousUntil };
    },
  }),
  route({
    method: 'get',
    path: '/admin/export',
    operationId: 'exportStore',
    summary: 'The store, or one service, as JSON Lines from one snapshot: a backup while the server runs (`user-badges export` uses it)',
    description:
      'What `user-badges import` reads. The embedded store holds writes back while it is written (they wait, none is refused); PostgreSQL reads it in one transaction. With keys and webhook signing secrets unless `secrets=off`.',
    tags: ['admin'],
    auth: 'admin',
    query: AdminExportQuery,
    response: { description: 'The export', schema: ExportLines, contentType: 'application/x-ndjson' },
    errors: noSuchService,
    etag: false,
    handler: async (ctx, { query }, { store, config, exportTo }) => {
      if (query.service) await existing(store, query.service);
      return sendExport(ctx, { exportTo, config }, { service: query.service, withoutSecrets: query.secrets === 'off' });
    },
  }),
];

import Router from '@koa/router';
import type { Middleware } from 'koa';
import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpError } from '../errors.js';
import { readBody } from '../body.js';
import { newKey } from '../keys.js';
import type { Domain } from '../core/domain.js';
import type { ServiceRecord } from '../core/model.js';
import type { Store } from '../core/ports.js';
import * as validate from '../validate.js';

/** A service as the admin API shows it: never its key, except right after making one. */
export interface AdminService {
  name: string;
  createdAt: string;
  legacySignatures: boolean;
}

export const adminView = (service: ServiceRecord): AdminService => ({
  name: service.name,
  createdAt: service.createdAt,
  legacySignatures: service.settings?.legacySignatures !== false,
});
const view = adminView;

/**
 * `/admin/services`: the running server manages services itself, since one process owns the data
 * and the CLI cannot open it beside a running server. Every request needs the operator token as
 * `Authorization: Bearer <token>`.
 */
export function adminRoutes({ store, domain, token, maxBodyBytes }: { store: Store; domain: Domain; token: string; maxBodyBytes: number }): Router {
  const router = new Router({ prefix: '/admin' });
  router.use(operator(token));

  const body = async (ctx: Parameters<Middleware>[0]) => (await readBody(ctx, maxBodyBytes)).json;
  const name = (ctx: { params: Record<string, string> }) => validate.serviceName(ctx.params.name ?? '');
  const existing = async (serviceName: string) => {
    const service = await store.getService(serviceName);
    if (!service) throw new HttpError(404, 'service_not_found', `Service "${serviceName}" does not exist`);
    return service;
  };

  router.get('/services', async (ctx) => {
    ctx.body = { services: (await store.listServices()).map(view) };
  });

  router.post('/services', async (ctx) => {
    const { name: serviceName, ...settings } = validate.newService(await body(ctx));
    const service = await domain.createService(serviceName, newKey(), settings);
    ctx.status = 201;
    ctx.body = { ...view(service), key: service.key };
  });

  router.get('/services/:name', async (ctx) => {
    ctx.body = view(await existing(name(ctx)));
  });

  router.patch('/services/:name', async (ctx) => {
    const serviceName = name(ctx);
    const settings = validate.serviceSettings(await body(ctx));
    await existing(serviceName);
    ctx.body = view(await domain.updateServiceSettings(serviceName, settings));
  });

  // A new key; the old one stops working at once.
  router.post('/services/:name/key', async (ctx) => {
    const service = await domain.setServiceKey((await existing(name(ctx))).name, newKey());
    ctx.body = { ...view(service), key: service.key };
  });

  router.delete('/services/:name', async (ctx) => {
    const serviceName = name(ctx);
    await domain.deleteService(serviceName);
    ctx.body = { name: serviceName, deleted: true };
  });

  return router;
}

/** The operator token, compared in constant time; refused before any body is read. */
function operator(token: string): Middleware {
  const expected = digest(token);
  return async function operatorOnly(ctx, next) {
    const given = ctx.get('authorization').replace(/^Bearer\s+/i, '').trim();
    if (!given || !timingSafeEqual(digest(given), expected)) {
      const error = new HttpError(401, given ? 'invalid_admin_token' : 'missing_credentials', 'The admin API needs "Authorization: Bearer <admin token>"');
      error.headers = { 'WWW-Authenticate': 'Bearer realm="user-badges admin"' };
      throw error;
    }
    await next();
  };
}

const digest = (s: string) => createHash('sha256').update(s).digest();

import type { Middleware } from 'koa';
import { authenticate } from '../auth.js';
import { readBody } from '../body.js';
import { DomainError } from '../core/errors.js';
import { badRequest, notFound } from '../errors.js';
import { newKey } from '../keys.js';
import * as validate from '../validate.js';
import type { Deps, V1State } from './context.js';

/** The service named `test` takes writes without a key, as the original API did for trying it out. */
export const OPEN_TEST_SERVICE = 'test';

/**
 * Anyone may write to the open test service, so it is kept small: once it holds this many users or
 * badges, writes that could add more are refused (deletes still work).
 */
export const TEST_SERVICE_LIMITS = { users: 1000, badges: 100 };

/** Resolves `:service` to its record, or answers 404. */
export function loadService({ store, domain, config }: Deps): Middleware<V1State> {
  return async function service(ctx, next) {
    // The router keeps a segment it cannot decode as literal text; refuse it instead of guessing.
    try {
      decodeURIComponent(ctx.path);
    } catch {
      throw badRequest('invalid_path', 'The path has a malformed percent-encoding');
    }
    const name = validate.serviceName((ctx as unknown as { params: { service: string } }).params.service);
    let record = await store.getService(name);
    if (name === OPEN_TEST_SERVICE && config.openTestService && !record?.settings?.quota) {
      // Created on first use, and kept small: anyone may write to it. (A test service made before
      // quotas were settings gets its quota here once.)
      const quota = TEST_SERVICE_LIMITS;
      record = await (record ? domain.updateServiceSettings(name, { quota }) : domain.createService(name, newKey(), { quota })).catch(async (error) => {
        // Two first requests at once: the other one created it.
        if (error instanceof DomainError && error.code === 'service_exists') return (await store.getService(name))!;
        throw error;
      });
    }
    if (!record) throw notFound('service_not_found', `Service "${name}" does not exist`);
    ctx.state.service = record;
    await next();
  };
}

/** Reads the body and checks the service's credentials; writes go through here. */
export function authorize({ config, replay }: Deps): Middleware<V1State> {
  return async function authorized(ctx, next) {
    const body = await readBody(ctx, config.maxBodyBytes);
    const { service } = ctx.state;
    if (service.name !== OPEN_TEST_SERVICE || !config.openTestService) {
      const query = ctx.query;
      authenticate(
        service,
        {
          authorization: ctx.get('authorization') || undefined,
          ts: query.ts,
          signature: query.signature,
          keyInUrl: ['key', 'api_key', 'apikey', 'token', 'secret'].some((k) => k in query),
        },
        { method: ctx.method, path: ctx.path, body: body.raw },
        replay,
        config.now(),
      );
    }
    ctx.state.body = body.json;
    await next();
  };
}

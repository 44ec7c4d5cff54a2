import type { Middleware } from 'koa';
import { authenticate } from '../auth.js';
import { readBody } from '../body.js';
import { HttpError, badRequest, notFound } from '../errors.js';
import { newKey } from '../keys.js';
import * as validate from '../validate.js';
import type { Quota } from '../store/types.js';
import type { Deps, V1State } from './context.js';

/** The service named `test` takes writes without a key, as the original API did for trying it out. */
export const OPEN_TEST_SERVICE = 'test';

/**
 * Anyone may write to the open test service, so it is kept small: a write whose result would hold
 * more users or badges than this is refused (updates, awards to existing users and deletes pass).
 */
export const TEST_SERVICE_LIMITS: Quota = { users: 1000, badges: 100 };

/** Resolves `:service` to its record, or answers 404. */
export function loadService({ store, config }: Deps): Middleware<V1State> {
  return async function service(ctx, next) {
    // The router keeps a segment it cannot decode as literal text; refuse it instead of guessing.
    try {
      decodeURIComponent(ctx.path);
    } catch {
      throw badRequest('invalid_path', 'The path has a malformed percent-encoding');
    }
    const name = validate.serviceName((ctx as unknown as { params: { service: string } }).params.service);
    let record = await store.getService(name);
    if (!record && name === OPEN_TEST_SERVICE && config.openTestService) {
      record = await store.createService(name, newKey()).catch(async (error) => {
        // Two first requests at once: the other one created it.
        if (error instanceof HttpError && error.code === 'service_exists') return (await store.getService(name))!;
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
    if (service.name === OPEN_TEST_SERVICE && config.openTestService) {
      ctx.state.body = body.json;
      ctx.state.quota = TEST_SERVICE_LIMITS;
      // The store checks the quota against the result of the write, in the same step as the write.
      await next().catch((error) => {
        throw testServiceFull(error);
      });
      return;
    } else {
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

/** The store's quota refusal, told as what it means for the open test service. */
function testServiceFull(error: unknown): unknown {
  if (!(error instanceof HttpError) || error.code !== 'quota_exceeded') return error;
  return new HttpError(
    403,
    'test_service_full',
    `The open "${OPEN_TEST_SERVICE}" service is full: ${error.message}. Delete some, or create a service of your own with "user-badges service create NAME"`,
  );
}

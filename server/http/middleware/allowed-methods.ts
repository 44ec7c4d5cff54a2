import type Router from '@koa/router';
import type { Middleware } from 'koa';
import { HttpError } from '../errors.js';

/**
 * 405 and 501 answers for a router's paths, as `HttpError`s that carry the `Allow` header. Not
 * @koa/router's `throw: true` mode: that throws before it sets `Allow`, so the answer would point
 * the client to a header that is not there.
 */
export function allowedMethods(router: Router<any>): Middleware {
  const answer = router.allowedMethods() as unknown as Middleware;
  return async function methods(ctx, next) {
    await answer(ctx, next);
    if (ctx.body != null || (ctx.status !== 405 && ctx.status !== 501)) return;
    const error =
      ctx.status === 405
        ? new HttpError(405, 'method_not_allowed', `${ctx.method} is not allowed here; see the Allow header`)
        : new HttpError(501, 'not_implemented', 'This server does not know that method');
    error.headers = { Allow: ctx.response.get('Allow') };
    throw error;
  };
}

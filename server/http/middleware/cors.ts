import type { Middleware } from 'koa';

/**
 * Reads are public and embeddable anywhere; writes are authorised by key or signature, never by
 * cookies, so opening CORS to every origin gives a foreign page nothing it could not do with curl.
 */
export const cors: Middleware = async (ctx, next) => {
  ctx.set('Access-Control-Allow-Origin', '*');
  if (ctx.method === 'OPTIONS' && ctx.get('access-control-request-method')) {
    ctx.set('Access-Control-Allow-Methods', 'GET, HEAD, PUT, POST, PATCH, DELETE, OPTIONS');
    ctx.set('Access-Control-Allow-Headers', 'Authorization, Content-Type, If-None-Match');
    ctx.set('Access-Control-Max-Age', '86400');
    ctx.status = 204;
    return;
  }
  ctx.set('Access-Control-Expose-Headers', 'ETag');
  await next();
};

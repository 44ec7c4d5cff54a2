import type { Middleware } from 'koa';
import { etagOf } from '../../cache/read-cache.js';
import { notModified } from '../etag.js';

/**
 * Serialises JSON answers once, tags them with a validator of their content, and answers a repeat
 * view whose `If-None-Match` still matches with 304 and no body.
 */
export const jsonValidators: Middleware = async (ctx, next) => {
  await next();
  if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || ctx.status !== 200) return;
  // An answer holding a secret (the admin API's key) is kept by no cache, so it needs no validator.
  if (ctx.response.get('Cache-Control') === 'no-store') return;
  const body = ctx.body;
  if (typeof body !== 'object' || body === null || Buffer.isBuffer(body) || typeof (body as { pipe?: unknown }).pipe === 'function') return;
  const text = JSON.stringify(body);
  ctx.set('Cache-Control', 'no-cache');
  if (notModified(ctx, etagOf(text))) return;
  ctx.type = 'application/json';
  ctx.body = text;
};

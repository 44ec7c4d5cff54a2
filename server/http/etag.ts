import type { Context } from 'koa';

/**
 * Whether `If-None-Match` holds the entity tag (RFC 9110 13.1.2, weak comparison). Not Koa's
 * `ctx.fresh`: that treats a request's `Cache-Control: no-cache` as "never fresh", and fetch() adds
 * exactly that to every request carrying `If-None-Match`, so revalidation would never get its 304.
 */
export function matchesETag(ifNoneMatch: string, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const bare = etag.replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === bare);
}

/** Sets the validator; when the client's `If-None-Match` still matches, answers 304 and returns true. */
export function notModified(ctx: Context, etag: string): boolean {
  ctx.set('ETag', etag);
  if (!matchesETag(ctx.get('if-none-match'), etag)) return false;
  ctx.status = 304;
  return true;
}

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

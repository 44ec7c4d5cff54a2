import Router from '@koa/router';
import type { Middleware } from 'koa';

/**
 * A segment the router's patterns read as itself (compared without case, as @koa/router does by
 * default); anything else (`:name`, `:name.json`, a wildcard) may match any segment.
 */
const PLAIN = /^[A-Za-z0-9_~-][A-Za-z0-9._~-]*$/;

/** A wildcard, group or custom pattern, which may span segments: such a route goes in every bucket. */
const SPANS = /[*({]/;

/** A router's routes, tested only against the paths they could match. */
export interface SegmentDispatch {
  middleware: Middleware<any>;
  /** The router a request for `path` is dispatched to: one of the buckets, or the whole router. */
  routerOf(path: string): Router<any>;
}

/**
 * `router.routes()`, but a request is matched only against the routes whose first and third path
 * segments could be its own ("v1" and "users" in `/v1/{service}/users/{name}.json`, where the API's
 * paths part ways). @koa/router tests every route's pattern against every request, and the v1 API
 * has over a hundred: 2.5 s of a 63 s benchmark of awards (issue 25).
 *
 * A bucket holds, in the router's order, every route that could match a path of its key; a route
 * whose segment there is a parameter is in every bucket. A path of no bucket's key goes to the whole
 * router. So a request runs the same routes, in the same order, as under the router itself, and
 * `allowedMethods` of the router answers from what they matched.
 */
export function dispatchBySegments(router: Router<any>): SegmentDispatch {
  const keys = new Set<string>();
  for (const layer of router.stack) {
    const key = keyOfPattern(layer.path);
    if (key) keys.add(key);
  }
  const whole = { router, middleware: router.routes() as Middleware<any> };
  const buckets = new Map<string, typeof whole>();
  for (const key of keys) {
    const bucket = new Router<any>(router.opts);
    bucket.stack = router.stack.filter((layer) => mayMatch(layer.path, key));
    buckets.set(key, { router: bucket, middleware: bucket.routes() as Middleware<any> });
  }
  const of = (path: string) => buckets.get(keyOfPath(path) ?? '') ?? whole;
  return {
    middleware: (ctx, next) => of(ctx.path).middleware(ctx, next),
    routerOf: (path) => of(path).router,
  };
}

/** "first/third" of a route's pattern, where both are plain; lowercased, as matching ignores case. */
function keyOfPattern(pattern: unknown): string | undefined {
  if (typeof pattern !== 'string' || SPANS.test(pattern)) return undefined;
  const [, first, , third] = pattern.split('/');
  return first !== undefined && third !== undefined && PLAIN.test(first) && PLAIN.test(third) ? `${first.toLowerCase()}/${third.toLowerCase()}` : undefined;
}

/** Whether the pattern could match a path whose first and third segments are the key's. */
function mayMatch(pattern: unknown, key: string): boolean {
  if (typeof pattern !== 'string' || SPANS.test(pattern)) return true;
  const [, first, , third] = pattern.split('/');
  const [keyFirst, keyThird] = key.split('/');
  const fits = (segment: string | undefined, wanted: string) => segment === undefined || !PLAIN.test(segment) || segment.toLowerCase() === wanted;
  return fits(first, keyFirst!) && fits(third, keyThird!);
}

/** The key of a request's path; undefined (the whole router) unless both segments are plain. */
function keyOfPath(path: string): string | undefined {
  if (path.charCodeAt(0) !== 47) return undefined;
  const a = path.indexOf('/', 1);
  if (a < 0) return undefined;
  const b = path.indexOf('/', a + 1);
  if (b < 0) return undefined;
  const c = path.indexOf('/', b + 1);
  const first = path.slice(1, a);
  const third = path.slice(b + 1, c < 0 ? path.length : c);
  return PLAIN.test(first) && PLAIN.test(third) ? `${first.toLowerCase()}/${third.toLowerCase()}` : undefined;
}

import assert from 'node:assert/strict';
import { test } from 'node:test';
import Router from '@koa/router';
import fc from 'fast-check';
import { routeGroups } from '../../server/app/features/index.js';
import { dispatchBySegments } from '../../server/http/routes/segment-dispatch.js';
import { koaPath } from '../../server/http/routes/table.js';

/**
 * The v1 router is dispatched by path segments (issue 25): a request must meet the same routes, in
 * the same order, as under @koa/router matching every route. Checked against the router itself on
 * the API's own paths and on made-up ones where a parameter stands where others have a word.
 */
const PATTERNS = [
  ...routeGroups().v1.map((route) => ({ method: route.method, path: koaPath(route.path) })),
  // A parameter third, a shorter route and wildcards, each of which may meet a path of any bucket; words
  // in capitals, which match without case.
  { method: 'GET', path: '/v1/:service/:kind/list.json' },
  { method: 'GET', path: '/v1/:service' },
  { method: 'POST', path: '/v1/*rest' },
  { method: 'GET', path: '/v1/*rest/users.json' },
  { method: 'GET', path: '/x/:a/users' },
  { method: 'GET', path: '/Legacy/:a/Users' },
];

function routerOf(patterns: typeof PATTERNS): Router {
  const router = new Router();
  for (const { method, path } of patterns) router.register(path, [method], [async () => {}]);
  return router;
}

const matched = (router: Router, path: string, method: string) => {
  const result = router.match(path, method);
  return { path: result.path.map((layer) => `${layer.methods.join()} ${layer.path}`), route: result.route };
};

const WORDS = [...new Set(PATTERNS.flatMap(({ path }) => path.split('/')).filter((word) => word && !word.includes(':') && !word.includes('*')))];

test('a request meets the routes it would under the whole router, in the same order', () => {
  const router = routerOf(PATTERNS);
  const dispatch = dispatchBySegments(router);
  const segment = fc.oneof(fc.constantFrom(...WORDS), fc.constantFrom(...WORDS).map((word) => word.toUpperCase()), fc.constantFrom('demo', 'daniel.json', 'Daniel', 'a%2Fb', '', '..', 'ünï'), fc.string({ maxLength: 6 }));
  fc.assert(
    fc.property(fc.array(segment, { minLength: 0, maxLength: 6 }), fc.boolean(), fc.constantFrom('GET', 'PUT', 'POST', 'DELETE', 'OPTIONS'), (segments, slash, method) => {
      const path = `/${segments.join('/')}${slash ? '/' : ''}`;
      assert.deepEqual(matched(dispatch.routerOf(path), path, method), matched(router, path, method), path);
    }),
    { numRuns: 5000 },
  );
  for (const { path: pattern, method } of PATTERNS) {
    const path = pattern.replace(/:(\w+)/g, 'x').replace('*rest', 'a/b');
    for (const variant of [path, path.toUpperCase(), `${path}/`, `${path}/more`, '/v1/demo/users/users.json', '/legacy/a/users']) assert.deepEqual(matched(dispatch.routerOf(variant), variant, method), matched(router, variant, method), variant);
  }
});

test('a path of a bucket meets only the routes that could match it', () => {
  const router = routerOf(PATTERNS);
  const dispatch = dispatchBySegments(router);
  const bucket = dispatch.routerOf('/v1/demo/users/daniel.json');
  assert.notEqual(bucket, router);
  const paths = bucket.stack.map((layer) => layer.path);
  assert.ok(paths.includes('/v1/:service/users/:name.json'));
  assert.ok(paths.includes('/v1/:service/:kind/list.json') && paths.includes('/v1/*rest') && paths.includes('/v1/:service'));
  assert.ok(!paths.some((path) => path.startsWith('/v1/:service/badges')), 'no badge route in the users bucket');
  assert.ok(bucket.stack.length < router.stack.length / 3, `${bucket.stack.length} of ${router.stack.length} routes`);
  assert.equal(dispatch.routerOf('/nowhere/a/b'), router);
});

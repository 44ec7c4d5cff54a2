import Router from '@koa/router';
import type { Middleware } from 'koa';
import type { Static, TObject, TSchema } from '@sinclair/typebox';
import { requireBadges } from '../auth/credentials.js';
import { operatorOnly } from '../auth/operator.js';
import type { Actor } from '../../core/actor.js';
import type { KeyNeed } from '../auth/credentials.js';
import { readBody } from '../body.js';
import { HttpError, toHttpError } from '../errors.js';
import { noteErrorCode } from '../request-log.js';
import * as validate from '../validate.js';
import type { AppConfig } from '../../config/app.js';
import type { Deps, V1Context, V1State } from './context.js';
import { authorize, loadService, notOnTestService } from '../auth/guards.js';

/**
 * A route declares what it takes and answers, with schemas from `types/schema.ts`, beside its handler.
 * The app mounts the table (`mount`) and `/openapi.json` is generated from it (`server/app/openapi.ts`),
 * so the document cannot describe a route other than the one served.
 */
export interface RouteSpec<P extends TObject | undefined, Q extends TObject | undefined, B extends TSchema | undefined, R extends TSchema> {
  method: 'get' | 'put' | 'delete' | 'post' | 'patch';
  /** OpenAPI's form: `/v1/{service}/users/{name}.json`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tags: [Tag];
  /**
   * public: anyone; service: the service's key or a signature (nobody's on the open `test` service);
   * admin: the operator token. A path under `/v1/{service}` also needs the service to exist.
   */
  auth: 'public' | 'service' | 'admin';
  /** What a scoped key needs to make this request (`any`: every key may); without, only the service's own key may (auth: service). */
  operation?: KeyNeed;
  /** The badges a request acts on: a scoped key limited to some badges must cover them all (`all`: not be limited). */
  scopeBadges?: (input: Input<P, Q, B>) => readonly string[] | 'all';
  params?: P;
  query?: Q;
  body?: B;
  /** The body may be left out: no body reads as `{}`. */
  optionalBody?: true;
  /**
   * `contentType`: the answer's media type when it is not JSON (an export's JSON Lines, an event
   * stream, an image); `cache`: its `Cache-Control` when not `no-cache` (an image proxies may keep).
   */
  response: { status?: 200 | 201; description: string; schema: R; contentType?: string; cache?: string };
  /** Other answers that are not refusals: a status with a body of its own (a revoked assertion's 410). */
  answers?: { [status: number]: { description: string; schema: TSchema; contentType?: string } };
  /** Refusals particular to the route, by status; those its auth, path and body imply are added. */
  errors?: { [status: number]: string };
  /**
   * What can refuse the request by its path, query or headers (a token in the path), checked before
   * the body is read: a request that will be refused costs no body.
   */
  admit?: (ctx: V1Context, input: Omit<Input<P, Q, B>, 'body'>, deps: Deps) => Promise<void>;
  /** The largest body the route takes, if not `config.maxBodyBytes`. */
  bodyBytes?: (config: AppConfig) => number;
  /** Whether a GET answer carries an ETag (and so may be a 304); true unless said otherwise. */
  etag?: boolean;
  handler: (ctx: V1Context, input: Input<P, Q, B>, deps: Deps) => Promise<Static<R> | typeof ANSWERED>;
  /**
   * How the route's refusals are answered when not as `{"error": {...}}`: an older API's shape, at
   * its compatibility path. Faults (5xx) are still the error middleware's.
   */
  refusal?: { contentType: string; render: (ctx: V1Context, error: HttpError) => void };
}

/**
 * What the open test service does not have, read or write: it keeps no private data and nothing
 * that grows without a quota (see notOnTestService). The original API and the activity feed stay.
 */
export const CLOSED_TO_TEST_SERVICE = new Set<Tag>(['events', 'rules', 'access', 'webhooks', 'audit', 'people', 'issuers', 'assessment', 'openbadges', 'console']);
const TAG_TEXT: Partial<Record<Tag, string>> = {
  events: 'events',
  rules: 'rules',
  access: 'addresses, keys, invitations or claim codes',
  webhooks: 'webhooks',
  audit: 'audit trail (anyone may write to it)',
  people: "exports, erasures or renames of a person's data",
  issuers: 'issuers or programs',
  assessment: 'applications or reviews (they hold earners\' addresses and evidence)',
  openbadges: 'Open Badges (anyone may award there, and a credential signed for it would be signed by this server)',
  console: 'statistics, member search or export (the admin console is for services of your own)',
};

export type Tag = 'badges' | 'users' | 'admin' | 'meta' | 'events' | 'rules' | 'activity' | 'access' | 'webhooks' | 'audit' | 'people' | 'leaderboard' | 'live' | 'issuers' | 'assessment' | 'openbadges' | 'console';

export interface Input<P, Q, B> {
  params: P extends TSchema ? Static<P> : Record<string, never>;
  query: Q extends TSchema ? Static<Q> : Record<string, never>;
  body: B extends TSchema ? Static<B> : undefined;
}

export type Route = RouteSpec<any, any, any, any>;

const PUBLIC: Actor = { type: 'public' };

/** What a handler returns when it answered itself: a cached body, a 304. */
export const ANSWERED: unique symbol = Symbol('answered');

/** Declares a route; its types flow from the schemas to the handler's input and answer. */
export function route<P extends TObject | undefined = undefined, Q extends TObject | undefined = undefined, B extends TSchema | undefined = undefined, R extends TSchema = TSchema>(
  spec: RouteSpec<P, Q, B, R>,
): Route {
  return spec;
}

/** `/v1/{service}/users/{name}.json` -> `/v1/:service/users/:name.json` */
export const koaPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');

/**
 * A router serving the routes: the guards their declarations imply, then their params, query and
 * body checked in that order (a write's body is read by `authorize`, after its credentials).
 */
export function mount(routes: readonly Route[], deps: Deps): Router<V1State> {
  const router = new Router<V1State>();
  for (const spec of routes) {
    const guards: Middleware<V1State>[] = [];
    if (spec.refusal) guards.push(refusedAs(spec.refusal.render));
    if (spec.path.includes('{service}')) guards.push(loadService(deps));
    if (spec.path.includes('{service}') && CLOSED_TO_TEST_SERVICE.has(spec.tags[0])) {
      guards.push(async (ctx, next) => {
        notOnTestService(ctx, deps, TAG_TEXT[spec.tags[0]]!);
        await next();
      });
    }
    if (spec.auth === 'service') guards.push(authorize(deps, spec.operation, spec.bodyBytes?.(deps.config)));
    if (spec.auth === 'admin') guards.push(operatorOnly(deps.config.adminToken ?? ''));
    router.register(koaPath(spec.path), [spec.method], [...guards, handle(spec, deps)] as never, { name: spec.operationId });
  }
  return router;
}

function refusedAs(render: NonNullable<Route['refusal']>['render']): Middleware<V1State> {
  return async (ctx, next) => {
    try {
      await next();
    } catch (caught) {
      const error = toHttpError(caught);
      if (!error.expose || error.status >= 500) throw caught;
      noteErrorCode(ctx.res, error.code);
      render(ctx, error);
    }
  };
}

function handle(spec: Route, deps: Deps): Middleware<V1State> {
  for (const schema of [spec.params, spec.query, spec.body]) if (schema) validate.checker(schema);
  return async function handler(ctx) {
    const ctxParams = (ctx as unknown as { params: Record<string, string> }).params;
    const params = spec.params ? validate.check(spec.params, ctxParams, 'path') : {};
    const query = spec.query ? validate.query(spec.query, ctx.query) : {};
    await spec.admit?.(ctx, { params, query }, deps);
    const sent = spec.body === undefined ? undefined : spec.auth === 'service' ? ctx.state.body : (await readBody(ctx, spec.bodyBytes?.(deps.config) ?? deps.config.maxBodyBytes)).json;
    const body = spec.body === undefined ? undefined : validate.check(spec.body, sent === undefined && spec.optionalBody ? {} : sent, 'body');
    if (spec.scopeBadges && ctx.state.access) requireBadges(ctx.state.access, spec.scopeBadges({ params, query, body }));
    // Every unit the handler runs is its actor's: the audit trail and webhooks say who acted.
    const domain = deps.domain.as(ctx.state.actor ?? PUBLIC);
    const answer = await spec.handler(ctx, { params, query, body }, { ...deps, domain });
    if (answer === ANSWERED) return;
    ctx.status = spec.response.status ?? 200;
    ctx.body = answer;
  };
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import Koa, { type Middleware } from 'koa';
import { startAccess } from '../jobs/access.js';
import { Background } from '../jobs/background.js';
import { BodyBudget, type BodyRules } from './body.js';
import { defaultConfig, type AppConfig } from '../config/app.js';
import { Domain } from '../core/domain.js';
import { errorHandler } from './errors.js';
import { installEvents } from '../jobs/events.js';
import { fastUsersReads } from './fast-path.js';
import { keepAnswers } from './middleware/kept-answers.js';
import { allowedMethods } from './middleware/allowed-methods.js';
import { ReadCache, etagOf } from '../cache/read-cache.js';
import { MemoryReplayStore, type ReplayStore } from '../stores/replays.js';
import { notModified } from './etag.js';
import { openApiDocument } from './openapi.js';
import { routeGroups } from './routes/index.js';
import { mount } from './routes/table.js';
import { timeResponses } from './middleware/response-time.js';
import { serveFiles } from './static.js';
import type { Store } from '../core/ports.js';
import { refuseCredentialsInUrl } from './middleware/url-guard.js';
import { logRequests, type Handler } from './request-log.js';

export interface CreateAppOptions {
  /** A store that several processes share brings their common replay memory; else the app keeps one. */
  store: Store & { readonly replays?: ReplayStore };
  config?: Partial<AppConfig>;
}

/** The app, and what runs beside its requests: stop it before closing the store. */
export type App = Koa & { background: Background };

/** Builds the Koa app without listening: `main` listens, tests call `app.callback()` in-process. */
export function createApp({ store, config: overrides }: CreateAppOptions): App {
  const config = { ...defaultConfig(), ...overrides };
  const background = new Background(config.log);
  const deps = {
    background,
    store,
    domain: new Domain(store, config.now),
    config,
    // A store that several processes share remembers signatures for all of them.
    replay: store.replays ?? new MemoryReplayStore(config.now()),
    reads: new ReadCache(store, undefined, config.now),
    openapi: JSON.stringify(openApiDocument()),
  };
  installEvents(deps);
  startAccess(deps);
  const app = Object.assign(new Koa(), { background });
  app.proxy = false;
  app.silent = true;
  // One budget for the bodies of all requests (see body.ts).
  app.context.bodies = { timeoutMs: config.bodyTimeoutMs, budget: new BodyBudget(config.bodyBudgetBytes) } satisfies BodyRules;

  const v1 = mount(routeGroups.v1, deps);
  const meta = mount(routeGroups.meta, deps);

  app.use(timeResponses);
  app.use(keepAnswers);
  app.use(errorHandler(config.log));
  app.use(cors);
  app.use(refuseCredentialsInUrl);
  app.use(jsonValidators);
  app.use(v1.routes());
  app.use(allowedMethods(v1));
  if (config.adminToken) {
    const admin = mount(routeGroups.admin, deps);
    app.use(admin.routes());
    app.use(allowedMethods(admin));
  }
  app.use(meta.routes());
  if (config.publicRoot) {
    app.use(
      serveFiles(config.publicRoot, [
        { url: '/user-badges.js', file: 'dist/widget/user-badges.js' },
        { url: '/userbadges.js', file: 'dist/widget/user-badges.js' },
        { url: '/', file: 'demo/index.html' },
        { url: '/docs', file: 'demo/docs.html' },
        { url: '/favicon.ico', file: 'demo/favicon.svg' },
        { url: '/widget/', folder: 'dist/widget' },
        { url: '/themes/', folder: 'themes' },
        { url: '/demo/', folder: 'demo' },
      ]),
    );
  }
  if (config.fastReads || config.requestLog) {
    // Koa's own callback stays the handler of everything the fast path declines; `listen()` and
    // tests calling `callback()` get both, and the request log around both.
    const koaCallback = app.callback.bind(app);
    app.callback = () => {
      const koa = koaCallback();
      let handler = koa;
      if (config.fastReads) {
        const fast = fastUsersReads(deps.reads);
        handler = async (req, res) => {
          if (req.method !== 'GET' && req.method !== 'HEAD') return koa(req, res);
          // A failure before the fast path wrote anything is answered by Koa; after, the response is gone.
          const served = await fast(req as IncomingMessage, res as ServerResponse).catch(() => res.headersSent);
          if (!served) await koa(req, res);
        };
      }
      // The app is served over HTTP/1 only (http-server.ts), which the log reads.
      return config.requestLog ? (logRequests(handler as Handler, config.requestLog) as typeof koa) : handler;
    };
  }
  return app;
}

/**
 * Reads are public and embeddable anywhere; writes are authorised by key or signature, never by
 * cookies, so opening CORS to every origin gives a foreign page nothing it could not do with curl.
 */
const cors: Middleware = async (ctx, next) => {
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

/**
 * Serialises JSON answers once, tags them with a validator of their content, and answers a repeat
 * view whose `If-None-Match` still matches with 304 and no body.
 */
const jsonValidators: Middleware = async (ctx, next) => {
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


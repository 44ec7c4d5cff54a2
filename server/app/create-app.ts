import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Writable } from 'node:stream';
import Koa from 'koa';
import { Background } from '../jobs/background.js';
import { exportStore } from '../transfer/export.js';
import { LiveHub } from '../http/live/hub.js';
import { defaultLiveConfig } from '../config/live.js';
import { BodyBudget, type BodyRules } from '../http/body.js';
import { defaultConfig, type AppConfig } from '../config/app.js';
import { errorHandler } from '../http/errors.js';
import { fastUsersReads } from '../http/fast-path.js';
import { keepAnswers } from '../http/middleware/kept-answers.js';
import { allowedMethods } from '../http/middleware/allowed-methods.js';
import { BadgeRecords } from '../cache/badge-records.js';
import { BoardCache } from '../cache/board-cache.js';
import { ReadCache } from '../cache/read-cache.js';
import { cors } from '../http/middleware/cors.js';
import { jsonValidators } from '../http/middleware/json-validators.js';
import { MemoryReplayStore, type ReplayStore } from '../stores/replays.js';
import { openApiDocument } from './openapi.js';
import { composeDomain } from './domain.js';
import { routeGroups } from './features/index.js';
import { startJobs } from './jobs.js';
import { mount } from '../http/routes/table.js';
import { dispatchBySegments } from '../http/routes/segment-dispatch.js';
import { refuseEmptyServiceName } from '../http/routes/admin.js';
import { timeResponses } from '../http/middleware/response-time.js';
import { adminConsolePage, serveFiles } from '../http/static.js';
import type { Store } from '../core/ports.js';
import { refuseCredentialsInUrl } from '../http/middleware/url-guard.js';
import { logRequests, type Handler } from '../http/request-log.js';

export interface CreateAppOptions {
  /** A store that several processes share brings their common replay memory; else the app keeps one. */
  store: Store & { readonly replays?: ReplayStore };
  config?: Partial<AppConfig>;
}

/**
 * The app, and what runs beside its requests: stop it before closing the store. `live.close()`
 * ends its live streams (with a last event), which a graceful stop would otherwise wait for.
 */
export type App = Koa & { background: Background; live: LiveHub };

/** Builds the Koa app without listening: `main` listens, tests call `app.callback()` in-process. */
export function createApp({ store, config: overrides }: CreateAppOptions): App {
  const config = { ...defaultConfig(), ...overrides };
  const background = new Background(config.log);
  const live = new LiveHub(store, { ...defaultLiveConfig(), ...config.live }, config.log);
  const deps = {
    live,
    background,
    store,
    domain: composeDomain(store, { now: config.now }),
    config,
    // A store that several processes share remembers signatures for all of them.
    replay: store.replays ?? new MemoryReplayStore(config.now()),
    reads: new ReadCache(store, undefined, config.now),
    badges: new BadgeRecords(store),
    boards: new BoardCache(store, undefined, (error) => config.log('A leaderboard page could not be checked against a change; dropped', error)),
    openapi: JSON.stringify(openApiDocument()),
    // The export says where it came from (the header line) when the operator configured it.
    exportTo: (out: Writable, options: { service?: string; withoutSecrets: boolean }) =>
      exportStore(store, out, { ...options, from: config.exportFrom ?? undefined }).then(() => {}),
  };
  startJobs(deps);
  const groups = routeGroups();
  const app = Object.assign(new Koa(), { background, live });
  app.proxy = false;
  app.silent = true;
  // One budget for the bodies of all requests (see body.ts).
  app.context.bodies = { timeoutMs: config.bodyTimeoutMs, budget: new BodyBudget(config.bodyBudgetBytes, config.bodyPeerBudgetBytes) } satisfies BodyRules;

  const v1 = mount(groups.v1, deps);
  const meta = mount(groups.meta, deps);

  app.use(timeResponses);
  app.use(keepAnswers);
  app.use(errorHandler(config.log));
  app.use(cors);
  app.use(refuseCredentialsInUrl);
  app.use(jsonValidators);
  app.use(dispatchBySegments(v1).middleware);
  app.use(allowedMethods(v1));
  if (config.adminToken) {
    const admin = mount(groups.admin, deps);
    app.use(refuseEmptyServiceName);
    app.use(admin.routes());
    app.use(allowedMethods(admin));
  }
  app.use(meta.routes());
  if (config.publicRoot) {
    app.use(adminConsolePage);
    app.use(
      serveFiles(config.publicRoot, [
        { url: '/user-badges.js', file: 'dist/widget/user-badges.js' },
        { url: '/userbadges.js', file: 'dist/widget/user-badges.js' },
        { url: '/user-badges-leaderboard.js', file: 'dist/widget/user-badges-leaderboard.js' },
        // The demo's badge links (`/badges/donated`): the badge and who earned it.
        { url: '/badges/', page: 'demo/badge.html' },
        { url: '/', file: 'demo/index.html' },
        { url: '/docs', file: 'demo/docs.html' },
        { url: '/favicon.ico', file: 'demo/favicon.svg' },
        { url: '/widget/', folder: 'dist/widget' },
        { url: '/themes/', folder: 'themes' },
        { url: '/demo/', folder: 'demo' },
        // The admin console (admin/, built by `npm run build:admin`): its page, and its files.
        { url: '/admin', file: 'dist/admin/index.html' },
        { url: '/admin/', file: 'dist/admin/index.html' },
        { url: '/admin/assets/', folder: 'dist/admin/assets' },
      ]),
    );
  }
  if (config.fastReads || config.requestLog) {
    // Koa's own callback stays the handler of everything the fast path declines; `listen()` and
    // tests calling `callback()` get both, and the request log around both.
    const koaCallback = app.callback.bind(app);
    app.callback = () => {
      const koa = koaCallback();
      let handler: Handler = koa;
      if (config.fastReads) {
        const fast = fastUsersReads(deps.reads);
        handler = (req, res) => {
          if (req.method !== 'GET' && req.method !== 'HEAD') return koa(req, res);
          // A failure before the fast path wrote anything is answered by Koa; after, the response is gone.
          let served: boolean | Promise<boolean>;
          try {
            served = fast(req as IncomingMessage, res as ServerResponse);
          } catch {
            served = res.headersSent;
          }
          if (served === true) return;
          return Promise.resolve(served)
            .catch(() => res.headersSent)
            .then((done) => (done ? undefined : koa(req, res)));
        };
      }
      // The app is served over HTTP/1 only (http-server.ts), which the log reads.
      return (config.requestLog ? logRequests(handler, config.requestLog) : handler) as typeof koa;
    };
  }
  return app;
}

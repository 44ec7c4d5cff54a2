import Router from '@koa/router';
import { LIMITS, type Paging, type SortKey, type UserRevokeResponse, type UserUpdateResponse } from '../../types/api.js';
import { notFound } from '../errors.js';
import { notModified } from '../etag.js';
import { answerHeaders, type Answer } from '../read-cache.js';
import type { AwardRecord, UserRecord } from '../core/model.js';
import * as validate from '../validate.js';
import { badgesHeld, userView, usersView } from '../views.js';
import type { Deps, V1Context, V1State } from './context.js';
import { authorize, loadService } from './service.js';

/** `/v1/:service/users.json` and `/v1/:service/users/:name.json`: users and their awards. */
export function userRoutes(deps: Deps): Router<V1State> {
  const { store } = deps;
  const router = new Router<V1State>();
  const service = loadService(deps);
  const write = [service, authorize(deps)] as const;

  const view = async (serviceName: string, users: UserRecord[], sort?: SortKey) =>
    usersView(users, await store.getBadges(serviceName, badgesHeld(users)), sort);

  router.get('/users.json', service, async (ctx) => {
    const serviceName = ctx.state.service.name;
    const sort = validate.sort(ctx.query.sort);
    const names = validate.names(ctx.query.names);
    if (names) {
      // The service was found a moment ago; deleted since, it is a 404 like any other.
      const answer = await deps.reads.usersByName(serviceName, names, sort);
      if (!answer) throw notFound('service_not_found', `Service "${serviceName}" does not exist`);
      sendAnswer(ctx, answer);
      return;
    }
    // Without names, the service's users a page at a time, in name order unless sorted otherwise.
    const pageSize = validate.positiveInteger(ctx.query.page_size, 'page_size', LIMITS.pageSizeDefault, LIMITS.pageSizeMax);
    const page = validate.positiveInteger(ctx.query.page, 'page', 1);
    const { users, total } = await store.listUsers(serviceName, { sort, offset: (page - 1) * pageSize, limit: pageSize });
    const pages = Math.max(1, Math.ceil(total / pageSize));
    const link = (p: number) => {
      const query = new URLSearchParams({ ...(sort ? { sort } : {}), page: String(p), page_size: String(pageSize) });
      return `${ctx.path}?${query}`;
    };
    const paging: Paging = {
      total,
      page,
      pages,
      page_size: pageSize,
      next: page < pages ? link(page + 1) : null,
      prev: page > 1 ? link(Math.min(page - 1, pages)) : null,
    };
    ctx.body = { ...(await view(serviceName, users, sort)), paging };
  });

  const userName = (ctx: { params: Record<string, string> }) => validate.name(ctx.params.name, 'user');
  // An unknown user (a revoke leaves it uncreated) holds nothing.
  const updated = (name: string, user: UserRecord | undefined): UserUpdateResponse => ({
    user: { name, badges: user?.awards.map((a: AwardRecord) => a.badge) ?? [] },
  });

  router.get('/users/:name.json', service, async (ctx) => {
    const name = userName(ctx);
    const user = await store.getUser(ctx.state.service.name, name);
    if (!user) throw notFound('user_not_found', `User "${name}" does not exist in service "${ctx.state.service.name}"`);
    ctx.body = userView(user, validate.sort(ctx.query.sort));
  });

  router.put('/users/:name.json', ...write, async (ctx) => {
    const name = userName(ctx);
    const badges = validate.badgeNames(ctx.state.body);
    ctx.body = updated(name, await deps.domain.award(ctx.state.service.name, name, badges));
  });

  router.delete('/users/:name.json', ...write, async (ctx) => {
    const name = userName(ctx);
    const badges = validate.badgeNames(ctx.state.body);
    const { user, absent } = await deps.domain.revoke(ctx.state.service.name, name, badges);
    ctx.body = { ...updated(name, user), absent } satisfies UserRevokeResponse;
  });

  return router;
}

/** Sends a cached answer, or a 304 when the client's validator still matches. */
function sendAnswer(ctx: V1Context, answer: Answer): void {
  ctx.set(answerHeaders(answer.etag));
  if (notModified(ctx, answer.etag)) return;
  ctx.type = 'application/json; charset=utf-8';
  ctx.body = answer.body;
}

import Router from '@koa/router';
import type { BadgesDeleteResponse, SortKey } from '../../types/api.js';
import type { BadgeRecord } from '../core/model.js';
import * as validate from '../validate.js';
import { badgeView, sortBadges } from '../views.js';
import type { Deps, V1State } from './context.js';
import { authorize, loadService } from './service.js';

/** `/v1/:service/badges.json`: the badges a service has registered. */
export function badgeRoutes(deps: Deps): Router<V1State> {
  const { store } = deps;
  const router = new Router<V1State>();
  const service = loadService(deps);
  const write = [service, authorize(deps)] as const;

  const view = (badges: BadgeRecord[], sort?: SortKey) => (sort ? sortBadges([...badges], sort) : badges).map(badgeView);
  const answer = async (serviceName: string, sortRaw: string | string[] | undefined) => {
    const sort = validate.sort(sortRaw);
    return { badges: view(await store.listBadges(serviceName), sort) };
  };

  router.get('/badges.json', service, async (ctx) => {
    ctx.body = await answer(ctx.state.service.name, ctx.query.sort);
  });

  router.put('/badges.json', ...write, async (ctx) => {
    validate.sort(ctx.query.sort);
    await deps.domain.putBadges(ctx.state.service.name, validate.badgeInputs(ctx.state.body));
    ctx.body = await answer(ctx.state.service.name, ctx.query.sort);
  });

  router.delete('/badges.json', ...write, async (ctx) => {
    const sort = validate.sort(ctx.query.sort);
    const { absent } = await deps.domain.deleteBadges(ctx.state.service.name, validate.badgeNames(ctx.state.body));
    ctx.body = { badges: view(await store.listBadges(ctx.state.service.name), sort), absent } satisfies BadgesDeleteResponse;
  });

  return router;
}

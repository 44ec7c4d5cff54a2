import { LIMITS, type SortKey } from '../../types/api.js';
import { BadgeNamesBody, User, UserParams, UserRevokeResponse, UserUpdateResponse, UsersQuery, UsersResponse, ServiceParams, SortQuery, type Paging } from '../../types/schema.js';
import type { AwardRecord, UserRecord } from '../core/model.js';
import { notFound } from '../errors.js';
import { notModified } from '../etag.js';
import { answerHeaders, type Answer } from '../read-cache.js';
import { badgesHeld, userView, usersView } from '../views.js';
import type { Deps, V1Context } from './context.js';
import { TEST_SERVICE_FULL } from './service.js';
import { ANSWERED, route } from './table.js';

/** `/v1/:service/users.json` and `/v1/:service/users/:name.json`: users and their awards. */

const view = async ({ store }: Deps, service: string, users: UserRecord[], sort?: SortKey) => usersView(users, await store.getBadges(service, badgesHeld(users)), sort);

// An unknown user (a revoke leaves it uncreated) holds nothing.
const updated = (name: string, user: UserRecord | undefined) => ({ user: { name, badges: user?.awards.map((a: AwardRecord) => a.badge) ?? [] } });

export const userRoutes = [
  route({
    method: 'get',
    path: '/v1/{service}/users.json',
    operationId: 'listUsers',
    summary: 'Named users with their awards, or a page of all users',
    description:
      "With `names`, the users of that list that exist (the read every widget makes; answered from a cache). Without, all the service's users a page at a time, in name order unless sorted otherwise, with `paging`.",
    tags: ['users'],
    auth: 'public',
    params: ServiceParams,
    query: UsersQuery,
    response: { description: 'Users, and the service-wide data of the badges they hold', schema: UsersResponse },
    handler: async (ctx, { query: { sort, names, page = 1, page_size: pageSize = LIMITS.pageSizeDefault } }, deps) => {
      const service = ctx.state.service.name;
      if (names) {
        // The service was found a moment ago; deleted since, it is a 404 like any other.
        const answer = await deps.reads.usersByName(service, names, sort);
        if (!answer) throw notFound('service_not_found', `Service "${service}" does not exist`);
        sendAnswer(ctx, answer);
        return ANSWERED;
      }
      const { users, total } = await deps.store.listUsers(service, { sort, offset: (page - 1) * pageSize, limit: pageSize });
      const pages = Math.max(1, Math.ceil(total / pageSize));
      const link = (p: number) => `${ctx.path}?${new URLSearchParams({ ...(sort ? { sort } : {}), page: String(p), page_size: String(pageSize) })}`;
      const paging: Paging = {
        total,
        page,
        pages,
        page_size: pageSize,
        next: page < pages ? link(page + 1) : null,
        prev: page > 1 ? link(Math.min(page - 1, pages)) : null,
      };
      return { ...(await view(deps, service, users, sort)), paging };
    },
  }),
  route({
    method: 'get',
    path: '/v1/{service}/users/{name}.json',
    operationId: 'getUser',
    summary: 'One user, as an entry of users.json',
    tags: ['users'],
    auth: 'public',
    params: UserParams,
    query: SortQuery,
    response: { description: 'The user', schema: User },
    errors: { 404: 'The service, or the user, does not exist (`service_not_found`, `user_not_found`)' },
    handler: async (ctx, { params, query }, { store }) => {
      const user = await store.getUser(ctx.state.service.name, params.name);
      if (!user) throw notFound('user_not_found', `User "${params.name}" does not exist in service "${ctx.state.service.name}"`);
      return userView(user, query.sort);
    },
  }),
  route({
    method: 'put',
    path: '/v1/{service}/users/{name}.json',
    operationId: 'awardBadges',
    summary: 'Award each listed badge once more, creating the user',
    description: 'A badge listed twice is awarded twice. A badge that is not registered refuses the whole request (`unknown_badge`, its names in `details`): nothing is awarded.',
    tags: ['users'],
    auth: 'service',
    operation: 'award',
    scopeBadges: ({ body }) => body.badges,
    params: UserParams,
    body: BadgeNamesBody,
    response: { description: 'Every badge the user has', schema: UserUpdateResponse },
    errors: { 403: TEST_SERVICE_FULL },
    handler: async (ctx, { params, body }, { domain }) => updated(params.name, await domain.award(ctx.state.service.name, params.name, body.badges)),
  }),
  route({
    method: 'delete',
    path: '/v1/{service}/users/{name}.json',
    operationId: 'revokeBadges',
    summary: 'Take badges from the user; the service-wide counts follow',
    description: 'Idempotent: badges the user does not hold (or a user that does not exist) are listed in `absent`, not refused.',
    tags: ['users'],
    auth: 'service',
    operation: 'revoke',
    scopeBadges: ({ body }) => body.badges,
    params: UserParams,
    body: BadgeNamesBody,
    response: { description: 'Every badge the user still has, and the names that were already absent', schema: UserRevokeResponse },
    handler: async (ctx, { params, body }, { domain }) => {
      const { user, absent } = await domain.revoke(ctx.state.service.name, params.name, body.badges);
      return { ...updated(params.name, user), absent };
    },
  }),
];

/** Sends a cached answer, or a 304 when the client's validator still matches. */
function sendAnswer(ctx: V1Context, answer: Answer): void {
  ctx.set(answerHeaders(answer.etag));
  if (notModified(ctx, answer.etag)) return;
  ctx.type = 'application/json; charset=utf-8';
  ctx.body = answer.body;
}

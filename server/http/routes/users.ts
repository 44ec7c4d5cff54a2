import {
  BadgeNamesBody,
  ProgressBody,
  ProgressResponse,
  RevokeBody,
  User,
  UserParams,
  UserQuery,
  UserRevokeResponse,
  UserUpdateResponse,
  UsersQuery,
  UsersResponse,
  ServiceParams,
} from '../../../types/schema.js';
import type { Actor } from '../../core/actor.js';
import type { AwardRecord, UserRecord } from '../../core/model.js';
import { AWARD_KIND, instancesMissing, isLive, settleInstances, type AwardInstance } from '../../core/rules/instances.js';
import { notFound } from '../errors.js';
import { openBadgesLinks, openBadgesOf } from '../openbadges/issuing.js';
import { notModified } from '../etag.js';
import { listPage, type StoredList } from '../paging.js';
import { sortField, userCount, userLatest, type SortValue } from '../../core/order.js';
import type { SortKey } from '../../../types/api.js';
import { answerHeaders, type Answer } from '../../cache/read-cache.js';
import { progressInput } from '../validate.js';
import { Listing, badgesFor, segmentsFor, type ReadOptions } from '../../cache/views.js';
import type { Deps, V1Context } from './context.js';
import { OPEN_TEST_SERVICE, TEST_SERVICE_FULL } from '../auth/guards.js';
import { ANSWERED, route } from './table.js';

/** `/v1/:service/users.json` and `/v1/:service/users/:name.json`: users and their awards. */

async function listing({ store, badges: records, config }: Deps, service: string, users: UserRecord[], options: ReadOptions): Promise<Listing> {
  const badges = await badgesFor(records.over(store), service, users, options.states);
  return new Listing(badges, options, config.now(), await segmentsFor(store, service, users, badges, options.states));
}

/** The service's users in a `?sort=` order; a cursor carries the last user's key and name (see core/order.ts). */
function usersList({ store }: Deps, service: string, sort: SortKey = 'name'): StoredList<UserRecord> {
  const { field } = sortField(sort);
  const keyOf = (user: UserRecord) => (field === 'name' ? user.name : field === 'count' ? userCount(user) : (userLatest(user) ?? ''));
  return {
    count: async () => (await store.listUsers(service, { offset: 0, limit: 0 })).total,
    at: async (offset, limit) => (await store.listUsers(service, { sort, offset, limit })).users,
    after: (place, limit) => store.usersPage(service, sort, place && { key: place[0] as SortValue, name: place[1] as string }, limit),
    placeOf: (user) => [keyOf(user), user.name],
    isPlace: ([key, name, ...rest]) => rest.length === 0 && typeof name === 'string' && (field === 'name' ? key === name : typeof key === (field === 'count' ? 'number' : 'string')),
  };
}

// An unknown user (a revoke leaves it uncreated) holds nothing.
const updated = (name: string, user: UserRecord | undefined) => ({ user: { name, badges: user?.awards.map((a: AwardRecord) => a.badge) ?? [] } });

export const userRoutes = [
  route({
    method: 'get',
    path: '/v1/{service}/users.json',
    operationId: 'listUsers',
    summary: 'Named users with their awards, or a page of all users',
    description:
      "With `names`, the users of that list that exist (the read every widget makes; answered from a cache). Without, all the service's users a page at a time, in name order unless sorted otherwise, with `paging`: follow `paging.next` (a `cursor`), which costs the same on every page; `page` numbers still work. Badges outside their display window are left out; `tags` keeps those having any of the tags, `issuer` and `program` those of an issuer or program; `states=all` adds the badges each user could still earn.",
    tags: ['users'],
    auth: 'public',
    params: ServiceParams,
    query: UsersQuery,
    response: { description: 'Users, and the service-wide data of the badges listed for them', schema: UsersResponse },
    handler: async (ctx, { query }, deps) => {
      const { sort, names, states, tags, issuer, program } = query;
      const service = ctx.state.service.name;
      if (names) {
        // The service was found a moment ago; deleted since, it is a 404 like any other.
        const answer = await deps.reads.usersByName(service, names, { sort, states, tags, issuer, program });
        if (!answer) throw notFound('service_not_found', `Service "${service}" does not exist`);
        sendAnswer(ctx, answer);
        return ANSWERED;
      }
      const { items: users, paging } = await listPage(ctx.path, { sort, states, tags: tags?.join(','), issuer, program }, query, usersList(deps, service, sort));
      const view = (await listing(deps, service, users, { sort, states, tags, issuer, program })).users(users);
      return { ...view, paging };
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
    query: UserQuery,
    response: { description: 'The user', schema: User },
    errors: { 404: 'The service, or the user, does not exist (`service_not_found`, `user_not_found`)' },
    handler: async (ctx, { params, query }, deps) => {
      const service = ctx.state.service.name;
      const user = await deps.store.getUser(service, params.name);
      if (!user) throw notFound('user_not_found', `User "${params.name}" does not exist in service "${service}"`);
      const read = (await listing(deps, service, [user], query)).user(user, await instanceIds(deps, service, user));
      // Each award links its Open Badges (issue 22); the open test service issues none.
      if (service === OPEN_TEST_SERVICE && deps.config.openTestService) return read;
      const urls = openBadgesOf(deps.store, deps.config).urls(`${ctx.protocol}://${ctx.host}`, service);
      return { ...read, badges: read.badges.map((badge) => (badge.awards ? { ...badge, openBadges: badge.awards.map((id) => ({ award: id, ...openBadgesLinks(urls, id) })) } : badge)) };
    },
  }),
  route({
    method: 'put',
    path: '/v1/{service}/users/{name}.json',
    operationId: 'awardBadges',
    summary: 'Award each listed badge once more, creating the user',
    description:
      "A badge listed twice is awarded twice. A badge that is not registered refuses the whole request (`unknown_badge`, its names in `details`): nothing is awarded. An award the badge's fields forbid now (disabled, outside its earn window, its frequency cap or `freq_max` reached, `unique` and held) is not made, and named in `skipped` with the reason.",
    tags: ['users'],
    auth: 'service',
    operation: 'award',
    scopeBadges: ({ body }) => body.badges,
    params: UserParams,
    body: BadgeNamesBody,
    response: { description: 'Every badge the user has, and the awards not made', schema: UserUpdateResponse },
    errors: { 403: TEST_SERVICE_FULL },
    handler: async (ctx, { params, body }, { domain }) => {
      const { user, skipped } = await domain.award(ctx.state.service.name, params.name, body.badges);
      return { ...updated(params.name, user), skipped };
    },
  }),
  route({
    method: 'delete',
    path: '/v1/{service}/users/{name}.json',
    operationId: 'revokeBadges',
    summary: 'Take badges from the user; the service-wide counts follow',
    description:
      'Idempotent: badges the user does not hold (or a user that does not exist) are listed in `absent`, not refused. Every award of a badge taken is revoked, and kept so with `reason`; to revoke one award of several, DELETE users/{name}/awards/{id}.json.',
    tags: ['users'],
    auth: 'service',
    operation: 'revoke',
    scopeBadges: ({ body }) => body.badges,
    params: UserParams,
    body: RevokeBody,
    response: { description: 'Every badge the user still has, and the names that were already absent', schema: UserRevokeResponse },
    handler: async (ctx, { params, body }, { domain }) => {
      const { user, absent } = await domain.revoke(ctx.state.service.name, params.name, body.badges, body.reason === undefined ? {} : { reason: body.reason });
      return { ...updated(params.name, user), absent };
    },
  }),
  route({
    method: 'put',
    path: '/v1/{service}/users/{name}/progress.json',
    operationId: 'setProgress',
    summary: "Set the user's progress towards badges with a goal; reaching a goal awards the badge",
    description:
      'Values, not increments: sending the same again changes nothing. A goal reached awards the badge in the same write, as `PUT users/:name.json` would (its fields may skip it; see `skipped`). A badge not registered (`unknown_badge`) or without a `goal` (`no_goal`) refuses the whole request.',
    tags: ['users'],
    auth: 'service',
    params: UserParams,
    body: ProgressBody,
    response: { description: "The user's badges and progress, and what this write awarded", schema: ProgressResponse },
    errors: { 403: TEST_SERVICE_FULL },
    handler: async (ctx, { params, body }, { domain }) => {
      const { user, awarded, skipped } = await domain.setProgress(ctx.state.service.name, params.name, progressInput(body.progress));
      return { ...updated(params.name, user), progress: user.progress ?? {}, awarded, skipped };
    },
  }),
];

/**
 * The ids of the user's live award instances, by badge. Awards made before instances existed get
 * theirs now, in a unit of their own (core/rules/instances.ts): once, whoever reads first.
 */
async function instanceIds({ store, domain }: Deps, service: string, user: UserRecord): Promise<Map<string, string[]>> {
  let instances = await store.listItems(service, AWARD_KIND, { owner: user.name });
  if (instancesMissing(user.awards, instances)) instances = await domain.as(INSTANCE_KEEPER).run(service, (tx) => settleInstances(tx, service, user.name));
  const ids = new Map<string, string[]>();
  for (const item of instances) {
    if (!isLive(item)) continue;
    const { badge } = item.v as AwardInstance;
    ids.set(badge, [...(ids.get(badge) ?? []), item.id]);
  }
  return ids;
}

const INSTANCE_KEEPER: Actor = { type: 'system', job: 'award-instances' };

/** Sends a cached answer, or a 304 when the client's validator still matches. */
function sendAnswer(ctx: V1Context, answer: Answer): void {
  ctx.set(answerHeaders(answer.etag));
  if (notModified(ctx, answer.etag)) return;
  ctx.type = 'application/json; charset=utf-8';
  ctx.body = answer.body;
}

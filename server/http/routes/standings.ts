import { BadgeParams, DisplayBody, DisplayResponse, HoldersQuery, HoldersResponse, LeaderboardQuery, LeaderboardResponse, OneBadgeResponse } from '../../../types/leaderboard-schema.js';
import { ServiceParams, UserParams } from '../../../types/schema.js';
import type { BadgeRecord } from '../../core/model.js';
import { currentStart, type BoardCursor, type HolderCursor } from '../../core/standings.js';
import { badgeView, Listing } from '../../cache/views.js';
import { HttpError, notFound } from '../errors.js';
import type { Deps, V1Context } from './context.js';
import { route } from './table.js';

/**
 * Leaderboards, one badge and its holders (Discourse's badge page: "who earned this"), and what a
 * user features and hides. Public reads answer from the stores' indexes (core/standings.ts), never
 * a scan; badges outside their display window and badges a holder hides are left out.
 */

export const TIES = 'Equal scores: who reached the score first ranks first (the latest award that counted, earlier first), then by name in code-point order';

/** A badge a public read may show now, or a 404 as if it did not exist. */
export async function shownBadge(ctx: V1Context, { badges, config }: Deps, name: string): Promise<BadgeRecord> {
  const service = ctx.state.service.name;
  const badge = await badges.get(service, name);
  if (!badge || !new Listing([badge], {}, config.now()).shows(name)) throw notFound('badge_not_found', `Badge "${name}" does not exist in service "${service}"`);
  return badge;
}

/** A cursor: the last entry of the page before, opaque to clients. */
const cursorOf = (values: unknown[]) => Buffer.from(JSON.stringify(values)).toString('base64url');

function cursorValues(cursor: string, shape: string[]): unknown[] {
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown[];
    if (Array.isArray(values) && values.length === shape.length && values.every((v, i) => typeof v === shape[i])) return values;
  } catch {
    // Answered below.
  }
  throw new HttpError(400, 'invalid_cursor', 'cursor must be from the `next` of an earlier page', { in: 'query', pointer: '/cursor' });
}

const nextPage = (path: string, keep: Record<string, string | undefined>, cursor: string | null) =>
  cursor === null ? null : `${path}?${new URLSearchParams([...Object.entries(keep).filter((e): e is [string, string] => e[1] !== undefined), ['cursor', cursor]])}`;

export const standingRoutes = [
  route({
    method: 'get',
    path: '/v1/{service}/leaderboard.json',
    operationId: 'getLeaderboard',
    summary: 'Users ranked by points, all time or this month or week; or the holders of one badge by times earned',
    description:
      "A badge is worth its `points` (else its tier's: gold 10, silver 5, bronze 1, other 1), counted for every award with the points it had then; a revocation takes its points back. `month` and `week` are the current calendar periods in UTC (weeks from Monday). With `badge`, its holders ranked by the times they earned it (in the period); holders hiding it are left out. Ties are never shared (see `ties`). Answered from an index; paged by cursor: follow `next`.",
    tags: ['leaderboard'],
    auth: 'public',
    params: ServiceParams,
    query: LeaderboardQuery,
    response: { description: 'A page of the board', schema: LeaderboardResponse },
    errors: { 404: 'The service, or the badge, does not exist or is not shown now (`service_not_found`, `badge_not_found`)' },
    handler: async (ctx, { query }, deps) => {
      const service = ctx.state.service.name;
      const period = query.period ?? 'all';
      const limit = query.limit ?? 25;
      if (query.badge !== undefined) await shownBadge(ctx, deps, query.badge);
      const start = currentStart(period, new Date(deps.config.now()));
      let after: BoardCursor | null = null;
      if (query.cursor !== undefined) {
        const [score, reached, name, rank] = cursorValues(query.cursor, ['number', 'string', 'string', 'number']) as [number, string, string, number];
        after = { score, reached, name, rank };
      }
      // One more than a page says whether there is a next one.
      const rows = await deps.boards.board(service, { period, start, ...(query.badge !== undefined ? { badge: query.badge } : {}) }, after, limit + 1);
      const users = rows.slice(0, limit);
      const last = rows.length > limit ? users.at(-1)! : null;
      return {
        period,
        start: start === '' ? null : start,
        ...(query.badge !== undefined ? { badge: query.badge } : {}),
        ties: TIES,
        users,
        next: nextPage(ctx.path, { period: query.period, badge: query.badge, limit: query.limit?.toString() }, last && cursorOf([last.score, last.reached, last.name, last.rank])),
      };
    },
  }),
  route({
    method: 'get',
    path: '/v1/{service}/badges/{badge}.json',
    operationId: 'getBadge',
    summary: 'One badge, with its custom fields, times awarded and last award',
    tags: ['badges'],
    auth: 'public',
    params: BadgeParams,
    response: { description: 'The badge', schema: OneBadgeResponse },
    errors: { 404: 'The service, or the badge, does not exist or is outside its display window (`service_not_found`, `badge_not_found`)' },
    handler: async (ctx, { params }, deps) => ({ badge: badgeView(await shownBadge(ctx, deps, params.badge)) }),
  }),
  route({
    method: 'get',
    path: '/v1/{service}/badges/{badge}/holders.json',
    operationId: 'getBadgeHolders',
    summary: 'Who earned the badge, newest award first',
    description: 'Holders who hide the badge are left out. Paged by cursor: follow `next`.',
    tags: ['badges'],
    auth: 'public',
    params: BadgeParams,
    query: HoldersQuery,
    response: { description: 'A page of holders', schema: HoldersResponse },
    errors: { 404: 'The service, or the badge, does not exist or is outside its display window (`service_not_found`, `badge_not_found`)' },
    handler: async (ctx, { params, query }, deps) => {
      await shownBadge(ctx, deps, params.badge);
      const limit = query.limit ?? 25;
      let after: HolderCursor | null = null;
      if (query.cursor !== undefined) {
        const [latest, name] = cursorValues(query.cursor, ['string', 'string']) as [string, string];
        after = { latest, name };
      }
      const rows = await deps.store.holdersPage(ctx.state.service.name, params.badge, after, limit + 1);
      const holders = rows.slice(0, limit);
      const last = rows.length > limit ? holders.at(-1)! : null;
      return { badge: params.badge, holders, next: nextPage(ctx.path, { limit: query.limit?.toString() }, last && cursorOf([last.latest, last.name])) };
    },
  }),
  route({
    method: 'get',
    path: '/v1/{service}/users/{name}/display.json',
    operationId: 'getDisplay',
    summary: 'What the user features and hides (the owner site reads hidden badges here)',
    tags: ['leaderboard'],
    auth: 'service',
    params: UserParams,
    response: { description: 'The lists', schema: DisplayResponse },
    errors: { 404: 'The service, or the user, does not exist (`service_not_found`, `user_not_found`)' },
    etag: false,
    handler: async (ctx, { params }, { store }) => {
      const service = ctx.state.service.name;
      const user = await store.getUser(service, params.name);
      if (!user) throw notFound('user_not_found', `User "${params.name}" does not exist in service "${service}"`);
      return { user: user.name, featured: user.featured ?? [], hidden: user.hidden ?? [] };
    },
  }),
  route({
    method: 'put',
    path: '/v1/{service}/users/{name}/display.json',
    operationId: 'setDisplay',
    summary: 'Set the badges the user features (shown first) and hides (from every public read)',
    description:
      "Each list given replaces the one kept; `[]` clears it. A featured badge must be held (`not_held`) and not hidden; at most 5. A hidden badge must be registered (`unknown_badge`): it is left out of the user's public reads, of the badge's holders and its boards, and of the live stream; it still counts towards the user's score, which lists no badge, and towards the badge's `count`, which names nobody.",
    tags: ['leaderboard'],
    auth: 'service',
    params: UserParams,
    body: DisplayBody,
    response: { description: 'The lists now', schema: DisplayResponse },
    errors: { 404: 'The user does not exist (`user_not_found`)' },
    handler: async (ctx, { params, body }, { domain }) => {
      const user = await domain.setDisplay(ctx.state.service.name, params.name, body);
      return { user: user.name, featured: user.featured ?? [], hidden: user.hidden ?? [] };
    },
  }),
];

import { Type } from '@sinclair/typebox';
import { BadgeParams, FlairQuery } from '../../../types/leaderboard-schema.js';
import { UserParams } from '../../../types/schema.js';
import type { BadgeRecord } from '../../core/model.js';
import { userStanding } from '../../core/standings.js';
import { badgesFor, Listing } from '../../cache/views.js';
import { etagOf } from '../../cache/read-cache.js';
import { notModified } from '../etag.js';
import { svgToPng } from '../flair/png.js';
import { badgeFlairSvg, userFlairSvg, type FlairBadge } from '../flair/svg.js';
import type { V1Context } from './context.js';
import { shownBadge } from './standings.js';
import { ANSWERED, route } from './table.js';

/**
 * `users/:name/flair.svg|png` and `badges/:badge/flair.svg|png`: flair that needs no JavaScript
 * (see flair/svg.ts), from the same public read as the widget's (display windows, hidden badges).
 * Cached by browsers and image proxies for five minutes, then revalidated by ETag.
 */
const CACHE = 'public, max-age=300';
const TIER_ORDER = ['gold', 'silver', 'bronze', 'other'];
/** PNGs by the ETag of their SVG: rendering costs milliseconds, a repeat costs a lookup; a render under way is shared. */
const pngs = new Map<string, Promise<Buffer>>();
const KEPT_PNGS = 512;

function tierOf(record: BadgeRecord | undefined): FlairBadge['tier'] {
  const type = record?.fields.type;
  return type === 'gold' || type === 'silver' || type === 'bronze' ? type : 'other';
}

const titleOf = (name: string, record: BadgeRecord | undefined) => (typeof record?.fields.title === 'string' ? record.fields.title : name);

/** Sends the image in the format the path asks for, or a 304. */
async function sendImage(ctx: V1Context, svg: string, format: 'svg' | 'png'): Promise<typeof ANSWERED> {
  const etag = format === 'svg' ? etagOf(svg) : etagOf(svg + '\npng');
  ctx.set({ 'Cache-Control': CACHE, 'Access-Control-Allow-Origin': '*', 'X-Content-Type-Options': 'nosniff', ETag: etag });
  if (notModified(ctx, etag)) return ANSWERED;
  if (format === 'svg') {
    ctx.type = 'image/svg+xml';
    // Opened on its own, the image may run nothing: an SVG is a document.
    ctx.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
    ctx.body = svg;
  } else {
    let png = pngs.get(etag);
    if (!png) {
      png = svgToPng(svg, ctx.state.service.name);
      if (pngs.size >= KEPT_PNGS) pngs.delete(pngs.keys().next().value!);
      pngs.set(etag, png);
      const rendering = png;
      rendering.catch(() => pngs.get(etag) === rendering && pngs.delete(etag));
    }
    ctx.body = await png;
    ctx.type = 'image/png';
  }
  return ANSWERED;
}

const image = (format: 'svg' | 'png') => ({
  description: `The image (${format === 'svg' ? 'image/svg+xml' : 'image/png'})`,
  schema: Type.String({ format: 'binary' }),
  contentType: format === 'svg' ? 'image/svg+xml' : 'image/png',
  cache: CACHE,
});

const userFlair = (format: 'svg' | 'png') =>
  route({
    method: 'get',
    path: `/v1/{service}/users/{name}/flair.${format}`,
    operationId: format === 'svg' ? 'getUserFlairSvg' : 'getUserFlairPng',
    summary: `The user's badges as ${format === 'svg' ? 'an SVG' : 'a PNG'} image, for places where scripts are not allowed`,
    description:
      'Sized for a forum signature: the name and points, the number of badges per tier and the badges that fit, featured first, in the theme asked for (`light`, `dark`, or `compact`: one line, shields-style). What a public read shows: badges outside their display window and hidden badges are left out. A user the service does not know gets "No badges yet", as the widget shows. Cached five minutes, then revalidated (ETag).' +
      (format === 'png' ? ' Rendered with the DejaVu fonts bundled with the server, never the machine\'s.' : ''),
    tags: ['live'],
    auth: 'public',
    params: UserParams,
    query: FlairQuery,
    response: image(format),
    handler: async (ctx, { params, query }, { store, badges: kept, config }) => {
      const service = ctx.state.service.name;
      const user = await store.getUser(service, params.name);
      const records = user ? await badgesFor(kept.over(store), service, [user], 'earned') : [];
      const view = user ? new Listing(records, {}, config.now()).user(user) : { name: params.name, badges: [], featured: undefined };
      const byName = new Map(records.map((r) => [r.name, r]));
      const featured = view.featured ?? [];
      const badges = view.badges
        .map((b) => ({ name: b.name, title: titleOf(b.name, byName.get(b.name)), tier: tierOf(byName.get(b.name)), count: b.count }))
        .sort(
          (a, b) =>
            rank(featured, a.name) - rank(featured, b.name) ||
            TIER_ORDER.indexOf(a.tier) - TIER_ORDER.indexOf(b.tier) ||
            b.count - a.count ||
            (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
        );
      const score = user ? (userStanding(user, 'all')?.score ?? 0) : 0;
      return sendImage(ctx, userFlairSvg({ name: view.name, score, badges }, query.theme ?? 'light'), format);
    },
  });

/** Featured badges first, in their order; the rest after. */
const rank = (featured: string[], name: string) => {
  const at = featured.indexOf(name);
  return at < 0 ? featured.length : at;
};

const badgeFlair = (format: 'svg' | 'png') =>
  route({
    method: 'get',
    path: `/v1/{service}/badges/{badge}/flair.${format}`,
    operationId: format === 'svg' ? 'getBadgeFlairSvg' : 'getBadgeFlairPng',
    summary: `One badge as a shields-style ${format === 'svg' ? 'SVG' : 'PNG'} image: its tier, title and times awarded`,
    tags: ['live'],
    auth: 'public',
    params: BadgeParams,
    response: image(format),
    errors: { 404: 'The service, or the badge, does not exist or is outside its display window (`service_not_found`, `badge_not_found`)' },
    handler: async (ctx, { params }, deps) => {
      const record = await shownBadge(ctx, deps, params.badge);
      return sendImage(ctx, badgeFlairSvg({ name: record.name, title: titleOf(record.name, record), tier: tierOf(record), count: record.count }), format);
    },
  });

export const flairRoutes = [userFlair('svg'), userFlair('png'), badgeFlair('svg'), badgeFlair('png')];

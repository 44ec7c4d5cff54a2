import { ActivityResponse, PageQuery, UserActivityParams } from '../../../types/events-schema.js';
import type { ActivityEntry } from '../../../types/events-schema.js';
import { LIMITS } from '../../../types/api.js';
import { ServiceParams } from '../../../types/schema.js';
import { accessOfKey, requireOperation } from '../auth/credentials.js';
import { HttpError } from '../errors.js';
import { compareItems } from '../../core/items.js';
import { KIND, typeOf, type ActivityValue, type StoredEvent } from '../../core/events/kinds.js';
import { eventSettings } from '../../core/events/settings.js';
import { itemReads } from '../../core/events/store-reads.js';
import type { Item } from '../../core/model.js';
import { termsOf, within } from '../../core/terms.js';
import type { Deps, V1Context } from './context.js';
import { paging } from '../paging.js';
import { settingsDefaults } from './events.js';
import { route } from './table.js';

/**
 * The activity feed: award entries (kind `activity`, public like badges) merged with the events
 * themselves (with the service key, or public when the service says so), newest first.
 */

const KEY_OPTIONAL = 'A key in `Authorization` that is not the service\'s (`invalid_key`): without one, the feed is answered without event entries (unless the service made them public)';
const FEED_ERRORS = { 400: 'A page deeper than the feed pages (`page_too_deep`: the 10,000 newest entries)', 401: KEY_OPTIONAL, 403: 'A scoped key that may not read private data (`key_out_of_scope`)' };

function entry(item: Item, isEvent: boolean): ActivityEntry {
  if (isEvent) {
    const v = item.v as StoredEvent;
    return { type: 'event', at: item.at, user: item.owner!, event: item.id, eventType: typeOf(v.t), ...(v.p ? { preview: v.p } : {}), ...(v.l ? { permalink: v.l } : {}), ...(v.d ? { data: v.d as never } : {}) };
  }
  const v = item.v as ActivityValue;
  return { type: v.type, at: item.at, user: item.owner!, badge: v.badge, count: v.count, ...(v.rule ? { rule: v.rule } : {}), ...(v.event ? { event: v.event } : {}), ...(v.preview ? { preview: v.preview } : {}), ...(v.permalink ? { permalink: v.permalink } : {}) };
}

/**
 * Whether the request may see event entries: the service made them public, or it carries the
 * service's key (the previous one during a rotation's grace) or a scoped key that may read private data.
 */
async function eventsVisible(ctx: V1Context, { store, config }: Deps): Promise<boolean> {
  const authorization = ctx.get('authorization');
  if (authorization) {
    const access = await accessOfKey(store, ctx.state.service, authorization.replace(/^Bearer\s+/i, ''), config.now());
    requireOperation(access, 'read_private');
    return true;
  }
  return (await eventSettings(itemReads(store), ctx.state.service.name, settingsDefaults(config))).publicEvents;
}

/**
 * How deep the feed pages. Two lists are merged newest first, so a page is found by reading both
 * lists down to it: bounded, so that no request makes the server read a whole history.
 */
export const MAX_ACTIVITY_DEPTH = 10_000;

async function feed(ctx: V1Context, deps: Deps, owner: string | undefined, page: number, pageSize: number) {
  const service = ctx.state.service.name;
  const withEvents = await eventsVisible(ctx, deps);
  const count = owner !== undefined ? { owner } : {};
  const [awardCount, eventCount] = await Promise.all([
    deps.store.countItems(service, KIND.activity, count),
    withEvents ? deps.store.countItems(service, KIND.event, count) : 0,
  ]);
  const total = awardCount + eventCount;
  const pagingOf = () => paging(ctx.path, {}, total, { page, pageSize });
  // Past the end: an empty page, as every list answers, without reading anything.
  if ((page - 1) * pageSize >= total) return { activity: [], events: withEvents, paging: pagingOf() };
  if (page * pageSize > MAX_ACTIVITY_DEPTH) {
    throw new HttpError(400, 'page_too_deep', `The activity feed pages down to its ${MAX_ACTIVITY_DEPTH.toLocaleString('en')} newest entries; ask for an earlier page`);
  }
  const query = { order: 'desc' as const, limit: page * pageSize, ...(owner !== undefined ? { owner } : {}) };
  const [awards, events] = await Promise.all([deps.store.listItems(service, KIND.activity, query), withEvents ? deps.store.listItems(service, KIND.event, query) : []]);
  // Newest first; an award before the event that earned it, which has the same time.
  const merged = [...awards.map((item) => ({ item, isEvent: false })), ...events.map((item) => ({ item, isEvent: true }))].sort(
    (a, b) => -compareItems(a.item, b.item) || Number(a.isEvent) - Number(b.isEvent),
  );
  const shown = merged.slice((page - 1) * pageSize, page * pageSize);
  // A badge outside its display window is left out of every public read, its awards too.
  const names = new Set(shown.filter((e) => !e.isEvent).map((e) => (e.item.v as ActivityValue).badge));
  const now = deps.config.now();
  const hidden = new Set((await deps.store.getBadges(service, names)).filter((b) => !within(termsOf(b.fields).display, now)).map((b) => b.name));
  return {
    activity: shown.filter((e) => e.isEvent || !hidden.has((e.item.v as ActivityValue).badge)).map(({ item, isEvent }) => entry(item, isEvent)),
    events: withEvents,
    paging: pagingOf(),
  };
}

export const activityRoutes = [
  route({
    method: 'get',
    path: '/v1/{service}/activity.json',
    operationId: 'getActivity',
    summary: 'Awards, revocations and events of the service, newest first',
    description: 'Award and revocation entries are public, like badges; event entries only with the service key in `Authorization`, or when the service made them public (`event-settings.json`).',
    tags: ['activity'],
    auth: 'public',
    params: ServiceParams,
    query: PageQuery,
    response: { description: 'A page of the feed', schema: ActivityResponse },
    errors: FEED_ERRORS,
    handler: async (ctx, { query: { page = 1, page_size: pageSize = LIMITS.pageSizeDefault } }, deps) => feed(ctx, deps, undefined, page, pageSize),
  }),
  route({
    method: 'get',
    path: '/v1/{service}/users/{name}/activity.json',
    operationId: 'getUserActivity',
    summary: "One user's awards, revocations and events, newest first",
    tags: ['activity'],
    auth: 'public',
    params: UserActivityParams,
    query: PageQuery,
    response: { description: 'A page of the feed', schema: ActivityResponse },
    errors: FEED_ERRORS,
    handler: async (ctx, { params, query: { page = 1, page_size: pageSize = LIMITS.pageSizeDefault } }, deps) => feed(ctx, deps, params.name, page, pageSize),
  }),
];

import { ActivityQuery, ActivityResponse, UserActivityParams } from '../../../types/events-schema.js';
import type { ActivityEntry } from '../../../types/events-schema.js';
import { LIMITS } from '../../../types/api.js';
import { ServiceParams } from '../../../types/schema.js';
import type { Static } from '@sinclair/typebox';
import { accessOfKey, requireOperation } from '../auth/credentials.js';
import { badRequest, HttpError } from '../errors.js';
import { compareItems } from '../../core/items.js';
import { KIND, typeOf, type ActivityValue, type StoredEvent } from '../../core/events/kinds.js';
import { eventSettings } from '../../core/events/settings.js';
import { itemReads } from '../../core/events/store-reads.js';
import type { Item } from '../../core/model.js';
import type { Store } from '../../core/ports.js';
import { termsOf, within } from '../../core/terms.js';
import type { Deps, V1Context } from './context.js';
import { settingsDefaults } from './events.js';
import { route } from './table.js';
import { Turns } from '../turns.js';

/**
 * The activity feed: award entries (kind `activity`, public like badges) merged with the events
 * themselves (with the service key, or public when the service says so), newest first. What a
 * client may not see is not shown, not counted and not hinted at: awards of badges outside their
 * display window are left out (and out of `total`), and while events are private an award does not
 * repeat its event's id, preview or permalink. Pages are walked by a cursor, a position in the feed,
 * so a page costs the same at any depth; `page` numbers still work, down to MAX_ACTIVITY_DEPTH.
 */

const KEY_OPTIONAL = 'A key in `Authorization` that is not the service\'s (`invalid_key`): without one, the feed is answered without event entries (unless the service made them public)';
const FEED_ERRORS = {
  400: 'A page deeper than page numbers reach (`page_too_deep`: use the cursor of `paging.next`), a cursor not from an answer (`invalid_cursor`), or both `page` and `cursor`',
  401: KEY_OPTIONAL,
  403: 'A scoped key that may not read private data (`key_out_of_scope`)',
};

/** How deep `page` numbers reach: a page number is found by walking the feed down to it. */
export const MAX_ACTIVITY_DEPTH = 10_000;
/** Entries one answer reads at most, shown or not: a feed of hidden awards ends a page early, with a cursor to go on. */
const MAX_SCAN = 5_000;
/** Entries read between two turns of the event loop while walking down to a numbered page. */
const WALK_CHUNK = 250;
/** Feed requests of one service read at once at most: the rest wait their turn, so anonymous clients paging one feed slow only each other. */
const FEED_TURNS = 2;

const feedTurns = new Turns(FEED_TURNS);

interface Entry {
  item: Item;
  isEvent: boolean;
}

/** Newest first; an award before an event of the same time and id. */
const order = (a: Entry, b: Entry) => -compareItems(a.item, b.item) || Number(a.isEvent) - Number(b.isEvent);

function entry({ item, isEvent }: Entry, withEvents: boolean): ActivityEntry {
  if (isEvent) {
    const v = item.v as StoredEvent;
    return { type: 'event', at: item.at, user: item.owner!, event: item.id, eventType: typeOf(v.t), ...(v.p ? { preview: v.p } : {}), ...(v.l ? { permalink: v.l } : {}), ...(v.d ? { data: v.d as never } : {}) };
  }
  const v = item.v as ActivityValue;
  // What the earning event said is the event's: private while events are.
  const earned = withEvents ? { ...(v.event ? { event: v.event } : {}), ...(v.preview ? { preview: v.preview } : {}), ...(v.permalink ? { permalink: v.permalink } : {}) } : {};
  return { type: v.type, at: item.at, user: item.owner!, badge: v.badge, count: v.count, ...(v.rule ? { rule: v.rule } : {}), ...earned };
}

/** A position in the feed, as `cursor` carries it: opaque to clients. */
const cursorOf = ({ item, isEvent }: Entry) => Buffer.from(JSON.stringify([item.at, item.id, isEvent ? 1 : 0])).toString('base64url');

function positionOf(cursor: string): Entry {
  try {
    const [at, id, isEvent] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof at === 'string' && typeof id === 'string' && (isEvent === 0 || isEvent === 1)) return { item: { kind: '', id, owner: null, at, v: null }, isEvent: isEvent === 1 };
  } catch {
    // Refused below, whatever it was.
  }
  throw badRequest('invalid_cursor', 'cursor must be the one a previous answer gave in paging.next');
}

interface Walk {
  /** Entries shown, in order, after the start, until the feed or the budget of entries read ends. */
  entries: AsyncGenerator<Entry>;
  /** The last entry read, shown or not: where a walk that spent its budget goes on. */
  last(): Entry | undefined;
  /** Whether the walk stopped for its budget rather than at the end of the feed. */
  spent(): boolean;
}

/**
 * The feed's entries after `from`, merged from the two lists a chunk at a time: each chunk is read
 * after the position reached, so reading costs what is read, never what lies before. A chunk's
 * merge is certain only up to the first of the lists' last entries that may have more behind it.
 * The event loop is given back between chunks: a deep walk does not hold other requests.
 */
function walk(store: Store, service: string, owner: string | undefined, withEvents: boolean, hidden: ReadonlySet<string>, from: Entry | undefined, chunk: number, budget: number): Walk {
  let last: Entry | undefined;
  let scanned = 0;
  let spent = false;
  async function* entries(): AsyncGenerator<Entry> {
    let position = from;
    for (;;) {
      const query = { order: 'desc' as const, limit: chunk, ...(owner !== undefined ? { owner } : {}), ...(position ? { after: { at: position.item.at, id: position.item.id } } : {}) };
      const [awards, events] = await Promise.all([store.listItems(service, KIND.activity, query), withEvents ? store.listItems(service, KIND.event, query) : []]);
      const open = [awards.length === chunk ? awards.at(-1) : undefined, events.length === chunk ? events.at(-1) : undefined];
      const merged = [...awards.map((item) => ({ item, isEvent: false })), ...events.map((item) => ({ item, isEvent: true }))].sort(order);
      const bounds = merged.filter((e) => open.includes(e.item));
      const end = bounds.length === 0 ? merged.length : merged.indexOf(bounds[0]!) + 1;
      for (const e of merged.slice(0, end)) {
        if (scanned === budget) {
          spent = true;
          return;
        }
        last = e;
        scanned++;
        if (e.isEvent || !hidden.has((e.item.v as ActivityValue).badge)) yield e;
      }
      if (bounds.length === 0) return;
      position = merged[end - 1];
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return { entries: entries(), last: () => last, spent: () => spent };
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
 * How many award entries of badges now hidden the feed holds: counted by reading the service's
 * entries, only while some badge is outside its display window, and kept until its activity changes.
 */
class HiddenCounts {
  private readonly counts = new Map<string, Promise<number>>();

  constructor(private readonly store: Store) {
    store.feed.subscribe((change) => {
      if (change.service === '*') this.counts.clear();
      else if (change.all || change.items?.includes(KIND.activity)) for (const key of this.counts.keys()) if (key.startsWith(`${change.service}\n`)) this.counts.delete(key);
    });
  }

  of(service: string, owner: string | undefined, hidden: ReadonlySet<string>): Promise<number> {
    if (hidden.size === 0) return Promise.resolve(0);
    const key = `${service}\n${owner ?? ''}\n${[...hidden].sort().join('\n')}`;
    let count = this.counts.get(key);
    if (!count) {
      if (this.counts.size >= 1000) this.counts.clear();
      count = this.count(service, owner, hidden);
      this.counts.set(key, count);
      count.catch(() => this.counts.delete(key));
    }
    return count;
  }

  private async count(service: string, owner: string | undefined, hidden: ReadonlySet<string>): Promise<number> {
    let count = 0;
    for (let after: Item | undefined; ; ) {
      const page = await this.store.listItems(service, KIND.activity, { limit: 1000, ...(owner !== undefined ? { owner } : {}), ...(after ? { after } : {}) });
      for (const item of page) if (hidden.has((item.v as ActivityValue).badge)) count++;
      if (page.length < 1000) return count;
      after = page.at(-1);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

const hiddenCounts = new WeakMap<Store, HiddenCounts>();

async function feed(ctx: V1Context, deps: Deps, owner: string | undefined, query: Static<typeof ActivityQuery>): Promise<Static<typeof ActivityResponse>> {
  // The answer depends on the credentials: a cache between must keep one per Authorization.
  ctx.vary('Authorization');
  const { page_size: pageSize = LIMITS.pageSizeDefault, page, cursor } = query;
  if (page !== undefined && cursor !== undefined) throw badRequest('invalid_page', 'Give page or cursor, not both');
  const from = cursor === undefined ? undefined : positionOf(cursor);
  const { store, config } = deps;
  const service = ctx.state.service.name;
  const withEvents = await eventsVisible(ctx, deps);
  const now = config.now();
  // A badge outside its display window is left out of every public read, its awards too.
  const hidden = new Set((await store.listBadges(service)).filter((b) => !within(termsOf(b.fields).display, now)).map((b) => b.name));
  let counts = hiddenCounts.get(store);
  if (!counts) hiddenCounts.set(store, (counts = new HiddenCounts(store)));
  const narrowed = owner !== undefined ? { owner } : {};
  const [awards, events, hiddenAwards] = await Promise.all([
    store.countItems(service, KIND.activity, narrowed),
    withEvents ? store.countItems(service, KIND.event, narrowed) : 0,
    counts.of(service, owner, hidden),
  ]);
  const total = Math.max(0, awards - hiddenAwards + events);
  const link = (params: Record<string, string>) => `${ctx.path}?${new URLSearchParams({ ...params, page_size: String(pageSize) })}`;
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const skip = page === undefined ? 0 : (page - 1) * pageSize;
  // Past the end: an empty page, as every list answers, whose prev leads to the last page.
  if (page !== undefined && skip >= total) {
    return { activity: [], events: withEvents, paging: { total, page_size: pageSize, page, pages, next: null, prev: page > 1 ? link({ page: String(Math.min(page - 1, pages)) }) : null } };
  }
  if (page !== undefined && page * pageSize > MAX_ACTIVITY_DEPTH) {
    throw new HttpError(400, 'page_too_deep', `Page numbers reach the feed's ${MAX_ACTIVITY_DEPTH.toLocaleString('en')} newest entries; go on with the cursor of paging.next`);
  }
  const walked = walk(store, service, owner, withEvents, hidden, from, skip > 0 ? WALK_CHUNK + 1 : pageSize + 1, skip + MAX_SCAN);
  const shown: Entry[] = [];
  let more = false;
  await feedTurns.run(service, async () => {
    let seen = 0;
    for await (const e of walked.entries) {
      if (seen++ < skip) continue;
      if (shown.length === pageSize) {
        more = true;
        break;
      }
      shown.push(e);
    }
  });
  // A full page goes on from its last entry; one cut short by the budget (hidden awards), from the last entry read.
  const resume = more ? shown.at(-1) : walked.spent() ? walked.last() : undefined;
  return {
    activity: shown.map((e) => entry(e, withEvents)),
    events: withEvents,
    paging: {
      total,
      page_size: pageSize,
      ...(page !== undefined ? { page, pages } : {}),
      next: resume ? link({ cursor: cursorOf(resume) }) : null,
      prev: page !== undefined && page > 1 ? link({ page: String(Math.min(page - 1, pages)) }) : null,
    },
  };
}

export const activityRoutes = [
  route({
    method: 'get',
    path: '/v1/{service}/activity.json',
    operationId: 'getActivity',
    summary: 'Awards, revocations and events of the service, newest first',
    description:
      'Award and revocation entries are public, like badges; event entries only with the service key in `Authorization`, or when the service made them public (`event-settings.json`). Follow `paging.next` (a `cursor`) to page.',
    tags: ['activity'],
    auth: 'public',
    params: ServiceParams,
    query: ActivityQuery,
    response: { description: 'A page of the feed', schema: ActivityResponse },
    errors: FEED_ERRORS,
    handler: async (ctx, { query }, deps) => feed(ctx, deps, undefined, query),
  }),
  route({
    method: 'get',
    path: '/v1/{service}/users/{name}/activity.json',
    operationId: 'getUserActivity',
    summary: "One user's awards, revocations and events, newest first",
    tags: ['activity'],
    auth: 'public',
    params: UserActivityParams,
    query: ActivityQuery,
    response: { description: 'A page of the feed', schema: ActivityResponse },
    errors: FEED_ERRORS,
    handler: async (ctx, { params, query }, deps) => feed(ctx, deps, params.name, query),
  }),
];

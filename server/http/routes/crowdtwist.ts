import { CROWDTWIST_PAGE_SIZE, CrowdTwistBadgesBody, CrowdTwistBadgesResponse, CrowdTwistBadgesWritten, CrowdTwistQuery, SegmentsBody, SegmentsResponse, type CrowdTwistBadge, type CrowdTwistBadgeIn } from '../../../types/crowdtwist-schema.js';
import { FREQUENCY_PERIODS, ID_RANGE, ServiceParams, UserParams, type BadgeFields, type JsonValue } from '../../../types/schema.js';
import type { BadgeInput, BadgeRecord } from '../../core/model.js';
import { BADGE_NUMBER_KIND, numberBadges } from '../../core/rules/badge-numbers.js';
import { SEGMENTS_KIND, setSegments } from '../../core/segments.js';
import { Listing } from '../../cache/views.js';
import { badRequest } from '../errors.js';
import { badgeInputs } from '../validate.js';
import type { Deps, V1Context } from './context.js';
import { route } from './table.js';

/**
 * CrowdTwist's badges API (v2.1) at its path under the service (`/crowdtwist/{service}` where their
 * host named the client): the listing in their shape and paging, and a write taking the badges as
 * that listing answers them. Their fields are kept as the v1 API's meaningful fields (named as
 * theirs already), so a badge written here is the same badge at `/v1`, its terms obeyed by every award.
 */
export const crowdTwistRoutes = [
  route({
    method: 'get',
    path: '/crowdtwist/{service}/v2.1/badges',
    operationId: 'crowdTwistListBadges',
    summary: "CrowdTwist v2.1: the service's badges, in their shape and paging",
    description: `The badges of the service in their display window (as every public read here), in the order registered, each with every field their documentation marks required (an integer \`id\` kept while the badge exists). \`page_size\` ${CROWDTWIST_PAGE_SIZE.default} by default, at most ${CROWDTWIST_PAGE_SIZE.max}. As theirs: a page that is not a number is the first; 0 or less, no badges and \`next_page\` the first page; past the last, no badges and \`prev_page\` the last page. \`api_key\` is taken and not checked (the list is public here).`,
    tags: ['badges'],
    auth: 'public',
    params: ServiceParams,
    query: CrowdTwistQuery,
    response: { description: 'A page of the badges', schema: CrowdTwistBadgesResponse },
    // Numbers given to badges written before badges had them change the answer; an ETag would not see it.
    etag: false,
    handler: async (ctx, { query }, deps) => {
      // A public read, as ours: badges outside their display window are left out.
      const badges = new Listing(await deps.store.listBadges(ctx.state.service.name), {}, deps.config.now()).badges();
      const size = query.page_size ?? CROWDTWIST_PAGE_SIZE.default;
      const page = pageOf(query.page);
      const pages = Math.max(1, Math.ceil(badges.length / size));
      // Their links are whole URLs: on the public origin when one is set (a proxy in front), else as asked.
      const origin = deps.config.openBadges?.publicUrl ?? `${ctx.protocol}://${ctx.host}`;
      const link = (n: number) => `${origin}${ctx.path}?${new URLSearchParams({ page: String(n), page_size: String(size) })}`;
      const shown = page >= 1 ? badges.slice((page - 1) * size, page * size) : [];
      return {
        paging: {
          total: badges.length,
          pages,
          next_page: page < 1 ? link(1) : page < pages ? link(page + 1) : null,
          prev_page: page > 1 ? link(Math.min(page - 1, pages)) : null,
        },
        badges: await shapes(ctx, deps, shown),
      };
    },
  }),
  route({
    method: 'put',
    path: '/crowdtwist/{service}/v2.1/badges',
    operationId: 'crowdTwistPutBadges',
    summary: 'CrowdTwist v2.1: create or update badges given as their listing answers them',
    description:
      'Their shapes: `is_enabled` 1 or 0, tags as `{tag_name, tag_id}`, `frequency` with `freq_period_name` (day, week, month or year, any case) and `freq_period_id`, `badge_states` with `order`, `segment` (who may earn it). An `id` is kept as the badge\'s (409 `badge_id_taken` when another badge has it); without, the badge keeps its own or gets the next. Fields left out stay as they are; null removes one. Answers the badges written, in their shape.',
    tags: ['badges'],
    auth: 'service',
    operation: 'manage_badges',
    scopeBadges: ({ body }) => body.badges.map((badge) => badge.name),
    params: ServiceParams,
    body: CrowdTwistBadgesBody,
    response: { description: 'The badges written', schema: CrowdTwistBadgesWritten },
    errors: { 409: 'An `id` another badge has (`badge_id_taken`)' },
    handler: async (ctx, { body }, deps) => {
      const service = ctx.state.service.name;
      const inputs = body.badges.map((badge, i) => badgeInput(badge, i));
      await deps.domain.putBadges(service, inputs);
      const written = new Map((await deps.store.getBadges(service, inputs.map((input) => input.name))).map((badge) => [badge.name, badge]));
      return { badges: await shapes(ctx, deps, [...new Set(inputs.map((input) => input.name))].map((name) => written.get(name)!)) };
    },
  }),
  route({
    method: 'put',
    path: '/v1/{service}/users/{name}/segments.json',
    operationId: 'setUserSegments',
    summary: "Put a member in exactly these segments (CrowdTwist's segment ids)",
    description: 'A badge with `segment` terms is awarded only to members its segments allow: with an `inclusion` segment, members of one of them; never members of an `exclusion` segment. An award refused for it is skipped as `not_eligible`. Awards made already stay. `[]` takes the member out of every segment.',
    tags: ['access'],
    auth: 'service',
    params: UserParams,
    body: SegmentsBody,
    response: { description: "The member's segments, ascending", schema: SegmentsResponse },
    handler: async (ctx, { params, body }, { domain }) => {
      const service = ctx.state.service.name;
      const segments = await domain.run(service, (tx) => setSegments(tx, service, params.name, body.segments));
      return { user: params.name, segments };
    },
  }),
  route({
    method: 'get',
    path: '/v1/{service}/users/{name}/segments.json',
    operationId: 'getUserSegments',
    summary: "A member's segments",
    tags: ['access'],
    auth: 'service',
    operation: 'read_private',
    params: UserParams,
    response: { description: "The member's segments, ascending (none for a member never given any)", schema: SegmentsResponse },
    handler: async (ctx, { params }, { store }) => {
      const item = await store.getItem(ctx.state.service.name, SEGMENTS_KIND, params.name);
      return { user: params.name, segments: item ? (item.v as { segments: number[] }).segments : [] };
    },
  }),
];

/** Their reading of `page`: not a whole number is the first page. */
function pageOf(text: string | undefined): number {
  if (text === undefined || !/^\s*[+-]?\d+\s*$/.test(text)) return 1;
  const page = Number(text);
  return Number.isSafeInteger(page) ? page : 1;
}

/** Their badge as the v1 API keeps it: their fields are ours already, but for a few shapes. */
function badgeInput(badge: CrowdTwistBadgeIn, index: number): BadgeInput {
  const { id, name, is_enabled, frequency, tags, ...same } = badge;
  const fields: Record<string, JsonValue> = { ...(same as Record<string, JsonValue>) };
  if (is_enabled !== undefined) fields.is_enabled = is_enabled === 1 || is_enabled === true;
  if (frequency !== undefined) fields.frequency = frequency === null ? null : frequencyOf(frequency, index);
  if (tags !== undefined) {
    fields.tags = tags === null ? null : tags.map((tag) => tag.tag_name);
    const ids = tags?.filter((tag) => tag.tag_id !== undefined) ?? [];
    fields.tag_ids = ids.length === 0 ? null : Object.fromEntries(ids.map((tag) => [tag.tag_name, tag.tag_id!]));
  }
  const [input] = badgeInputs([{ name, ...fields }]);
  if (id === undefined) return input!;
  // Their sample writes ids as strings of digits; the schema bounds only the numbers.
  if (Number(id) > ID_RANGE.maximum) throw badRequest('invalid_id', `id must be a positive whole number up to ${ID_RANGE.maximum}`, { in: 'body', pointer: `/badges/${index}/id` });
  return { ...input!, id: Number(id) };
}

function frequencyOf(frequency: NonNullable<CrowdTwistBadgeIn['frequency']>, index: number): JsonValue {
  const { freq_period_name, ...rest } = frequency;
  const at = (field: string) => ({ in: 'body', pointer: `/badges/${index}/frequency/${field}` });
  if (freq_period_name === undefined) {
    if (rest.freq_period_id !== undefined) throw badRequest('invalid_frequency', 'freq_period_id needs freq_period_name, which names the period (day, week, month or year)', at('freq_period_name'));
    return rest;
  }
  const period = freq_period_name.toLowerCase();
  if (!(FREQUENCY_PERIODS as readonly string[]).includes(period)) throw badRequest('invalid_frequency', `freq_period_name must be one of ${FREQUENCY_PERIODS.join(', ')}`, at('freq_period_name'));
  return { ...rest, freq_period: period };
}

/** The badges in their shape, numbering first those written before badges had numbers. */
async function shapes(ctx: V1Context, { store, domain }: Deps, badges: readonly BadgeRecord[]): Promise<CrowdTwistBadge[]> {
  const service = ctx.state.service.name;
  const numbers = new Map<string, number>();
  for (const badge of badges) {
    const item = await store.getItem(service, BADGE_NUMBER_KIND, badge.name);
    if (item) numbers.set(badge.name, (item.v as { n: number }).n);
  }
  const missing = badges.filter((badge) => !numbers.has(badge.name)).map((badge) => badge.name);
  if (missing.length > 0) for (const [name, n] of await domain.run(service, (tx) => numberBadges(tx, service, missing))) numbers.set(name, n);
  return badges.map((badge) => shapeOf(badge, numbers.get(badge.name)!));
}

function shapeOf(badge: BadgeRecord, id: number): CrowdTwistBadge {
  const f = badge.fields;
  const text = (value: JsonValue | undefined) => (typeof value === 'string' ? value : undefined);
  const start = text(f.date_start) ?? badge.createdAt;
  const frequency = isObject(f.frequency) ? f.frequency : {};
  const tagIds = isObject(f.tag_ids) ? f.tag_ids : {};
  const tags = Array.isArray(f.tags) ? f.tags.filter((t): t is string => typeof t === 'string') : [];
  return {
    id,
    name: badge.name,
    title: text(f.title) ?? badge.name,
    date_start: start,
    date_end: text(f.date_end) ?? null,
    display_date_start: text(f.display_date_start) ?? start,
    display_date_end: text(f.display_date_end) ?? null,
    is_enabled: f.is_enabled === false ? 0 : 1,
    badge_states: statesOf(f),
    frequency: {
      ...(typeof frequency.freq_cap === 'number' ? { freq_cap: frequency.freq_cap } : {}),
      ...(typeof frequency.freq_period_id === 'number' ? { freq_period_id: frequency.freq_period_id } : {}),
      ...(typeof frequency.freq_period === 'string' ? { freq_period_name: frequency.freq_period } : {}),
      ...(typeof frequency.freq_max === 'number' ? { freq_max: frequency.freq_max } : {}),
    },
    tags: tags.map((tag) => (typeof tagIds[tag] === 'number' ? { tag_name: tag, tag_id: tagIds[tag] as number } : { tag_name: tag })),
    badge_extra_data: f.badge_extra_data ?? {},
    segment: Array.isArray(f.segment) ? (f.segment as CrowdTwistBadge['segment']) : [],
  };
}

/** The states as set, each with its order (its place in the list when not set); one `earned` state from the badge itself when none are. */
function statesOf(f: BadgeFields): CrowdTwistBadge['badge_states'] {
  const states = Array.isArray(f.badge_states) ? f.badge_states.filter(isObject) : [];
  if (states.length === 0) {
    return [{ state: 'earned', order: 1, ...(typeof f.description === 'string' ? { description: f.description } : {}), ...(typeof f.image === 'string' ? { image_url: f.image } : {}) }];
  }
  return states.map((s, i) => ({
    state: String(s.state),
    order: typeof s.order === 'number' ? s.order : i + 1,
    ...(typeof s.description === 'string' ? { description: s.description } : {}),
    ...(typeof s.image_url === 'string' ? { image_url: s.image_url } : {}),
  }));
}

const isObject = (value: JsonValue | undefined): value is { [key: string]: JsonValue } => typeof value === 'object' && value !== null && !Array.isArray(value);

import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { BADGE_STATES, BadgeName, FREQUENCY_PERIODS, HTTP_URL, ID_RANGE, Json, SegmentRule, TagName, TIME_INPUT, refuse } from './schema.js';

/**
 * CrowdTwist's badges API (v2.1) as its documentation shows it (`../shared/reference/`), at its path
 * under the service: their field shapes (`is_enabled` 0/1, tag objects, `freq_period_id` and
 * `freq_period_name`, states with an `order`, `segment`), their paging. A write takes the listing's
 * badges as their API answered them, so a program moving over sends what it read.
 */

const closed = { additionalProperties: false } as const;
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const CROWDTWIST_PAGE_SIZE = { default: 10, max: 25 } as const;

export const CrowdTwistQuery = Type.Object(
  {
    // Any text: their API answers the first page for a page that is not a number.
    page: Type.Optional(Type.String({ maxLength: 20, description: 'Page number from 1. Not a number: the first page; 0 or less: no badges, `next_page` the first page; past the last: no badges, `prev_page` the last page' })),
    page_size: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: CROWDTWIST_PAGE_SIZE.max,
        default: CROWDTWIST_PAGE_SIZE.default,
        description: `Badges per page (default ${CROWDTWIST_PAGE_SIZE.default}, at most ${CROWDTWIST_PAGE_SIZE.max})`,
        ...refuse('invalid_page_size', `page_size must be a whole number from 1 to ${CROWDTWIST_PAGE_SIZE.max}`),
      }),
    ),
    api_key: Type.Optional(Type.String({ maxLength: 200, description: 'Taken, as their clients send it, and not checked: the list is public, as `GET /v1/{service}/badges.json` is. Never logged; put no secret of this server here' })),
  },
);

const id = (description: string) => Type.Integer({ ...ID_RANGE, description });
const time = (field: string, description: string) => term(Type.String({ pattern: TIME_INPUT, description }), 'invalid_date', `${field} must be an ISO-8601 time with a time zone`);
const ELIGIBILITY = '`segment` must be a list of at most 50 {name, subscription_id, eligibility_type: inclusion|exclusion}';

export const CrowdTwistState = Type.Object(
  {
    state: Type.Union(BADGE_STATES.map((s) => Type.Literal(s))),
    order: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    description: Type.Optional(Type.String({ maxLength: 1000 })),
    image_url: Type.Optional(HTTP_URL),
  },
  { ...closed, $id: 'CrowdTwistBadgeState' },
);

export const CrowdTwistFrequency = Type.Object(
  {
    freq_cap: Type.Optional(Type.Integer({ minimum: 1 })),
    freq_period_id: Type.Optional(id('Their id of the period, kept as given')),
    freq_period_name: Type.Optional(Type.String({ maxLength: 20, description: `The period: ${FREQUENCY_PERIODS.join(', ')} (any case)` })),
    freq_max: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { ...closed, $id: 'CrowdTwistFrequency' },
);

export const CrowdTwistTag = Type.Object({ tag_name: TagName, tag_id: Type.Optional(id('Their id of the tag, kept as given')) }, { ...closed, $id: 'CrowdTwistTag' });

/** A field null removes, refused as a whole with its own code (a union's branches name none). */
const term = <T extends TSchema>(schema: T, code: string, message: string) => Type.Optional(Type.Union([schema, Type.Null()], refuse(code, message)));

export const CrowdTwistBadgeIn = Type.Object(
  {
    id: Type.Optional(
      Type.Union([id('The badge\'s id: kept, and refused when another badge has it'), Type.String({ pattern: '^[1-9][0-9]{0,9}$' })], {
        description: 'Their integer id (their sample answers it as a string of digits: taken too)',
        ...refuse('invalid_id', 'id must be a positive whole number'),
      }),
    ),
    name: BadgeName,
    title: term(Type.String({ minLength: 1, maxLength: 200 }), 'invalid_title', 'title must be a string of 1-200 characters'),
    date_start: time('date_start', 'From when the badge can be earned'),
    date_end: time('date_end', 'Until when (exclusive) the badge can be earned'),
    display_date_start: time('display_date_start', 'From when the badge is shown'),
    display_date_end: time('display_date_end', 'Until when (exclusive) the badge is shown'),
    is_enabled: Type.Optional(
      Type.Union([Type.Literal(0), Type.Literal(1), Type.Boolean()], { description: '1 or 0 (true or false taken too)', ...refuse('invalid_is_enabled', 'is_enabled must be 1 or 0 (or true or false)') }),
    ),
    badge_states: term(Type.Array(CrowdTwistState, { maxItems: BADGE_STATES.length }), 'invalid_badge_states', `badge_states must be a list of {state: ${BADGE_STATES.join('|')}, order, description, image_url}, each state once`),
    frequency: term(CrowdTwistFrequency, 'invalid_frequency', 'frequency must be {freq_cap, freq_period_id, freq_period_name, freq_max}, whole numbers and a period name'),
    tags: term(Type.Array(CrowdTwistTag, { maxItems: 20 }), 'invalid_tags', 'tags must be a list of at most 20 {tag_name, tag_id}'),
    badge_extra_data: Type.Optional(Json),
    segment: term(Type.Array(SegmentRule, { maxItems: 50 }), 'invalid_segment', ELIGIBILITY),
  },
  {
    ...closed,
    $id: 'CrowdTwistBadgeIn',
    description: 'A badge as their listing answers it; fields left out are left as they are, null removes one',
    ...refuse('invalid_badge', 'Each badge is an object with a "name" and the fields of their listing', { required: { code: 'invalid_badge', message: 'A badge has no "name"' } }),
  },
);

export const CrowdTwistBadgesBody = Type.Object(
  { badges: Type.Array(CrowdTwistBadgeIn, { minItems: 1, maxItems: 100, ...refuse('invalid_body', '"badges" must be a list of 1-100 badges') }) },
  {
    ...closed,
    $id: 'CrowdTwistBadgesPut',
    examples: [
      {
        badges: [
          {
            name: 'badge_001',
            title: 'Game Attendance',
            is_enabled: 1,
            badge_states: [{ state: 'earned', order: 1, description: 'You attended a game, way to go!' }],
            frequency: { freq_cap: 1, freq_period_id: 1, freq_period_name: 'Week', freq_max: 5 },
            tags: [{ tag_name: 'Football', tag_id: 1 }],
            segment: [{ name: 'Canada Members', subscription_id: 1043, eligibility_type: 'inclusion' }],
          },
        ],
      },
    ],
    ...refuse('invalid_body', 'The body must be a JSON object like {"badges": [...]}', { required: { code: 'invalid_body', message: '"badges" is required' } }),
  },
);

const answeredTime = Type.String({ format: 'date-time' });

export const CrowdTwistBadge = Type.Object(
  {
    id: id('Unique identifier of the badge: kept while the badge exists'),
    name: Type.String(),
    title: Type.String({ description: 'The badge\'s `title`, or its name when it has none' }),
    date_start: answeredTime,
    date_end: Nullable(answeredTime),
    display_date_start: answeredTime,
    display_date_end: Nullable(answeredTime),
    is_enabled: Type.Union([Type.Literal(0), Type.Literal(1)]),
    badge_states: Type.Array(Type.Object({ state: Type.String(), order: Type.Integer({ minimum: 1 }), description: Type.Optional(Type.String()), image_url: Type.Optional(Type.String()) }, closed)),
    frequency: Type.Object(
      { freq_cap: Type.Optional(Type.Integer()), freq_period_id: Type.Optional(Type.Integer()), freq_period_name: Type.Optional(Type.String()), freq_max: Type.Optional(Type.Integer()) },
      closed,
    ),
    tags: Type.Array(Type.Object({ tag_name: Type.String(), tag_id: Type.Optional(Type.Integer()) }, closed)),
    badge_extra_data: Json,
    segment: Type.Array(SegmentRule),
  },
  { ...closed, $id: 'CrowdTwistBadge' },
);

export const CrowdTwistBadgesResponse = Type.Object(
  {
    paging: Type.Object(
      {
        total: Type.Integer({ minimum: 0 }),
        pages: Type.Integer({ minimum: 1 }),
        next_page: Nullable(Type.String({ description: 'The URL of the next page; null on the last' })),
        prev_page: Nullable(Type.String({ description: 'The URL of the previous page; null on the first' })),
      },
      closed,
    ),
    badges: Type.Array(CrowdTwistBadge),
  },
  { ...closed, $id: 'CrowdTwistBadges' },
);

export const CrowdTwistBadgesWritten = Type.Object({ badges: Type.Array(CrowdTwistBadge) }, { ...closed, $id: 'CrowdTwistBadgesWritten' });

export const SegmentsBody = Type.Object(
  {
    segments: Type.Array(Type.Integer({ ...ID_RANGE }), {
      maxItems: 100,
      description: 'Segment ids (CrowdTwist\'s `subscription_id`): the member is in exactly these',
      ...refuse('invalid_segments', '"segments" must be a list of at most 100 positive whole numbers'),
    }),
  },
  { ...closed, $id: 'Segments', examples: [{ segments: [1043] }], ...refuse('invalid_body', 'The body must be a JSON object like {"segments": [1043]}', { required: { code: 'invalid_body', message: '"segments" is required' } }) },
);

export const SegmentsResponse = Type.Object({ user: Type.String(), segments: Type.Array(Type.Integer()) }, { ...closed, $id: 'SegmentsAnswer' });

export type CrowdTwistBadgeIn = Static<typeof CrowdTwistBadgeIn>;
export type CrowdTwistBadge = Static<typeof CrowdTwistBadge>;

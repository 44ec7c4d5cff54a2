import { Kind, Type, TypeRegistry, type ObjectOptions, type Static, type TNull, type TObject, type TOptional, type TProperties, type TSchema, type TUnion } from '@sinclair/typebox';
import { LIMITS, RESERVED_BADGE_FIELDS, SERVICE_NAME, SORT_KEYS } from './constants.js';

/**
 * The v1 API's shapes, declared once. The server checks requests with these schemas, `/openapi.json`
 * is generated from them (a schema with an `$id` becomes a component of that name), and the static
 * types below are what the widget and the client read. Only `import type` from here outside the
 * server: this module loads TypeBox, which the widget bundle must never carry.
 *
 * A node that can refuse a request names the error it answers with in `x-error`: `{ code, message }`,
 * optionally overridden per failing keyword (`maxItems`, `required`, ...). The annotation is a plain
 * OpenAPI extension, so the served document tells clients which code each rule produces.
 */

/** What a request that breaks a schema node is answered with. */
export interface Refusal {
  code: string;
  /** `{key}` stands for the key that failed, quoted (an unexpected property, a field name). */
  message: string;
  /** 400 unless said otherwise. */
  status?: number;
}

/** `x-error`: the node's refusal, and per keyword a different one. */
export type RefusalAnnotation = Refusal & { [keyword: string]: Refusal | string | number | undefined };

export const refuse = (code: string, message: string, byKeyword: Record<string, Refusal> = {}) => ({ 'x-error': { code, message, ...byKeyword } as RefusalAnnotation });

// ---------------------------------------------------------------------------------------------------
// Names. Their rules read the NFC form and Unicode classes, which TypeBox's patterns (compiled without
// the `u` flag) cannot; so they are kinds of their own, checked by the functions below. The JSON
// Schema they show (`pattern` with `\p{...}`, read with the `u` flag as JSON Schema does) states the
// same rules for every other validator.

// \p{Cs}: a lone surrogate is no character; PostgreSQL would store it as U+FFFD and answer another name.
const FORBIDDEN_CHARS = String.raw`\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp},/`;
const FORBIDDEN = new RegExp(`[${FORBIDDEN_CHARS}]`, 'u');
const UNSAFE_FIELD = ['__proto__', 'constructor', 'prototype'];

/** Why a value is not a user or badge name, or undefined if it is one. Read after NFC normalisation. */
export function nameProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  const normal = value.normalize('NFC');
  if (normal.length === 0 || normal.length > LIMITS.nameLength) return `must be 1-${LIMITS.nameLength} characters`;
  if (normal.trim() !== normal) return 'cannot start or end with white space';
  if (FORBIDDEN.test(normal)) return 'cannot contain control characters, unpaired surrogates, "," or "/"';
  return undefined;
}

/** Why a key is not a custom field name, or undefined if it is one. */
export function fieldNameProblem(key: string): string | undefined {
  if (key.length === 0 || key.length > LIMITS.fieldNameLength) return `must be 1-${LIMITS.fieldNameLength} characters`;
  if (UNSAFE_FIELD.includes(key)) return 'is reserved by JavaScript';
  if (FORBIDDEN.test(key)) return 'cannot contain control characters, unpaired surrogates, "," or "/"';
  return undefined;
}

export const NAME_KIND = 'UserBadges:Name';
export const FIELD_NAME_KIND = 'UserBadges:FieldName';
TypeRegistry.Set(NAME_KIND, (_schema, value) => nameProblem(value) === undefined);
TypeRegistry.Set(FIELD_NAME_KIND, (_schema, value) => typeof value === 'string' && fieldNameProblem(value) === undefined);

const nameSchema = (what: 'badge' | 'user') =>
  Type.Unsafe<string>({
    [Kind]: NAME_KIND,
    $id: what === 'badge' ? 'BadgeName' : 'UserName',
    title: `${what} name`,
    description: `Any text a site uses for a ${what}, without control characters, "," or "/" and without white space at either end; at most ${LIMITS.nameLength} UTF-16 code units. Stored NFC-normalised, so that look-alike spellings meet.`,
    type: 'string',
    minLength: 1,
    maxLength: LIMITS.nameLength,
    pattern: String.raw`^(?!\s)(?!.*\s$)[^${FORBIDDEN_CHARS}]+$`,
    ...refuse(`invalid_${what}_name`, `A ${what} name is 1-${LIMITS.nameLength} characters without control characters, "," or "/", and without white space at either end`),
  });

export const BadgeName = nameSchema('badge');
export const UserName = nameSchema('user');

export const FieldName = Type.Unsafe<string>({
  [Kind]: FIELD_NAME_KIND,
  $id: 'FieldName',
  description: `A custom field's name: 1-${LIMITS.fieldNameLength} characters without control characters, "," or "/", and not __proto__, constructor or prototype.`,
  type: 'string',
  minLength: 1,
  maxLength: LIMITS.fieldNameLength,
  pattern: String.raw`^(?!(?:__proto__|constructor|prototype)$)[^${FORBIDDEN_CHARS}]+$`,
});

const serviceName = (options: { $id?: string; description: string }) =>
  Type.String({
    ...options,
    pattern: SERVICE_NAME.source,
    ...refuse('invalid_service_name', 'A service name is 1-64 letters, digits, "_" or "-", starting with a letter or digit'),
  });

export const ServiceName = serviceName({ $id: 'ServiceName', description: 'A service: 1-64 letters, digits, "_" or "-", starting with a letter or digit.' });

// ---------------------------------------------------------------------------------------------------
// Values

/** A JSON value as stored in a badge's custom fields. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * Any JSON value. Not checked value by value: a request body is parsed JSON already, and a recursive
 * check of a hostile nesting would overflow the stack (the depth has its own limit, see BadgeInput).
 */
export const Json = Type.Unsafe<JsonValue>({ [Kind]: 'Any', $id: 'JsonValue', description: 'Any JSON value' });

/** Custom fields a service sets on a badge (`description`, `link`, `type`, anything else). */
export type BadgeFields = { [field: string]: JsonValue };

/** An object with the given properties and any others, each a `values`. */
function OpenObject<P extends TProperties, V extends TSchema>(properties: P, values: V, options: ObjectOptions = {}) {
  return Type.Unsafe<Static<TObject<P>> & { [field: string]: Static<V> }>(Type.Object(properties, { ...options, additionalProperties: values }));
}

/** An object used as a map from names to `values`. */
function NameMap<V extends TSchema>(values: V, options: ObjectOptions = {}) {
  return Type.Unsafe<{ [name: string]: Static<V> }>(Type.Object({}, { ...options, additionalProperties: values }));
}

const Nullable = <T extends TSchema>(schema: T, options: ObjectOptions = {}) => Type.Union([schema, Type.Null()], options);
const closed = { additionalProperties: false } as const;

export const Time = Type.String({ $id: 'Time', format: 'date-time', description: 'An ISO-8601 time, UTC' });

// ---------------------------------------------------------------------------------------------------
// Badge fields with a meaning: named as CrowdTwist's badges API names them, so a program moving over
// maps one to one. The rules of awarding read them (`server/core/terms.ts`); every other custom field
// is free. Checked here one by one; how they relate (an end after its start) is checked by the core
// against the badge as merged, since a PUT may change one end of a window only.

/** The range of an integer id as CrowdTwist's API writes them (a segment's, a tag's, a badge's). */
export const ID_RANGE = { minimum: 1, maximum: 2_147_483_647 } as const;

export const BADGE_STATES = ['unearned', 'in_progress', 'earned'] as const;
export const FREQUENCY_PERIODS = ['day', 'week', 'month', 'year'] as const;

const literals = <T extends string>(values: readonly T[], options: ObjectOptions = {}) => Type.Union(values.map((v) => Type.Literal(v)), options);

// Patterns rather than `format`: TypeBox checks formats only once registered.
// A path ("/img/gold.svg") is allowed too: the browser resolves it against the page that shows the
// badge, which suits images the display server hosts beside its demo, and links within one site.
export const HTTP_URL = Type.String({
  maxLength: 2048,
  pattern: String.raw`^(https?://|/(?!/))[^\s]*$`,
  description: 'An absolute http(s) URL, or a path on the site that shows the badge ("/img/gold.svg")',
});
export const TIME_INPUT = String.raw`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$`;

export const BadgeState = Type.Object(
  {
    state: literals(BADGE_STATES),
    order: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: "Where the state comes among the badge's states (CrowdTwist's `order`); by default its place in the list, from 1" })),
    description: Type.Optional(Type.String({ maxLength: 1000 })),
    image_url: Type.Optional(HTTP_URL),
  },
  { $id: 'BadgeState', ...closed, description: 'How the badge shows in one state' },
);

export const Frequency = Type.Object(
  {
    freq_cap: Type.Optional(Type.Integer({ minimum: 1, description: 'At most this many awards per `freq_period` (needs `freq_period`)' })),
    freq_period: Type.Optional(literals(FREQUENCY_PERIODS, { description: 'Calendar periods in UTC; weeks start on Monday' })),
    freq_period_id: Type.Optional(Type.Integer({ ...ID_RANGE, description: "CrowdTwist's id of the period, kept as given and answered at their path (the period is `freq_period`)" })),
    freq_max: Type.Optional(Type.Integer({ minimum: 1, description: 'At most this many awards held by one user, ever' })),
  },
  { $id: 'Frequency', ...closed, description: 'How often one user may earn the badge' },
);

export const ELIGIBILITY_TYPES = ['inclusion', 'exclusion'] as const;

export const SegmentRule = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'The segment\'s name, for people' })),
    subscription_id: Type.Integer({ ...ID_RANGE, description: 'The segment: members are in the segments whose ids they were given (`PUT /v1/{service}/users/{name}/segments.json`)' }),
    eligibility_type: Type.Optional(literals(ELIGIBILITY_TYPES, { description: '`inclusion` (the default): members of the segment may earn the badge; `exclusion`: they may not' })),
  },
  { $id: 'SegmentRule', ...closed, description: "A segment the badge is for, or not for (CrowdTwist's `segment`)" },
);

/** An issuer's or a program's id: BadgeKit's slugs. */
export const Slug = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,63}$', description: '1-64 lowercase letters, digits or "-", starting with a letter or digit' });

export const CriterionItem = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$', description: 'Names the criterion in reviews: 1-64 letters, digits, "_", "." or "-"' }),
    description: Type.String({ minLength: 1, maxLength: 1000, description: 'What the earner must have done' }),
    required: Type.Boolean({ description: 'An application is approved only when every required criterion is satisfied' }),
  },
  { $id: 'CriterionItem', ...closed },
);

export const Criteria = Type.Object(
  {
    narrative: Type.Optional(Type.String({ maxLength: 4000, description: 'How the badge is earned, for people; markdown allowed' })),
    items: Type.Optional(Type.Array(CriterionItem, { maxItems: 50, description: 'The criteria an application is reviewed against, each once' })),
  },
  { $id: 'Criteria', ...closed, description: 'How the badge is earned: a narrative, and the criteria reviews check (kept with both, `""` and `[]` when not given)' },
);

export const TagName = Type.String({ $id: 'TagName', minLength: 1, maxLength: 64, pattern: String.raw`^[^,\x00-\x1F\x7F]+$`, description: 'A tag: 1-64 characters without "," or control characters' });

const time = (description: string) => Type.String({ pattern: TIME_INPUT, description: `${description}; ISO-8601 with a time zone, answered in UTC` });

/** Each meaningful field's value, and the refusal of a value that is not one. */
const terms = {
  title: [Type.String({ minLength: 1, maxLength: 200, description: 'The public name of the badge' }), 'invalid_title', 'title must be a string of 1-200 characters'],
  image: [Type.String({ ...HTTP_URL, description: "The badge's image: an absolute http(s) URL, or a path on the site that shows the badge" }), 'invalid_image', 'image must be an absolute http(s) URL or a path starting with "/"'],
  tags: [
    Type.Array(TagName, { maxItems: 20, uniqueItems: true, description: 'Tag names, for `?tags=` (at most 20)' }),
    'invalid_tags',
    'tags must be a list of at most 20 different names of 1-64 characters without ","',
  ],
  is_enabled: [Type.Boolean({ description: 'A disabled badge is not awarded, nor listed as unearned; its holders still show it. Default true' }), 'invalid_is_enabled', 'is_enabled must be true or false'],
  date_start: [time('From when the badge can be earned'), 'invalid_date', 'date_start must be an ISO-8601 time with a time zone'],
  date_end: [time('Until when (exclusive) the badge can be earned'), 'invalid_date', 'date_end must be an ISO-8601 time with a time zone'],
  display_date_start: [time('From when the badge is shown'), 'invalid_date', 'display_date_start must be an ISO-8601 time with a time zone'],
  display_date_end: [time('Until when (exclusive) the badge is shown'), 'invalid_date', 'display_date_end must be an ISO-8601 time with a time zone'],
  frequency: [Frequency, 'invalid_frequency', 'frequency must be an object with freq_cap and freq_period (day, week, month or year) and/or freq_max, positive whole numbers'],
  tag_ids: [
    NameMap(Type.Integer(ID_RANGE), { maxProperties: 20, description: "CrowdTwist's tag ids, by tag name: kept from their writes, answered at their path" }),
    'invalid_tag_ids',
    'tag_ids must map tag names to positive whole numbers (at most 20)',
  ],
  segment: [
    Type.Array(SegmentRule, {
      maxItems: 50,
      description: 'Who may earn the badge: with any `inclusion` segment, only members of one of them; never members of an `exclusion` segment. None: everyone',
    }),
    'invalid_segment',
    'segment must be a list of at most 50 {name, subscription_id, eligibility_type: inclusion|exclusion}',
  ],
  unique: [Type.Boolean({ description: 'Held at most once: awarded again, it stays at count 1' }), 'invalid_unique', 'unique must be true or false'],
  goal: [Type.Number({ exclusiveMinimum: 0, description: 'The progress target: reaching it awards the badge' }), 'invalid_goal', 'goal must be a positive number'],
  points: [
    Type.Integer({
      minimum: 0,
      maximum: LIMITS.pointsMax,
      description: "What one award is worth on the leaderboards, counted when awarded. Default: the tier's (gold 10, silver 5, bronze 1, any other 1)",
    }),
    'invalid_points',
    `points must be a whole number from 0 to ${LIMITS.pointsMax}`,
  ],
  badge_states: [
    Type.Array(BadgeState, { maxItems: BADGE_STATES.length }),
    'invalid_badge_states',
    `badge_states must be a list of {state: ${BADGE_STATES.join('|')}, description, image_url}, each state once`,
  ],
  issuer: [
    Type.String({ ...Slug, description: 'The issuer giving the badge (an issuer id; `default`, the service itself, when absent). A badge in a program has its program\'s' }),
    'invalid_issuer',
    'issuer must be an issuer id: 1-64 lowercase letters, digits or "-"',
  ],
  program: [Type.String({ ...Slug, description: 'The program the badge is part of (a program id); its issuer is the badge\'s' }), 'invalid_program', 'program must be a program id: 1-64 lowercase letters, digits or "-"'],
  criteria: [Criteria, 'invalid_criteria', 'criteria must be {narrative, items: [{id, description, required}]}: a narrative of at most 4000 characters, at most 50 items'],
  auto_award: [Type.Boolean({ description: 'An application approved by a review is awarded at once (default false: when the site says so)' }), 'invalid_auto_award', 'auto_award must be true or false'],
} as const satisfies Record<string, readonly [TSchema, string, string]>;

type Terms = typeof terms;
type Term<K extends keyof Terms> = Terms[K][0];

const termsIn = Object.fromEntries(
  Object.entries(terms).map(([field, [schema, code, message]]) => [field, Type.Optional(Nullable(schema, refuse(code, message)))]),
) as { [K in keyof Terms]: TOptional<TUnion<[Term<K>, TNull]>> };
const termsOut = Object.fromEntries(Object.entries(terms).map(([field, [schema]]) => [field, Type.Optional(schema)])) as { [K in keyof Terms]: TOptional<Term<K>> };

/** The fields the server gives a meaning. */
export const TERM_FIELDS = Object.keys(terms) as (keyof Terms)[];

// ---------------------------------------------------------------------------------------------------
// Requests

export const Sort = Type.Union(
  SORT_KEYS.map((key) => Type.Literal(key)),
  { $id: 'Sort', description: 'Order: by name, times awarded or last award; a leading `-` reverses it', ...refuse('invalid_sort', `sort must be one of ${SORT_KEYS.join(', ')}, given once`) },
);

/** `?names=a,b`, or repeated (`?names=a&names=b`, as the original client sent a list): one list. */
export const NameList = Type.Array(UserName, {
  maxItems: LIMITS.namesPerRequest,
  description: `User names, comma-separated (at most ${LIMITS.namesPerRequest}; repeats count once); unknown ones are left out. The parameter may also be repeated.`,
  ...refuse('invalid_names', 'names must be a list of user names', { maxItems: { code: 'too_many_names', message: `At most ${LIMITS.namesPerRequest} names per request; split the list` } }),
});

const wholeNumber = (field: string, max: number, extra: { default?: number; description: string }) =>
  Type.Integer({ minimum: 1, maximum: max, ...extra, ...refuse(`invalid_${field}`, `${field} must be a whole number from 1 to ${max}`) });

export const ServiceParams = Type.Object({
  service: serviceName({ description: 'The service, e.g. `demo`; `test` is the open test service (see the description of the API)' }),
});
export const UserParams = Type.Object({ ...ServiceParams.properties, name: UserName });
export const AdminServiceParams = Type.Object({ name: ServiceName });

export const SortQuery = Type.Object({ sort: Type.Optional(Sort) });

/** Where a page starts: from `next` of the page before (see `server/http/paging.ts`). */
export const Cursor = Type.String({ pattern: '^[A-Za-z0-9_-]{1,400}$', description: 'Where the page starts: `next` of the page before', ...refuse('invalid_cursor', 'cursor must be the `next` of an earlier page') });

/** `?cursor=` of a list that pages by number (v1) and by cursor: a page read after the one before, costing the same at any depth. */
export const cursorParam = { cursor: Type.Optional(Cursor) };

/** `?page=&page_size=` of every paged list (see `server/http/paging.ts`). */
const pageQuery = (what: string, when = '') => ({
  page_size: Type.Optional(wholeNumber('page_size', LIMITS.pageSizeMax, { default: LIMITS.pageSizeDefault, description: `${what} per page${when}` })),
  page: Type.Optional(wholeNumber('page', 999_999_999, { default: 1, description: `Page number from 1${when}; a page past the last is empty, its \`prev\` the last page` })),
});

/** `?tags=a,b`: badges having any of them (or repeated, as `names`). */
const tagsQuery = {
  tags: Type.Optional(
    Type.Array(TagName, {
      maxItems: 20,
      description: 'Only badges having any of these tags, comma-separated (at most 20)',
      ...refuse('invalid_tags', 'tags must be a list of at most 20 tag names of 1-64 characters'),
    }),
  ),
};

/** `?states=all`: every listable badge for each user, with its state; see `UserBadge`. */
const statesQuery = {
  states: Type.Optional(
    literals(['earned', 'all'], {
      default: 'earned',
      description:
        '`earned`: the badges each user holds. `all`: also every badge of the service the user could still earn (enabled, in its display window), each entry with its `state`',
      ...refuse('invalid_states', 'states must be earned or all, given once'),
    }),
  ),
};

/** `?issuer=&program=`: badges of an issuer (those of its programs included) or of a program, as BadgeKit's lists filtered. */
export const homeQuery = {
  issuer: Type.Optional(
    Type.String({ ...Slug, description: 'Only badges of this issuer, its programs\' included (`default`: the service\'s own)', ...refuse('invalid_issuer', 'issuer must be an issuer id: 1-64 lowercase letters, digits or "-"') }),
  ),
  program: Type.Optional(Type.String({ ...Slug, description: 'Only badges of this program', ...refuse('invalid_program', 'program must be a program id: 1-64 lowercase letters, digits or "-"') })),
};

/** In the order they are checked, as the original server did. */
export const UsersQuery = Type.Object({
  sort: Type.Optional(Sort),
  names: Type.Optional(NameList),
  ...statesQuery,
  ...tagsQuery,
  ...homeQuery,
  ...pageQuery('Users', ', without `names`'),
  ...cursorParam,
});

export const UserQuery = Type.Object({ sort: Type.Optional(Sort), ...statesQuery, ...tagsQuery, ...homeQuery });

export const BadgesQuery = Type.Object({ sort: Type.Optional(Sort), ...tagsQuery, ...homeQuery, ...pageQuery('Badges') });

/**
 * The query of a signed write (see the document's description for the signature). Checked by
 * `server/http/auth/signatures.ts` with these patterns, as 401s: they are credentials, not input.
 */
export const SignedQuery = Type.Object({
  ts: Type.Optional(Type.String({ pattern: String.raw`^\d{1,12}$`, description: 'Unix time in seconds; within 300 s of the server clock' })),
  nonce: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{8,64}$', description: 'Makes identical requests distinct; HMAC-SHA256 signatures only' })),
  signature: Type.Optional(Type.String({ pattern: '^([0-9a-fA-F]{40}|[0-9a-fA-F]{64})$', description: 'hex(HMAC-SHA256), 64 digits, or the legacy hex(SHA1), 40' })),
  key_id: Type.Optional(Type.String({ pattern: '^key_[a-z2-7]{20}$', description: "A scoped key's id, when the request is signed with that key's secret (HMAC-SHA256 only)" })),
});

const badgesArray = <T extends TSchema>(items: T) =>
  Type.Array(items, {
    minItems: 1,
    maxItems: LIMITS.badgesPerRequest,
    ...refuse('invalid_body', '"badges" must be an array', {
      minItems: { code: 'invalid_body', message: '"badges" must not be empty' },
      maxItems: { code: 'too_many_badges', message: `At most ${LIMITS.badgesPerRequest} badges per request` },
    }),
  });

const badgesBody = <T extends TSchema>(items: T, options: { $id: string; description: string; examples: unknown[] }) =>
  Type.Object(
    { badges: badgesArray(items) },
    { ...options, ...refuse('invalid_body', 'The body must be a JSON object like {"badges": [...]}', { required: { code: 'invalid_body', message: '"badges" must be an array' } }) },
  );

/**
 * A badge to create or update. Beyond what JSON Schema says here, `x-max-fields`, `x-max-depth` and
 * `x-max-bytes` are limits the server checks after the schema (see `server/http/validate.ts`).
 */
export const BadgeInput = OpenObject({ name: BadgeName, ...termsIn }, Json, {
  $id: 'BadgeInput',
  description: `A badge and its custom fields; \`description\`, \`link\` and \`type\` are used by the widget, the fields declared here have a meaning (checked as declared), any other is free. A field set to null is removed. ${RESERVED_BADGE_FIELDS.filter((f) => f !== 'name').map((f) => `\`${f}\``).join(', ')} are the server's and ignored when sent. At most ${LIMITS.fieldsPerBadge} custom fields, nesting at most ${LIMITS.fieldDepth} levels, ${LIMITS.badgeFieldsBytes} bytes of JSON.`,
  propertyNames: FieldName,
  'x-max-fields': LIMITS.fieldsPerBadge,
  'x-max-depth': LIMITS.fieldDepth,
  'x-max-bytes': LIMITS.badgeFieldsBytes,
  ...refuse('invalid_badge', 'Each badge must be an object with a "name"', {
    required: { code: 'invalid_badge', message: 'A badge has no "name"' },
    propertyNames: { code: 'invalid_field', message: '{key} is not an allowed field name' },
    'x-max-fields': { code: 'too_many_fields', message: `A badge has at most ${LIMITS.fieldsPerBadge} custom fields` },
    'x-max-depth': { code: 'fields_too_deep', message: `Custom fields nest at most ${LIMITS.fieldDepth} levels deep` },
    'x-max-bytes': { code: 'fields_too_large', message: `Custom fields take at most ${LIMITS.badgeFieldsBytes} bytes of JSON`, status: 413 },
  }),
});

export const BadgesPutBody = badgesBody(BadgeInput, {
  $id: 'BadgesPut',
  description: 'Badges to create, or whose fields to update',
  examples: [{ badges: [{ name: 'commenter', description: 'Posted 25 comments', link: '/badges/commenter', myCustomField: 5 }] }],
});

export const BadgeNamesBody = badgesBody(BadgeName, {
  $id: 'BadgeNames',
  description: 'Names of badges',
  examples: [{ badges: ['commenter', 'popular'] }],
});

/** Badges to take from a user, and why (kept with each award revoked). */
export const RevokeBody = Type.Object(
  {
    badges: badgesArray(BadgeName),
    reason: Type.Optional(Type.String({ maxLength: 500, description: 'Why: kept with each award revoked, and told to whoever checks one', ...refuse('invalid_body', '"reason" must be text of at most 500 characters') })),
  },
  {
    $id: 'RevokeBadges',
    description: 'Names of badges to take, and why',
    examples: [{ badges: ['commenter'], reason: 'Awarded by mistake' }],
    ...refuse('invalid_body', 'The body must be a JSON object like {"badges": [...]}', { required: { code: 'invalid_body', message: '"badges" must be an array' } }),
  },
);

const legacySignatures = Type.Boolean({
  description: 'Whether the legacy SHA1 signature form is accepted',
  ...refuse('invalid_body', '"legacySignatures" must be true or false'),
});

export const ServiceSettingsBody = Type.Object(
  { legacySignatures: Type.Optional(legacySignatures) },
  {
    $id: 'ServiceSettings',
    examples: [{ legacySignatures: false }],
    ...closed,
    ...refuse('invalid_body', 'The body must be a JSON object like {"legacySignatures": false}', { additionalProperties: { code: 'invalid_body', message: '{key} is not a setting; expected legacySignatures' } }),
  },
);

export const NewServiceBody = Type.Object(
  { name: ServiceName, legacySignatures: Type.Optional(legacySignatures) },
  {
    $id: 'NewService',
    examples: [{ name: 'topchefs' }],
    ...closed,
    ...refuse('invalid_body', 'The body must be a JSON object like {"name": "topchefs"}', {
      required: { code: 'invalid_service_name', message: '"name" must be the service name, a string' },
      additionalProperties: { code: 'invalid_body', message: '{key} is not a field; expected name, legacySignatures' },
    }),
  },
);

// ---------------------------------------------------------------------------------------------------
// Answers

/** A badge as `GET /v1/:service/badges.json` lists it: custom fields plus the service-wide figures. */
const figures = {
  count: Type.Integer({ minimum: 0, description: 'Times awarded, all users together' }),
  latest: Nullable(Time, { description: 'The last award to any current holder, or null if nobody holds it' }),
};

export const Badge = OpenObject({ name: BadgeName, ...termsOut, ...figures }, Json, { $id: 'Badge' });

/** A badge as the `badges` map of `users.json` carries it: keyed by name, so without `name`. */
export const BadgeSummary = OpenObject({ ...termsOut, ...figures }, Json, { $id: 'BadgeSummary' });

/** An award instance's id: every award is one, with an id of its own. */
export const AwardId = Type.String({ $id: 'AwardId', pattern: '^aw_[a-z2-7]{20}$', description: 'An award instance', ...refuse('invalid_award_id', 'An award id is "aw_" and 20 letters a-z or digits 2-7') });

/**
 * One badge of one user: held, or with `states=all` one the user could still earn (then `count` is 0
 * and `latest` null).
 */
export const UserBadge = Type.Object(
  {
    name: BadgeName,
    count: Type.Integer({ minimum: 0, description: 'Times this user was awarded this badge; 0 only for a badge not earned (`states=all`)' }),
    latest: Nullable(Time, { description: 'The last award of it to this user; null only for a badge not earned (`states=all`)' }),
    state: Type.Optional(literals(BADGE_STATES, { description: 'With `states=all` only: earned, in_progress (some progress towards its goal) or unearned' })),
    progress: Type.Optional(
      Type.Object(
        { current: Type.Number({ minimum: 0 }), goal: Type.Number({ exclusiveMinimum: 0 }) },
        { ...closed, description: "For a badge with a `goal`: the user's progress towards it (an earned badge without progress recorded shows its goal)" },
      ),
    ),
    awards: Type.Optional(
      Type.Array(AwardId, { description: '`users/{name}.json` only: the award instances making up `count`, oldest first (revoke one by its id with DELETE users/{name}/awards/{id}.json)' }),
    ),
    openBadges: Type.Optional(
      Type.Array(
        Type.Object(
          {
            award: AwardId,
            assertion: Type.String({ description: 'The hosted Open Badges 2.0 assertion' }),
            credential: Type.String({ description: 'The signed Open Badges 3.0 credential (Data Integrity proof)' }),
            jwt: Type.String({ description: 'The same credential as a VC-JWT' }),
            page: Type.String({ description: "The award's public page" }),
          },
          closed,
        ),
        { description: '`users/{name}.json` only: where each award of `awards` travels as Open Badges, in the same order' },
      ),
    ),
  },
  { $id: 'UserBadge', ...closed },
);

/** A user as `users.json` lists it and `users/:name.json` returns it. */
export const User = Type.Object(
  {
    name: UserName,
    latest: Nullable(Time, { description: "The user's last award, or null if the user holds no badge" }),
    badges: Type.Array(UserBadge),
    featured: Type.Optional(
      Type.Array(BadgeName, { maxItems: LIMITS.featuredBadges, description: 'The badges the user features, in order: shown first by the widget. Absent when none is featured' }),
    ),
  },
  { $id: 'User', ...closed },
);

/** A page of a list: on `badges.json`, and on `users.json` when it lists the service's users rather than named ones. */
export const Paging = Type.Object(
  {
    total: Type.Optional(Type.Integer({ minimum: 0, description: 'Absent on a page read by `cursor`, which counts nothing' })),
    page: Type.Optional(Type.Integer({ minimum: 1, description: 'Absent on a page read by `cursor`' })),
    pages: Type.Optional(Type.Integer({ minimum: 1, description: 'Absent on a page read by `cursor`' })),
    page_size: Type.Integer({ minimum: 1 }),
    next: Nullable(Type.String(), {
      description: 'Path and query of the next page, or null on the last one. Without `page` (the first page, or one read by `cursor`) it carries a `cursor`: every page then costs the same however deep',
    }),
    prev: Type.Optional(Nullable(Type.String(), { description: 'Path and query of the previous page, or null on the first one; absent on a page read by `cursor`' })),
  },
  { $id: 'Paging', ...closed },
);

/** `GET` answers a page (with `paging`); a write answers every badge. */
export const BadgesResponse = Type.Object({ badges: Type.Array(Badge), paging: Type.Optional(Paging) }, { $id: 'BadgesResponse', ...closed });

export const UsersResponse = Type.Object(
  {
    badges: NameMap(BadgeSummary, { description: 'The service-wide data of every badge the users hold, by name' }),
    users: Type.Array(User),
    paging: Type.Optional(Paging),
  },
  { $id: 'UsersResponse', ...closed },
);

/** Why an award was not made: what the badge's fields forbid at that time. */
export const SKIP_REASONS = ['disabled', 'not_started', 'ended', 'unique', 'max_reached', 'frequency_cap', 'not_eligible'] as const;

export const SkippedAward = Type.Object(
  {
    badge: BadgeName,
    reason: literals(SKIP_REASONS, {
      description:
        '`disabled` (is_enabled false), `not_started` (before date_start), `ended` (from date_end on), `unique` (held already), `max_reached` (freq_max held), `frequency_cap` (freq_cap reached this freq_period), `not_eligible` (the user is in none of its `inclusion` segments, or in an `exclusion` one)',
    }),
  },
  { $id: 'SkippedAward', ...closed, description: 'An award not made' },
);

const skipped = Type.Array(SkippedAward, { description: 'One entry per award not made, in the order asked; empty when all were made' });

/** What the user holds after a write. */
const userAfter = { user: Type.Object({ name: UserName, badges: Type.Array(BadgeName) }, closed) };

/** What `PUT /v1/:service/users/:name.json` answers: every badge the user has, and the awards not made. */
export const UserUpdateResponse = Type.Object({ ...userAfter, skipped }, { $id: 'UserUpdate', ...closed });

const progressValue = Type.Number({ minimum: 0, description: 'Progress towards the badge\'s goal' });

export const ProgressBody = Type.Object(
  {
    progress: NameMap(progressValue, {
      minProperties: 1,
      maxProperties: LIMITS.badgesPerRequest,
      description: 'By badge name (badges with a `goal` only): the progress, a number from 0; a value, not an increment',
      ...refuse('invalid_progress', `"progress" must map 1-${LIMITS.badgesPerRequest} badge names to numbers from 0`),
    }),
  },
  {
    $id: 'ProgressPut',
    ...closed,
    examples: [{ progress: { lessons: 3 } }],
    ...refuse('invalid_body', 'The body must be a JSON object like {"progress": {"lessons": 3}}', {
      required: { code: 'invalid_body', message: '"progress" must be an object' },
      additionalProperties: { code: 'invalid_body', message: '{key} is not a field; expected progress' },
    }),
  },
);

export const ProgressResponse = Type.Object(
  {
    ...userAfter,
    progress: NameMap(progressValue, { description: "The user's progress on every badge, after the write" }),
    awarded: Type.Array(BadgeName, { description: 'Badges whose goal this write reached, awarded now' }),
    skipped,
  },
  { $id: 'ProgressUpdate', ...closed },
);

const absent = Type.Array(BadgeName, { description: 'Names asked for that were already gone: badges not registered, or awards the user did not hold' });

/** `DELETE` is idempotent: what is already gone is named in `absent`, not an error. */
export const BadgesDeleteResponse = Type.Object({ ...BadgesResponse.properties, absent }, { $id: 'BadgesDelete', ...closed });
export const UserRevokeResponse = Type.Object({ ...userAfter, absent }, { $id: 'UserRevoke', ...closed });

export const ErrorBody = Type.Object(
  {
    error: Type.Object(
      {
        code: Type.String({ pattern: '^[a-z][a-z0-9_]*$', description: 'Stable and machine-readable, e.g. `invalid_badge_name`' }),
        message: Type.String({ description: 'For people' }),
        details: Type.Optional(Json),
      },
      closed,
    ),
  },
  { $id: 'Error', ...closed },
);

/** A service as the admin API shows it: never its key, except right after making one. */
export const AdminService = Type.Object(
  { name: ServiceName, createdAt: Time, legacySignatures: Type.Boolean({ description: 'Whether the legacy SHA1 signature form is accepted' }) },
  { $id: 'AdminService', ...closed },
);
export const AdminServiceWithKey = Type.Object(
  { ...AdminService.properties, key: Type.String({ description: 'The service key: shown only by the admin API, to the operator' }) },
  { $id: 'AdminServiceWithKey', ...closed },
);
export const AdminServiceList = Type.Object({ services: Type.Array(AdminService) }, { $id: 'AdminServiceList', ...closed });
export const AdminServiceDeleted = Type.Object({ name: ServiceName, deleted: Type.Literal(true) }, closed);
export const AdminExportQuery = Type.Object(
  {
    service: Type.Optional(serviceName({ description: 'Only this service; every service without it' })),
    secrets: Type.Optional(
      Type.Union([Type.Literal('on'), Type.Literal('off')], { description: '`off` leaves out service keys, scoped keys and webhook signing secrets', ...refuse('invalid_secrets', 'secrets is on or off') }),
    ),
  },
  closed,
);
export const ExportLines = Type.String({
  description:
    'JSON Lines: a header {"format":"user-badges-export","version":1,"exportedAt","secrets"}, then each service, its badges, users and items, one record a line (what `user-badges import` reads), from one consistent snapshot',
});

export const Health = Type.Object({ ok: Type.Literal(true) }, closed);
export const OpenApiDocument = Type.Object({ openapi: Type.String(), info: Type.Object({}), paths: Type.Object({}) }, { description: 'This document' });

// ---------------------------------------------------------------------------------------------------
// Static types: what the widget and the client import (types only).

export type BadgeInput = Static<typeof BadgeInput>;
export type BadgesPutRequest = Static<typeof BadgesPutBody>;
export type BadgeNamesRequest = Static<typeof BadgeNamesBody>;
export type UsersQuery = Static<typeof UsersQuery>;
export type UserQuery = Static<typeof UserQuery>;
export type BadgesQuery = Static<typeof BadgesQuery>;
export type SortQuery = Static<typeof SortQuery>;
export type Badge = Static<typeof Badge>;
export type BadgeSummary = Static<typeof BadgeSummary>;
export type UserBadge = Static<typeof UserBadge>;
export type User = Static<typeof User>;
export type BadgesResponse = Static<typeof BadgesResponse>;
export type Paging = Static<typeof Paging>;
export type UsersResponse = Static<typeof UsersResponse>;
export type UserUpdateResponse = Static<typeof UserUpdateResponse>;
export type SkippedAward = Static<typeof SkippedAward>;
export type ProgressRequest = Static<typeof ProgressBody>;
export type ProgressResponse = Static<typeof ProgressResponse>;
export type BadgesDeleteResponse = Static<typeof BadgesDeleteResponse>;
export type UserRevokeResponse = Static<typeof UserRevokeResponse>;
export type ErrorBody = Static<typeof ErrorBody>;
export type AdminService = Static<typeof AdminService>;
export type AdminServiceWithKey = Static<typeof AdminServiceWithKey>;

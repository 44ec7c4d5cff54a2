import { Kind, Type, type Static } from '@sinclair/typebox';
import { LIMITS } from './api.js';
import { BadgeName, Json, Paging, cursorParam, ServiceParams, Time, UserName, type RefusalAnnotation, type Refusal } from './schema.js';

/**
 * The shapes of event ingestion, rules and the activity feed (issue 9), beside `schema.ts` and
 * built the same way: each node that can refuse a request names its code in `x-error`.
 */

const refuse = (code: string, message: string, byKeyword: Record<string, Refusal> = {}) => ({ 'x-error': { code, message, ...byKeyword } as RefusalAnnotation });
const closed = { additionalProperties: false } as const;

export const MAX_EVENTS_PER_REQUEST = 1000;

const typePart = (what: string) =>
  Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$', description: `The ${what}: 1-64 letters, digits, "_", "." or "-"`, ...refuse('invalid_event_type', `"${what}" is 1-64 letters, digits, "_", "." or "-"`) });

export const EventTypeRef = Type.Object(
  { source: typePart('source'), type: typePart('type'), action: typePart('action') },
  { $id: 'EventTypeRef', description: 'What happened, as GetBadges names it: where (`source`), to what (`type`), and what was done (`action`)', ...closed, ...refuse('invalid_event_type', 'An event type is {"source","type","action"}') },
);

export const EventType = Type.Object(
  { ...EventTypeRef.properties, description: Type.Optional(Type.String({ maxLength: 500, ...refuse('invalid_event_type', '"description" is text of at most 500 characters') })) },
  { $id: 'EventType', ...closed, ...refuse('invalid_event_type', 'An event type is {"source","type","action","description"?}', { additionalProperties: { code: 'invalid_event_type', message: '{key} is not a field of an event type' } }) },
);

export const EventTypesBody = Type.Object(
  {
    eventTypes: Type.Array(EventType, {
      minItems: 1,
      maxItems: 100,
      ...refuse('invalid_body', '"eventTypes" must be an array of event types', {
        minItems: { code: 'invalid_body', message: '"eventTypes" must not be empty' },
        maxItems: { code: 'too_many_event_types', message: 'At most 100 event types per request' },
      }),
    }),
  },
  {
    $id: 'EventTypesPut',
    ...closed,
    examples: [{ eventTypes: [{ source: 'issueTracker', type: 'task', action: 'close', description: 'A task was closed' }] }],
    ...refuse('invalid_body', 'The body must be a JSON object like {"eventTypes": [...]}', { required: { code: 'invalid_body', message: '"eventTypes" must be an array' } }),
  },
);
export const EventTypesResponse = Type.Object({ eventTypes: Type.Array(EventType) }, { $id: 'EventTypes', ...closed });

/**
 * One event, in GetBadges' shape. This is what the server checks each event of a batch against
 * (server/core/events/validate-event.ts): each node names the code an event refused for it gets in
 * the answer (`x-error`), and the limits are these. Beyond JSON Schema: `data` is at most
 * `x-max-bytes` of JSON nested `x-max-depth` deep; `user` and `email` are one or the other; an
 * address must be one (normalised as `PUT users/{name}/emails.json` does).
 */
const version = { description: 'GetBadges API version; required (0) on `/v0/event/log/{token}`', ...refuse('invalid_version', '"version" must be 0 (the GetBadges API version)') };
const eventFields = {
  version: Type.Optional(Type.Literal(0, version)),
  id: Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Integer({ minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER })], {
    description: 'Unique within the service: sent again, the event is a `duplicate` and changes nothing',
    ...refuse('invalid_event_id', '"id" must be a string of 1-200 characters or a whole number, unique within the service'),
  }),
  // Not closed, unlike the registered type: a sender's extra fields are no reason to refuse an event.
  eventType: Type.Object(EventTypeRef.properties, { description: EventTypeRef.description, ...refuse('invalid_event_type', '"eventType" must be {"source","type","action"}, each 1-64 letters, digits, "_", "." or "-"') }),
  user: Type.Optional(Type.Unsafe<string>({ ...UserName, $id: undefined, ...refuse('invalid_user', '"user" must be a user name') })),
  email: Type.Optional(Type.String({ maxLength: 320, description: "An address set for a user (the user's `email` items); identifies the user instead of `user`", ...refuse('invalid_user', '"email" is not an email address') })),
  at: Type.Optional(
    Type.String({
      pattern: '^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d(:\\d\\d(\\.\\d{1,9})?)?(Z|[+-]\\d\\d:\\d\\d)$',
      description: "When it happened, ISO-8601 with its offset; default now. Not before the service's retention, nor more than 10 minutes ahead",
      ...refuse('invalid_at', '"at" must be an ISO-8601 time with its offset, on a day the calendar has, e.g. 2026-11-29T12:00:00Z'),
    }),
  ),
  preview: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()], { description: 'Shown in the activity feed', ...refuse('invalid_preview', '"preview" must be text of at most 500 characters') })),
  permalink: Type.Optional(
    Type.Union([Type.String({ maxLength: 2000, pattern: '^[Hh][Tt][Tt][Pp][Ss]?://[^\\s]+$' }), Type.Literal(''), Type.Null()], {
      description: 'Links the event to an external system (http or https)',
      ...refuse('invalid_permalink', '"permalink" must be an http(s) URL of at most 2000 characters'),
    }),
  ),
  data: Type.Optional(
    Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()], {
      description: 'Small JSON (at most 2 KB, 8 levels): rules may match its top-level fields',
      'x-max-bytes': 2048,
      'x-max-depth': 8,
      ...refuse('invalid_data', '"data" must be a JSON object of at most 2048 bytes, nested at most 8 deep'),
    }),
  ),
};

export const EventInput = Type.Object(eventFields, { $id: 'EventInput', ...refuse('invalid_event', 'An event must be a JSON object') });
/** On GetBadges' URL `version` is required. */
export const GetBadgesEventInput = Type.Object({ ...eventFields, version: Type.Literal(0, version) }, { $id: 'GetBadgesEventInput', ...refuse('invalid_event', 'An event must be a JSON object') });

/** Events are judged one by one, so the body is taken as it comes and each event checked in the core. */
const anyJson = <T>(schema: object) => Type.Unsafe<T>({ [Kind]: 'Any', ...schema });

export const EventsBody = anyJson<unknown>({
  $id: 'EventsPost',
  description: `One event, or {"events": [...]} with up to ${MAX_EVENTS_PER_REQUEST}, taken in as one atomic write. A malformed event is answered with its own error and does not stop the others.`,
  anyOf: [EventInput, Type.Object({ events: Type.Array(EventInput, { maxItems: MAX_EVENTS_PER_REQUEST }) }, closed)],
  examples: [{ eventType: { source: 'issueTracker', type: 'task', action: 'close' }, id: 'OMG-123', user: 'daniel', preview: 'Fix the login page' }],
});

const EventError = Type.Object({ code: Type.String(), message: Type.String() }, closed);

export const EventResult = Type.Object(
  {
    id: Type.Optional(Type.String()),
    status: Type.Union([Type.Literal('recorded'), Type.Literal('duplicate'), Type.Literal('rejected')], { description: '`duplicate`: the id was recorded before, nothing changed' }),
    user: Type.Optional(UserName),
    awards: Type.Optional(Type.Array(BadgeName, { description: 'Badges the event earned through rules (meta-badges earned in turn appear in the activity feed)' })),
    error: Type.Optional(EventError),
  },
  { $id: 'EventResult', ...closed },
);

export const EventsResponse = Type.Object(
  { events: Type.Array(EventResult), recorded: Type.Integer({ minimum: 0 }), duplicates: Type.Integer({ minimum: 0 }), rejected: Type.Integer({ minimum: 0 }) },
  { $id: 'EventsAnswer', ...closed },
);

export const GetBadgesBody = anyJson<unknown>({
  $id: 'GetBadgesEvents',
  examples: [{ version: 0, eventType: { source: 'issueTracker', type: 'task', action: 'close' }, id: 'OMG-123', email: 'daniel@example.org' }],
  description: 'GetBadges v0: one event or an array of them, each with `version: 0` and the user as `email`',
  anyOf: [GetBadgesEventInput, Type.Array(GetBadgesEventInput, { maxItems: MAX_EVENTS_PER_REQUEST })],
});
export const GetBadgesResponse = Type.Object({ status: Type.Literal('ok'), message: Type.Literal('Event enqueued for processing') }, { $id: 'GetBadgesAnswer', ...closed });
/** GetBadges' `GET /api/v0/event-types`: a bare array of the types it takes without registering. */
export const GetBadgesEventTypes = Type.Array(EventTypeRef, { $id: 'GetBadgesEventTypes', description: 'The event types every service takes without registering them' });
export const TokenParams = Type.Object({ token: Type.String({ maxLength: 200, description: 'The integration token (`user-badges integration create`, or POST /v1/{service}/integrations.json)' }) });

const pageSize = Type.Integer({ minimum: 1, maximum: LIMITS.pageSizeMax, default: LIMITS.pageSizeDefault, description: 'Entries per page', ...refuse('invalid_page_size', `page_size must be a whole number from 1 to ${LIMITS.pageSizeMax}`) });
const page = Type.Integer({ minimum: 1, maximum: 999_999_999, default: 1, description: 'Page number from 1', ...refuse('invalid_page', 'page must be a whole number from 1 to 999999999') });
export const PageQuery = Type.Object({ page_size: Type.Optional(pageSize), page: Type.Optional(page), ...cursorParam });

export const ActivityQuery = Type.Object({
  page_size: Type.Optional(pageSize),
  cursor: Type.Optional(
    Type.String({
      maxLength: 400,
      pattern: '^[A-Za-z0-9_-]+$',
      description: "Where the page starts: the `cursor` of the previous page's `next`. The way to page: each page costs the same however deep",
      ...refuse('invalid_cursor', 'cursor must be the one a previous answer gave in paging.next'),
    }),
  ),
  page: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 999_999_999, description: 'Page number from 1, instead of a cursor (for clients that count pages; down to the 10,000 newest entries)', ...refuse('invalid_page', 'page must be a whole number from 1 to 999999999') }),
  ),
});

export const RuleId = Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,63}$', description: 'A rule: 1-64 lowercase letters, digits, "_" or "-"', ...refuse('invalid_rule_id', 'A rule id is 1-64 lowercase letters, digits, "_" or "-"') });
export const RuleParams = Type.Object({ ...ServiceParams.properties, id: RuleId });

const ruleFields = {
  badge: BadgeName,
  condition: Type.Union([Type.Literal('count'), Type.Literal('first'), Type.Literal('days'), Type.Literal('badges')], {
    description: '`count`: `count` events of `eventTypes` (within `window`); `first`: the first such event; `days`: events on `count` distinct UTC days; `badges`: holding all of `badges`, or any `count` of them (a milestone)',
    ...refuse('invalid_rule', 'condition must be count, first, days or badges'),
  }),
  eventTypes: Type.Optional(Type.Array(EventTypeRef, { minItems: 1, maxItems: 20, ...refuse('invalid_rule', '"eventTypes" is a list of 1-20 event types') })),
  data: Type.Optional(
    Type.Object({}, {
      additionalProperties: Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]),
      maxProperties: 10,
      description: 'Only events whose `data` has these top-level values count',
      ...refuse('invalid_rule', '"data" maps fields to the string, number, boolean or null an event must have'),
    }),
  ),
  count: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'How many events (count), distinct days (days), default 1; or how many of `badges` (badges), default all', ...refuse('invalid_rule', '"count" is a whole number from 1 to 1000000') }),
  ),
  window: Type.Optional(
    Type.Union([Type.String({ maxLength: 40 }), Type.Null()], { description: 'ISO-8601 duration in W, D, H, M, S (`P7D`, `PT12H`); absent or null: ever', ...refuse('invalid_window', '"window" must be an ISO-8601 duration like P7D, or null') }),
  ),
  repeatable: Type.Optional(Type.Boolean({ description: 'Award again at every further `count`', ...refuse('invalid_rule', '"repeatable" is true or false') })),
  badges: Type.Optional(Type.Array(BadgeName, { minItems: 1, maxItems: 20, description: 'badges rules: the badges to hold, all of them or `count` of them', ...refuse('invalid_rule', '"badges" is a list of 1-20 badge names') })),
  revoke: Type.Optional(Type.Boolean({ description: 'Take the badge back when the condition stops holding (windowed and badges rules)', ...refuse('invalid_rule', '"revoke" is true or false') })),
  description: Type.Optional(Type.String({ maxLength: 500, ...refuse('invalid_rule', '"description" is text of at most 500 characters') })),
};

export const RuleInput = Type.Object(
  { id: Type.Optional(RuleId), ...ruleFields },
  {
    $id: 'RuleInput',
    ...closed,
    examples: [{ id: 'closer', badge: 'closer', condition: 'count', eventTypes: [{ source: 'issueTracker', type: 'task', action: 'close' }], count: 10, window: 'P7D' }],
    ...refuse('invalid_rule', 'A rule is an object with "badge" and "condition"', {
      required: { code: 'invalid_rule', message: 'A rule needs "badge" and "condition"' },
      additionalProperties: { code: 'invalid_rule', message: '{key} is not a field of a rule' },
    }),
  },
);

export const Rule = Type.Object({ id: RuleId, ...ruleFields, createdAt: Time, updatedAt: Time }, { $id: 'Rule', ...closed });
export const RulesResponse = Type.Object({ rules: Type.Array(Rule) }, { $id: 'Rules', ...closed });
export const RuleDeleted = Type.Object({ id: RuleId, deleted: Type.Literal(true) }, closed);

export const RulePreview = Type.Object(
  {
    users: Type.Integer({ minimum: 0, description: 'Users a backfill would award now' }),
    awards: Type.Integer({ minimum: 0 }),
    scanned: Type.Integer({ minimum: 0, description: 'Stored events (or users, for badges rules) looked at' }),
    sample: Type.Array(Type.Object({ user: UserName, awards: Type.Integer({ minimum: 1 }), first: Time }, closed)),
  },
  { $id: 'RulePreview', ...closed },
);

export const BackfillProgress = Type.Object(
  {
    rule: RuleId,
    status: Type.Union([Type.Literal('running'), Type.Literal('done'), Type.Literal('stopped')]),
    startedAt: Time,
    finishedAt: Type.Optional(Time),
    scanned: Type.Integer({ minimum: 0, description: 'Stored events (users, for badges rules) walked so far' }),
    total: Type.Integer({ minimum: 0, description: 'How many there were when it started' }),
    users: Type.Integer({ minimum: 0 }),
    awards: Type.Integer({ minimum: 0 }),
    message: Type.Optional(Type.String()),
  },
  { $id: 'BackfillProgress', ...closed },
);

export const ActivityEntry = Type.Object(
  {
    type: Type.Union([Type.Literal('award'), Type.Literal('revocation'), Type.Literal('event')]),
    at: Time,
    user: UserName,
    badge: Type.Optional(BadgeName),
    count: Type.Optional(Type.Integer({ minimum: 1 })),
    rule: Type.Optional(Type.String({ description: 'The rule that made the award or revocation' })),
    event: Type.Optional(Type.String({ description: 'The id of the event (that earned the award)' })),
    eventType: Type.Optional(EventTypeRef),
    preview: Type.Optional(Type.String()),
    permalink: Type.Optional(Type.String()),
    data: Type.Optional(Json),
  },
  { $id: 'ActivityEntry', ...closed },
);
export const ActivityPaging = Type.Object(
  {
    total: Type.Integer({ minimum: 0, description: 'Entries the feed shows this client now (those of badges outside their display window, and events when they are private, are not counted)' }),
    page_size: Type.Integer({ minimum: 1 }),
    page: Type.Optional(Type.Integer({ minimum: 1, description: 'With `page`: the page asked for' })),
    pages: Type.Optional(Type.Integer({ minimum: 1, description: 'With `page`: how many pages there are' })),
    next: Type.Union([Type.String(), Type.Null()], { description: 'Path and query of the next page (with a `cursor`), or null after the last entry' }),
    prev: Type.Union([Type.String(), Type.Null()], { description: 'With `page`: the previous page; with a cursor, null (the feed pages forwards)' }),
  },
  { $id: 'ActivityPaging', ...closed },
);
export const ActivityResponse = Type.Object(
  { activity: Type.Array(ActivityEntry), events: Type.Boolean({ description: 'Whether event entries are included (with the service key, or when the service made them public)' }), paging: ActivityPaging },
  { $id: 'Activity', ...closed },
);
export const UserActivityParams = Type.Object({ ...ServiceParams.properties, name: UserName });

export const EventSettings = Type.Object(
  {
    retentionDays: Type.Integer({ minimum: 1, maximum: 3660, description: 'Days events are kept (at least the longest window of a rule); default 90' }),
    publicEvents: Type.Boolean({ description: 'Whether event entries of the activity feed are public; otherwise only with the service key' }),
  },
  { $id: 'EventSettings', ...closed },
);
export const EventSettingsBody = Type.Object(
  {
    retentionDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3660, ...refuse('invalid_body', '"retentionDays" is a whole number from 1 to 3660') })),
    publicEvents: Type.Optional(Type.Boolean({ ...refuse('invalid_body', '"publicEvents" is true or false') })),
  },
  { $id: 'EventSettingsPatch', examples: [{ retentionDays: 30, publicEvents: false }], ...closed, ...refuse('invalid_body', 'The body must be a JSON object like {"retentionDays": 30}', { additionalProperties: { code: 'invalid_body', message: '{key} is not a setting; expected retentionDays, publicEvents' } }) },
);

export const Integration = Type.Object({ id: Type.String(), name: Type.String(), createdAt: Time }, { $id: 'Integration', ...closed });
export const IntegrationWithToken = Type.Object(
  { ...Integration.properties, token: Type.String({ description: 'Shown once: the URL is /v0/event/log/{token}' }), url: Type.String({ description: 'The GetBadges-style URL to post events to' }) },
  { $id: 'IntegrationWithToken', ...closed },
);
export const IntegrationsResponse = Type.Object({ integrations: Type.Array(Integration) }, { $id: 'Integrations', ...closed });
export const IntegrationBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 100, description: 'What it is for, e.g. "gitlab"', ...refuse('invalid_body', '"name" is text of 1-100 characters') }) },
  { $id: 'IntegrationNew', examples: [{ name: 'gitlab' }], ...closed, ...refuse('invalid_body', 'The body must be a JSON object like {"name": "gitlab"}', { required: { code: 'invalid_body', message: '"name" is required' } }) },
);
export const IntegrationParams = Type.Object({ ...ServiceParams.properties, id: Type.String({ pattern: '^[0-9a-f]{12}$', ...refuse('invalid_integration_id', 'An integration id is 12 hex digits') }) });
export const IntegrationDeleted = Type.Object({ id: Type.String(), deleted: Type.Literal(true) }, closed);

export const RejectedEvent = Type.Object(
  { at: Time, code: Type.String(), message: Type.String(), via: Type.Union([Type.Literal('api'), Type.Literal('getbadges')]), id: Type.Optional(Type.String()), sent: Type.String({ description: 'What was sent (the first 4 KB)' }) },
  { $id: 'RejectedEvent', ...closed },
);
export const RejectedResponse = Type.Object({ rejected: Type.Array(RejectedEvent), paging: Paging }, { $id: 'RejectedEvents', ...closed });

export type RuleInput = Static<typeof RuleInput>;
export type ActivityEntry = Static<typeof ActivityEntry>;

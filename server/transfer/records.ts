import { Kind, Type, TypeRegistry, type TSchema } from '@sinclair/typebox';
import { Attempt, ClaimCode as ClaimCodeView, Invitation as InvitationView, Key, NewEndpointBody } from '../../types/access-schema.js';
import { EventSettings, EventType, IntegrationBody, RejectedEvent, Rule as RuleView, RuleId } from '../../types/events-schema.js';
import { QUOTA_NAMES } from '../../types/api.js';
import { AuditEntry, Cause } from '../../types/audit-schema.js';
import { Evidence } from '../../types/issuing-schema.js';
import { ReviewItem } from '../../types/assessment-schema.js';
import { BadgeInput, BadgeName, ID_RANGE, ServiceName, UserName, nameProblem, refuse } from '../../types/schema.js';
import { LIMITS } from '../../types/constants.js';
import { BATCH_KIND, CLAIM_CODE_KIND, REDEMPTION_KIND } from '../core/access/claim-codes.js';
import { CLAIMED_KIND, INVITATION_KIND, NEVER } from '../core/access/invitations.js';
import { KEY_KIND, MAX_ROTATION_GRACE_MS, PREVIOUS_KEY_KIND } from '../core/access/keys.js';
import { ATTEMPT_KIND, DELIVERY_KIND, ENDPOINT_KIND, MESSAGE_KIND } from '../core/access/webhooks.js';
import { AUDIT_KIND } from '../core/audit.js';
import { LIVE_KIND, LIVE_SEQUENCE } from '../core/live.js';
import { APPLICATION_KIND, applicationOwner, ASSIGNMENT_KIND, reviewerOwner, REVIEW_KIND } from '../core/assessment/applications.js';
import { ISSUER_KIND, PROGRAM_KIND } from '../core/issuing/issuers.js';
import { AWARD_KIND } from '../core/rules/instances.js';
import { BADGE_NUMBER_KIND, NEXT_NUMBER_KIND, NUMBERED_KIND } from '../core/rules/badge-numbers.js';
import { SEGMENTS_KIND } from '../core/segments.js';
import { addressSubject, EMAIL_KIND, normalizeEmail } from '../core/email.js';
import { DomainError } from '../core/errors.js';
import { KIND, typeKey, typeOf, type StoredEvent } from '../core/events/kinds.js';
import { checkRuleDefinition } from '../core/events/rules.js';
import { stateId } from '../core/events/state.js';
import { checkEvent, isProblem } from '../core/events/validate-event.js';
import type { BadgeRecord, Item, ServiceRecord, UserRecord } from '../core/model.js';
import type { Tx } from '../core/ports.js';
import { ISSUER_KEY_KIND, STATUS_KIND, STATUS_LIST_KIND } from '../core/openbadges.js';
import { QUOTA_USAGE_KIND } from '../core/rules/quota.js';
import { checkServiceName } from '../core/rules/services.js';
import { settleTerms } from '../core/terms.js';
import { HttpError } from '../http/errors.js';
import { badgeInputs, check as conformTo, checker } from '../http/validate.js';

/**
 * What import takes of each record of an export: the same as the API takes of what makes it. Names,
 * badge fields, keys, rules, events... are checked with the API's schemas (`types/`) and the core's
 * checks, and the records the API never takes whole (a user's awards, a rule's counting state) with
 * the shapes the core keeps. Every item kind this version writes is listed in ITEMS; an item of a
 * kind it does not know is refused, as is any record an API client could not have made (a name with
 * "/", a `__proto__` key, a field of the wrong type, a key valid for centuries, a value of megabytes).
 */

/** A record that cannot be imported, and where in it: `field` is a JSON pointer ("" for the whole). */
export class RecordProblem extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** A line longer than this is refused before it is parsed: no record of this version comes near. */
export const MAX_LINE_BYTES = 1024 * 1024;
/** A time as the model keeps it: ISO-8601 in UTC, a real date (not the 31st of February). */
const STAMP_KIND = 'UserBadges:Stamp';
TypeRegistry.Set(STAMP_KIND, (_schema, value) => isStamp(value));
const Stamp = Type.Unsafe<string>({ [Kind]: STAMP_KIND, type: 'string', description: 'An ISO-8601 time in UTC', ...refuse('invalid_time', 'a time is ISO-8601 in UTC, on a day of the calendar') });
const closed = { additionalProperties: false } as const;
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Count = Type.Integer({ minimum: 0 });
const Positive = Type.Integer({ minimum: 1 });
const Text = (max: number) => Type.String({ maxLength: max });
const Place = Type.Object({ at: Stamp, id: Type.String({ minLength: 1, maxLength: 300 }) }, closed);

export function isStamp(value: unknown): boolean {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/.test(value)) return false;
  const ms = Date.parse(value);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 19) === value.slice(0, 19);
}

/**
 * Checks a value against a schema; a failure names the field and says what is wrong: as the API
 * would answer it where the schema is the API's, else as the schema says.
 */
function conform(schema: TSchema, value: unknown, at = ''): void {
  const compiled = checker(schema);
  if (compiled.Check(value)) return;
  const first = compiled.Errors(value).First()!;
  try {
    conformTo(schema, value, 'body');
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    const pointer = (error.details as { pointer?: string } | undefined)?.pointer ?? first.path;
    // A node of the API's with a refusal of its own says it; any other says what TypeBox found.
    if (error.code !== 'invalid_body' || error.message !== 'Invalid body') throw new RecordProblem(at + pointer, `${error.message} (${error.code})`);
  }
  throw new RecordProblem(at + first.path, first.message);
}

/** The core's refusal, or the API's, as a problem of the field. */
function as<T>(field: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    throw problemOf(field, error);
  }
}

function problemOf(field: string, error: unknown): unknown {
  return error instanceof DomainError || error instanceof HttpError ? new RecordProblem(field, `${error.message} (${error.code})`) : error;
}

/** A name as the API keeps it: valid, and NFC already (another form would be a record no request finds). */
function name(value: string, field: string): void {
  const problem = nameProblem(value);
  if (problem) throw new RecordProblem(field, `a name ${problem}`);
  if (value.normalize('NFC') !== value) throw new RecordProblem(field, 'a name must be NFC-normalised, as the API stores it');
}

/** No key that could reach an object's prototype, at any depth. */
export function noProtoKeys(value: unknown, at = ''): void {
  if (typeof value !== 'object' || value === null) return;
  for (const [key, inner] of Object.entries(value)) {
    if (key === '__proto__') throw new RecordProblem(`${at}/${key}`, '"__proto__" is not a field any record has');
    noProtoKeys(inner, `${at}/${key}`);
  }
}

// ---------------------------------------------------------------------------------------------------
// Services, badges, users

const ServiceKey = Type.String({ minLength: 1, maxLength: 200, pattern: '^[\\x21-\\x7e]+$' });
const ServiceShape = Type.Object(
  {
    name: ServiceName,
    // Absent from an export made without secrets: the import makes a new key.
    key: Type.Optional(ServiceKey),
    createdAt: Stamp,
    settings: Type.Optional(
      Type.Object(
        {
          legacySignatures: Type.Optional(Type.Boolean()),
          quota: Type.Optional(Type.Object({ users: Count, badges: Count }, closed)),
          // A service's own quotas, as PATCH /admin/services/{name}/quotas sets them.
          quotas: Type.Optional(Type.Partial(Type.Object(Object.fromEntries(QUOTA_NAMES.map((name) => [name, Count])), closed))),
        },
        closed,
      ),
    ),
  },
  closed,
);

export function checkService(record: unknown): Omit<ServiceRecord, 'key'> & { key?: string } {
  conform(ServiceShape, record);
  const service = record as Omit<ServiceRecord, 'key'> & { key?: string };
  as('/name', () => checkServiceName(service.name));
  return service;
}

const BadgeShape = Type.Object({ name: BadgeName, fields: Type.Object({}), count: Count, latest: Nullable(Stamp), createdAt: Stamp }, closed);

/** A badge as the API would have made it: its fields pass a PUT of badges.json, and settle as they are. */
export function checkBadge(record: unknown): BadgeRecord {
  conform(BadgeShape, record);
  const badge = record as BadgeRecord;
  name(badge.name, '/name');
  conform(BadgeInput, { ...badge.fields, name: badge.name }, '/fields');
  const [input] = as('/fields', () => badgeInputs([{ ...badge.fields, name: badge.name } as never]));
  const settled = as('/fields', () => settleTerms(badge.name, input!.fields));
  if (JSON.stringify(settled) !== JSON.stringify(badge.fields)) throw new RecordProblem('/fields', 'the fields are not as the API keeps them (times in UTC, no null)');
  return badge;
}

const AwardShape = Type.Object(
  {
    badge: BadgeName,
    count: Positive,
    first: Stamp,
    latest: Stamp,
    period: Type.Optional(Type.Object({ start: Stamp, count: Positive }, closed)),
    // What the award is worth on the leaderboards, and its tallies of this week and month (issue 21).
    points: Type.Optional(Count),
    recent: Type.Optional(Type.Object({ week: Stamp, weekCount: Count, weekPoints: Count, month: Stamp, monthCount: Count, monthPoints: Count }, closed)),
  },
  closed,
);
const UserShape = Type.Object(
  { name: UserName, createdAt: Stamp, awards: Type.Array(AwardShape, { maxItems: 100_000 }), progress: Type.Optional(Type.Object({}, { additionalProperties: Type.Number({ minimum: 0 }) })),
    featured: Type.Optional(Type.Array(BadgeName, { maxItems: LIMITS.featuredBadges })),
    hidden: Type.Optional(Type.Array(BadgeName, { maxItems: 100_000 })),
  },
  closed,
);

/** A user whose awards are of badges of the service (`badges`), each once, counted and dated. */
export function checkUser(record: unknown, badges: ReadonlySet<string>): UserRecord {
  conform(UserShape, record);
  const user = record as UserRecord;
  name(user.name, '/name');
  const seen = new Set<string>();
  for (const [i, award] of user.awards.entries()) {
    name(award.badge, `/awards/${i}/badge`);
    if (!badges.has(award.badge)) throw new RecordProblem(`/awards/${i}/badge`, `badge "${award.badge}" is not among the service's badges above`);
    if (seen.has(award.badge)) throw new RecordProblem(`/awards/${i}/badge`, `badge "${award.badge}" is awarded twice`);
    seen.add(award.badge);
    if (award.latest < award.first) throw new RecordProblem(`/awards/${i}/latest`, 'the latest award is before the first');
  }
  for (const badge of Object.keys(user.progress ?? {})) name(badge, `/progress/${badge}`);
  return user;
}

// ---------------------------------------------------------------------------------------------------
// Items

interface ItemRule {
  /** The value's shape. */
  v: TSchema;
  /** The id, the owner and `at` as this kind writes them; a problem names the field. */
  id?: (item: Item) => void;
  owner: 'none' | 'user' | 'email' | 'badge' | 'endpoint' | 'any';
  /** What else must hold of the value, beyond its shape. */
  check?: (item: Item, now: number) => void;
  /** What must hold in the service as imported so far, in the unit that writes the item. */
  inUnit?: (tx: Tx, service: string, item: Item) => Promise<void>;
}

const same = (field: string, actual: unknown, expected: unknown, what: string) => {
  if (actual !== expected) throw new RecordProblem(field, `${what} (${JSON.stringify(actual)}, expected ${JSON.stringify(expected)})`);
};
const idMatching = (pattern: RegExp, what: string) => (item: Item) => {
  if (!pattern.test(item.id)) throw new RecordProblem('/id', `not ${what}`);
};
const atIs = (expected: (item: Item) => string, what: string) => (item: Item) => same('/at', item.at, expected(item), `"at" must be ${what}`);

const StoredEventShape = Type.Object({ t: Type.String({ maxLength: 200 }), p: Type.Optional(Type.String()), l: Type.Optional(Type.String()), d: Type.Optional(Type.Object({})) }, closed);
const RuleValueShape = Type.Object({ ...Type.Omit(RuleView, ['id']).properties, rev: Type.String({ minLength: 1, maxLength: 40 }), createdAt: Stamp, updatedAt: Stamp }, closed);
const WindowShape = Type.Object({ f: Type.Optional(Place), l: Type.Optional(Place), c: Count, t: Type.Optional(Place) }, closed);
const RuleStateShape = Type.Object(
  { r: Type.String({ minLength: 1, maxLength: 40 }), n: Count, a: Count, d: Type.Optional(Type.Array(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }), { maxItems: 4000 })), s: Type.Optional(Place), w: Type.Optional(WindowShape) },
  closed,
);
const ProgressShape = Type.Object(
  {
    rev: Type.String({ minLength: 1, maxLength: 40 }),
    status: Type.Union([Type.Literal('running'), Type.Literal('done'), Type.Literal('stopped')]),
    startedAt: Stamp,
    finishedAt: Type.Optional(Stamp),
    cursor: Type.Union([Place, Type.String({ maxLength: 300 }), Type.Null()]),
    scanned: Count,
    total: Count,
    users: Count,
    awards: Count,
    message: Type.Optional(Text(500)),
  },
  closed,
);
const ActivityShape = Type.Object(
  {
    type: Type.Union([Type.Literal('award'), Type.Literal('revocation')]),
    badge: BadgeName,
    count: Count,
    rule: Type.Optional(RuleId),
    event: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    preview: Type.Optional(Text(500)),
    permalink: Type.Optional(Text(2000)),
  },
  closed,
);
const StoredKey = Type.Object({ ...Key.properties, expiresAt: Nullable(Stamp), createdAt: Stamp, label: Type.String({ minLength: 1, maxLength: 100 }), secret: Type.String({ minLength: 16, maxLength: 200 }) }, closed);
const StoredInvitation = Type.Object({ ...Type.Omit(InvitationView, ['state', 'user', 'claimedAt', 'awarded']).properties, createdAt: Stamp, expiresAt: Nullable(Stamp), description: Nullable(Text(2000)), cause: Type.Optional(Cause), evidence: Type.Optional(Type.Array(Evidence, { maxItems: 20 })) }, closed);
const ClaimedInvitation = Type.Object({ ...StoredInvitation.properties, user: UserName, claimedAt: Stamp, awarded: Type.Boolean() }, closed);
const StoredCode = Type.Object(
  { ...Type.Omit(ClaimCodeView, ['state', 'batch', 'key']).properties, code: Type.String({ pattern: '^[A-Z0-9]{1,64}$' }), uses: Type.Integer({ minimum: 1, maximum: 1_000_000 }), expiresAt: Nullable(Stamp), createdAt: Stamp, batch: Type.Optional(Type.String({ pattern: '^ccb_[a-z2-7]{20}$' })), key: Type.Optional(Nullable(Type.String({ pattern: '^key_[a-z2-7]{20}$' }))) },
  closed,
);
const Batch = Type.Object(
  { id: Type.String({ pattern: '^ccb_[a-z2-7]{20}$' }), badge: BadgeName, key: Nullable(Type.String({ pattern: '^key_[a-z2-7]{20}$' })), codes: Type.Array(Type.String({ pattern: '^[A-Z2-7]{24}$' }), { maxItems: 1000 }), uses: Type.Integer({ minimum: 1, maximum: 1_000_000 }), expiresAt: Nullable(Stamp), createdAt: Stamp },
  closed,
);
const StoredEndpoint = Type.Object(
  {
    id: Type.String({ pattern: '^ep_[a-z2-7]{20}$' }),
    ...Type.Required(NewEndpointBody).properties,
    secret: Type.String({ pattern: '^whsec_[A-Za-z0-9+/=]{16,200}$' }),
    disabled: Type.Boolean(),
    disabledReason: Nullable(Text(500)),
    failingSince: Nullable(Stamp),
    createdAt: Stamp,
  },
  closed,
);
const Message = Type.Object({ id: Type.String({ pattern: '^msg_[a-z2-7]{20}$' }), type: Type.String({ pattern: '^[a-z][a-z_]*\\.[a-z][a-z_]*$' }), payload: Text(64 * 1024), at: Stamp }, closed);
const Delivery = Type.Object(
  { id: Type.String({ pattern: '^msg_[a-z2-7]{20}\\.ep_[a-z2-7]{20}(\\.r_[a-z2-7]{20})?$' }), message: Type.String({ pattern: '^msg_[a-z2-7]{20}$' }), endpoint: Type.String({ pattern: '^ep_[a-z2-7]{20}$' }), attempt: Count, createdAt: Stamp, manual: Type.Optional(Type.Literal(true)) },
  closed,
);

/** Every item kind this version writes, and how import checks it. */
export const ITEMS: Record<string, ItemRule> = {
  // The live backlog (core/live.ts): entries numbered per service, and the number reached.
  [LIVE_KIND]: {
    v: Type.Object(
      { type: Type.Union(['award', 'revoke', 'badge', 'display'].map((t) => Type.Literal(t))), user: Type.Optional(UserName), badge: Type.Optional(BadgeName), count: Type.Optional(Type.Integer()), at: Stamp },
      closed,
    ),
    owner: 'any',
    id: idMatching(/^\d{16}$/, 'a live entry number (16 digits)'),
  },
  [LIVE_SEQUENCE.kind]: { v: Type.Object({ n: Count }, closed), owner: 'none', id: (item) => same('/id', item.id, LIVE_SEQUENCE.id, 'the id must be') },
  [KIND.event]: {
    v: StoredEventShape,
    owner: 'user',
    // The event as a client sends it, checked as ingestion checks it: it must come back the same.
    check: (item) => {
      const v = item.v as StoredEvent;
      const sent = { eventType: typeOf(v.t), id: item.id, user: item.owner, at: item.at, ...(v.p !== undefined ? { preview: v.p } : {}), ...(v.l !== undefined ? { permalink: v.l } : {}), ...(v.d !== undefined ? { data: v.d } : {}) };
      const checked = checkEvent(sent, { getbadges: false });
      if (isProblem(checked)) throw new RecordProblem('/v', `${checked.message} (${checked.code})`);
      same('/v', JSON.stringify(checked.value), JSON.stringify(v), 'the event is not as ingestion keeps it');
      same('/at', checked.at, item.at, 'the time is not as ingestion keeps it');
    },
  },
  [KIND.eventType]: { v: EventType, owner: 'none', check: (item) => same('/id', item.id, typeKey(item.v as never), 'the id must be the type\'s "source/type/action"') },
  [KIND.rejected]: { v: Type.Omit(RejectedEvent, ['at']), owner: 'none' },
  [KIND.pending]: {
    v: Type.Object({ ...StoredEventShape.properties, i: Type.String({ minLength: 1, maxLength: 240 }) }, closed),
    owner: 'email',
    check: (item) => same('/id', item.id, `${item.owner}\n${(item.v as { i: string }).i}`, 'the id must be the address and the event\'s id'),
  },
  [KIND.settings]: { v: EventSettings, owner: 'none', id: (item) => same('/id', item.id, 'settings', 'the id must be') },
  [KIND.rule]: {
    v: RuleValueShape,
    owner: 'none',
    id: (item) => conform(RuleId, item.id, '/id'),
    inUnit: async (tx, service, item) => {
      const { rev: _rev, createdAt: _c, updatedAt: _u, ...definition } = item.v as Record<string, unknown>;
      await checkRuleDefinition(tx, service, item.id, definition as never).catch((error) => Promise.reject(problemOf('/v', error)));
    },
  },
  [KIND.state]: { v: RuleStateShape, owner: 'user', id: (item) => same('/id', item.id, stateId(item.id.split('/')[0]!, item.owner!), 'the id must be "<rule>/<user>"') },
  [KIND.expiry]: {
    v: Type.Object({ rule: RuleId, user: UserName }, closed),
    owner: 'user',
    check: (item) => {
      const v = item.v as { rule: string; user: string };
      same('/id', item.id, stateId(v.rule, v.user), 'the id must be "<rule>/<user>"');
      same('/owner', item.owner, v.user, 'the owner must be the user');
    },
  },
  [KIND.backfill]: { v: ProgressShape, owner: 'none', id: (item) => conform(RuleId, item.id, '/id') },
  [KIND.stateSweep]: { v: Type.Object({ after: Nullable(Place) }, closed), owner: 'none', id: (item) => same('/id', item.id, 'sweep', 'the id must be') },
  [KIND.activity]: { v: ActivityShape, owner: 'user', id: idMatching(/^[A-Za-z0-9_-]{1,40}$/, 'an activity id') },
  [KIND.integration]: { v: Type.Object({ name: IntegrationBody.properties.name, digest: Type.String({ pattern: '^[0-9a-f]{64}$' }) }, closed), owner: 'none', id: idMatching(/^[0-9a-f]{12}$/, 'an integration id (12 hex digits)') },
  // CrowdTwist's integer badge ids (core/rules/badge-numbers.ts) and members' segments (core/segments.ts).
  [BADGE_NUMBER_KIND]: { v: Type.Object({ n: Type.Integer(ID_RANGE) }, closed), owner: 'none', id: (item) => name(item.id, '/id') },
  [NUMBERED_KIND]: {
    v: Type.Object({ badge: BadgeName }, closed),
    owner: 'none',
    id: idMatching(/^[1-9][0-9]{0,9}$/, 'a badge id'),
  },
  [NEXT_NUMBER_KIND]: { v: Type.Object({ next: Type.Integer({ minimum: 1 }) }, closed), owner: 'none', id: (item) => same('/id', item.id, 'next', 'the id must be') },
  [SEGMENTS_KIND]: {
    v: Type.Object({ segments: Type.Array(Type.Integer(ID_RANGE), { maxItems: 100 }) }, closed),
    owner: 'user',
    check: (item) => same('/id', item.id, item.owner, "the id must be its member's name"),
  },
  [EMAIL_KIND]: {
    v: Type.Object({ user: UserName }, closed),
    owner: 'user',
    check: (item) => {
      same('/id', normalizeEmail(item.id), item.id, 'the id must be an address as the API keeps it (trimmed, lower case)');
      same('/v/user', (item.v as { user: string }).user, item.owner, "the address's user must be its owner");
    },
  },
  [INVITATION_KIND]: {
    v: StoredInvitation,
    owner: 'email',
    check: (item) => {
      const v = item.v as { id: string; email: string; expiresAt: string | null };
      same('/id', item.id, v.id, 'the id must be the invitation\'s');
      same('/owner', item.owner, v.email, 'the owner must be the address');
      atIs(() => v.expiresAt ?? NEVER, 'its expiry')(item);
    },
  },
  [CLAIMED_KIND]: { v: ClaimedInvitation, owner: 'email', check: (item) => same('/id', item.id, (item.v as { id: string }).id, "the id must be the invitation's") },
  [KEY_KIND]: { v: StoredKey, owner: 'none', check: (item) => same('/id', item.id, (item.v as { id: string }).id, "the id must be the key's") },
  [PREVIOUS_KEY_KIND]: {
    v: Type.Object({ key: ServiceKey, until: Stamp }, closed),
    owner: 'none',
    check: (item, now) => {
      same('/id', item.id, 'service', 'the id must be');
      const until = (item.v as { until: string }).until;
      atIs(() => until, 'when the grace ends')(item);
      if (Date.parse(until) > now + MAX_ROTATION_GRACE_MS) throw new RecordProblem('/v/until', `a previous key works at most ${MAX_ROTATION_GRACE_MS / 86_400_000} days after a rotation`);
    },
  },
  [CLAIM_CODE_KIND]: {
    v: StoredCode,
    owner: 'badge',
    check: (item) => {
      const v = item.v as { code: string; badge: string; redeemed: number; uses: number };
      same('/id', item.id, v.code, 'the id must be the code');
      same('/owner', item.owner, v.badge, "the owner must be the code's badge");
      if (v.redeemed > v.uses) throw new RecordProblem('/v/redeemed', 'redeemed more often than it may be');
    },
  },
  [BATCH_KIND]: { v: Batch, owner: 'any', check: (item) => same('/owner', item.owner, (item.v as { key: string | null }).key, 'the owner must be the key that made it') },
  [REDEMPTION_KIND]: {
    // Redeemed for a user, or for an address nobody had (its owner then the address's subject).
    v: Type.Object({ code: StoredCode.properties.code, user: Type.Optional(UserName), email: Type.Optional(Text(320)), badge: BadgeName, at: Stamp }, closed),
    owner: 'any',
    check: (item) => {
      const v = item.v as { code: string; user?: string; email?: string };
      const redeemer = v.user ?? (v.email !== undefined ? addressSubject(v.email) : undefined);
      if (redeemer === undefined) throw new RecordProblem('/v', 'a redemption is a user\'s or an address\'s');
      if (v.user !== undefined) name(v.user, '/v/user');
      same('/id', item.id, `${v.code}\n${redeemer}`, 'the id must be "<code>\\n<user or address>"');
      same('/owner', item.owner, redeemer, 'the owner must be the user, or the address');
    },
  },
  [AWARD_KIND]: {
    v: Type.Object({ badge: BadgeName, at: Stamp, cause: Type.Optional(Cause), evidence: Type.Optional(Type.Array(Evidence, { maxItems: 20 })), revoked: Type.Optional(Type.Object({ at: Stamp, reason: Nullable(Text(500)) }, closed)) }, closed),
    owner: 'user',
    id: idMatching(/^aw_[a-z2-7]{20}$/, 'an award id'),
    check: atIs((i) => (i.v as { at: string }).at, 'when awarded'),
  },
  [ISSUER_KIND]: {
    v: Type.Object({ id: Text(64), name: Text(200), url: Type.Optional(Text(2000)), email: Type.Optional(Text(320)), image: Type.Optional(Text(2000)), description: Type.Optional(Text(4000)), createdAt: Stamp, updatedAt: Stamp }, closed),
    owner: 'none',
    check: (item) => same('/id', item.id, (item.v as { id: string }).id, "the id must be the issuer's"),
  },
  [PROGRAM_KIND]: {
    v: Type.Object({ id: Text(64), issuer: Text(64), name: Text(200), url: Type.Optional(Text(2000)), description: Type.Optional(Text(4000)), createdAt: Stamp, updatedAt: Stamp }, closed),
    owner: 'any',
    check: (item) => {
      same('/id', item.id, (item.v as { id: string }).id, "the id must be the program's");
      same('/owner', item.owner, (item.v as { issuer: string }).issuer, 'the owner must be its issuer');
    },
  },
  [APPLICATION_KIND]: {
    v: Type.Object(
      {
        id: Type.String({ pattern: '^app_[a-z2-7]{20}$' }),
        badge: BadgeName,
        user: Type.Optional(UserName),
        email: Type.Optional(Text(320)),
        evidence: Type.Array(Evidence, { maxItems: 20 }),
        createdAt: Stamp,
        assignment: Nullable(Type.Object({ reviewer: Text(200), expiresAt: Nullable(Stamp) }, closed)),
        review: Nullable(Type.Object({ id: Text(40), reviewer: Text(200), approved: Type.Boolean(), at: Stamp }, closed)),
        processed: Nullable(Type.Object({ at: Stamp, awarded: Type.Boolean(), awards: Type.Optional(Type.Array(Text(40))), invitation: Type.Optional(Text(40)) }, closed)),
      },
      closed,
    ),
    owner: 'any',
    check: (item) => {
      const v = item.v as { id: string; badge: string; processed: unknown; user?: string; email?: string };
      same('/id', item.id, v.id, "the id must be the application's");
      same('/owner', item.owner, applicationOwner(v.processed ? 'processed' : 'pending', v.badge), 'the owner must be "<state>/<badge>"');
      if (v.user === undefined && v.email === undefined) throw new RecordProblem('/v', 'an application names a user or an address');
    },
  },
  [ASSIGNMENT_KIND]: {
    v: Type.Object({ application: Text(40), badge: BadgeName, user: Type.Optional(UserName), email: Type.Optional(Text(320)), reviewer: Text(200), expiresAt: Nullable(Stamp) }, closed),
    owner: 'any',
    check: (item) => {
      const v = item.v as { application: string; reviewer: string };
      same('/id', item.id, v.application, "the id must be the application's");
      same('/owner', item.owner, reviewerOwner(v.reviewer), 'the owner must be "reviewer/<reviewer>"');
    },
  },
  [REVIEW_KIND]: {
    v: Type.Object(
      { id: Text(40), application: Text(40), badge: BadgeName, user: Type.Optional(UserName), email: Type.Optional(Text(320)), reviewer: Text(200), comment: Nullable(Text(4000)), approved: Type.Boolean(), items: Type.Array(ReviewItem, { maxItems: 50 }), at: Stamp },
      closed,
    ),
    owner: 'any',
    check: (item) => {
      const v = item.v as { id: string; application: string };
      same('/id', item.id, v.id, "the id must be the review's");
      same('/owner', item.owner, v.application, 'the owner must be the application');
    },
  },
  [ENDPOINT_KIND]: {
    v: StoredEndpoint,
    owner: 'none',
    check: (item) => {
      const url = (item.v as { url: string }).url;
      let protocol = '';
      try {
        protocol = new URL(url).protocol;
      } catch {
        // Refused below.
      }
      if (protocol !== 'http:' && protocol !== 'https:') throw new RecordProblem('/v/url', 'url must be an http or https URL (invalid_url)');
      same('/id', item.id, (item.v as { id: string }).id, "the id must be the endpoint's");
    },
  },
  [MESSAGE_KIND]: { v: Message, owner: 'none', check: (item) => same('/id', item.id, (item.v as { id: string }).id, "the id must be the message's") },
  [DELIVERY_KIND]: {
    v: Delivery,
    owner: 'endpoint',
    check: (item) => {
      const v = item.v as { id: string; message: string; endpoint: string };
      same('/owner', item.owner, v.endpoint, 'the owner must be the endpoint');
      same('/id', item.id, v.id, "the id must be the delivery's");
      if (!v.id.startsWith(`${v.message}.${v.endpoint}`)) throw new RecordProblem('/id', 'the id must be "<message>.<endpoint>"');
    },
  },
  [AUDIT_KIND]: {
    // As the audit route answers it, but its id and time, which are the item's (and times as kept).
    v: Type.Object(
      {
        ...Type.Omit(AuditEntry, ['id', 'at', 'invitedAt', 'expiresAt', 'previousKeyUntil']).properties,
        invitedAt: Type.Optional(Stamp),
        expiresAt: Type.Optional(Nullable(Stamp)),
        previousKeyUntil: Type.Optional(Nullable(Stamp)),
      },
      closed,
    ),
    // Whoever acted (core/actor.ts actorKey): "<type>" or "<type>:<id>".
    owner: 'any',
    id: idMatching(/^aud_[0-9a-z]{8,16}[a-z2-7]{5}$/, 'an audit entry id'),
  },
  [QUOTA_USAGE_KIND]: {
    v: Type.Object({ since: Stamp, count: Count }, closed),
    owner: 'none',
    check: (item) => {
      if (!(QUOTA_NAMES as readonly string[]).includes(item.id)) throw new RecordProblem('/id', `the id must be a quota (${QUOTA_NAMES.join(', ')})`);
      atIs((i) => (i.v as { since: string }).since, 'when its hour began')(item);
    },
  },
  // Open Badges (issue 22): an issuer's keys (the private half sealed), each award's place in its
  // issuer's status list, and the lists. Keys move sealed: the importing server needs the same ISSUER_KEY_SECRET.
  [ISSUER_KEY_KIND]: {
    v: Type.Object(
      {
        id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }),
        created: Stamp,
        retired: Type.Optional(Stamp),
        publicKeyMultibase: Type.String({ pattern: '^z[1-9A-HJ-NP-Za-km-z]{40,60}$' }),
        publicKeyJwk: Type.Object({ kty: Type.Literal('OKP'), crv: Type.Literal('Ed25519'), x: Type.String({ pattern: '^[A-Za-z0-9_-]{43}$' }) }, closed),
        sealed: Type.Object({ alg: Type.Literal('A256GCM'), iv: Type.String({ maxLength: 100 }), data: Type.String({ maxLength: 200 }), tag: Type.String({ maxLength: 100 }) }, closed),
      },
      closed,
    ),
    owner: 'any',
    check: (item) => same('/id', item.id, `${item.owner}/${(item.v as { id: string }).id}`, 'the id must be "<issuer>/<key>"'),
  },
  [STATUS_KIND]: { v: Type.Object({ issuer: Type.String({ minLength: 1, maxLength: 64 }), list: Count, index: Count }, closed), owner: 'none' },
  [STATUS_LIST_KIND]: {
    v: Type.Object({ size: Count, revoked: Type.Array(Count) }, closed),
    owner: 'any',
    check: (item) => same('/id', item.id.split('/')[0], item.owner, 'the id must be "<issuer>/<list>"'),
  },
  [ATTEMPT_KIND]: { v: Type.Object({ ...Attempt.properties, at: Stamp, next: Nullable(Stamp), error: Nullable(Text(2000)) }, closed), owner: 'endpoint', check: (item) => same('/owner', item.owner, (item.v as { endpoint: string }).endpoint, 'the owner must be the endpoint') },
};

const ItemShape = Type.Object(
  {
    kind: Type.String({ pattern: '^[a-z][a-z0-9-]{0,31}$' }),
    id: Type.String({ minLength: 1, maxLength: 300 }),
    owner: Nullable(Type.String({ minLength: 1, maxLength: 320 })),
    // Whose data it holds (core/subjects.ts); exports made before subjects existed have none.
    subject: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 330 }))),
    at: Stamp,
    v: Type.Unknown(),
  },
  closed,
);

/** A data subject as core/subjects.ts names one: a user's name, or an address no user has. */
function subject(value: string): void {
  const address = value.startsWith(addressSubject('')) ? value.slice(addressSubject('').length) : null;
  if (address === null) name(value, '/subject');
  else if (normalizeEmail(address) !== address || address === '') throw new RecordProblem('/subject', 'an address must be as the API keeps it (trimmed, lower case)');
}

/** An item of a kind this version writes, as that kind writes it. `now`: the importing clock. */
export function checkItem(record: unknown, now: number): Item {
  conform(ItemShape, record);
  const item = record as Item;
  const rule = Object.hasOwn(ITEMS, item.kind) ? ITEMS[item.kind] : undefined;
  if (!rule) throw new RecordProblem('/kind', `"${item.kind}" is not a kind of item this version keeps`);
  const owner = item.owner;
  if (rule.owner === 'none' && owner !== null) throw new RecordProblem('/owner', `an item of kind "${item.kind}" has no owner`);
  if ((rule.owner === 'user' || rule.owner === 'badge') && owner === null) throw new RecordProblem('/owner', `an item of kind "${item.kind}" is some ${rule.owner}'s`);
  if ((rule.owner === 'user' || rule.owner === 'badge') && owner !== null) name(owner, '/owner');
  if (rule.owner === 'email' && normalizeEmail(owner) !== owner) throw new RecordProblem('/owner', 'the owner must be an address as the API keeps it');
  if (rule.owner === 'endpoint' && !/^ep_[a-z2-7]{20}$/.test(owner ?? '')) throw new RecordProblem('/owner', 'the owner must be a webhook endpoint');
  if (typeof item.subject === 'string') subject(item.subject);
  conform(rule.v, item.v, '/v');
  rule.id?.(item);
  rule.check?.(item, now);
  return item;
}

/** What an item needs of the service imported so far (a rule's badges and event types). */
export async function checkItemInUnit(tx: Tx, service: string, item: Item): Promise<void> {
  if (Object.hasOwn(ITEMS, item.kind)) await ITEMS[item.kind]!.inUnit?.(tx, service, item);
}

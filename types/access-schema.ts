import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { LIMITS, QUOTA_MAX, QUOTA_NAMES, type QuotaName } from './constants.js';
import { DOMAIN_EVENT_NAMES } from './audit-schema.js';
import { AdminServiceWithKey, BadgeName, Paging, ServiceName, ServiceParams, Time, UserName, UserParams, cursorParam, refuse } from './schema.js';

/**
 * The shapes of addresses, bulk awards, invitations, scoped keys, claim codes and webhooks (issue 11),
 * beside those of `schema.ts` and in the same style: `x-error` names each refusal's code.
 */

const closed = { additionalProperties: false } as const;
/** An id in a path that cannot be one: as not found as any other. */
const idOf = (pattern: string, code: string, what: string) => Type.String({ pattern, 'x-error': { code, message: `No such ${what}`, status: 404 } });
const Nullable = <T extends TSchema>(schema: T, description?: string) => Type.Union([schema, Type.Null()], description ? { description } : {});
const text = (max: number, description: string, code = 'invalid_body') => Type.String({ maxLength: max, description, ...refuse(code, `${description}: text of at most ${max} characters`) });
const pageNumber = (field: string, max: number, description: string) =>
  Type.Optional(Type.Integer({ minimum: 1, maximum: max, description, ...refuse(`invalid_${field}`, `${field} must be a whole number from 1 to ${max}`) }));

/** A time a request gives: ISO-8601 with a zone (a pattern: the checker knows no formats). */
export const WhenText = (description: string) =>
  Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2})$', description, ...refuse('invalid_time', 'A time is ISO-8601 with a zone, e.g. 2027-01-31T00:00:00Z') });

export const MAX_RECIPIENTS = 1000;
export const MAX_EMAILS_PER_USER = 20;

export const PageQuery = Type.Object({
  page_size: pageNumber('page_size', LIMITS.pageSizeMax, `Entries per page (default ${LIMITS.pageSizeDefault})`),
  page: pageNumber('page', 999_999_999, 'Page number from 1'),
  ...cursorParam,
});

// ---------------------------------------------------------------------------------------------------
// Addresses and invitations

export const EmailsBody = Type.Object(
  {
    emails: Type.Array(Type.String({ maxLength: 320 }), {
      maxItems: MAX_EMAILS_PER_USER,
      description: 'Every address of the user (replacing those set before); normalised: trimmed, NFC, lower case',
      ...refuse('invalid_body', '"emails" must be an array of addresses', { maxItems: { code: 'too_many_emails', message: `At most ${MAX_EMAILS_PER_USER} addresses per user` } }),
    }),
  },
  { $id: 'EmailsPut', examples: [{ emails: ['ann@example.org'] }], ...closed, ...refuse('invalid_body', 'The body must be a JSON object like {"emails": ["ann@example.org"]}') },
);

const InvitationState = Type.Union([Type.Literal('pending'), Type.Literal('claimed')], { $id: 'InvitationState', ...refuse('invalid_state', 'state must be pending or claimed') });

export const Invitation = Type.Object(
  {
    id: Type.String(),
    email: Type.String(),
    badge: BadgeName,
    description: Nullable(Type.String()),
    state: InvitationState,
    createdAt: Type.String({ format: 'date-time', description: 'When it was awarded to the address: the original award date' }),
    expiresAt: Nullable(Time, 'When it expires unclaimed; null: never'),
    user: Type.Optional(UserName),
    claimedAt: Type.Optional(Type.String({ format: 'date-time', description: 'When the user got the address and the award' })),
    awarded: Type.Optional(Type.Boolean({ description: 'False when the badge is unique and the user held it already' })),
  },
  { $id: 'Invitation', ...closed },
);

export const EmailsResponse = Type.Object(
  {
    user: UserName,
    emails: Type.Array(Type.String()),
    claimed: Type.Array(Invitation, { description: 'Invitations the new addresses claimed: awarded to the user now' }),
  },
  { $id: 'Emails', ...closed },
);

export const UserEmails = Type.Object({ user: UserName, emails: Type.Array(Type.String()) }, { $id: 'UserEmails', ...closed });

export const InvitationsQuery = Type.Object({
  state: Type.Optional(InvitationState),
  email: Type.Optional(Type.String({ maxLength: 320, description: 'Only those of this address' })),
  ...PageQuery.properties,
});
export const InvitationParams = Type.Object({ ...ServiceParams.properties, id: idOf('^inv_[a-z2-7]{20}$', 'invitation_not_found', 'invitation') });
export const InvitationList = Type.Object({ invitations: Type.Array(Invitation), paging: Paging }, { $id: 'InvitationList', ...closed });

// ---------------------------------------------------------------------------------------------------
// Bulk award

export const BadgeParams = Type.Object({ ...ServiceParams.properties, badge: BadgeName });

const recipients = (what: string) =>
  Type.Optional(
    Type.Array(Type.String({ maxLength: 1000 }), {
      maxItems: MAX_RECIPIENTS,
      description: `${what}; one that is not valid is answered INVALID, the others are awarded`,
      ...refuse('invalid_body', `"${what}" must be an array of strings`, { maxItems: { code: 'too_many_recipients', message: `At most ${MAX_RECIPIENTS} recipients per request` } }),
    }),
  );

export const BulkAwardBody = Type.Object(
  {
    emails: recipients('Addresses'),
    users: recipients('User names'),
    description: Type.Optional(text(2000, 'Why; kept with invitations')),
  },
  {
    $id: 'BulkAward',
    ...closed,
    examples: [{ emails: ['ann@example.org', 'new@example.org'], users: ['bob'], description: 'Spoke at the meetup' }],
    ...refuse('invalid_body', 'The body must be a JSON object like {"emails": [...], "users": [...]}'),
  },
);

const outcomes = <T extends string>(values: T[], description: string) =>
  Type.Unsafe<Record<string, T>>(Type.Object({}, { description, additionalProperties: Type.Union(values.map((v) => Type.Literal(v))) }));

export const BulkAwardResponse = Type.Object(
  {
    successes: outcomes(['AWARDED', 'INVITED'], 'By recipient as sent: AWARDED to a user, INVITED: a deferred award to an address nobody has yet'),
    errors: outcomes(
      ['ALREADYAWARDED', 'INVALID', 'DISABLED', 'NOT_STARTED', 'ENDED', 'MAX_REACHED', 'FREQUENCY_CAP', 'NOT_ELIGIBLE'],
      "By recipient as sent: ALREADYAWARDED, a unique badge held or pending already; INVALID, not an address (or user name); DISABLED, NOT_STARTED, ENDED, MAX_REACHED, FREQUENCY_CAP, NOT_ELIGIBLE: the badge's terms refuse it now (see `skipped` of the award PUT)",
    ),
  },
  { $id: 'BulkAwardResult', ...closed },
);

/** badges.mozilla.org's award POST (its "Award API"): `emails` required, `description` optional. */
export const MozillaAwardParams = Type.Object({ ...BadgeParams.properties, locale: Type.String({ pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$', description: 'As in their badge URLs (`en-US`); any locale answers the same' }) });
export const MozillaAwardBody = Type.Object(
  { emails: Type.Array(Type.String({ maxLength: 1000 }), { maxItems: MAX_RECIPIENTS, description: 'Addresses to award', ...refuse('invalid_body', '"emails" must be an array of addresses') }), description: Type.Optional(text(2000, 'Why; kept with invitations')) },
  {
    $id: 'MozillaAward',
    examples: [{ description: 'These are hoopy froods', emails: ['me@lmorchard.com', 'lorchard@mozilla.org'] }],
    ...refuse('invalid_body', 'The body must be a JSON object like {"emails": [...]}', { required: { code: 'invalid_body', message: '"emails" is required' } }),
  },
);
export const MozillaAwardResponse = Type.Object(
  {
    successes: outcomes(['AWARDED', 'INVITED'], 'By address as sent: AWARDED to an account with the address, INVITED: nobody has it yet'),
    errors: Type.Unsafe<Record<string, string>>(Type.Object({}, { description: 'By address as sent: ALREADYAWARDED, or `EXCEPTION {msg}` for anything else', additionalProperties: Type.String({ pattern: '^(ALREADYAWARDED|EXCEPTION .+)$' }) })),
  },
  { $id: 'MozillaAwardResult', ...closed },
);

// ---------------------------------------------------------------------------------------------------
// Scoped keys

export const Operation = Type.Union([Type.Literal('award'), Type.Literal('revoke'), Type.Literal('manage_badges'), Type.Literal('read_private')], {
  $id: 'Operation',
  ...refuse('invalid_operation', 'An operation is award, revoke, manage_badges or read_private'),
});

export const NewKeyBody = Type.Object(
  {
    label: Type.String({ minLength: 1, maxLength: 100, description: 'What the key is for', ...refuse('invalid_label', 'label must be 1-100 characters') }),
    operations: Type.Array(Operation, { minItems: 1, maxItems: 4, ...refuse('invalid_operation', '"operations" must list at least one of award, revoke, manage_badges, read_private') }),
    badges: Type.Optional(Nullable(Type.Array(BadgeName, { maxItems: LIMITS.badgesPerRequest }), 'The badges it may act on; null or left out: all')),
    expiresAt: Type.Optional(Nullable(WhenText('When it stops working; null or left out: never'))),
  },
  { $id: 'NewKey', examples: [{ label: 'forum awards', operations: ['award', 'revoke'], badges: ['commenter'], expiresAt: null }], ...closed, ...refuse('invalid_body', 'The body must be a JSON object like {"label": "...", "operations": ["award"]}') },
);

export const Key = Type.Object(
  {
    id: Type.String({ description: 'Also the user name of HTTP Basic' }),
    label: Type.String(),
    operations: Type.Array(Operation),
    badges: Nullable(Type.Array(BadgeName), 'null: all badges'),
    expiresAt: Nullable(Time),
    createdAt: Time,
  },
  { $id: 'Key', ...closed },
);

export const NewKeyResponse = Type.Object(
  {
    ...Key.properties,
    secret: Type.String({ description: 'Shown this once: the password of HTTP Basic, the HMAC key of signed requests' }),
    token: Type.String({ description: 'Shown this once: `Authorization: <token>`' }),
  },
  { $id: 'NewKeyAnswer', ...closed },
);

export const KeyList = Type.Object({ keys: Type.Array(Key) }, { $id: 'KeyList', ...closed });
export const KeyParams = Type.Object({ ...ServiceParams.properties, id: idOf('^key_[a-z2-7]{20}$', 'key_not_found', 'key') });
export const KeyDeleted = Type.Object({ id: Type.String(), deleted: Type.Literal(true) }, { $id: 'KeyDeleted', ...closed });

// ---------------------------------------------------------------------------------------------------
// Claim codes

export const ClaimCode = Type.Object(
  {
    code: Type.String({ description: 'What the site hands out; hyphens and case do not matter when redeemed' }),
    badge: BadgeName,
    uses: Type.Integer({ minimum: 1, description: 'Redemptions allowed, one per user' }),
    redeemed: Type.Integer({ minimum: 0 }),
    state: Type.Union([Type.Literal('active'), Type.Literal('used'), Type.Literal('expired')]),
    expiresAt: Nullable(Time, 'When it stops working (no later than the key that made it); null: never'),
    createdAt: Time,
    chosen: Type.Optional(Type.Literal(true, { description: 'Chosen by the site, not made at random' })),
    batch: Nullable(Type.String({ description: 'The batch it was made in (codes made before batches: null)' })),
    key: Nullable(Type.String({ description: "The scoped key that made it; null: the service's own key" })),
  },
  { $id: 'ClaimCode', ...closed },
);

export const NewClaimCodesBody = Type.Object(
  {
    count: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'How many codes (default 1)', ...refuse('invalid_count', 'count must be 1-1000') })),
    codes: Type.Optional(
      Type.Array(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9-]{3,63}$', description: 'A code: 4-64 letters, digits or hyphens' }), {
        minItems: 1,
        maxItems: 1000,
        description: 'The codes, chosen by the site (BadgeKit\'s), instead of `count` random ones; case and hyphens do not matter when redeemed',
        ...refuse('invalid_codes', 'codes must list 1-1000 codes of 4-64 letters, digits or hyphens'),
      }),
    ),
    uses: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'Redemptions each code allows, one per user (default 1)', ...refuse('invalid_uses', 'uses must be 1-1000000') })),
    expiresAt: Type.Optional(Nullable(WhenText('When the codes stop working; null or left out: never'))),
  },
  { $id: 'NewClaimCodes', examples: [{ count: 10, uses: 1, expiresAt: '2027-01-31T00:00:00Z' }], ...closed, ...refuse('invalid_body', 'The body must be a JSON object like {"count": 10, "uses": 1}') },
);

export const ClaimCodes = Type.Object({ batch: Type.String({ description: 'The batch the codes were made in: expire or delete them together' }), codes: Type.Array(ClaimCode) }, { $id: 'ClaimCodes', ...closed });
export const ClaimCodeBatch = Type.Object(
  {
    id: Type.String(),
    badge: BadgeName,
    key: Nullable(Type.String({ description: "The scoped key that made it; null: the service's own key" })),
    uses: Type.Integer({ minimum: 1 }),
    expiresAt: Nullable(Time),
    createdAt: Time,
    codes: Type.Array(ClaimCode, { description: 'Its codes that were not deleted' }),
  },
  { $id: 'ClaimCodeBatch', ...closed },
);
export const ClaimCodeDeleted = Type.Object({ code: Type.String(), deleted: Type.Literal(true) }, { $id: 'ClaimCodeDeleted', ...closed });
export const ClaimCodeBatchDeleted = Type.Object({ id: Type.String(), deleted: Type.Integer({ minimum: 0, description: 'Codes deleted' }) }, { $id: 'ClaimCodeBatchDeleted', ...closed });
export const ClaimCodeBatchParams = Type.Object({ ...ServiceParams.properties, batch: idOf('^ccb_[a-z2-7]{20}$', 'claim_code_batch_not_found', 'claim code batch') });
export const ClaimCodeList = Type.Object({ codes: Type.Array(ClaimCode), paging: Paging }, { $id: 'ClaimCodeList', ...closed });
export const ClaimCodeParams = Type.Object({ ...ServiceParams.properties, code: idOf('^[A-Za-z0-9-]{1,64}$', 'claim_code_not_found', 'claim code') });
export const RedeemBody = Type.Object(
  {
    user: Type.Optional(UserName),
    email: Type.Optional(Type.String({ maxLength: 320, description: 'An address (BadgeKit\'s): its user is awarded; an address nobody has is invited (a deferred award)' })),
  },
  { $id: 'Redeem', examples: [{ user: 'ann' }], ...closed, ...refuse('invalid_body', 'The body must be a JSON object like {"user": "ann"} or {"email": "ann@example.org"}') },
);
export const RedeemResponse = Type.Object(
  {
    code: ClaimCode,
    user: Type.Optional(Type.Object({ name: UserName, badges: Type.Array(BadgeName) }, { ...closed, description: 'The user awarded, with every badge they have' })),
    email: Type.Optional(Type.String({ description: 'Redeemed for an address nobody has: the address' })),
    invitation: Type.Optional(Type.String({ description: 'The invitation that awards the badge when a user gets the address' })),
  },
  { $id: 'Redeemed', ...closed },
);

// ---------------------------------------------------------------------------------------------------
// Webhooks

// The domain events of the audit trail are the events an endpoint may ask for: one list (audit-schema.ts).
const eventsRefusal = refuse('invalid_events', `"events" must list event types (${DOMAIN_EVENT_NAMES.join(', ')}), or "*"`);
const EventType = Type.Union([Type.Literal('*'), ...DOMAIN_EVENT_NAMES.map((type) => Type.Literal(type))], { description: 'An event type, e.g. `award.created`; `*`: every type', ...eventsRefusal });
const eventTypes = Type.Array(EventType, { minItems: 1, maxItems: 50, ...eventsRefusal });
const url = Type.String({ maxLength: 2000, description: 'http(s) URL the events are POSTed to', ...refuse('invalid_url', 'url must be an http or https URL') });

export const NewEndpointBody = Type.Object(
  { url, events: Type.Optional(eventTypes), description: Type.Optional(text(500, 'What the endpoint is')) },
  { $id: 'NewEndpoint', examples: [{ url: 'https://bakery.example/hooks/badges', events: ['award.created', 'invitation.claimed'], description: 'The forum' }], ...closed, ...refuse('invalid_body', 'The body must be a JSON object like {"url": "https://example.org/hooks"}') },
);

export const EndpointChange = Type.Object(
  { url: Type.Optional(url), events: Type.Optional(eventTypes), description: Type.Optional(text(500, 'What the endpoint is')), disabled: Type.Optional(Type.Boolean({ description: 'false enables a disabled endpoint again' })) },
  { $id: 'EndpointChange', examples: [{ disabled: false }], ...closed, ...refuse('invalid_body', 'The body must be a JSON object with url, events, description or disabled') },
);

export const Endpoint = Type.Object(
  {
    id: Type.String(),
    url: Type.String(),
    events: Type.Array(Type.String()),
    description: Type.String(),
    disabled: Type.Boolean(),
    disabledReason: Nullable(Type.String()),
    failingSince: Nullable(Time, 'Since when every attempt failed'),
    pending: Type.Integer({ minimum: 0, description: 'Deliveries due or being retried' }),
    createdAt: Time,
  },
  { $id: 'Endpoint', ...closed },
);

export const NewEndpointResponse = Type.Object(
  { ...Endpoint.properties, secret: Type.String({ description: 'The signing secret (`whsec_...`), for the receiver; shown when created and by GET of the endpoint' }) },
  { $id: 'EndpointWithSecret', ...closed },
);

export const EndpointList = Type.Object({ endpoints: Type.Array(Endpoint) }, { $id: 'EndpointList', ...closed });
export const EndpointParams = Type.Object({ ...ServiceParams.properties, id: idOf('^ep_[a-z2-7]{20}$', 'endpoint_not_found', 'webhook endpoint') });
export const EndpointDeleted = Type.Object({ id: Type.String(), deleted: Type.Literal(true) }, { $id: 'EndpointDeleted', ...closed });

export const Attempt = Type.Object(
  {
    id: Type.String(),
    delivery: Type.String(),
    message: Type.String({ description: 'The `webhook-id` sent' }),
    type: Type.String(),
    endpoint: Type.String(),
    attempt: Type.Integer({ minimum: 1 }),
    outcome: Type.Union([Type.Literal('succeeded'), Type.Literal('failed')]),
    responseCode: Nullable(Type.Integer(), 'null: no answer (refused, timed out, a blocked address)'),
    latencyMs: Type.Integer({ minimum: 0 }),
    error: Nullable(Type.String()),
    at: Time,
    next: Nullable(Time, 'When the next attempt is due; null: this was the last'),
  },
  { $id: 'DeliveryAttempt', ...closed },
);

export const AttemptList = Type.Object({ attempts: Type.Array(Attempt), paging: Paging }, { $id: 'DeliveryAttemptList', ...closed });
export const RedeliverParams = Type.Object({ ...EndpointParams.properties, message: idOf('^msg_[a-z2-7]{20}$', 'message_not_found', 'webhook message') });
export const Redelivery = Type.Object(
  { delivery: Type.String(), message: Type.String(), endpoint: Type.String(), due: Time },
  { $id: 'Redelivery', ...closed },
);

// ---------------------------------------------------------------------------------------------------
// The admin API's rotation with grace

export const RotateKeyQuery = Type.Object({
  grace: Type.Optional(Type.String({ pattern: '^\\d{1,6}(s|m|h|d)$', description: 'How long the old key keeps working beside the new one, e.g. `24h`; none: it stops at once', ...refuse('invalid_grace', 'grace is a whole number and s, m, h or d, e.g. 24h') })),
});

export const AdminRotatedKey = Type.Object(
  {
    ...AdminServiceWithKey.properties,
    previousKeyUntil: Nullable(Time, 'Until when the previous key still works (the grace asked for); null: it stopped at once'),
  },
  { $id: 'AdminRotatedKey', ...closed },
);

// ---------------------------------------------------------------------------------------------------
// Quotas (the admin API)

const quotaRefusal = refuse('invalid_quota', `A quota is a whole number from 0 to ${QUOTA_MAX.toLocaleString('en')}, or null for the operator's default`);
const quotaLimit = Type.Union([Type.Integer({ minimum: 0, maximum: QUOTA_MAX, ...quotaRefusal }), Type.Null()], quotaRefusal);
const byQuota = <T extends TSchema>(schema: (name: QuotaName) => T) => Object.fromEntries(QUOTA_NAMES.map((name) => [name, schema(name)])) as Record<QuotaName, T>;

export const QuotasBody = Type.Object(
  byQuota(() => Type.Optional(quotaLimit)),
  {
    $id: 'QuotasChange',
    examples: [{ webhook_endpoints: 50, claim_codes: null }],
    ...closed,
    description: "The service's own quotas to set; null returns one to the operator's default (QUOTA_* of the server)",
    ...refuse('invalid_body', `The body must be a JSON object like {"webhook_endpoints": 50}`, { additionalProperties: { code: 'invalid_body', message: `{key} is not a quota; the quotas are ${QUOTA_NAMES.join(', ')}` } }),
  },
);

const Quota = Type.Object(
  {
    limit: Type.Integer({ minimum: 0, description: 'What applies: the service\'s own, else the default' }),
    default: Type.Integer({ minimum: 0, description: "The operator's default for every service" }),
    own: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], { description: "The service's own, or null" }),
    used: Type.Integer({ minimum: 0, description: 'What the service holds now (redeliveries: in the current hour)' }),
  },
  closed,
);

export const ServiceQuotas = Type.Object({ name: ServiceName, quotas: Type.Object(byQuota(() => Quota), closed) }, { $id: 'ServiceQuotas', ...closed });


export { UserParams };

export type BulkAwardResponse = Static<typeof BulkAwardResponse>;
export type MozillaAwardResponse = Static<typeof MozillaAwardResponse>;
export type Invitation = Static<typeof Invitation>;
export type Key = Static<typeof Key>;
export type ClaimCode = Static<typeof ClaimCode>;
export type Endpoint = Static<typeof Endpoint>;
export type Attempt = Static<typeof Attempt>;

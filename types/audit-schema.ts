import { Type, type Static } from '@sinclair/typebox';
import { LIMITS } from './constants.js';
import { DOMAIN_EVENT_NAMES } from './domain-events.js';
import { BadgeName, Cursor, ServiceParams, Time, UserName, refuse } from './schema.js';

export { DOMAIN_EVENT_NAMES, DOMAIN_EVENTS, type DomainEventName } from './domain-events.js';

const closed = { additionalProperties: false } as const;
const text = (description: string) => Type.Optional(Type.String({ description }));

export const Actor = Type.Object(
  {
    type: Type.Union((['service', 'key', 'operator', 'cli', 'integration', 'public', 'system'] as const).map((t) => Type.Literal(t)), {
      description: "`service`: the service's key or a signature with it; `key`: a scoped key; `operator`: the admin API; `cli`: a command on the server's machine; `integration`: GetBadges' URL; `public`: anyone (the open test service); `system`: the server itself (a job, the demo seed)",
    }),
    id: text('The scoped key or integration'),
    command: text('The command, e.g. `user erase`'),
    job: text('The job, e.g. `expiry`, `seed`'),
  },
  { $id: 'Actor', ...closed, description: 'Who acted' },
);

export const Cause = Type.Object(
  {
    rule: text('The rule that awarded or revoked'),
    event: text('The event that earned the award'),
    preview: text("The event's preview"),
    permalink: text("The event's link"),
    claimCode: text('The claim code redeemed'),
    invitation: text('The invitation claimed'),
    application: text('The application the award was made for'),
  },
  { $id: 'Cause', ...closed, description: 'What made the award or revocation, beside the actor who sent it' },
);

export const AuditEntry = Type.Object(
  {
    id: Type.String(),
    at: Time,
    action: Type.Union(DOMAIN_EVENT_NAMES.map((name) => Type.Literal(name)), { description: 'What was done: a domain event, as webhooks name it' }),
    actor: Actor,
    cause: Type.Optional(Cause),
    user: Type.Optional(Type.String({ description: 'The user acted on; after an erasure, the pseudonym that stands for them' })),
    badge: Type.Optional(BadgeName),
    count: Type.Optional(Type.Integer({ minimum: 0 })),
    rule: text('The rule'),
    key: text('The scoped key'),
    label: text("The scoped key's label"),
    endpoint: text('The webhook endpoint'),
    url: text("The endpoint's URL"),
    integration: text('The integration'),
    name: text("The integration's name"),
    invitation: text('The invitation'),
    email: text('The address invited (a pseudonym after an erasure)'),
    invitedAt: Type.Optional(Time),
    code: text('The claim code'),
    uses: Type.Optional(Type.Integer({ minimum: 1 })),
    expiresAt: Type.Optional(Type.Union([Time, Type.Null()])),
    settings: Type.Optional(Type.Array(Type.String(), { description: 'The settings changed' })),
    previousKeyUntil: Type.Optional(Type.Union([Time, Type.Null()], { description: 'Until when the previous key works' })),
    retentionDays: Type.Optional(Type.Integer()),
    publicEvents: Type.Optional(Type.Boolean()),
    from: text('The name before a rename'),
    to: text('The name after a rename'),
    featured: Type.Optional(Type.Array(BadgeName, { description: 'The badges the user features, in order' })),
    hidden: Type.Optional(Type.Array(BadgeName, { description: 'The badges the user hides from public reads' })),
    awards: Type.Optional(Type.Array(Type.String(), { description: 'The award instances made or revoked' })),
    reason: text('Why the award was revoked'),
    issuer: text('The issuer'),
    program: text('The program'),
    application: text('The application'),
    review: text('The review'),
    reviewer: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'The reviewer (null: unassigned)' })),
    approved: Type.Optional(Type.Boolean({ description: 'Whether the review approved the application' })),
    awarded: Type.Optional(Type.Boolean({ description: 'Whether the application processed was awarded' })),
  },
  { $id: 'AuditEntry', ...closed },
);


export const CursorPaging = Type.Object(
  {
    page_size: Type.Integer({ minimum: 1 }),
    next: Type.Union([Type.String(), Type.Null()], { description: 'Path and query of the next page, or null after the last one. A page may hold fewer entries than `page_size` and still have a next one (a `badge` filter reads a bounded number of entries per page).' }),
  },
  { $id: 'CursorPaging', ...closed },
);

/** `?page_size=&cursor=` of every list paged by cursor (see server/http/paging.ts). */
export const cursorQuery = {
  page_size: Type.Optional(
    Type.Integer({ minimum: 1, maximum: LIMITS.pageSizeMax, default: LIMITS.pageSizeDefault, description: 'Entries per page', ...refuse('invalid_page_size', `page_size must be a whole number from 1 to ${LIMITS.pageSizeMax}`) }),
  ),
  cursor: Type.Optional(Cursor),
};

export const AuditQuery = Type.Object({
  actor: Type.Optional(Type.String({ maxLength: 300, description: 'Only acts of this actor: `service`, `operator`, `key:<id>`, `integration:<id>`, `cli:<command>` (e.g. `cli:user erase`), `system:<job>`' })),
  user: Type.Optional(UserName),
  badge: Type.Optional(BadgeName),
  ...cursorQuery,
});

export const AuditResponse = Type.Object({ audit: Type.Array(AuditEntry), paging: CursorPaging }, { $id: 'Audit', ...closed });

export type AuditEntry = Static<typeof AuditEntry>;
export type ActorType = Static<typeof Actor>['type'];

import { Type, type Static, type TObject, type TProperties } from '@sinclair/typebox';
import { Actor, Cause } from './audit-schema.js';
import { DOMAIN_EVENTS, type DomainEventName } from './domain-events.js';
import { Time } from './schema.js';

/**
 * What a webhook POSTs: `{"type", "timestamp", "data"}` (the Standard Webhooks payload shape), `data`
 * being the domain event as the core emits it (server/core/events.ts) with who acted and when. The
 * outbox (server/core/access/webhooks.ts) is held to these schemas when it compiles, `/openapi.json`
 * documents them under `webhooks`, and a test validates real deliveries against them.
 */

const closed = { additionalProperties: false } as const;
const str = (description: string) => Type.String({ description });
const opt = (description: string) => Type.Optional(Type.String({ description }));
const names = (description: string) => Type.Array(Type.String(), { description });

const service = str('The service');
const user = str('The user');
const badge = str('The badge');
const awards = names('The award instances, one per award counted in `count`');
const learner = {
  user: opt('The user who applied (or `email`)'),
  email: opt('The address that applied, when no user had it (or `user`)'),
};

/** Each event's own fields; every `data` also has `service`, `actor` and `at`. */
const FIELDS = {
  'award.created': { user, badge, count: Type.Integer({ minimum: 1, description: 'How many awards of the badge this write made: the length of `awards`' }), awards, cause: Type.Optional(Cause) },
  'award.revoked': {
    user,
    badge,
    count: Type.Integer({ minimum: 1, description: 'How many awards of the badge this write revoked: the length of `awards`' }),
    awards,
    reason: opt('Why, if the site said'),
    cause: Type.Optional(Cause),
  },
  'badge.created': { badge },
  'badge.updated': { badge },
  'badge.deleted': { badge },
  'rule.created': { rule: str('The rule'), badge },
  'rule.updated': { rule: str('The rule'), badge },
  'rule.deleted': { rule: str('The rule') },
  'event_settings.updated': { retentionDays: Type.Integer({ description: 'Days events are kept' }), publicEvents: Type.Boolean({ description: 'Whether anyone may read the events' }) },
  'integration.created': { integration: str('The integration'), name: str("The integration's name") },
  'integration.deleted': { integration: str('The integration') },
  'service.created': {},
  'service.updated': { settings: names('The settings changed') },
  'service.key_rotated': { previousKeyUntil: Type.Union([Time, Type.Null()], { description: 'Until when the previous key works' }) },
  'service.deleted': {},
  'key.created': { key: str('The scoped key (its id; never its secret)'), label: str("The key's label") },
  'key.deleted': { key: str('The scoped key') },
  'endpoint.created': { endpoint: str('The endpoint'), url: str("The endpoint's URL") },
  'endpoint.updated': { endpoint: str('The endpoint') },
  'endpoint.deleted': { endpoint: str('The endpoint') },
  'invitation.created': { invitation: str('The invitation'), email: str('The address invited'), badge },
  'invitation.claimed': { invitation: str('The invitation'), email: str('The address invited'), user, badge, invitedAt: Time },
  'invitation.cancelled': { invitation: str('The invitation'), email: str('The address invited'), badge },
  'claim_code.created': {
    badge,
    count: Type.Integer({ minimum: 1, description: 'How many codes were made' }),
    uses: Type.Integer({ minimum: 1, description: 'How many times each may be redeemed' }),
    expiresAt: Type.Union([Time, Type.Null()]),
  },
  'claim_code.redeemed': {
    code: str('The claim code'),
    user: opt('The user it was redeemed for (or `email`)'),
    email: opt('The address it was redeemed for, when no user has it'),
    invitation: opt('The invitation left for that address'),
    badge,
  },
  'user.erased': { user: str('A pseudonym, the same in the audit trail; never the name') },
  'user.renamed': { from: str('The name before'), to: str('The name after') },
  'user.display_updated': { user, featured: names('The badges featured, in order'), hidden: names('The badges hidden') },
  'issuer.created': { issuer: str('The issuer') },
  'issuer.updated': { issuer: str('The issuer') },
  'issuer.deleted': { issuer: str('The issuer') },
  'program.created': { program: str('The program'), issuer: str('Its issuer') },
  'program.updated': { program: str('The program'), issuer: str('Its issuer') },
  'program.deleted': { program: str('The program'), issuer: str('Its issuer') },
  'application.submitted': { application: str('The application'), badge, ...learner },
  'application.assigned': {
    application: str('The application'),
    badge,
    reviewer: Type.Union([Type.String(), Type.Null()], { description: 'The reviewer (null: unassigned)' }),
    expiresAt: Type.Union([Time, Type.Null()]),
    ...learner,
  },
  'application.reviewed': { application: str('The application'), badge, review: str('The review'), reviewer: str('The reviewer'), approved: Type.Boolean(), ...learner },
  'application.processed': {
    application: str('The application'),
    badge,
    awarded: Type.Boolean(),
    awards: Type.Optional(names('The awards made')),
    invitation: opt('The invitation left for an address nobody has'),
    ...learner,
  },
  'application.deleted': { application: str('The application'), badge, ...learner },
} satisfies Record<DomainEventName, TProperties>;

type Fields = typeof FIELDS;

/** `award.created` -> `AwardCreatedWebhook`: the component's name in /openapi.json. */
const componentName = (type: string) => `${type.split(/[._]/).map((part) => part[0]!.toUpperCase() + part.slice(1)).join('')}Webhook`;

function payloadSchema(type: DomainEventName): TObject {
  const data = Type.Object({ service, ...FIELDS[type], actor: Actor, at: Time }, closed);
  return Type.Object(
    { type: Type.Literal(type), timestamp: Time, data },
    { $id: componentName(type), ...closed, description: DOMAIN_EVENTS[type] },
  );
}

/** Each event type's payload schema, by type. */
export const WEBHOOK_PAYLOADS = Object.fromEntries(Object.keys(FIELDS).map((type) => [type, payloadSchema(type as DomainEventName)])) as Record<DomainEventName, TObject>;

/** The body of a webhook of one type. */
export type WebhookPayloadOf<T extends DomainEventName> = {
  type: T;
  timestamp: string;
  data: { service: string; actor: Static<typeof Actor>; at: string } & Static<TObject<Fields[T]>>;
};
/** A webhook's body, whatever its type: narrow it by `type`. */
export type WebhookPayload = { [T in DomainEventName]: WebhookPayloadOf<T> }[DomainEventName];

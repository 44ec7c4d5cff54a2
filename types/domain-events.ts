/** No imports: the admin console reads this list without the schemas (and TypeBox) around it. */

/**
 * What the server tells of what happened: the actions of the audit trail and the types of webhook
 * events, one list (the core's domain events, `server/core/events.ts`, are checked against it).
 */
export const DOMAIN_EVENTS = {
  'award.created': 'A badge was awarded to a user (`count` times in this write; `awards` names each award)',
  'award.revoked': 'A badge was taken from a user (`count` awards of it in this write; `awards` names each, `reason` says why if told)',
  'badge.created': 'A badge was registered',
  'badge.updated': "A badge's fields were changed",
  'badge.deleted': 'A badge was deleted, and taken from every holder',
  'rule.created': 'A rule was made',
  'rule.updated': 'A rule was changed',
  'rule.deleted': 'A rule was removed',
  'event_settings.updated': 'How long events are kept, or whether they are public, was changed',
  'integration.created': 'An integration token was made',
  'integration.deleted': 'An integration token was revoked',
  'service.created': 'The service was created',
  'service.updated': "The service's settings were changed (`settings` names them)",
  'service.key_rotated': 'The service was given a new key',
  'service.deleted': 'The service was deleted',
  'key.created': 'A scoped key was made',
  'key.deleted': 'A scoped key was revoked',
  'endpoint.created': 'A webhook endpoint was registered',
  'endpoint.updated': 'A webhook endpoint was changed, disabled or enabled',
  'endpoint.deleted': 'A webhook endpoint was removed',
  'invitation.created': 'A badge was awarded to an address nobody has yet (a deferred award)',
  'invitation.claimed': 'A user got an address with a pending invitation, and its badge',
  'invitation.cancelled': 'A pending invitation was cancelled',
  'claim_code.created': 'Claim codes were made for a badge (the codes themselves are not told)',
  'claim_code.redeemed': 'A claim code was redeemed for a user, or for an address (`email`: awarded to its user, or `invitation` left for it)',
  'user.erased': "A user's data was erased; `user` is a pseudonym, the same in the audit trail",
  'user.renamed': 'A user was renamed, with everything the service holds of them',
  'user.display_updated': 'A user\'s featured or hidden badges were set',
  'issuer.created': 'An issuer was created',
  'issuer.updated': "An issuer's profile was changed",
  'issuer.deleted': 'An issuer was deleted (the default issuer: its profile was dropped)',
  'program.created': 'A program was created',
  'program.updated': 'A program was changed (moved to another issuer, its badges moved with it)',
  'program.deleted': 'A program was deleted',
  'application.submitted': 'An earner applied for a badge',
  'application.assigned': 'An application was assigned to a reviewer (`reviewer` null: unassigned)',
  'application.reviewed': 'An application was reviewed against the badge\'s criteria: `approved` or not',
  'application.processed': 'An application was closed: awarded (`awards`, or `invitation` for an address nobody has), or closed without an award',
  'application.deleted': 'An application was deleted',
} as const;

export type DomainEventName = keyof typeof DOMAIN_EVENTS;
export const DOMAIN_EVENT_NAMES = Object.keys(DOMAIN_EVENTS) as DomainEventName[];

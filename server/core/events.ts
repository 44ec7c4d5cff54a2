import { DOMAIN_EVENT_NAMES, DOMAIN_EVENTS, type DomainEventName } from '../../types/audit-schema.js';
import type { Actor } from './actor.js';
import { addressSubject } from './email.js';

/**
 * What happened in a unit of work, as the rules say it: the facts other parts of the model react to
 * in the same unit (the activity feed, the audit trail, webhooks owed, rules that award on awards).
 * A rule emits an event with `tx.emit`; the Domain hands the unit's events to its reactors before
 * the unit ends, so whatever they write is part of the same atomic write.
 *
 * Times are ISO-8601, the unit's clock unless the change was back-dated. `actor` is the unit's,
 * stamped by the Domain on every event a rule emits (a rule never sets it). An event carries no
 * secret (a key, a token, a signing secret): webhooks send it as it is.
 */
export type DomainEvent = DomainEventBody & { actor?: Actor };

type DomainEventBody =
  // `awards`: the award instances made or revoked (core/rules/instances.ts), one per count.
  | { type: 'award.created'; service: string; user: string; badge: string; count: number; awards: string[]; at: string; cause?: Cause }
  | { type: 'award.revoked'; service: string; user: string; badge: string; count: number; awards: string[]; reason?: string; at: string; cause?: Cause }
  | { type: 'badge.created'; service: string; badge: string; at: string }
  | { type: 'badge.updated'; service: string; badge: string; at: string }
  | { type: 'badge.deleted'; service: string; badge: string; at: string }
  | { type: 'rule.created'; service: string; rule: string; badge: string; at: string }
  | { type: 'rule.updated'; service: string; rule: string; badge: string; at: string }
  | { type: 'rule.deleted'; service: string; rule: string; at: string }
  | { type: 'event_settings.updated'; service: string; retentionDays: number; publicEvents: boolean; at: string }
  | { type: 'integration.created'; service: string; integration: string; name: string; at: string }
  | { type: 'integration.deleted'; service: string; integration: string; at: string }
  | { type: 'service.created'; service: string; at: string }
  | { type: 'service.updated'; service: string; settings: string[]; at: string }
  | { type: 'service.key_rotated'; service: string; previousKeyUntil: string | null; at: string }
  | { type: 'service.deleted'; service: string; at: string }
  | { type: 'key.created'; service: string; key: string; label: string; at: string }
  | { type: 'key.deleted'; service: string; key: string; at: string }
  | { type: 'endpoint.created'; service: string; endpoint: string; url: string; at: string }
  | { type: 'endpoint.updated'; service: string; endpoint: string; at: string }
  | { type: 'endpoint.deleted'; service: string; endpoint: string; at: string }
  // Issue 11: deferred awards and claim codes (see core/access/).
  | { type: 'invitation.created'; service: string; invitation: string; email: string; badge: string; at: string }
  | { type: 'invitation.claimed'; service: string; invitation: string; email: string; user: string; badge: string; invitedAt: string; at: string }
  | { type: 'invitation.cancelled'; service: string; invitation: string; email: string; badge: string; at: string }
  | { type: 'claim_code.created'; service: string; badge: string; count: number; uses: number; expiresAt: string | null; at: string }
  // Redeemed for an address nobody has: `email`, and the invitation it left instead of an award.
  | { type: 'claim_code.redeemed'; service: string; code: string; user?: string; email?: string; invitation?: string; badge: string; at: string }
  // Issue 19: a person's data on request. `user` of an erasure is a pseudonym, never the name.
  | { type: 'user.erased'; service: string; user: string; at: string }
  | { type: 'user.renamed'; service: string; from: string; to: string; at: string }
  // Issue 21: what a user shows first, and hides.
  | { type: 'user.display_updated'; service: string; user: string; featured: string[]; hidden: string[]; at: string }
  // Issue 22: issuers and programs (BadgeKit's), and applications assessed against a badge's criteria.
  | { type: 'issuer.created'; service: string; issuer: string; at: string }
  | { type: 'issuer.updated'; service: string; issuer: string; at: string }
  | { type: 'issuer.deleted'; service: string; issuer: string; at: string }
  | { type: 'program.created'; service: string; program: string; issuer: string; at: string }
  | { type: 'program.updated'; service: string; program: string; issuer: string; at: string }
  | { type: 'program.deleted'; service: string; program: string; issuer: string; at: string }
  | ({ type: 'application.submitted'; service: string; application: string; badge: string; at: string } & Learner)
  | ({ type: 'application.assigned'; service: string; application: string; badge: string; reviewer: string | null; expiresAt: string | null; at: string } & Learner)
  | ({ type: 'application.reviewed'; service: string; application: string; badge: string; review: string; reviewer: string; approved: boolean; at: string } & Learner)
  | ({ type: 'application.processed'; service: string; application: string; badge: string; awarded: boolean; awards?: string[]; invitation?: string; at: string } & Learner)
  | ({ type: 'application.deleted'; service: string; application: string; badge: string; at: string } & Learner);

/** Who applied: a user, or an address no user had when the event happened. */
type Learner = { user: string; email?: never } | { email: string; user?: never };

export type DomainEventType = DomainEvent['type'];

// Every domain event is described once, in the wire contract (types/audit-schema.ts): its name is
// what webhooks and the audit trail call it. A type missing there, or one there that no rule emits,
// does not compile.
const _described: Record<DomainEventType, string> = DOMAIN_EVENTS;
const _emitted: Record<DomainEventName, true> = {} as Record<DomainEventType, true>;
void _described, void _emitted;

export const DOMAIN_EVENT_TYPES: readonly DomainEventType[] = DOMAIN_EVENT_NAMES;

/**
 * What made an award or a revocation, beside the actor who sent it: a rule (and the event that
 * earned the award), a claim code redeemed, an invitation claimed.
 */
export interface Cause {
  rule?: string;
  event?: string;
  preview?: string;
  permalink?: string;
  claimCode?: string;
  invitation?: string;
  /** The application the award was made for (its evidence is kept with the award). */
  application?: string;
}

/** Whose personal data an event holds (see core/subjects.ts): the user it is about, or the address. */
export function eventSubject(event: { type: string; user?: unknown; email?: unknown; to?: unknown }): string | null {
  // An erasure's `user` is a pseudonym: nobody's data.
  if (event.type === 'user.erased') return null;
  if (event.type === 'user.renamed') return typeof event.to === 'string' ? event.to : null;
  if (typeof event.user === 'string') return event.user;
  if (typeof event.email === 'string') return addressSubject(event.email);
  return null;
}

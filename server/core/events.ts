import type { Actor } from './actor.js';

/**
 * What happened in a unit of work, as the rules say it: the facts other parts of the model react to
 * in the same unit (the activity feed, webhooks owed, rules that award on awards). A rule emits an
 * event with `tx.emit`; the Domain hands the unit's events to its reactors before the unit ends, so
 * whatever they write is part of the same atomic write.
 *
 * Times are ISO-8601, the unit's clock unless the change was back-dated. `actor` is the unit's,
 * stamped by the Domain on every event a rule emits (a rule never sets it).
 */
export type DomainEvent = DomainEventBody & { actor?: Actor };

type DomainEventBody =
  | { type: 'award.created'; service: string; user: string; badge: string; count: number; at: string; cause?: AwardCause }
  | { type: 'award.revoked'; service: string; user: string; badge: string; count: number; at: string; cause?: AwardCause }
  | { type: 'badge.created'; service: string; badge: string; at: string }
  | { type: 'badge.updated'; service: string; badge: string; at: string }
  | { type: 'badge.deleted'; service: string; badge: string; at: string }
  // Issue 11: deferred awards and claim codes (see core/access/).
  | { type: 'invitation.created'; service: string; invitation: string; email: string; badge: string; at: string }
  | { type: 'invitation.claimed'; service: string; invitation: string; email: string; user: string; badge: string; invitedAt: string; at: string }
  | { type: 'claim_code.redeemed'; service: string; code: string; user: string; badge: string; at: string };

/** What made a rule award or revoke: the rule, and the event that earned the award if one did. */
export interface AwardCause {
  rule: string;
  event?: string;
  preview?: string;
  permalink?: string;
}

export type DomainEventType = DomainEvent['type'];

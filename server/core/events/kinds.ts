/**
 * The item kinds of event ingestion and rules, and the shapes kept in them. Values are kept short:
 * a service may hold a million events, and the embedded store keeps each one's value as text.
 */
export const KIND = {
  eventType: 'event-type',
  event: 'event',
  rejected: 'event-rejected',
  rule: 'rule',
  /** Per (rule, user): what the rule counted so far; survives the events themselves. */
  state: 'rule-state',
  /** Per (rule, user): when a held, revocable badge stops being deserved unless more events come. */
  expiry: 'rule-expiry',
  backfill: 'rule-backfill',
  /** Per service: a walk through the rule states that removes those no rule counts with any more. */
  stateSweep: 'rule-state-sweep',
  activity: 'activity',
  integration: 'integration',
  settings: 'event-settings',
  /** An event sent to GetBadges' URL for an address no user has yet (owner the address): counted when a user gets it. */
  pending: 'event-pending',
} as const;

/** `source`, `type` and `action` of an event type, GetBadges' identification of what happened. */
export interface EventTypeRef {
  source: string;
  type: string;
  action: string;
}

export interface EventTypeValue extends EventTypeRef {
  description?: string;
}

export const typeKey = (t: EventTypeRef) => `${t.source}/${t.type}/${t.action}`;

export function typeOf(key: string): EventTypeRef {
  const [source = '', type = '', action = ''] = key.split('/');
  return { source, type, action };
}

/** An event as kept (kind `event`: id the client's id, owner the user, at the event's time). */
export interface StoredEvent {
  /** The type's key. */
  t: string;
  /** preview */
  p?: string;
  /** permalink */
  l?: string;
  /** data */
  d?: Record<string, unknown>;
}

/** A pending event (kind `event-pending`): the event as it will be kept, and its id, once a user has the address. */
export interface PendingEvent extends StoredEvent {
  /** The id the event will be kept under. */
  i: string;
}

/** A refused event, kept so that one accepted by the GetBadges endpoint (always 200) can be found. */
export interface RejectedEvent {
  code: string;
  message: string;
  via: 'api' | 'getbadges';
  /** The event's id, if it had a readable one. */
  id?: string;
  /** What was sent, cut to a few KB. */
  sent: string;
}

export interface EventSettings {
  /** Days events are kept (at least as long as the longest window of a rule). */
  retentionDays: number;
  /** Whether event entries of the activity feed are public (else only with the service key). */
  publicEvents: boolean;
}

export interface ActivityValue {
  type: 'award' | 'revocation';
  badge: string;
  count: number;
  /** The rule and event that earned an award, when a rule made it. */
  rule?: string;
  event?: string;
  preview?: string;
  permalink?: string;
}

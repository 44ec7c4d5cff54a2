/**
 * Who made a unit of work happen. Every unit runs as one actor (see `Domain.as`); the Domain stamps
 * it on each domain event of the unit, so the audit trail and every webhook payload say who acted.
 * What made a rule or a claim code award is the event's `cause`, beside the actor who sent it.
 */
export type Actor =
  /** The service's own key, or a signature made with it. */
  | { type: 'service' }
  /** A scoped key of the service. */
  | { type: 'key'; id: string }
  /** The operator, with the admin token. */
  | { type: 'operator' }
  /** A command run on the server's machine (`user-badges ...`). */
  | { type: 'cli'; command: string }
  /** GetBadges' event URL, with an integration token. */
  | { type: 'integration'; id: string }
  /** Anyone: the open `test` service takes writes without a key. */
  | { type: 'public' }
  /** The server itself: a background job, the demo seed. */
  | { type: 'system'; job: string };

export const SYSTEM: Actor = { type: 'system', job: 'server' };

/** `key key_abc`, `cli service create`: for logs and people. */
export function describeActor(actor: Actor): string {
  switch (actor.type) {
    case 'key':
      return `key ${actor.id}`;
    case 'cli':
      return `cli ${actor.command}`;
    case 'integration':
      return `integration ${actor.id}`;
    case 'system':
      return `system ${actor.job}`;
    default:
      return actor.type;
  }
}

/**
 * The actor as one string: `service`, `key:key_abc`, `operator`, `cli:user erase`,
 * `integration:0a1b2c3d4e5f`, `public`, `system:expiry`. The audit trail is indexed and filtered by it.
 */
export function actorKey(actor: Actor): string {
  switch (actor.type) {
    case 'key':
    case 'integration':
      return `${actor.type}:${actor.id}`;
    case 'cli':
      return `cli:${actor.command}`;
    case 'system':
      return `system:${actor.job}`;
    default:
      return actor.type;
  }
}

import type { ActorType } from '../../types/audit-schema.js';
import { actorKey, type Actor } from './actor.js';
import { randomBase32 } from './access/ids.js';
import { eventSubject } from './events.js';
import type { Reactor } from './reactor.js';

/**
 * The audit trail (Discourse's staff action log): who granted, revoked, changed or deleted what.
 * One `audit` item per domain event of a unit, written in that unit: the action (the event's type),
 * the actor, what was acted on and, for awards, the cause (a rule and its event, a claim code, an
 * invitation). Indexed by actor (`owner`, see `actorKey`) and by the person acted on (`subject`),
 * kept for as long as the service is.
 *
 * Not kept: writes anyone may make (the open `test` service's, actor `public`), which would grow
 * without bound, and a service's deletion, which takes its trail with it.
 */
export const AUDIT_KIND = 'audit';

// The wire's actor (types/audit-schema.ts) names every type of actor the core knows, and no other.
const _known: Record<ActorType, true> = {} as Record<Actor['type'], true>;
const _told: Record<Actor['type'], true> = {} as Record<ActorType, true>;
void _known, void _told;

export const auditTrail: Reactor = async (tx, events) => {
  const live = new Map<string, boolean>();
  for (const event of events) {
    if (event.actor.type === 'public' || event.type === 'service.deleted') continue;
    let exists = live.get(event.service);
    // A service deleted in this unit keeps no trail.
    if (exists === undefined) live.set(event.service, (exists = (await tx.service(event.service)) !== undefined));
    if (!exists) continue;
    const { type, service, at: _at, actor, ...acted } = event;
    const entry = { action: type, actor, ...acted };
    tx.put({ t: 'item', s: service, v: { kind: AUDIT_KIND, id: nextId(), owner: actorKey(actor), subject: eventSubject(event), at: tx.now.toISOString(), v: entry } });
  }
};

let made = 0;

/**
 * `aud_`, a count of the entries this process made, and chance: entries of the same instant (units
 * of one millisecond, a clock held still in tests) list in the order they were made.
 */
function nextId(): string {
  return `aud_${(made++).toString(36).padStart(8, '0')}${randomBase32(5)}`;
}

import type { Actor } from './actor.js';
import type { DomainEvent } from './events.js';
import type { Tx } from './ports.js';

/**
 * Turns a unit's events into more writes of the same unit. Events a reactor emits are handed to
 * every reactor in a further round, so an award made by a reactor is seen like any other.
 */
export type Reactor = (tx: Tx, events: readonly Acted[]) => Promise<void>;

/** A domain event as reactors see it: with the actor of its unit. */
export type Acted = DomainEvent & { actor: Actor };

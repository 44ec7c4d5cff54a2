import type { Actor } from '../core/actor.js';
import { Domain } from '../core/domain.js';
import type { UnitOfWork } from '../core/ports.js';
import { FEATURES } from './features/index.js';

export interface ComposeOptions {
  /** The units' clock (ms since the epoch); tests move it. */
  now?: () => number;
  /** Whom the units run for, unless a caller says otherwise with `domain.as(...)`. */
  actor?: Actor;
}

/**
 * The Domain of the server: the core's rules with every feature's reactors. The app, the CLI, the
 * seed, import and the tests all build it here, so that a write made anywhere writes what the same
 * write over HTTP writes (activity, webhooks owed).
 */
export function composeDomain(store: UnitOfWork, { now = Date.now, actor }: ComposeOptions = {}): Domain {
  const domain = new Domain(store, now);
  for (const feature of FEATURES) for (const reactor of feature.reactors ?? []) domain.react(reactor);
  return actor ? domain.as(actor) : domain;
}

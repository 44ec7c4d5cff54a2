import { emptyState, matches, step, windowOf, type RuleState } from './evaluate.js';
import type { Occurrence, Rule } from './rule-model.js';

export interface Recomputed {
  state: RuleState;
  /** The events that earned an award, in order: the rule's i-th award is earned[i]. */
  earned: Occurrence[];
  /** Windowed rules whose condition holds after the last event: when it stops holding. */
  holdsUntil?: string;
}

/**
 * What the rule makes of a user's events, counted from nothing: `step` applied to each matching
 * event in (at, id) order, exactly as live evaluation applies it as they arrive.
 */
export function recompute(rule: Rule, events: readonly Occurrence[]): Recomputed {
  const matching = events.filter((e) => matches(rule, e));
  const window = windowOf(rule);
  let state = emptyState(rule);
  const earned: Occurrence[] = [];
  let start = 0;
  let until: string | undefined;
  for (let i = 0; i < matching.length; i++) {
    const event = matching[i]!;
    if (window !== null) while (Date.parse(matching[start]!.at) <= Date.parse(event.at) - window) start++;
    const next = step(rule, state, event, window === null ? [] : matching.slice(start, i + 1));
    if (next.award) earned.push(event);
    state = next.state;
    until = next.holdsUntil;
  }
  return { state, earned, ...(until ? { holdsUntil: until } : {}) };
}

/**
 * The state to keep after a backfill: what the stored events give, without losing what was counted
 * before (live, of events since removed by retention).
 */
export function merged(old: RuleState, fresh: RuleState): RuleState {
  const days = old.d || fresh.d ? [...new Set([...(old.d ?? []), ...(fresh.d ?? [])])].sort() : undefined;
  const since = !old.s ? fresh.s : !fresh.s ? old.s : old.s.at > fresh.s.at || (old.s.at === fresh.s.at && old.s.id > fresh.s.id) ? old.s : fresh.s;
  return { r: fresh.r, n: Math.max(old.n, fresh.n), a: Math.max(old.a, fresh.a), ...(days ? { d: days } : {}), ...(since ? { s: since } : {}) };
}

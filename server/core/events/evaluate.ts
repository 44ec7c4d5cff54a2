import type { Occurrence, Rule } from './rule-model.js';
import { durationMs } from './window.js';
import { holdsUntil, pickUp, restartAfter, stepWindow, type Walk, type WindowState } from './window-count.js';

/**
 * What a rule counted for one user, and one step of counting: the one function both live
 * evaluation and backfill apply, event by event in (at, id) order, so that both award alike.
 */
export interface RuleState {
  /** The rule revision this state counts for. */
  r: string;
  /** Matching events counted (ever). */
  n: number;
  /** Awards the rule made (net of its revocations). */
  a: number;
  /** days rules without window: the distinct days seen. */
  d?: string[];
  /** Repeatable windowed rules: counting starts after this event (the one that earned the last award). */
  s?: { at: string; id: string };
  /** Windowed rules: where counting stands; absent until picked up from the stored events. */
  w?: WindowState;
}

/** Nothing counted; a windowed rule picks its counting up from the stored events at its next event. */
export const emptyState = (rule: Rule): RuleState => ({ r: rule.rev, n: 0, a: 0 });

export const windowOf = (rule: Rule): number | null => (rule.window ? (durationMs(rule.window) ?? null) : null);

export const needed = (rule: Rule) => (rule.condition === 'first' ? 1 : (rule.count ?? 1));

/** Whether the event counts for the rule: one of its types, with the data it asks for. */
export function matches(rule: Rule, event: Occurrence): boolean {
  if (!rule.eventTypes?.some((t) => `${t.source}/${t.type}/${t.action}` === event.type)) return false;
  for (const [field, value] of Object.entries(rule.data ?? {})) {
    if (!event.data || !Object.hasOwn(event.data, field) || event.data[field] !== value) return false;
  }
  return true;
}

export interface Step {
  state: RuleState;
  /** The event that earned an award, if this step earned one: the event itself, or a later one a late event completed. */
  earned?: Occurrence;
  /** Windowed rules while the condition holds: when it stops holding unless more events come. */
  holdsUntil?: string;
}

/** What a windowed rule reads besides its state: the stored events it counts. */
export interface Counting {
  walk: Walk;
  /** The events the rule counts in the window before the event, oldest first, without it: where counting is picked up from. */
  recent(): Promise<Occurrence[]>;
}

/**
 * Counts one matching event. Windowed rules count through `counting` (window-count.ts): one step
 * of a tail, never a read of the whole window.
 */
export async function step(rule: Rule, state: RuleState, event: Occurrence, counting: Counting): Promise<Step> {
  const N = needed(rule);
  const window = windowOf(rule);
  const next: RuleState = { ...state, n: state.n + 1 };
  if (window === null) {
    let reached = next.n;
    if (rule.condition === 'days') {
      const day = event.at.slice(0, 10);
      const days = state.d ?? [];
      if (days.includes(day) || (!rule.repeatable && state.a > 0)) return { state: next };
      next.d = [...days, day].sort();
      reached = next.d.length;
    }
    const award = rule.repeatable ? Math.floor(reached / N) > state.a : state.a === 0 && reached >= N;
    if (award) next.a = state.a + 1;
    return { state: next, ...(award ? { earned: event } : {}) };
  }
  const since = rule.repeatable ? state.s : undefined;
  const w = state.w ?? pickUp(rule, N, since, await counting.recent());
  const counted = await stepWindow(rule, N, window, w, event, counting.walk, rule.repeatable || state.a === 0);
  next.w = counted.w;
  const earned = counted.earned;
  if (earned) {
    next.a = state.a + 1;
    if (rule.repeatable) {
      next.s = { at: earned.at, id: earned.id };
      next.w = earned === event ? { f: next.s, l: next.s, c: 0 } : await restartAfter(rule, N, counted.w, earned, counting.walk);
    }
  }
  return { state: next, ...(earned ? { earned } : {}), ...(counted.holds && !rule.repeatable ? { holdsUntil: holdsUntil(counted.w, window) } : {}) };
}

import { compareItems } from '../items.js';
import type { Occurrence, Rule } from './rule-model.js';
import { durationMs } from './window.js';

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
}

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
  award: boolean;
  /** Windowed rules while the condition holds: when it stops holding unless more events come. */
  holdsUntil?: string;
}

/**
 * Counts one matching event. `recent`: the user's matching events with `at` within the window
 * before the event, up to and including it, in (at, id) order (read only for windowed rules).
 */
export function step(rule: Rule, state: RuleState, event: Occurrence, recent: readonly Occurrence[]): Step {
  const N = needed(rule);
  const window = windowOf(rule);
  const next: RuleState = { ...state, n: state.n + 1 };
  if (window === null) {
    let reached = next.n;
    if (rule.condition === 'days') {
      const day = event.at.slice(0, 10);
      const days = state.d ?? [];
      if (days.includes(day) || (!rule.repeatable && state.a > 0)) return { state: next, award: false };
      next.d = [...days, day].sort();
      reached = next.d.length;
    }
    const award = rule.repeatable ? Math.floor(reached / N) > state.a : state.a === 0 && reached >= N;
    if (award) next.a = state.a + 1;
    return { state: next, award };
  }
  const since = rule.repeatable ? state.s : undefined;
  const counted = since ? recent.filter((e) => compareItems(e, since) > 0) : recent;
  const holds = reach(rule, counted) >= N;
  const award = holds && (rule.repeatable || state.a === 0);
  if (award) {
    next.a = state.a + 1;
    if (rule.repeatable) next.s = { at: event.at, id: event.id };
  }
  return { state: next, award, ...(holds && !rule.repeatable ? { holdsUntil: holdsUntil(rule, counted, window) } : {}) };
}

/** How far the events go towards the rule: their number, or their distinct days. */
export function reach(rule: Rule, events: readonly Occurrence[]): number {
  return rule.condition === 'days' ? new Set(events.map((e) => e.at.slice(0, 10))).size : events.length;
}

/**
 * When the condition, holding over `events`, stops holding if nothing more comes: the window after
 * the newest event that is still needed (the N-th newest, or the last of the N-th newest day).
 */
export function holdsUntil(rule: Rule, events: readonly Occurrence[], window: number): string {
  const N = needed(rule);
  const days = new Set<string>();
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    if (rule.condition === 'days') {
      const day = e.at.slice(0, 10);
      if (days.has(day)) continue;
      days.add(day);
      if (days.size === N) return new Date(Date.parse(e.at) + window).toISOString();
    } else if (events.length - i === N) return new Date(Date.parse(e.at) + window).toISOString();
  }
  return events.at(-1)?.at ?? new Date(0).toISOString();
}

import { compareItems } from '../items.js';
import type { Item } from '../model.js';
import type { Tx } from '../ports.js';
import { awardFor } from './award-for.js';
import { matches, step, windowOf } from './evaluate.js';
import { KIND } from './kinds.js';
import type { Occurrence, Rule } from './rule-model.js';
import { loadState, occurrence, saveState, scheduleExpiry } from './state.js';

/** An event as it arrives: what rules count, and what the activity feed shows of it. */
export interface Arrival extends Occurrence {
  preview?: string;
  permalink?: string;
}

/**
 * Evaluates the event rules on an event just recorded (it is among the stored events already), in
 * the unit that records it. Answers the badges awarded.
 */
export async function applyRules(tx: Tx, service: string, rules: readonly Rule[], user: string, event: Arrival, memo?: RecentEvents): Promise<string[]> {
  const awarded: string[] = [];
  for (const rule of rules) {
    if (rule.condition === 'badges' || !matches(rule, event)) continue;
    const state = await loadState(tx, service, rule, user);
    const recent = await recentEvents(tx, service, rule, user, event, memo);
    const next = step(rule, state, event, recent);
    let state2 = next.state;
    if (next.award) {
      const cause = { rule: rule.id, event: event.id, ...(event.preview ? { preview: event.preview } : {}), ...(event.permalink ? { permalink: event.permalink } : {}) };
      if (await awardFor(tx, service, rule.badge, user, event.at, cause)) awarded.push(rule.badge);
      // The badge is gone: nothing was awarded, and the rule has not awarded it.
      else state2 = { ...state2, a: state.a };
    }
    saveState(tx, service, rule, user, state2);
    if (rule.revoke && next.holdsUntil && state2.a > 0) scheduleExpiry(tx, service, rule, user, next.holdsUntil);
  }
  return awarded;
}

/** The user's events the rule counts within its window before `event`, up to and including it. */
export async function recentEvents(tx: Tx, service: string, rule: Rule, user: string, event: Occurrence, memo?: RecentEvents): Promise<Occurrence[]> {
  const window = windowOf(rule);
  if (window === null) return [];
  const end = Date.parse(event.at);
  const range = { from: new Date(end - window + 1).toISOString(), to: new Date(end + 1).toISOString() };
  const items = memo?.of(user, range) ?? (await tx.items(service, KIND.event, { owner: user, ...range }));
  return items.filter((item) => compareItems(item, event) <= 0).map(occurrence).filter((e) => matches(rule, e));
}

/**
 * The stored events of some users from `range`, read in one go for a unit that evaluates windowed
 * rules on many events (on PostgreSQL, one query per event and rule was most of a batch's time),
 * and told of every event the unit records after, so it answers as `tx.items` would then.
 */
export class RecentEvents {
  constructor(
    private readonly byUser: Map<string, Item[]>,
    private readonly range: { from: string; to: string },
  ) {}

  /** The user's events in `range` in (at, id) order, or undefined when it is not all known here. */
  of(user: string, range: { from: string; to: string }): Item[] | undefined {
    const items = this.byUser.get(user);
    if (!items || range.from < this.range.from || range.to > this.range.to) return undefined;
    return items.filter((item) => item.at >= range.from && item.at < range.to);
  }

  /** An event the unit recorded. */
  recorded(event: Item): void {
    const items = this.byUser.get(event.owner!);
    if (!items) return;
    const kept = items.filter((item) => item.id !== event.id);
    if (event.at >= this.range.from && event.at < this.range.to) {
      const at = kept.findIndex((item) => compareItems(item, event) > 0);
      kept.splice(at < 0 ? kept.length : at, 0, event);
    }
    this.byUser.set(event.owner!, kept);
  }
}

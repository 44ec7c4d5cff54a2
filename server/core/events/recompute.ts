import { emptyState, matches, step, windowOf, type RuleState } from './evaluate.js';
import type { Occurrence, Rule } from './rule-model.js';
import { ArrayWalk } from './window-count.js';

export interface Recomputed {
  state: RuleState;
  /** The events that earned an award, in order: the rule's i-th award is earned[i]. */
  earned: Occurrence[];
  /** Windowed rules whose condition holds after the last event: when it stops holding. */
  holdsUntil?: string;
}

/**
 * What the rule makes of a user's events, counted from nothing: `step` applied to each matching
 * event in (at, id) order, exactly as live evaluation applies it as they arrive. Events are given a
 * page at a time (`add`), so a user with a long history is counted in slices between reads.
 */
export class Recompute {
  private readonly matching: Occurrence[] = [];
  private readonly walk = new ArrayWalk(this.matching);
  private state: RuleState;
  private readonly earned: Occurrence[] = [];
  private until: string | undefined;

  constructor(private readonly rule: Rule) {
    // Counting from nothing: nothing to pick up from stored events.
    this.state = windowOf(rule) === null ? emptyState(rule) : { ...emptyState(rule), w: { c: 0 } };
  }

  /** The next events of the user, in (at, id) order after those added before; `breathe` between them (see slices.ts). */
  async add(events: readonly Occurrence[], breathe?: () => Promise<void>): Promise<void> {
    for (const event of events) {
      await breathe?.();
      if (!matches(this.rule, event)) continue;
      this.matching.push(event);
      const next = await step(this.rule, this.state, event, { walk: this.walk, recent: async () => [] });
      if (next.earned) this.earned.push(next.earned);
      this.state = next.state;
      this.until = next.holdsUntil;
    }
  }

  get result(): Recomputed {
    return { state: this.state, earned: this.earned, ...(this.until ? { holdsUntil: this.until } : {}) };
  }
}

export async function recompute(rule: Rule, events: readonly Occurrence[]): Promise<Recomputed> {
  const counting = new Recompute(rule);
  await counting.add(events);
  return counting.result;
}

/**
 * The state to keep after a backfill: what the stored events give, without losing what was counted
 * before (live, of events since removed by retention). Windowed counting is picked up afresh from
 * the stored events at the next event.
 */
export function merged(old: RuleState, fresh: RuleState): RuleState {
  const days = old.d || fresh.d ? [...new Set([...(old.d ?? []), ...(fresh.d ?? [])])].sort() : undefined;
  const since = !old.s ? fresh.s : !fresh.s ? old.s : old.s.at > fresh.s.at || (old.s.at === fresh.s.at && old.s.id > fresh.s.id) ? old.s : fresh.s;
  return { r: fresh.r, n: Math.max(old.n, fresh.n), a: Math.max(old.a, fresh.a), ...(days ? { d: days } : {}), ...(since ? { s: since } : {}) };
}

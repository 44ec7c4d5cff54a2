import { compareItems } from '../items.js';
import type { Item } from '../model.js';
import type { Reads, Tx } from '../ports.js';
import { awardFor } from './award-for.js';
import { matches, step, windowOf, type Counting } from './evaluate.js';
import { KIND, type StoredEvent } from './kinds.js';
import type { Occurrence, Rule } from './rule-model.js';
import { loadState, occurrence, saveState, scheduleExpiry } from './state.js';
import type { Key, Walk } from './window-count.js';

/** An event as it arrives: what rules count, and what the activity feed shows of it. */
export interface Arrival extends Occurrence {
  preview?: string;
  permalink?: string;
}

/**
 * Evaluates the event rules on an event just recorded (it is among the stored events already), in
 * the unit that records it. Answers the badges awarded. `walks`: the unit's reads of stored events
 * (see EventWalks); `memo`: what a batch read up front of the windows counting is picked up from.
 */
export async function applyRules(tx: Tx, service: string, rules: readonly Rule[], user: string, event: Arrival, walks: EventWalks, memo?: RecentEvents): Promise<string[]> {
  const awarded: string[] = [];
  for (const rule of rules) {
    if (rule.condition === 'badges' || !matches(rule, event)) continue;
    const state = await loadState(tx, service, rule, user);
    const next = await step(rule, state, event, counting(tx, service, rule, user, event, walks, memo));
    let state2 = next.state;
    if (next.earned) {
      const cause = { rule: rule.id, event: next.earned.id, ...(await shown(tx, service, event, next.earned)) };
      if (await awardFor(tx, service, rule.badge, user, next.earned.at, cause)) awarded.push(rule.badge);
      // The badge is gone: nothing was awarded, and the rule has not awarded it.
      else state2 = { ...state2, a: state.a };
    }
    saveState(tx, service, rule, user, state2);
    if (rule.revoke && next.holdsUntil && state2.a > 0) scheduleExpiry(tx, service, rule, user, next.holdsUntil);
  }
  return awarded;
}

/** What a windowed rule reads of the user's stored events, through the unit. */
export function counting(tx: Reads, service: string, rule: Rule, user: string, event: Occurrence, walks: EventWalks, memo?: RecentEvents): Counting {
  return {
    walk: walks.walk(rule, user),
    recent: async () => (await recentEvents(tx, service, rule, user, event, memo)).filter((e) => e.id !== event.id),
  };
}

/** The preview and permalink of the event that earned an award: the arriving one, or a stored one a late event completed. */
async function shown(tx: Reads, service: string, arrived: Arrival, earned: Occurrence): Promise<{ preview?: string; permalink?: string }> {
  if (earned.id === arrived.id) return { ...(arrived.preview ? { preview: arrived.preview } : {}), ...(arrived.permalink ? { permalink: arrived.permalink } : {}) };
  const v = (await tx.item(service, KIND.event, earned.id))?.v as StoredEvent | undefined;
  return { ...(v?.p ? { preview: v.p } : {}), ...(v?.l ? { permalink: v.l } : {}) };
}

/** The user's events the rule counts within its window before `event`, up to and including it. */
export async function recentEvents(tx: Reads, service: string, rule: Rule, user: string, event: Occurrence, memo?: RecentEvents): Promise<Occurrence[]> {
  const window = windowOf(rule);
  if (window === null) return [];
  const end = Date.parse(event.at);
  const range = { from: new Date(end - window + 1).toISOString(), to: new Date(end + 1).toISOString() };
  const items = memo?.of(user, range) ?? (await tx.items(service, KIND.event, { owner: user, ...range }));
  return items.filter((item) => compareItems(item, event) <= 0).map(occurrence).filter((e) => matches(rule, e));
}

/**
 * The stored events of some users from `range`, read in one go for a unit that picks up counting
 * for many (rule, user) pairs (on PostgreSQL, one query per pair was most of a batch's time), and
 * told of every event the unit records after, so it answers as `tx.items` would then.
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

/** A stretch of one user's stored events, as read: all of them after `from`, up to the last read (or to the end). */
interface Stretch {
  from: Key;
  events: Occurrence[];
  /** Whether it reaches the newest event. */
  whole: boolean;
  /** Events to read next time: a walk that goes far reads in growing pages. */
  page: number;
}

/**
 * A unit's walks through users' stored events (window-count.ts). A walk reads a page at a time from
 * where it starts, and what was read is kept for the unit: the tails of a user's rules move on by one
 * event per event of a batch, so they cost a few reads per batch. Told of every event the unit
 * records, so they answer as the store would.
 */
export class EventWalks {
  /** Per user, stretches read from different places (rules' tails lie apart). */
  private readonly stretches = new Map<string, Stretch[]>();

  constructor(
    private readonly tx: Reads,
    private readonly service: string,
  ) {}

  walk(rule: Rule, user: string): Walk {
    return {
      next: async (after) => {
        for (let e = await this.next(user, after); e; e = await this.next(user, e)) if (matches(rule, e)) return e;
        return undefined;
      },
    };
  }

  /** An event the unit recorded. */
  recorded(event: Item): void {
    for (const stretch of this.stretches.get(event.owner!) ?? []) {
      const events = stretch.events;
      const last = events.at(-1);
      // Before it, or beyond what was read (the next read finds it).
      if (compareItems(event, stretch.from) <= 0 || (!stretch.whole && (!last || compareItems(event, last) > 0))) continue;
      const at = upperBound(events, event);
      if (events[at - 1]?.id === event.id) events[at - 1] = occurrence(event);
      else events.splice(at, 0, occurrence(event));
    }
  }

  private async next(user: string, after: Key): Promise<Occurrence | undefined> {
    let stretches = this.stretches.get(user);
    if (!stretches) this.stretches.set(user, (stretches = []));
    const covers = (s: Stretch) => compareItems(after, s.from) >= 0 && (s.whole || compareItems(after, s.events.at(-1) ?? s.from) <= 0);
    let stretch = stretches.find(covers);
    if (!stretch) stretches.push((stretch = { from: after, events: [], whole: false, page: 64 }));
    for (;;) {
      const at = upperBound(stretch.events, after);
      if (at < stretch.events.length) return stretch.events[at];
      if (stretch.whole) return undefined;
      const last = stretch.events.at(-1) ?? stretch.from;
      const page = await this.tx.items(this.service, KIND.event, { owner: user, after: { at: last.at, id: last.id }, limit: stretch.page });
      for (const item of page) stretch.events.push(occurrence(item));
      if (page.length < stretch.page) stretch.whole = true;
      stretch.page = Math.min(stretch.page * 4, 4096);
    }
  }
}

/** The first position whose event is after `key`. */
function upperBound(events: readonly Key[], key: Key): number {
  let low = 0;
  let high = events.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compareItems(events[mid]!, key) <= 0) low = mid + 1;
    else high = mid;
  }
  return low;
}

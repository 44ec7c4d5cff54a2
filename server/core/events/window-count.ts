import { compareItems } from '../items.js';
import type { Occurrence, Rule } from './rule-model.js';

/**
 * Counting for windowed rules, kept per (rule, user) so that an event costs the same however many
 * events the window holds. "Does the window before this event hold N of the rule's events?" is the
 * same as "is the N-th newest one inside it?": so the state keeps that event (the tail) and how many
 * events it counted (up to N). A new event moves the tail on by one, to the next event the rule
 * counts, which is one short read (`Walk.next`); nothing re-reads the window. Days rules keep, as
 * their tail, the last event of the N-th newest day.
 *
 * Live evaluation and backfill both step through this (backfill over the events in memory, in
 * order), so they award alike. An event that arrives late (before the newest one counted) updates
 * the tail just as well, and looks for a window it completes among the events around it: fewer
 * than 2N+1 of them, since no window held N before it came.
 */

/** A place in (at, id) order. */
export interface Key {
  at: string;
  id: string;
}

/** Where a windowed rule's counting of one user stands: `w` of the rule state. */
export interface WindowState {
  /** Only events after this one count: the rule's last award (repeatable rules), or where counting was picked up. */
  f?: Key;
  /** The newest event counted. */
  l?: Key;
  /** Events counted (days rules: distinct days), at most the rule's count. */
  c: number;
  /**
   * The oldest of the newest `c` events counted; days rules: the last event of the oldest of the
   * newest `c` days. The window holds when `c` is the rule's count and the tail is inside it.
   */
  t?: Key;
}

/** The events one rule counts of one user, as stored, in (at, id) order. */
export interface Walk {
  /** The first one after `key`, if any. */
  next(key: Key): Promise<Occurrence | undefined>;
}

/** What one step of a windowed rule did. */
export interface WindowStep {
  w: WindowState;
  /** The event whose window now holds and earns an award: the event itself, or a later one that a late event completed. */
  earned?: Occurrence;
  /** Whether the window before the newest event counted holds. */
  holds: boolean;
}

const key = (e: Key): Key => ({ at: e.at, id: e.id });
const day = (e: Key) => e.at.slice(0, 10);
const ms = (e: Key) => Date.parse(e.at);
/** After every event at or before `time`: ids are compared by code point, and none starts beyond U+10FFFF. */
const after = (time: number): Key => ({ at: new Date(time).toISOString(), id: '\u{10FFFF}' });
const later = (a: Key | undefined, b: Key): Key => (a && compareItems(a, b) > 0 ? a : b);

/** Whether the counting says the window ending at `time` holds the rule's count. */
export const holdsAt = (w: WindowState, needed: number, window: number, time: number): boolean => w.c >= needed && w.t !== undefined && ms(w.t) > time - window;

/** When the window stops holding unless more events come. */
export const holdsUntil = (w: WindowState, window: number): string => new Date(ms(w.t!) + window).toISOString();

/**
 * Counting picked up from stored events, for a rule that has none yet (new, changed, or counted by an
 * older version): `recent` are the events the rule counts in the window before `event`, oldest first,
 * without it. Older events are not tallied: no window after `event` holds them, and one that a late
 * event completes is found by reading the events around it (`firstHolding`).
 */
export function pickUp(rule: Rule, needed: number, since: Key | undefined, recent: readonly Occurrence[]): WindowState {
  const counted = since ? recent.filter((e) => compareItems(e, since) > 0) : recent;
  const newest = counted.at(-1);
  return { ...(since ? { f: key(since) } : {}), ...(newest ? { l: key(newest) } : {}), ...tally(rule, needed, counted) };
}

/** `c` and `t` of counted events, oldest first. */
function tally(rule: Rule, needed: number, counted: readonly Occurrence[]): Pick<WindowState, 'c' | 't'> {
  if (counted.length === 0) return { c: 0 };
  if (rule.condition !== 'days') {
    const c = Math.min(needed, counted.length);
    return { c, t: key(counted[counted.length - c]!) };
  }
  const lastOfDay: Occurrence[] = [];
  for (const e of counted) {
    if (lastOfDay.length > 0 && day(lastOfDay.at(-1)!) === day(e)) lastOfDay[lastOfDay.length - 1] = e;
    else lastOfDay.push(e);
  }
  const c = Math.min(needed, lastOfDay.length);
  return { c, t: key(lastOfDay[lastOfDay.length - c]!) };
}

/**
 * Counts one of the rule's events. `repeatable`: an award starts the count again after the event
 * that earned it. `awardable`: whether the rule may award now (repeatable, or not awarded yet).
 */
export async function stepWindow(rule: Rule, needed: number, window: number, w: WindowState, event: Occurrence, walk: Walk, awardable: boolean): Promise<WindowStep> {
  if (w.f && compareItems(event, w.f) <= 0) return { w, holds: w.l !== undefined && holdsAt(w, needed, window, ms(w.l)) };
  const days = rule.condition === 'days';
  if (!w.l || compareItems(event, w.l) > 0) {
    // The newest event: the common case, no more than one step of the tail.
    const next: WindowState = { ...w, l: key(event) };
    if (w.c === 0) Object.assign(next, { c: 1, t: key(event) });
    else if (days && day(event) === day(w.l!)) {
      if (day(w.t!) === day(event)) next.t = key(event);
    } else if (w.c < needed) next.c = w.c + 1;
    else if (needed === 1) next.t = key(event);
    else {
      const moved = await (days ? lastOfNextDay(walk, w.t!) : walk.next(w.t!));
      // The events behind the tail were taken away meanwhile (a user's data erased): count afresh.
      if (!moved) return { w: { ...(w.f ? { f: w.f } : {}), l: key(event), c: 1, t: key(event) }, holds: needed <= 1 };
      next.t = key(moved);
    }
    const holds = holdsAt(next, needed, window, ms(event));
    return { w: next, holds, ...(holds && awardable ? { earned: event } : {}) };
  }
  // A late event: it joins the counted events behind the newest one.
  const next: WindowState = { ...w };
  if (!days) {
    if (w.c < needed) Object.assign(next, { c: w.c + 1, ...(!w.t || compareItems(event, w.t) < 0 ? { t: key(event) } : {}) });
    else if (compareItems(event, w.t!) > 0) next.t = key((await walk.next(w.t!)) ?? event);
  } else if (await dayHasOther(walk, w.f, event)) {
    if (w.t && day(w.t) === day(event) && compareItems(event, w.t) > 0) next.t = key(event);
  } else if (w.c < needed) Object.assign(next, { c: w.c + 1, ...(!w.t || day(event) < day(w.t) ? { t: key(event) } : {}) });
  else if (day(event) > day(w.t!)) next.t = key((await lastOfNextDay(walk, w.t!)) ?? event);
  const holds = holdsAt(next, needed, window, ms(next.l!));
  const earned = awardable && next.c >= needed ? await firstHolding(days, needed, window, next, event, walk) : undefined;
  return { w: next, holds, ...(earned ? { earned } : {}) };
}

/**
 * After a repeatable rule's award earned by `earned` (behind the newest event), counting starts
 * again after it: the tail stays if it is after it, else the few events counted since are tallied.
 */
export async function restartAfter(rule: Rule, needed: number, w: WindowState, earned: Occurrence, walk: Walk): Promise<WindowState> {
  const from = key(earned);
  if (w.t && w.c >= needed && compareItems(w.t, from) > 0) return { ...w, f: from };
  const counted: Occurrence[] = [];
  for (let e = await walk.next(from); e && compareItems(e, w.l!) <= 0; e = await walk.next(e)) counted.push(e);
  return { f: from, l: w.l, ...tally(rule, needed, counted) };
}

/** The last event of the first day after `t`'s that has one. */
async function lastOfNextDay(walk: Walk, t: Key): Promise<Occurrence | undefined> {
  let last = await walk.next(t);
  for (let e = last && (await walk.next(last)); e && last && day(e) === day(last); e = await walk.next(e)) last = e;
  return last;
}

/** Whether another counted event falls on the event's day. */
async function dayHasOther(walk: Walk, floor: Key | undefined, event: Occurrence): Promise<boolean> {
  for (let e = await walk.next(later(floor, { at: `${day(event)}T00:00:00.000Z`, id: '' })); e && day(e) === day(event); e = await walk.next(e)) {
    if (e.id !== event.id) return true;
  }
  return false;
}

/**
 * The first event from `event` on (up to the newest counted) whose window, `event` in it, holds.
 * Only windows that hold `event` can have changed: the events counted within one window of it.
 */
async function firstHolding(days: boolean, needed: number, window: number, w: WindowState, event: Occurrence, walk: Walk): Promise<Occurrence | undefined> {
  const end = ms(event) + window;
  const inWindow: Occurrence[] = [];
  let first = 0;
  const perDay = new Map<string, number>();
  for (let e = await walk.next(later(w.f, after(ms(event) - window))); e && compareItems(e, w.l!) <= 0 && ms(e) < end; e = await walk.next(e)) {
    inWindow.push(e);
    perDay.set(day(e), (perDay.get(day(e)) ?? 0) + 1);
    while (ms(inWindow[first]!) <= ms(e) - window) {
      const gone = day(inWindow[first++]!);
      const left = perDay.get(gone)! - 1;
      if (left === 0) perDay.delete(gone);
      else perDay.set(gone, left);
    }
    const reach = days ? perDay.size : inWindow.length - first;
    if (compareItems(e, event) >= 0 && reach >= needed) return e;
  }
  return undefined;
}

/** A walk over events in memory (a backfill's, a preview's): those the rule counts, in order. */
export class ArrayWalk implements Walk {
  constructor(private readonly events: readonly Occurrence[]) {}

  async next(after: Key): Promise<Occurrence | undefined> {
    let low = 0;
    let high = this.events.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (compareItems(this.events[mid]!, after) <= 0) low = mid + 1;
      else high = mid;
    }
    return this.events[low];
  }
}

import { EMAIL_KIND } from '../email.js';
import type { Tx } from '../ports.js';
import { matches, windowOf, type RuleState } from './evaluate.js';
import { KIND, type StoredEvent } from './kinds.js';
import { RecentEvents } from './live.js';
import type { Rule } from './rule-model.js';
import { stateId } from './state.js';
import type { CheckedEvent } from './validate-event.js';

/**
 * Reads up front, in a few reads of many records each, what taking in a batch of events will read
 * one record at a time: whether the ids are known, the event types, the addresses' owners, the
 * users, the rules' badges and states, and the recent events of users whose windowed counting is
 * picked up (see window-count.ts). On PostgreSQL every read in a
 * unit is a round trip made while the service's lock is held, and a batch of 100 events made ~900
 * of them; the store keeps what a batch read, so the point reads that follow cost nothing. Nothing
 * is decided here: the events are judged as before, reading through the unit.
 *
 * `events` are the batch's valid events with the time each will be recorded at (or refused for).
 * Answers the recent events of the users whose windowed counting must be picked up, if any.
 */
export async function prefetch(
  tx: Tx,
  service: string,
  rules: readonly Rule[],
  events: readonly (CheckedEvent & { at: string })[],
): Promise<RecentEvents | undefined> {
  const stored = await tx.itemsById(service, KIND.event, events.map((e) => e.id));
  // Duplicates read nothing more.
  events = events.filter((e) => !stored.has(e.id));
  if (events.length === 0) return undefined;
  await tx.itemsById(service, KIND.eventType, [...new Set(events.map((e) => e.type))]);
  const emails = [...new Set(events.flatMap((e) => (e.user === undefined ? [e.email!] : [])))];
  const owners = emails.length > 0 ? await tx.itemsById(service, EMAIL_KIND, emails) : new Map();
  const userOf = (e: CheckedEvent) => e.user ?? owners.get(e.email!)?.owner ?? undefined;
  const users = [...new Set(events.map(userOf).filter((user): user is string => user !== undefined))];
  if (users.length === 0) return undefined;
  await tx.users(service, users);
  await tx.badges(service, [...new Set(rules.map((rule) => rule.badge))]);

  const states = new Set<string>();
  /** Windowed (rule, user) pairs, with the longest window of each user's. */
  const windowed = new Map<string, { rule: Rule; user: string }>();
  for (const rule of rules) if (rule.condition === 'badges') for (const user of users) states.add(stateId(rule.id, user));
  for (const e of events) {
    const user = userOf(e);
    if (user === undefined) continue;
    const v: StoredEvent = e.value;
    for (const rule of rules) {
      if (rule.condition === 'badges' || !matches(rule, { id: e.id, at: e.at, type: v.t, ...(v.d ? { data: v.d } : {}) })) continue;
      states.add(stateId(rule.id, user));
      if (windowOf(rule) !== null) windowed.set(stateId(rule.id, user), { rule, user });
    }
  }
  const found = await tx.itemsById(service, KIND.state, [...states]);

  // Counting kept in a state goes on from there; only pairs without it read the window before the
  // batch's events, once, to pick it up (see window-count.ts).
  let window = 0;
  const picking = new Set<string>();
  for (const [id, { rule, user }] of windowed) {
    const state = found.get(id)?.v as RuleState | undefined;
    if (state?.r === rule.rev && state.w) continue;
    picking.add(user);
    window = Math.max(window, windowOf(rule)!);
  }
  if (picking.size === 0) return undefined;
  const times = events.filter((e) => picking.has(userOf(e)!)).map((e) => Date.parse(e.at));
  const range = { from: new Date(Math.min(...times) - window + 1).toISOString(), to: new Date(Math.max(...times) + 1).toISOString() };
  return new RecentEvents(await tx.itemsByOwner(service, KIND.event, [...picking], range), range);
}

import { randomBytes } from 'node:crypto';
import { addressSubject, EMAIL_KIND } from '../email.js';
import { subjectOfSent } from '../subjects.js';
import type { Tx } from '../ports.js';
import { requireService } from '../rules/services.js';
import { DEFAULT_QUOTAS, quotaOf, requireWithinQuota, type Quotas } from '../rules/quota.js';
import type { Item } from '../model.js';
import { inCatalogue } from './catalogue.js';
import { KIND, type EventSettings, type PendingEvent, type RejectedEvent, type StoredEvent } from './kinds.js';
import type { Rule } from './rule-model.js';
import { applyRules, EventWalks, type RecentEvents } from './live.js';
import { listRules } from './rules.js';
import { eventSettings, retentionMs } from './settings.js';
import { prefetch } from './prefetch.js';
import { checkEvent, eventIdOf, isProblem, type CheckedEvent, type EventProblem } from './validate-event.js';

/** The most events one request may carry; they are taken in as one unit of work. */
export const MAX_EVENTS = 1000;
/** How far ahead of the server's clock an event may be dated (clients' clocks drift). */
export const MAX_FUTURE_MS = 10 * 60_000;

export type EventResult =
  | { id: string; status: 'recorded'; user: string; awards: string[] }
  | { id: string; status: 'pending'; email: string }
  | { id: string; status: 'duplicate' }
  | { id?: string; status: 'rejected'; error: EventProblem };

export interface IngestOptions {
  via: 'api' | 'getbadges';
  defaults?: EventSettings;
  /** The operator's quotas (stored events, kept refusals); a service's own win. */
  quotas?: Quotas;
  /**
   * The integration the events came through (GetBadges' URL): their ids are unique per integration
   * there, so they are kept under `<integration>:<id>`, and an event for an address no user has yet
   * is kept pending (GetBadges knew people by address only) instead of refused.
   */
  integration?: string;
}

/**
 * Records a batch of events and evaluates the rules on each, in the unit `tx`, in the order sent.
 * Each event is judged alone: a bad one is answered (and kept, see `event-rejected`) with the
 * reason, and the others go on. An id already recorded is a duplicate and changes nothing.
 */
export async function ingest(tx: Tx, service: string, events: readonly unknown[], options: IngestOptions): Promise<EventResult[]> {
  const record = await requireService(tx, service);
  const quotas = options.quotas ?? DEFAULT_QUOTAS;
  const rules = await listRules(tx, service);
  const settings = await eventSettings(tx, service, options.defaults);
  const now = tx.now.getTime();
  const oldest = new Date(now - retentionMs(settings, rules)).toISOString();
  const newest = new Date(now + MAX_FUTURE_MS).toISOString();
  const known = new Map<string, boolean>();
  const results: EventResult[] = [];
  const checkedEvents = events.map((raw) => checkEvent(raw, { getbadges: options.via === 'getbadges' }));
  const timed = checkedEvents.flatMap((e) => (isProblem(e) ? [] : [{ ...e, at: e.at ?? tx.now.toISOString() }]));
  const memo = await prefetch(tx, service, rules, timed.filter((e) => e.at >= oldest && e.at <= newest));
  const walks = new EventWalks(tx, service);
  for (const [i, raw] of events.entries()) {
    const result = await one(raw, checkedEvents[i]!);
    if (result.status === 'rejected') await keepRejected(tx, service, raw, result.error, options.via);
    results.push(result);
  }
  // Refused whole: a batch that would store more events than the quota changes nothing.
  if (results.some((r) => r.status === 'recorded')) await requireWithinQuota(tx, service, 'events', KIND.event, quotas);
  if (results.some((r) => r.status === 'pending')) await requireWithinQuota(tx, service, 'events', KIND.pending, quotas);
  if (results.some((r) => r.status === 'rejected')) await trimRejected(tx, service, quotaOf(record, 'rejected_events', quotas));
  return results;

  async function one(raw: unknown, checked: CheckedEvent | EventProblem): Promise<EventResult> {
    const reject = (error: EventProblem): EventResult => ({ ...(eventIdOf(raw) !== undefined ? { id: eventIdOf(raw)! } : {}), status: 'rejected', error });
    if (isProblem(checked)) return reject(checked);
    const id = options.integration === undefined ? checked.id : `${options.integration}:${checked.id}`;
    if (await tx.item(service, KIND.event, id)) return { id, status: 'duplicate' };
    let known_ = known.get(checked.type);
    if (known_ === undefined) known.set(checked.type, (known_ = inCatalogue(checked.type) || (await tx.item(service, KIND.eventType, checked.type)) !== undefined));
    if (!known_) return reject({ code: 'unknown_event_type', message: `Event type ${checked.type} is not registered; register it with PUT /v1/${service}/event-types.json` });
    let user = checked.user;
    if (user === undefined) {
      user = (await tx.item(service, EMAIL_KIND, checked.email!))?.owner ?? undefined;
      if (user === undefined && options.integration === undefined) return reject({ code: 'unknown_user', message: `No user of service "${service}" has the address ${checked.email}` });
    }
    const at = checked.at ?? tx.now.toISOString();
    if (at < oldest) return reject({ code: 'at_out_of_range', message: `"at" is before ${oldest}: events older than the service keeps them are not taken` });
    if (at > newest) return reject({ code: 'at_out_of_range', message: `"at" is more than ${MAX_FUTURE_MS / 60_000} minutes after the server's time` });
    if (user === undefined) return keepPending(tx, service, checked.email!, id, at, checked.value);
    const awards = await recordEvent(tx, service, rules, user, { kind: KIND.event, id, owner: user, at, v: checked.value }, walks, memo);
    return { id, status: 'recorded', user, awards };
  }
}

/** Keeps an event, and evaluates the rules on it, in the unit. Answers the badges it earned. */
async function recordEvent(tx: Tx, service: string, rules: readonly Rule[], user: string, event: Item & { owner: string }, walks: EventWalks, memo?: RecentEvents): Promise<string[]> {
  tx.put({ t: 'item', s: service, v: event });
  memo?.recorded(event);
  walks.recorded(event);
  const v = event.v as StoredEvent;
  return applyRules(tx, service, rules, user, { id: event.id, at: event.at, type: v.t, ...(v.d ? { data: v.d } : {}), ...(v.p ? { preview: v.p } : {}), ...(v.l ? { permalink: v.l } : {}) }, walks, memo);
}

/** An event for an address nobody has yet: kept (once per id) until a user gets the address. */
async function keepPending(tx: Tx, service: string, email: string, id: string, at: string, value: StoredEvent): Promise<EventResult> {
  const key = `${email}\n${id}`;
  if (await tx.item(service, KIND.pending, key)) return { id, status: 'duplicate' };
  tx.put({ t: 'item', s: service, v: { kind: KIND.pending, id: key, owner: email, at, v: { ...value, i: id } satisfies PendingEvent } });
  return { id, status: 'pending', email };
}

/**
 * Counts the events kept pending for `email` as the user's, now that the user has it: each is
 * recorded (unless its id was recorded since) and the rules evaluated on it, oldest first. Those
 * older than the service keeps events are let go. Answers the badges they earned.
 */
export async function claimPendingEvents(tx: Tx, service: string, user: string, email: string, defaults?: EventSettings): Promise<string[]> {
  const pending = await tx.items(service, KIND.pending, { owner: email });
  if (pending.length === 0) return [];
  const rules = await listRules(tx, service);
  const oldest = new Date(tx.now.getTime() - retentionMs(await eventSettings(tx, service, defaults), rules)).toISOString();
  const walks = new EventWalks(tx, service);
  const awards: string[] = [];
  for (const item of pending) {
    tx.put({ t: 'item-', s: service, k: KIND.pending, id: item.id });
    const { i: id, ...value } = item.v as PendingEvent;
    if (item.at < oldest || (await tx.item(service, KIND.event, id))) continue;
    awards.push(...(await recordEvent(tx, service, rules, user, { kind: KIND.event, id, owner: user, at: item.at, v: value }, walks)));
  }
  return awards;
}

const SENT_CHARS = 4096;
const ADDRESS = addressSubject('');

/** Kept refusals beyond the quota: the oldest give way, so the newest (what a sender needs to see) stay. */
async function trimRejected(tx: Tx, service: string, limit: number): Promise<void> {
  const excess = (await tx.itemCount(service, KIND.rejected)) - limit;
  if (excess <= 0) return;
  for (const item of await tx.items(service, KIND.rejected, { limit: excess })) tx.put({ t: 'item-', s: service, k: KIND.rejected, id: item.id });
}

/** Kept with what was sent, and so with the person it names: their user, else their address. */
async function keepRejected(tx: Tx, service: string, raw: unknown, error: EventProblem, via: RejectedEvent['via']): Promise<void> {
  const at = tx.now.toISOString();
  const id = eventIdOf(raw);
  let sent: string;
  try {
    sent = JSON.stringify(raw) ?? String(raw);
  } catch {
    sent = String(raw);
  }
  const value: RejectedEvent = { code: error.code, message: error.message, via, ...(id !== undefined ? { id } : {}), sent: sent.slice(0, SENT_CHARS) };
  let subject = subjectOfSent(raw);
  if (subject?.startsWith(ADDRESS)) subject = (await tx.item(service, EMAIL_KIND, subject.slice(ADDRESS.length)))?.owner ?? subject;
  tx.put({ t: 'item', s: service, v: { kind: KIND.rejected, id: `${at}-${randomBytes(6).toString('base64url')}`, owner: null, subject, at, v: value } });
}

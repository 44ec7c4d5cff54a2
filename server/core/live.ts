import { termsOf, within } from './terms.js';
import type { Item } from './model.js';
import type { Reactor } from './reactor.js';

/**
 * The live backlog (issue 21): what open pages are told, as items of the service written in the
 * unit that made the change, so an entry is there if and only if its change is, on every store and
 * every instance. Entries are numbered per service (units of one service never interleave, so the
 * numbers are in commit order): a page that reconnects says the last number it saw and gets
 * exactly what followed, from any instance.
 *
 * Bounded: the unit that writes entry n, a multiple of 100, removes the hundred entries up to
 * n - LIVE_BACKLOG, so a service keeps the last LIVE_BACKLOG to LIVE_BACKLOG + 99 entries, whatever
 * its rate, and no job is needed. A page further behind is told to
 * reload. Entries name the user they are about (their subject): an erasure takes them, a rename
 * moves them.
 *
 * Not told: awards of a badge the user hides, or outside its display window (a public read would
 * not show them either).
 */
export const LIVE_KIND = 'live';
const SEQUENCE_KIND = 'live-seq';
export const LIVE_BACKLOG = 1000;
const PRUNE = 100;

/** Entries are ordered by their number alone: one constant time, ids of fixed width. */
export const LIVE_AT = '1970-01-01T00:00:00.000Z';
export const liveId = (n: number): string => String(n).padStart(16, '0');

export type LiveType = 'award' | 'revoke' | 'badge' | 'display';

/** An entry, as the stream sends it. */
export interface LiveEntry {
  type: LiveType;
  user?: string;
  badge?: string;
  /** Awards: how many were made (or taken back) in this change. */
  count?: number;
  at: string;
}

export const liveReactor: Reactor = async (tx, events) => {
  const told = new Map<string, LiveEntry[]>();
  for (const event of events) {
    let entry: LiveEntry | undefined;
    if (event.type === 'award.created' || event.type === 'award.revoked') {
      const [user, badges] = await Promise.all([tx.user(event.service, event.user), tx.badges(event.service, [event.badge])]);
      const badge = badges.get(event.badge);
      if (user?.hidden?.includes(event.badge) || (badge && !within(termsOf(badge.fields).display, tx.now.getTime()))) continue;
      entry = { type: event.type === 'award.created' ? 'award' : 'revoke', user: event.user, badge: event.badge, count: event.count, at: event.at };
    } else if (event.type === 'badge.created' || event.type === 'badge.updated' || event.type === 'badge.deleted') {
      entry = { type: 'badge', badge: event.badge, at: event.at };
    } else if (event.type === 'user.display_updated') {
      entry = { type: 'display', user: event.user, at: event.at };
    }
    if (!entry) continue;
    let list = told.get(event.service);
    if (!list) told.set(event.service, (list = []));
    list.push(entry);
  }
  for (const [service, entries] of told) {
    // A service deleted in this unit has nobody left to tell.
    if (!(await tx.service(service))) continue;
    const kept = await tx.item(service, SEQUENCE_KIND, 'n');
    let n = (kept?.v as { n?: number } | undefined)?.n ?? 0;
    for (const entry of entries) {
      n++;
      tx.put({ t: 'item', s: service, v: { kind: LIVE_KIND, id: liveId(n), owner: entry.user ?? null, at: LIVE_AT, v: entry } });
      // Pruned a hundred at a time: one removal statement per hundred units, not one per unit.
      if (n % PRUNE === 0) for (let old = n - LIVE_BACKLOG - PRUNE + 1; old <= n - LIVE_BACKLOG; old++) if (old > 0) tx.put({ t: 'item-', s: service, k: LIVE_KIND, id: liveId(old) });
    }
    tx.put({ t: 'item', s: service, v: { kind: SEQUENCE_KIND, id: 'n', owner: null, at: LIVE_AT, v: { n } } });
  }
};

/** The number of the last entry written, as the stream reads it. */
export const liveSequence = (item: Item | undefined): number => (item?.v as { n?: number } | undefined)?.n ?? 0;
export const LIVE_SEQUENCE = { kind: SEQUENCE_KIND, id: 'n' } as const;

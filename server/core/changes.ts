import type { BadgeRecord, Item, ServiceRecord, UserRecord } from './model.js';

/**
 * What a unit of work writes. A change states the new value of one record (or its removal), never a
 * delta: replaying a change that a store already holds is harmless, and the last change of a key in
 * a unit is all a store needs to persist.
 *
 * The short tags are the lowdb journal's line format; journals written before the domain core read
 * as they are.
 */
export type Change =
  | { t: 'service'; v: ServiceRecord }
  | { t: 'service-'; n: string }
  | { t: 'badge'; s: string; v: BadgeRecord }
  | { t: 'badge-'; s: string; n: string }
  | { t: 'user'; s: string; v: UserRecord }
  | { t: 'user-'; s: string; n: string }
  | { t: 'item'; s: string; v: Item }
  | { t: 'item-'; s: string; k: string; id: string };

/** The record a change is about; two changes with the same key replace each other. */
export function changeKey(change: Change): string {
  switch (change.t) {
    case 'service':
      return `s\n${change.v.name}`;
    case 'service-':
      return `s\n${change.n}`;
    case 'badge':
      return `b\n${change.s}\n${change.v.name}`;
    case 'badge-':
      return `b\n${change.s}\n${change.n}`;
    case 'user':
      return `u\n${change.s}\n${change.v.name}`;
    case 'user-':
      return `u\n${change.s}\n${change.n}`;
    case 'item':
      return `i\n${change.s}\n${change.v.kind}\n${change.v.id}`;
    case 'item-':
      return `i\n${change.s}\n${change.k}\n${change.id}`;
  }
}

/** The service a change belongs to. */
export const changeService = (change: Change): string =>
  change.t === 'service' ? change.v.name : change.t === 'service-' ? change.n : change.s;

/**
 * What a set of changes makes stale in a read cache: per service, the users and badges it touched,
 * or the whole service when the service record itself changed.
 */
export interface Invalidation {
  service: string;
  users?: string[];
  badges?: string[];
  /** Kinds of items changed. */
  items?: string[];
  all?: true;
}

export function invalidations(changes: readonly Change[]): Invalidation[] {
  const byService = new Map<string, { users: Set<string>; badges: Set<string>; items: Set<string>; all: boolean }>();
  for (const change of changes) {
    const service = changeService(change);
    let entry = byService.get(service);
    if (!entry) byService.set(service, (entry = { users: new Set(), badges: new Set(), items: new Set(), all: false }));
    if (change.t === 'service' || change.t === 'service-') entry.all = true;
    else if (change.t === 'badge') entry.badges.add(change.v.name);
    else if (change.t === 'badge-') entry.badges.add(change.n);
    else if (change.t === 'user') entry.users.add(change.v.name);
    else if (change.t === 'user-') entry.users.add(change.n);
    else entry.items.add(change.t === 'item' ? change.v.kind : change.k);
  }
  return [...byService].map(([service, { users, badges, items, all }]) =>
    all ? { service, all: true } : { service, users: [...users], badges: [...badges], ...(items.size > 0 ? { items: [...items] } : {}) },
  );
}

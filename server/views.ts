import type { Badge, BadgeSummary, SortKey, User, UsersResponse } from '../types/api.js';
import { sortBy, userLatest } from './core/order.js';
import type { AwardRecord, BadgeRecord, UserRecord } from './core/model.js';

/** Records to the wire shapes of `types/api.ts`. */

export const badgeView = (badge: BadgeRecord): Badge => ({ name: badge.name, ...badge.fields, count: badge.count, latest: badge.latest });

export const badgeSummary = (badge: BadgeRecord): BadgeSummary => ({ ...badge.fields, count: badge.count, latest: badge.latest });

export const sortBadges = (badges: BadgeRecord[], sort: SortKey) => sortBy(badges, sort, (b) => b.name, (b) => b.count, (b) => b.latest);

export function userView(user: UserRecord, sort?: SortKey): User {
  const awards = sort
    ? sortBy([...user.awards], sort, (a: AwardRecord) => a.badge, (a) => a.count, (a) => a.latest)
    : user.awards;
  return {
    name: user.name,
    latest: userLatest(user),
    badges: awards.map((a) => ({ name: a.badge, count: a.count, latest: a.latest })),
  };
}

/** The names of every badge any of the users holds. */
export function badgesHeld(users: UserRecord[]): Set<string> {
  const names = new Set<string>();
  for (const user of users) for (const award of user.awards) names.add(award.badge);
  return names;
}

/** The users, with the service-wide data of `badges`: those the users hold (see `badgesHeld`). */
export function usersView(users: UserRecord[], badges: BadgeRecord[], sort?: SortKey): UsersResponse {
  // No prototype: a badge may be named "__proto__", which on a plain object would set the prototype.
  const summaries: UsersResponse['badges'] = Object.create(null);
  for (const badge of badges) summaries[badge.name] = badgeSummary(badge);
  return { badges: summaries, users: users.map((user) => userView(user, sort)) };
}

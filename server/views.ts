import type { Badge, BadgeSummary, SortKey, User, UsersResponse } from '../types/api.js';
import { sortBy, userLatest } from './store/state.js';
import type { AwardRecord, BadgeRecord, UserRecord } from './store/types.js';

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

/** The users, with the service-wide data of every badge any of them holds. */
export function usersView(users: UserRecord[], badges: Map<string, BadgeRecord> | ((name: string) => BadgeRecord | undefined), sort?: SortKey): UsersResponse {
  const find = typeof badges === 'function' ? badges : (name: string) => badges.get(name);
  const summaries: UsersResponse['badges'] = {};
  for (const user of users) {
    for (const award of user.awards) {
      const badge = find(award.badge);
      if (badge && !Object.hasOwn(summaries, award.badge)) summaries[award.badge] = badgeSummary(badge);
    }
  }
  return { badges: summaries, users: users.map((user) => userView(user, sort)) };
}

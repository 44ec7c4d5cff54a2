import type { BadgeRecord, UserRecord } from '../../core/model.js';

/**
 * Makes the strings a user's record repeats one string each, in place: a badge's name is its
 * record's, an award's `latest` its `first` when they are equal, and each period start one copy.
 * Values are unchanged; only copies go. Records read from files, and those made from a request's
 * body, had each their own copies: 240 of a member's 1,003 bytes at 100,000 members (issue 25).
 */
export function shareStrings(user: UserRecord, badges: Map<string, BadgeRecord>): void {
  for (const award of user.awards) {
    const badge = badges.get(award.badge);
    if (badge) award.badge = badge.name;
    if (award.latest === award.first) award.latest = award.first;
    if (award.recent) {
      award.recent.week = periodStart(award.recent.week);
      award.recent.month = periodStart(award.recent.month);
    }
    if (award.period) award.period.start = periodStart(award.period.start);
  }
  if (user.awards[0]?.first === user.createdAt) user.createdAt = user.awards[0].first;
}

/** The period starts seen, one string each (a handful of weeks and months). */
const starts = new Map<string, string>();
function periodStart(text: string): string {
  const shared = starts.get(text);
  if (shared !== undefined) return shared;
  if (starts.size >= 1024) starts.clear();
  starts.set(text, text);
  return text;
}

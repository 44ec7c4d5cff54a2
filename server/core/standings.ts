import type { BadgeFields } from '../../types/api.js';
import type { AwardRecord, Recent, UserRecord } from './model.js';
import { compareCodePoints } from './order.js';
import { periodStart } from './periods.js';

/**
 * Points and standings: what the leaderboards rank (issue 21), derived from a user's record alone,
 * so that each store keeps its ranking indexes up to date from the records it writes (the embedded
 * store in memory, PostgreSQL in columns and a table of holdings), and both rank alike.
 *
 * - A badge is worth its `points` field, else its tier's (gold 10, silver 5, bronze 1, any other 1):
 *   tiers keep their order when a service sets no points.
 * - Every award counts, a badge awarded three times three times (frequency caps and `unique` bound
 *   that), with the points the badge had when it was awarded: changing a badge's points does not
 *   rescore the past. Awards made before points existed count 1 each.
 * - A revocation takes the badge with all its points, from every board.
 * - Hidden badges count towards the score (the score lists no badge), but their holders are left
 *   off the badge's own boards and holders list.
 * - Periods are calendar periods in UTC, weeks from Monday, as the caps' periods are.
 * - Ties: the one who reached the score first ranks first (the latest award that counted, earlier
 *   first), then by name in code-point order. A user's place among equals changes only when their
 *   score does, so pages do not shuffle.
 */

export const LEADERBOARD_PERIODS = ['all', 'month', 'week'] as const;
export type BoardPeriod = (typeof LEADERBOARD_PERIODS)[number];

const TIER_POINTS: Record<string, number> = { gold: 10, silver: 5, bronze: 1 };

/** What one award of the badge is worth now. */
export function pointsOf(fields: BadgeFields): number {
  const points = fields.points;
  if (typeof points === 'number' && Number.isInteger(points) && points >= 0) return points;
  return TIER_POINTS[typeof fields.type === 'string' ? fields.type : ''] ?? 1;
}

/** The award after one more award worth `points` at `at`: its points and its week's and month's tallies. */
export function tallied(award: AwardRecord, previous: AwardRecord | undefined, points: number, at: Date): AwardRecord {
  const week = periodStart(at, 'week');
  const month = periodStart(at, 'month');
  const before = previous?.recent;
  let recent: Recent | undefined;
  if (before && (before.week > week || before.month > month)) {
    // Back-dated into a period before the one kept: that period's tally is not kept (as caps do).
    recent = before;
  } else {
    const sameWeek = before?.week === week;
    const sameMonth = before?.month === month;
    recent = {
      week,
      weekCount: (sameWeek ? before!.weekCount : 0) + 1,
      weekPoints: (sameWeek ? before!.weekPoints : 0) + points,
      month,
      monthCount: (sameMonth ? before!.monthCount : 0) + 1,
      monthPoints: (sameMonth ? before!.monthPoints : 0) + points,
    };
  }
  // Field by field, not `{ ...award, points, recent }`: V8 gave every object so spread from a spread
  // a hidden class of its own, some 300 bytes each, 90 MB at 100,000 members (issue 25).
  const tallied: AwardRecord = { badge: award.badge, count: award.count, first: award.first, latest: award.latest };
  if (award.period !== undefined) tallied.period = award.period;
  tallied.points = earned(previous) + points;
  tallied.recent = recent;
  return tallied;
}

/** Points earned with a badge held as `award`. */
export const earned = (award: AwardRecord | undefined): number => (award ? (award.points ?? award.count) : 0);

/** One user's place on one board: `start` names the period (empty for all time), `reached` breaks ties. */
export interface Standing {
  start: string;
  score: number;
  reached: string;
}

/** The user's standing on the general board of a period: the latest period they have awards in. Undefined without awards. */
export function userStanding(user: UserRecord, period: BoardPeriod): Standing | undefined {
  if (user.awards.length === 0) return undefined;
  if (period === 'all') {
    let score = 0;
    let reached = '';
    for (const award of user.awards) {
      score += earned(award);
      if (award.latest > reached) reached = award.latest;
    }
    return { start: '', score, reached };
  }
  let start = '';
  for (const award of user.awards) {
    const s = award.recent?.[period];
    if (s !== undefined && s > start) start = s;
  }
  if (start === '') return undefined;
  let score = 0;
  let reached = '';
  for (const award of user.awards) {
    if (award.recent?.[period] !== start) continue;
    score += period === 'week' ? award.recent.weekPoints : award.recent.monthPoints;
    if (award.latest > reached) reached = award.latest;
  }
  return { start, score, reached };
}

/**
 * The user's standing on a badge's board: times they earned it (in the period), reached at their
 * latest award of it. Undefined when they do not hold it, hide it, or earned none in a period.
 */
export function holderStanding(user: UserRecord, award: AwardRecord, period: BoardPeriod): Standing | undefined {
  if (user.hidden?.includes(award.badge)) return undefined;
  if (period === 'all') return { start: '', score: award.count, reached: award.latest };
  const recent = award.recent;
  if (!recent) return undefined;
  return period === 'week' ? { start: recent.week, score: recent.weekCount, reached: award.latest } : { start: recent.month, score: recent.monthCount, reached: award.latest };
}

/** The start of the period that `now` is in, as standings name it. */
export const currentStart = (period: BoardPeriod, now: Date): string => (period === 'all' ? '' : periodStart(now, period));

/** The board's order: higher score first, then reached earlier, then name. */
export function compareStandings(a: Standing & { name: string }, b: Standing & { name: string }): number {
  if (a.start !== b.start) return a.start < b.start ? -1 : 1;
  if (a.score !== b.score) return b.score - a.score;
  if (a.reached !== b.reached) return a.reached < b.reached ? -1 : 1;
  return compareCodePoints(a.name, b.name);
}

/** Where a page of a board starts: after this entry, whose position was `rank`. */
export interface BoardCursor {
  score: number;
  reached: string;
  name: string;
  rank: number;
}

/** One line of a board. */
export interface Ranked {
  rank: number;
  name: string;
  score: number;
  reached: string;
}

/** Holders of a badge, newest first: after this one. */
export interface HolderCursor {
  latest: string;
  name: string;
}

/** One holder of a badge, as the holders list shows them. */
export interface Holder {
  name: string;
  count: number;
  first: string;
  latest: string;
}

/** Newest first, then by name. */
export function compareHolders(a: HolderCursor, b: HolderCursor): number {
  if (a.latest !== b.latest) return a.latest > b.latest ? -1 : 1;
  return compareCodePoints(a.name, b.name);
}

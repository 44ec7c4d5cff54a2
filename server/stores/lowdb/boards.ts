import type { UserRecord } from '../../core/model.js';
import {
  compareHolders,
  compareStandings,
  holderStanding,
  userStanding,
  type BoardCursor,
  type BoardPeriod,
  type Holder,
  type HolderCursor,
  type Ranked,
  type Standing,
} from '../../core/standings.js';

type Entry = Standing & { name: string };
type HolderEntry = Holder;

/**
 * The embedded store's leaderboards and holders lists (see core/standings.ts): sorted arrays kept
 * up to date as users change, each built the first time it is read, so that a service nobody asks
 * for a leaderboard pays nothing. A change moves one entry (two binary searches and two splices),
 * a page is a binary search and a slice: 100,000 users cost the same as 100.
 */
export class Boards {
  private readonly general = new Map<BoardPeriod, Sorted<Entry>>();
  /** badge -> period -> its board */
  private readonly byBadge = new Map<string, Map<BoardPeriod, Sorted<Entry>>>();
  /** badge -> its holders, newest first */
  private readonly newest = new Map<string, Sorted<HolderEntry>>();

  constructor(
    private readonly users: () => Iterable<UserRecord>,
    private readonly holdersOf: (badge: string) => Iterable<UserRecord>,
  ) {}

  /** Moves a user's entries from where `previous` put them to where `next` does. */
  update(previous: UserRecord | undefined, next: UserRecord | undefined): void {
    for (const [period, board] of this.general) {
      board.replace(previous && entry(previous.name, userStanding(previous, period)), next && entry(next.name, userStanding(next, period)));
    }
    const badges = new Set([...(previous?.awards ?? []), ...(next?.awards ?? [])].map((a) => a.badge));
    for (const badge of badges) {
      const before = previous?.awards.find((a) => a.badge === badge);
      const after = next?.awards.find((a) => a.badge === badge);
      for (const [period, board] of this.byBadge.get(badge) ?? []) {
        board.replace(before && entry(previous!.name, holderStanding(previous!, before, period)), after && entry(next!.name, holderStanding(next!, after, period)));
      }
      this.newest.get(badge)?.replace(before && holderEntry(previous!, before.badge), after && holderEntry(next!, after.badge));
    }
  }

  /** The badge is gone: its lists go with it (its holders lose it in the same unit). */
  dropBadge(badge: string): void {
    this.byBadge.delete(badge);
    this.newest.delete(badge);
  }

  board(period: BoardPeriod, start: string, badge: string | undefined, after: BoardCursor | null, limit: number): Ranked[] {
    const board = badge === undefined ? this.generalBoard(period) : this.badgeBoard(badge, period);
    const first = board.lowerBound({ start, score: Infinity, reached: '', name: '' });
    let at = after ? board.upperBound({ start, ...after }) : first;
    let rank = after ? after.rank : 0;
    const page: Ranked[] = [];
    for (; at < board.size && page.length < limit; at++) {
      const e = board.at(at);
      if (e.start !== start) break;
      page.push({ rank: ++rank, name: e.name, score: e.score, reached: e.reached });
    }
    return page;
  }

  holders(badge: string, after: HolderCursor | null, limit: number): Holder[] {
    let list = this.newest.get(badge);
    if (!list) {
      const entries: HolderEntry[] = [];
      for (const user of this.holdersOf(badge)) {
        const held = holderEntry(user, badge);
        if (held) entries.push(held);
      }
      this.newest.set(badge, (list = new Sorted(compareHolders, entries)));
    }
    const from = after ? list.upperBound({ ...after, count: 0, first: '' }) : 0;
    return list.slice(from, limit);
  }

  private generalBoard(period: BoardPeriod): Sorted<Entry> {
    let board = this.general.get(period);
    if (!board) {
      const entries: Entry[] = [];
      for (const user of this.users()) {
        const e = entry(user.name, userStanding(user, period));
        if (e) entries.push(e);
      }
      this.general.set(period, (board = new Sorted(compareStandings, entries)));
    }
    return board;
  }

  private badgeBoard(badge: string, period: BoardPeriod): Sorted<Entry> {
    let boards = this.byBadge.get(badge);
    if (!boards) this.byBadge.set(badge, (boards = new Map()));
    let board = boards.get(period);
    if (!board) {
      const entries: Entry[] = [];
      for (const user of this.holdersOf(badge)) {
        const award = user.awards.find((a) => a.badge === badge);
        const e = award && entry(user.name, holderStanding(user, award, period));
        if (e) entries.push(e);
      }
      boards.set(period, (board = new Sorted(compareStandings, entries)));
    }
    return board;
  }
}

const entry = (name: string, standing: Standing | undefined): Entry | undefined => standing && { ...standing, name };

function holderEntry(user: UserRecord, badge: string): HolderEntry | undefined {
  if (user.hidden?.includes(badge)) return undefined;
  const award = user.awards.find((a) => a.badge === badge);
  return award && { name: user.name, count: award.count, first: award.first, latest: award.latest };
}

/** A sorted array with moves by binary search. */
class Sorted<T> {
  private readonly list: T[];

  constructor(
    private readonly compare: (a: T, b: T) => number,
    entries: T[],
  ) {
    this.list = entries.sort(compare);
  }

  get size(): number {
    return this.list.length;
  }

  at(i: number): T {
    return this.list[i]!;
  }

  slice(from: number, limit: number): T[] {
    return this.list.slice(from, from + limit);
  }

  replace(previous: T | undefined, next: T | undefined): void {
    if (previous) {
      const at = this.lowerBound(previous);
      if (at < this.list.length && this.compare(this.list[at]!, previous) === 0) this.list.splice(at, 1);
    }
    if (next) this.list.splice(this.lowerBound(next), 0, next);
  }

  /** The first position whose entry sorts at or after `probe`. */
  lowerBound(probe: T): number {
    let low = 0;
    let high = this.list.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.compare(this.list[middle]!, probe) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** The first position whose entry sorts after `probe`. */
  upperBound(probe: T): number {
    let low = 0;
    let high = this.list.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.compare(this.list[middle]!, probe) <= 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

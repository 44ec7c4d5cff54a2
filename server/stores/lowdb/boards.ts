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
 * for a leaderboard pays nothing. A change moves one entry (binary searches and two splices of one
 * block), a page is a binary search and a walk: 100,000 users cost about the same as 100.
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
    let rank = after ? after.rank : 0;
    const page: Ranked[] = [];
    if (limit <= 0) return page;
    for (const e of after ? board.from({ start, ...after }, true) : board.from({ start, score: Infinity, reached: '', name: '' }, false)) {
      if (e.start !== start) break;
      page.push({ rank: ++rank, name: e.name, score: e.score, reached: e.reached });
      if (page.length >= limit) break;
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
    const page: Holder[] = [];
    if (limit <= 0) return page;
    for (const holder of after ? list.from({ ...after, count: 0, first: '' }, true) : list.all()) {
      page.push(holder);
      if (page.length >= limit) break;
    }
    return page;
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

/** Entries per block of a Sorted list: a move shifts at most twice this many, whatever the list holds. */
const BLOCK = 512;

/**
 * A sorted list in blocks of up to 2 × BLOCK entries, found by binary search over the blocks' last
 * entries, then within one block. A move splices one block, not the whole list: with 100,000 users
 * in one array every award shifted (and the garbage collector copied) up to 800 KB per board.
 */
class Sorted<T> {
  private readonly blocks: T[][] = [];

  constructor(
    private readonly compare: (a: T, b: T) => number,
    entries: T[],
  ) {
    entries.sort(compare);
    for (let i = 0; i < entries.length; i += BLOCK) this.blocks.push(entries.slice(i, i + BLOCK));
  }

  replace(previous: T | undefined, next: T | undefined): void {
    if (previous) {
      const b = this.blockOf(previous, false);
      const block = this.blocks[b];
      if (block) {
        const at = bound(block, previous, this.compare, false);
        if (at < block.length && this.compare(block[at]!, previous) === 0) {
          block.splice(at, 1);
          if (block.length === 0) this.blocks.splice(b, 1);
        }
      }
    }
    if (next) {
      if (this.blocks.length === 0) {
        this.blocks.push([next]);
        return;
      }
      // After every entry: into the last block.
      const b = Math.min(this.blockOf(next, false), this.blocks.length - 1);
      const block = this.blocks[b]!;
      block.splice(bound(block, next, this.compare, false), 0, next);
      if (block.length > 2 * BLOCK) this.blocks.splice(b + 1, 0, block.splice(BLOCK));
    }
  }

  /** The entries from the first that sorts at or after `probe` (after it, when `strict`), in order. */
  *from(probe: T, strict: boolean): Generator<T> {
    const first = this.blockOf(probe, strict);
    for (let b = first; b < this.blocks.length; b++) {
      const block = this.blocks[b]!;
      for (let i = b === first ? bound(block, probe, this.compare, strict) : 0; i < block.length; i++) yield block[i]!;
    }
  }

  /** Every entry in order. */
  *all(): Generator<T> {
    for (const block of this.blocks) yield* block;
  }

  /** The first block whose last entry sorts at or after `probe` (after it, when `strict`); the number of blocks if none. */
  private blockOf(probe: T, strict: boolean): number {
    let low = 0;
    let high = this.blocks.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const order = this.compare(this.blocks[middle]!.at(-1)!, probe);
      if (order < 0 || (strict && order === 0)) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

/** The first position in `list` whose entry sorts at or after `probe` (after it, when `strict`). */
function bound<T>(list: T[], probe: T, compare: (a: T, b: T) => number, strict: boolean): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const order = compare(list[middle]!, probe);
    if (order < 0 || (strict && order === 0)) low = middle + 1;
    else high = middle;
  }
  return low;
}

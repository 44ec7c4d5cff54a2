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
 *
 * A list is filled a slice at a time (see Filling), so the first read of a board of 100,000 users
 * waits for it without stopping every other request of every service meanwhile.
 */
export class Boards {
  private readonly general = new Map<BoardPeriod, Filling<Entry>>();
  /** badge -> period -> its board */
  private readonly byBadge = new Map<string, Map<BoardPeriod, Filling<Entry>>>();
  /** badge -> its holders, newest first */
  private readonly newest = new Map<string, Filling<HolderEntry>>();

  constructor(
    /** The service's users' names now, and its holders' of a badge. */
    private readonly names: () => string[],
    private readonly holderNames: (badge: string) => string[],
    /** A user's record now. */
    private readonly userOf: (name: string) => UserRecord | undefined,
  ) {}

  /** Moves a user's entries from where `previous` put them to where `next` does. */
  update(previous: UserRecord | undefined, next: UserRecord | undefined): void {
    const name = (next ?? previous)?.name;
    if (name === undefined) return;
    for (const [period, board] of this.general) {
      board.replace(name, previous && entry(previous.name, userStanding(previous, period)), next && entry(next.name, userStanding(next, period)));
    }
    const badges = new Set([...(previous?.awards ?? []), ...(next?.awards ?? [])].map((a) => a.badge));
    for (const badge of badges) {
      const before = previous?.awards.find((a) => a.badge === badge);
      const after = next?.awards.find((a) => a.badge === badge);
      for (const [period, board] of this.byBadge.get(badge) ?? []) {
        board.replace(name, before && entry(previous!.name, holderStanding(previous!, before, period)), after && entry(next!.name, holderStanding(next!, after, period)));
      }
      this.newest.get(badge)?.replace(name, before && holderEntry(previous!, before.badge), after && holderEntry(next!, after.badge));
    }
  }

  /** The badge is gone: its lists go with it (its holders lose it in the same unit). */
  dropBadge(badge: string): void {
    this.byBadge.delete(badge);
    this.newest.delete(badge);
  }

  async board(period: BoardPeriod, start: string, badge: string | undefined, after: BoardCursor | null, limit: number): Promise<Ranked[]> {
    const board = await (badge === undefined ? this.generalBoard(period) : this.badgeBoard(badge, period)).filled;
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

  async holders(badge: string, after: HolderCursor | null, limit: number): Promise<Holder[]> {
    let filling = this.newest.get(badge);
    if (!filling) {
      filling = new Filling(compareHolders, this.holderNames(badge), (name) => {
        const user = this.userOf(name);
        return user && holderEntry(user, badge);
      });
      this.newest.set(badge, filling);
    }
    const list = await filling.filled;
    const page: Holder[] = [];
    if (limit <= 0) return page;
    for (const holder of after ? list.from({ ...after, count: 0, first: '' }, true) : list.all()) {
      page.push(holder);
      if (page.length >= limit) break;
    }
    return page;
  }

  private generalBoard(period: BoardPeriod): Filling<Entry> {
    let board = this.general.get(period);
    if (!board) {
      board = new Filling(compareStandings, this.names(), (name) => {
        const user = this.userOf(name);
        return user && entry(user.name, userStanding(user, period));
      });
      this.general.set(period, board);
    }
    return board;
  }

  private badgeBoard(badge: string, period: BoardPeriod): Filling<Entry> {
    let boards = this.byBadge.get(badge);
    if (!boards) this.byBadge.set(badge, (boards = new Map()));
    let board = boards.get(period);
    if (!board) {
      board = new Filling(compareStandings, this.holderNames(badge), (name) => {
        const user = this.userOf(name);
        const award = user?.awards.find((a) => a.badge === badge);
        return award && entry(user!.name, holderStanding(user!, award, period));
      });
      boards.set(period, board);
    }
    return board;
  }
}

/** Work done between two yields to the event loop while a list fills. */
const SLICE_MS = 4;

/**
 * A sorted list filled from a list of names a slice at a time, yielding to the event loop between
 * slices, and told of every change from the start. A name's entry is put in once, by whichever comes
 * first: the filling (the user as they are then) or a change (what it moved to; what it moved from
 * was never put in). `filled` resolves once every name was seen.
 */
class Filling<T> {
  readonly list: Sorted<T>;
  /** While filling: the names whose entry is in, or was told of. */
  private seen: Set<string> | null = new Set();
  readonly filled: Promise<Sorted<T>>;

  constructor(compare: (a: T, b: T) => number, names: string[], entryOf: (name: string) => T | undefined) {
    this.list = new Sorted(compare);
    this.filled = this.fill(names, entryOf);
  }

  replace(name: string, previous: T | undefined, next: T | undefined): void {
    if (this.seen && !this.seen.has(name)) {
      this.seen.add(name);
      this.list.replace(undefined, next);
    } else this.list.replace(previous, next);
  }

  private async fill(names: string[], entryOf: (name: string) => T | undefined): Promise<Sorted<T>> {
    const seen = this.seen!;
    let since = performance.now();
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      if (!seen.has(name)) {
        seen.add(name);
        const e = entryOf(name);
        if (e) this.list.replace(undefined, e);
      }
      if ((i & 255) === 255 && performance.now() - since > SLICE_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        since = performance.now();
      }
    }
    this.seen = null;
    return this.list;
  }
}

// Field by field, not `{ ...standing, name }`: V8 may give objects spread so a hidden class each, and
// every comparison of the board then reads them megamorphically.
const entry = (name: string, standing: Standing | undefined): Entry | undefined => standing && { start: standing.start, score: standing.score, reached: standing.reached, name };

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

  constructor(private readonly compare: (a: T, b: T) => number) {}

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

import type { Invalidation } from '../core/changes.js';
import type { UserRecord } from '../core/model.js';
import type { Queries, Store } from '../core/ports.js';
import { ServiceVersions } from './service-versions.js';
import { compareStandings, holderStanding, userStanding, type BoardCursor, type BoardPeriod, type Ranked, type Standing } from '../core/standings.js';

/** Which board, in which period. */
export interface BoardSpec {
  period: BoardPeriod;
  start: string;
  badge?: string;
}

type Place = Standing & { name: string };

interface Entry {
  key: string;
  service: string;
  spec: BoardSpec;
  rows: Ranked[];
  /** The page holds what sorts after this (the cursor; undefined: from the top)... */
  after: Place | undefined;
  /** ...up to this, its last entry; undefined when the board ended within the page. */
  last: Place | undefined;
  names: Set<string>;
  /** Checks of changed users under way: the entry is not answered from meanwhile. */
  checking: number;
}

/**
 * Pages of leaderboards, kept until a change could alter them. A board is read far more often than
 * its pages change: an award moves one user, and a page is affected only if that user was on it or
 * now sorts into it. The store's change feed names the users a durable write changed (on this
 * instance and every other on the same store); their records are read once per change, and exactly
 * the pages they were on or now belong on are dropped. A page's ranks come from its cursor, so a
 * move before a page does not change it.
 *
 * On PostgreSQL this turns most board reads into no query at all: one read of the changed users per
 * write, instead of one query per page read (the live bench's PL4, reads while awards flow).
 */
export class BoardCache {
  /** In least-recently-used order. */
  private readonly entries = new Map<string, Entry>();
  /** The entries of each service: a write looks at its own service's pages only. */
  private readonly byService = new Map<string, Set<Entry>>();
  private readonly versions = new ServiceVersions();

  constructor(
    private readonly store: Pick<Queries, 'board' | 'getUsers'> & Pick<Store, 'feed'>,
    private readonly maxEntries = 2048,
    private readonly onError: (error: unknown) => void = () => {},
  ) {
    store.feed.subscribe((change) => this.invalidate(change));
  }

  async board(service: string, spec: BoardSpec, after: BoardCursor | null, limit: number): Promise<Ranked[]> {
    // JSON, not joined: a cursor is the client's, and its name may hold any character.
    const key = JSON.stringify([service, spec.period, spec.start, spec.badge ?? null, after && [after.score, after.reached, after.name, after.rank], limit]);
    const entry = this.entries.get(key);
    if (entry && entry.checking === 0) {
      this.entries.delete(key);
      this.entries.set(key, entry);
      return entry.rows;
    }
    const version = this.versions.of(service);
    const rows = await this.store.board(service, spec, after, limit);
    if (this.versions.of(service) === version) {
      const place = (row: { score: number; reached: string; name: string }): Place => ({ start: spec.start, score: row.score, reached: row.reached, name: row.name });
      this.forget(key);
      const fresh: Entry = {
        key,
        service,
        spec,
        rows,
        after: after ? place(after) : undefined,
        last: rows.length >= limit ? place(rows.at(-1)!) : undefined,
        names: new Set(rows.map((r) => r.name)),
        checking: 0,
      };
      this.entries.set(key, fresh);
      let held = this.byService.get(service);
      if (!held) this.byService.set(service, (held = new Set()));
      held.add(fresh);
      if (this.entries.size > this.maxEntries) this.forget(this.entries.keys().next().value!);
    }
    return rows;
  }

  /** Pages held now; for tests and monitoring. */
  get size(): number {
    return this.entries.size;
  }

  invalidate(change: Invalidation): void {
    if (change.service === '*') {
      this.versions.bumpAll();
      this.entries.clear();
      this.byService.clear();
      return;
    }
    // A badge's own record (its count, its fields) is not on its board: only its holders' records
    // are, and a badge deleted takes itself from them in the same unit.
    const users = change.users ?? [];
    if (!change.all && users.length === 0) return;
    this.versions.bump(change.service);
    const suspects: Entry[] = [];
    for (const entry of [...(this.byService.get(change.service) ?? [])]) {
      if (change.all || users.some((name) => entry.names.has(name))) {
        this.forget(entry.key);
      } else {
        entry.checking++;
        suspects.push(entry);
      }
    }
    if (suspects.length > 0) void this.check(change.service, users, suspects);
  }

  /** Drops the pages the changed users now sort into; the others are answered from again. */
  private async check(service: string, names: string[], suspects: Entry[]): Promise<void> {
    let records: UserRecord[];
    try {
      records = await this.store.getUsers(service, names);
    } catch (error) {
      // Not knowing where they went, the pages cannot be trusted.
      this.onError(error);
      for (const entry of suspects) if (this.entries.get(entry.key) === entry) this.forget(entry.key);
      return;
    }
    for (const entry of suspects) {
      entry.checking--;
      // Only the entry checked: the key may hold a newer one by now.
      if (records.some((user) => sortsInto(entry, user)) && this.entries.get(entry.key) === entry) this.forget(entry.key);
    }
  }

  private forget(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    const held = this.byService.get(entry.service)!;
    held.delete(entry);
    if (held.size === 0) this.byService.delete(entry.service);
  }
}

/** Whether the user's standing on the entry's board now falls within the page. */
function sortsInto(entry: Entry, user: UserRecord): boolean {
  const { period, start, badge } = entry.spec;
  let standing: Standing | undefined;
  if (badge === undefined) standing = userStanding(user, period);
  else {
    const award = user.awards.find((a) => a.badge === badge);
    standing = award && holderStanding(user, award, period);
  }
  if (!standing || standing.start !== start) return false;
  const place: Place = { start: standing.start, score: standing.score, reached: standing.reached, name: user.name };
  return (entry.after === undefined || compareStandings(place, entry.after) > 0) && (entry.last === undefined || compareStandings(place, entry.last) <= 0);
}

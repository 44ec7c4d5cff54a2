import type { BadgeRecord } from '../core/model.js';
import type { Queries, Store } from '../core/ports.js';
import { ServiceVersions } from './service-versions.js';

/**
 * Single badges' records as the store last said, kept until the change feed names the badge (its
 * fields, its count or its latest award changed) or its service. The public reads of one badge (a
 * badge's board, its holders, the badge itself) each look their badge up first: on PostgreSQL that
 * was a query per read, as many as the page's own.
 */
export class BadgeRecords {
  /** In least-recently-used order; null: the store has no such badge. */
  private readonly records = new Map<string, BadgeRecord | null>();
  /** Bumped by the changes to a service's badges only: its awards' other changes leave the records be. */
  private readonly versions = new ServiceVersions();

  constructor(
    private readonly store: Pick<Queries, 'getBadges'> & Pick<Store, 'feed'>,
    private readonly maxRecords = 4096,
  ) {
    store.feed.subscribe((change) => {
      if (change.service === '*') {
        this.versions.bumpAll();
        this.records.clear();
      } else if (change.all || (change.badges ?? []).length > 0) {
        this.versions.bump(change.service);
        if (change.all) {
          for (const key of [...this.records.keys()]) if (key.startsWith(`${change.service}\n`)) this.records.delete(key);
        } else for (const name of change.badges!) this.records.delete(`${change.service}\n${name}`);
      }
    });
  }

  /** Queries whose single badges' records come from here (a read's badges, as `badgesFor` takes them). */
  over(store: Pick<Queries, 'listBadges'>): Pick<Queries, 'listBadges' | 'getBadges'> {
    return { listBadges: (service) => store.listBadges(service), getBadges: (service, names) => this.many(service, names) };
  }

  async get(service: string, name: string): Promise<BadgeRecord | undefined> {
    return (await this.many(service, [name]))[0];
  }

  /** The records of `names` that exist, in the order asked (as Queries.getBadges); those not kept are read in one query. */
  async many(service: string, names: Iterable<string>): Promise<BadgeRecord[]> {
    const asked = [...names];
    // What is kept now: the feed may drop records while the others are read.
    const known = new Map<string, BadgeRecord | null>();
    const missing: string[] = [];
    for (const name of asked) {
      const key = `${service}\n${name}`;
      const held = this.records.get(key);
      if (held === undefined) missing.push(name);
      else {
        known.set(name, held);
        // Used last: moved to the end, so the least recently used go first.
        this.records.delete(key);
        this.records.set(key, held);
      }
    }
    if (missing.length > 0) {
      const version = this.versions.of(service);
      const read = new Map((await this.store.getBadges(service, missing)).map((record) => [record.name, record]));
      // Kept only if no change to the service's badges came during the read.
      const keep = this.versions.of(service) === version;
      for (const name of missing) {
        const record = read.get(name) ?? null;
        known.set(name, record);
        if (keep) this.records.set(`${service}\n${name}`, record);
      }
      while (this.records.size > this.maxRecords) this.records.delete(this.records.keys().next().value!);
    }
    return asked.flatMap((name) => known.get(name) ?? []);
  }
}

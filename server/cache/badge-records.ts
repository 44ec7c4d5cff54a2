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

  async get(service: string, name: string): Promise<BadgeRecord | undefined> {
    const key = `${service}\n${name}`;
    const held = this.records.get(key);
    if (held !== undefined) {
      this.records.delete(key);
      this.records.set(key, held);
      return held ?? undefined;
    }
    const version = this.versions.of(service);
    const [record] = await this.store.getBadges(service, [name]);
    if (this.versions.of(service) === version) {
      this.records.set(key, record ?? null);
      if (this.records.size > this.maxRecords) this.records.delete(this.records.keys().next().value!);
    }
    return record;
  }
}

import { createHash } from 'node:crypto';
import type { Invalidation } from '../core/changes.js';
import { sortUsers } from '../core/order.js';
import type { Queries, Store } from '../core/ports.js';
import { SEGMENTS_KIND } from '../core/segments.js';
import { ServiceVersions } from './service-versions.js';
import { Listing, badgesFor, segmentsFor, type ReadOptions } from './views.js';

/** A serialised answer with its validator. */
export interface Answer {
  body: Buffer;
  etag: string;
}

interface Entry extends Answer {
  service: string;
  /** The user names asked for (found or not: a user created later changes the answer) and the badges read. */
  users: string[];
  badges: string[];
  /** The answer lists every badge of the service (`states=all`): any badge written changes it. */
  anyBadge: boolean;
  /** When a display window of a badge read opens or closes (ms), the answer changes with no write. */
  until: number | undefined;
  /** What the entry holds on to, roughly: body and key. */
  bytes: number;
}

/** Which cached answers mention a user or a badge of one service. */
interface ServiceIndex {
  users: Map<string, Set<string>>;
  badges: Map<string, Set<string>>;
  anyBadge: Set<string>;
}

/**
 * Answers of `users.json?names=`, the read every widget makes, kept serialised and keyed by the
 * request. A hit asks the store nothing. The store's change feed says which users and badges a
 * durable write touched, on this instance and every other one on the same store, and exactly the
 * answers that show one of them are dropped.
 *
 * A read that missed queries the store and then stores its answer only if no change to its service
 * arrived meanwhile: otherwise it might store what the change just made stale.
 *
 * Answers also change with time alone, when a badge's display window opens or closes: an entry is
 * good until the next such edge of a badge it read, by the app's clock, and a miss after that.
 */
export class ReadCache {
  /** In least-recently-used order: a hit moves its entry to the end. */
  private readonly entries = new Map<string, Entry>();
  private readonly index = new Map<string, ServiceIndex>();
  private readonly versions = new ServiceVersions();
  private bytes = 0;

  /** `maxBytes` bounds what the cache holds, whatever anyone asks for. */
  constructor(
    private readonly store: Queries & Pick<Store, 'feed'>,
    private readonly maxBytes = 32 * 1024 * 1024,
    private readonly clock: () => number = Date.now,
  ) {
    store.feed.subscribe((change) => this.invalidate(change));
  }

  /** The answer, or undefined when the service does not exist. */
  async usersByName(service: string, names: string[], options: ReadOptions = {}, key = answerKey(service, names, options)): Promise<Answer | undefined> {
    const kept = this.kept(key);
    if (kept) return kept;
    const { sort, states = 'earned' } = options;
    const now = this.clock();
    const version = this.versions.of(service);
    if (!(await this.store.getService(service))) return undefined;
    const users = await this.store.getUsers(service, names);
    const badges = await badgesFor(this.store, service, users, states);
    const listing = new Listing(badges, options, now, await segmentsFor(this.store, service, users, badges, states));
    const body = Buffer.from(JSON.stringify(listing.users(sort ? sortUsers([...users], sort) : users)));
    const fresh: Entry = {
      service,
      users: names,
      badges: states === 'all' ? [] : badges.map((b) => b.name),
      anyBadge: states === 'all',
      until: listing.until,
      body,
      etag: etagOf(body),
      bytes: body.length + key.length * 4 + 200,
    };
    if (this.versions.of(service) === version && fresh.bytes <= this.maxBytes / 64) this.remember(key, fresh);
    return fresh;
  }

  /**
   * The answer kept under `key` (see answerKey), if it is still good; at once, without a promise:
   * the fast path answers a hit in the same turn as its request.
   */
  kept(key: string): Answer | undefined {
    const entry = this.entries.get(key);
    if (!entry || (entry.until !== undefined && this.clock() >= entry.until)) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry;
  }

  /** Bytes held now; for tests and monitoring. */
  get size(): number {
    return this.bytes;
  }

  invalidate(change: Invalidation): void {
    if (change.service === '*') {
      this.versions.bumpAll();
      for (const key of [...this.entries.keys()]) this.forget(key);
      return;
    }
    this.versions.bump(change.service);
    const index = this.index.get(change.service);
    if (!index) return;
    if (change.all) {
      for (const keys of index.users.values()) for (const key of [...keys]) this.forget(key);
      for (const keys of index.badges.values()) for (const key of [...keys]) this.forget(key);
      for (const key of [...index.anyBadge]) this.forget(key);
      return;
    }
    for (const user of change.users ?? []) for (const key of [...(index.users.get(user) ?? [])]) this.forget(key);
    for (const badge of change.badges ?? []) for (const key of [...(index.badges.get(badge) ?? [])]) this.forget(key);
    if (change.badges?.length) for (const key of [...index.anyBadge]) this.forget(key);
    // A member's segments decide which badges are offered them as unearned (see Listing).
    if (change.items?.includes(SEGMENTS_KIND)) for (const key of [...index.anyBadge]) this.forget(key);
  }

  private remember(key: string, entry: Entry): void {
    this.forget(key);
    this.entries.set(key, entry);
    this.bytes += entry.bytes;
    let index = this.index.get(entry.service);
    if (!index) this.index.set(entry.service, (index = { users: new Map(), badges: new Map(), anyBadge: new Set() }));
    for (const user of entry.users) add(index.users, user, key);
    for (const badge of entry.badges) add(index.badges, badge, key);
    if (entry.anyBadge) index.anyBadge.add(key);
    for (const oldest of this.entries.keys()) {
      if (this.bytes <= this.maxBytes) break;
      this.forget(oldest);
    }
  }

  private forget(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.bytes -= entry.bytes;
    const index = this.index.get(entry.service);
    if (!index) return;
    for (const user of entry.users) remove(index.users, user, key);
    for (const badge of entry.badges) remove(index.badges, badge, key);
    index.anyBadge.delete(key);
    if (index.users.size === 0 && index.badges.size === 0 && index.anyBadge.size === 0) this.index.delete(entry.service);
  }
}

function add(map: Map<string, Set<string>>, name: string, key: string): void {
  let keys = map.get(name);
  if (!keys) map.set(name, (keys = new Set()));
  keys.add(key);
}

function remove(map: Map<string, Set<string>>, name: string, key: string): void {
  const keys = map.get(name);
  if (!keys) return;
  keys.delete(key);
  if (keys.size === 0) map.delete(name);
}

/** What a read is kept under: every option that changes its answer. */
export function answerKey(service: string, names: readonly string[], options: ReadOptions = {}): string {
  const { sort, states = 'earned', tags, issuer, program } = options;
  return `${service}\n${sort ?? ''}\n${states}\n${tags?.join(',') ?? ''}\n${issuer ?? ''}\n${program ?? ''}\n${names.join(',')}`;
}

export const etagOf = (body: Buffer | string) => `"${createHash('sha1').update(body).digest('base64url')}"`;

/** Headers of every cached answer, the same whether Koa or the fast path sends it. */
export const answerHeaders = (etag: string): Record<string, string> => ({
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'ETag',
  'Cache-Control': 'no-cache',
  ETag: etag,
});

import { createHash } from 'node:crypto';
import type { SortKey } from '../types/api.js';
import { sortUsers } from './core/order.js';
import type { BadgeRecord, Store, UserRecord } from './stores/types.js';
import { badgesHeld, usersView } from './views.js';

/** A serialised answer with its validator. */
export interface Answer {
  body: Buffer;
  etag: string;
}

interface Entry extends Answer {
  users: UserRecord[];
  badges: BadgeRecord[];
  /** What the entry holds on to, roughly: body and key. */
  bytes: number;
}

/**
 * Answers of `users.json?names=`, the read every widget makes, kept serialised. An entry stays valid
 * while the store hands out the very same user and badge objects it was built from: the store
 * replaces a record on every change and never edits one in place, so an identity check is an exact
 * test of "nothing in this answer changed", and a write to one user leaves every other answer cached.
 * (A store that builds new objects per read simply never hits.)
 */
export class ReadCache {
  /** In least-recently-used order: a hit moves its entry to the end. */
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  /** `maxBytes` bounds what the cache holds, whatever anyone asks for. */
  constructor(
    private readonly store: Store,
    private readonly maxBytes = 32 * 1024 * 1024,
  ) {}

  async usersByName(service: string, names: string[], sort?: SortKey): Promise<Answer> {
    const users = await this.store.getUsers(service, names);
    // Keyed by the users that exist, so names of nobody cannot fill the cache with copies.
    const key = `${service}\n${sort ?? ''}\n${users.map((u) => u.name).join(',')}`;
    const entry = this.entries.get(key);
    if (entry && sameItems(entry.users, users) && sameItems(entry.badges, await this.store.getBadges(service, entry.badges.map((b) => b.name)))) {
      this.entries.delete(key);
      this.entries.set(key, entry);
      return entry;
    }
    const badges = await this.store.getBadges(service, badgesHeld(users));
    const body = Buffer.from(JSON.stringify(usersView(sort ? sortUsers([...users], sort) : users, badges, sort)));
    const fresh: Entry = { users, badges, body, etag: etagOf(body), bytes: body.length + key.length * 2 + 200 };
    this.forget(key);
    if (fresh.bytes <= this.maxBytes / 64) {
      this.entries.set(key, fresh);
      this.bytes += fresh.bytes;
      for (const oldest of this.entries.keys()) {
        if (this.bytes <= this.maxBytes) break;
        this.forget(oldest);
      }
    }
    return fresh;
  }

  /** Bytes held now; for tests and monitoring. */
  get size(): number {
    return this.bytes;
  }

  private forget(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }
}

export const etagOf = (body: Buffer | string) => `"${createHash('sha1').update(body).digest('base64url')}"`;

function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Headers of every cached answer, the same whether Koa or the fast path sends it. */
export const answerHeaders = (etag: string): Record<string, string> => ({
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'ETag',
  'Cache-Control': 'no-cache',
  ETag: etag,
});

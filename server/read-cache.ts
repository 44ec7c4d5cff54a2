import { createHash } from 'node:crypto';
import type { SortKey } from '../types/api.js';
import { sortUsers } from './store/state.js';
import type { BadgeRecord, Store, UserRecord } from './store/types.js';
import { badgesHeld, usersView } from './views.js';

/** A serialised answer with its validator. */
export interface Answer {
  body: Buffer;
  etag: string;
}

interface Entry extends Answer {
  users: (UserRecord | undefined)[];
  badges: BadgeRecord[];
}

/**
 * Answers of `users.json?names=`, the read every widget makes, kept serialised. An entry stays valid
 * while the store hands out the very same user and badge objects it was built from: the store
 * replaces a record on every change and never edits one in place, so an identity check is an exact
 * test of "nothing in this answer changed", and a write to one user leaves every other answer cached.
 * (A store that builds new objects per read simply never hits.)
 */
export class ReadCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly store: Store,
    private readonly capacity = 10_000,
  ) {}

  async usersByName(service: string, names: string[], sort?: SortKey): Promise<Answer> {
    const key = `${service}\n${sort ?? ''}\n${names.join(',')}`;
    const found = await this.store.getUsers(service, names, true);
    const entry = this.entries.get(key);
    if (entry && sameItems(entry.users, found) && sameItems(entry.badges, await this.store.getBadges(service, entry.badges.map((b) => b.name)))) {
      return entry;
    }
    const users = found.filter((u): u is UserRecord => u !== undefined);
    const badges = await this.store.getBadges(service, badgesHeld(users));
    const body = Buffer.from(JSON.stringify(usersView(sort ? sortUsers([...users], sort) : users, badges, sort)));
    const fresh: Entry = { users: found, badges, body, etag: etagOf(body) };
    this.entries.delete(key);
    if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, fresh);
    return fresh;
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

import type { SortKey } from '../../../types/api.js';
import { compareOrder, sortField, userCount, userLatest, type SortValue as Key } from '../../core/order.js';
import type { UserRecord } from '../../core/model.js';


/**
 * The names of a service's users in one sort order, kept sorted as users change: a change moves
 * one entry (two binary searches and two splices) instead of sorting everyone again, so paging
 * through 100,000 users while awards arrive stays cheap. The order is the API's (see order.ts).
 */
export class SortedIndex {
  private keys: Key[] = [];
  private names: string[] = [];
  private readonly keyOf: (user: UserRecord) => Key;
  private readonly descending: boolean;

  constructor(sort: SortKey, users: Iterable<UserRecord>) {
    const { field, descending } = sortField(sort);
    this.descending = descending;
    this.keyOf = field === 'name' ? (u) => u.name : field === 'count' ? userCount : (u) => userLatest(u) ?? '';
    const entries = [...users].map((u) => ({ key: this.keyOf(u), name: u.name }));
    entries.sort((a, b) => this.compare(a.key, a.name, b.key, b.name));
    this.keys = entries.map((e) => e.key);
    this.names = entries.map((e) => e.name);
  }

  get size(): number {
    return this.names.length;
  }

  /** Moves a user to where its new record sorts (or out, when removed); `previous` is what the index last saw of it. */
  update(previous: UserRecord | undefined, next: UserRecord | undefined): void {
    if (previous) {
      const at = this.position(this.keyOf(previous), previous.name);
      if (this.names[at] === previous.name) {
        this.keys.splice(at, 1);
        this.names.splice(at, 1);
      }
    }
    if (!next) return;
    const key = this.keyOf(next);
    const at = this.position(key, next.name);
    this.keys.splice(at, 0, key);
    this.names.splice(at, 0, next.name);
  }

  slice(offset: number, limit: number): string[] {
    return this.names.slice(offset, offset + limit);
  }

  /** Up to `limit` names after the entry (key, name), which need not exist. */
  after(key: Key, name: string, limit: number): string[] {
    let at = this.position(key, name);
    if (this.names[at] === name) at++;
    return this.names.slice(at, at + limit);
  }

  private compare(aKey: Key, aName: string, bKey: Key, bName: string): number {
    return compareOrder(aKey, aName, bKey, bName, this.descending);
  }

  /** The first position whose entry sorts at or after (key, name). */
  private position(key: Key, name: string): number {
    let low = 0;
    let high = this.names.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.compare(this.keys[middle]!, this.names[middle]!, key, name) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

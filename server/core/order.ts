import type { SortKey } from '../../types/api.js';
import type { UserRecord } from './model.js';

/**
 * The one order of the API's `?sort=`, for badges, awards and users alike: by the key, ties by name
 * in code-point order (the same on every machine and locale, so pages do not shift); a missing date
 * counts as oldest. `-` reverses the key only, so ties stay in name order either way.
 */

export type SortValue = number | string;

/** Which accessor a sort key reads, and whether it is reversed. */
export function sortField(sort: SortKey): { field: 'name' | 'count' | 'date'; descending: boolean } {
  const descending = sort.startsWith('-');
  return { field: (descending ? sort.slice(1) : sort) as 'name' | 'count' | 'date', descending };
}

export function compareOrder(aKey: SortValue, aName: string, bKey: SortValue, bName: string, descending: boolean): number {
  const byKey =
    typeof aKey === 'string' || typeof bKey === 'string' ? compareCodePoints(String(aKey), String(bKey)) : Math.sign(aKey - bKey);
  return (descending ? -byKey : byKey) || compareCodePoints(aName, bName);
}

/**
 * Code-point order, which is also the order of UTF-8 bytes, and so PostgreSQL's under `COLLATE "C"`.
 * JavaScript's `<` compares UTF-16 code units, which puts characters beyond U+FFFF (surrogate pairs,
 * D800-DFFF) before U+E000-U+FFFF; moving those two ranges past each other fixes that.
 */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return fixup(x) - fixup(y);
  }
  return a.length - b.length;
}

const fixup = (unit: number) => (unit >= 0xe000 ? unit - 0x800 : unit >= 0xd800 ? unit + 0x2000 : unit);

export function sortBy<T>(items: T[], sort: SortKey, name: (t: T) => string, count: (t: T) => number, date: (t: T) => string | null): T[] {
  const { field, descending } = sortField(sort);
  const key = field === 'name' ? name : field === 'count' ? count : (t: T) => date(t) ?? '';
  return items.sort((a, b) => compareOrder(key(a), name(a), key(b), name(b), descending));
}

export function userLatest(user: UserRecord): string | null {
  let latest: string | null = null;
  for (const award of user.awards) if (latest === null || award.latest > latest) latest = award.latest;
  return latest;
}

export function userCount(user: UserRecord): number {
  let count = 0;
  for (const award of user.awards) count += award.count;
  return count;
}

export const sortUsers = (users: UserRecord[], sort: SortKey) => sortBy(users, sort, (u) => u.name, userCount, userLatest);

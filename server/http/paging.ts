import { LIMITS } from '../../types/api.js';
import type { Paging } from '../../types/schema.js';
import type { Item } from '../core/model.js';
import type { ItemQuery } from '../core/ports.js';
import { HttpError } from './errors.js';

/**
 * The one shape of every list the API pages: `?page=&page_size=` in, `paging` out, with links that
 * keep the list's other parameters. A page past the last is an empty list whose `prev` leads back
 * to the last page, as CrowdTwist's API answered, so a client that overshoots can find its way.
 */

export interface PageRequest {
  page: number;
  pageSize: number;
}

/** The page a checked query asks for, with the defaults the schema documents. */
export const pageRequest = (query: { page?: number; page_size?: number }): PageRequest => ({
  page: query.page ?? 1,
  pageSize: query.page_size ?? LIMITS.pageSizeDefault,
});

/** Zero-based index of the page's first item. */
export const offsetOf = ({ page, pageSize }: PageRequest): number => (page - 1) * pageSize;

/**
 * `paging` for a list of `total` items. `path` is the list's path; `keep` the parameters other than
 * the page's that the links carry (in that order, before `page` and `page_size`; undefined ones left out).
 */
export function paging(path: string, keep: Record<string, string | undefined>, total: number, { page, pageSize }: PageRequest): Paging {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const kept = Object.entries(keep).filter((entry): entry is [string, string] => entry[1] !== undefined);
  const link = (p: number) => `${path}?${new URLSearchParams([...kept, ['page', String(p)], ['page_size', String(pageSize)]])}`;
  return {
    total,
    page,
    pages,
    page_size: pageSize,
    next: page < pages ? link(page + 1) : null,
    prev: page > 1 ? link(Math.min(page - 1, pages)) : null,
  };
}

/** One page of a list held whole, with its `paging`. */
export function pageOf<T>(items: readonly T[], path: string, keep: Record<string, string | undefined>, request: PageRequest): { items: T[]; paging: Paging } {
  const start = offsetOf(request);
  return { items: items.slice(start, start + request.pageSize), paging: paging(path, keep, items.length, request) };
}

/**
 * Paging by cursor: a page starts after the entry the cursor names, so every page costs the same
 * however deep it is, and entries written meanwhile neither repeat nor go missing. The cursor is
 * opaque to clients: the values of the entry's place in the list's order (for items, its (at, id)).
 */
const encode = (values: unknown[]): string => Buffer.from(JSON.stringify(values)).toString('base64url');

/** The values a cursor carries; a cursor that is not one of ours (or not of this list: `isPlace`) is a 400. */
function decode(cursor: string, isPlace: (values: unknown[]) => boolean): unknown[] {
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown;
    if (Array.isArray(values) && isPlace(values)) return values;
  } catch {
    // Answered below.
  }
  throw new HttpError(400, 'invalid_cursor', 'cursor must be the `next` of an earlier page', { in: 'query', pointer: '/cursor' });
}

const isItemPlace = (values: unknown[]) => values.length === 2 && typeof values[0] === 'string' && typeof values[1] === 'string';

/** The place of an item a cursor names. */
function itemPlace(cursor: string): { at: string; id: string } {
  const [at, id] = decode(cursor, isItemPlace) as [string, string];
  return { at, id };
}

/** `paging` of a page read by cursor: `next` leads on from `last`, or is null after the last page. */
export const cursorPaging = (path: string, keep: Record<string, string | undefined>, pageSize: number, last: { at: string; id: string } | null) =>
  cursorLink(path, keep, pageSize, last && [last.at, last.id]);

function cursorLink(path: string, keep: Record<string, string | undefined>, pageSize: number, last: unknown[] | null) {
  const kept = Object.entries(keep).filter((entry): entry is [string, string] => entry[1] !== undefined);
  return { page_size: pageSize, next: last ? `${path}?${new URLSearchParams([...kept, ['page_size', String(pageSize)], ['cursor', encode(last)]])}` : null };
}

/** How many entries a filtered page reads at most before it answers with what it found. */
export const MAX_SCAN = 5000;

/**
 * One page of a list read by cursor, `wanted` (when given) keeping only some of what the store's
 * indexes select: read on in batches, at most `MAX_SCAN` entries a page, so that no request reads a
 * whole history. `last` is where the next page starts (null: none), even when the scan stopped short.
 */
export async function scanPage(
  read: (query: { after?: { at: string; id: string }; limit: number }) => Promise<Item[]>,
  pageSize: number,
  cursor: string | undefined,
  wanted?: (item: Item) => boolean,
): Promise<{ page: Item[]; last: { at: string; id: string } | null }> {
  const shown: Item[] = [];
  let after = cursor === undefined ? undefined : itemPlace(cursor);
  let scanned = 0;
  let more = true;
  // One more than a page tells whether there is a next one.
  while (shown.length <= pageSize && scanned < MAX_SCAN) {
    const limit = wanted === undefined ? pageSize + 1 - shown.length : Math.min(1000, MAX_SCAN - scanned);
    const batch = await read({ ...(after ? { after } : {}), limit });
    scanned += batch.length;
    for (const item of batch) if (shown.length <= pageSize && (wanted === undefined || wanted(item))) shown.push(item);
    if (batch.length < limit) {
      more = false;
      break;
    }
    after = { at: batch.at(-1)!.at, id: batch.at(-1)!.id };
  }
  const page = shown.slice(0, pageSize);
  // More to read: on from the last entry shown, or, when the scan stopped short of a page, from where it stopped.
  const last = shown.length > pageSize ? page.at(-1)! : more && after ? after : null;
  return { page, last: last && { at: last.at, id: last.id } };
}

/** A list a store keeps, read either way: at an offset (v1's page numbers) or after a place (a cursor). */
export interface StoredList<T> {
  count(): Promise<number>;
  at(offset: number, limit: number): Promise<T[]>;
  /** Up to `limit` entries after the place (from the first when null), read from an index: none before it. */
  after(place: unknown[] | null, limit: number): Promise<T[]>;
  /** The values of an entry's place, which a cursor carries. */
  placeOf(entry: T): unknown[];
  /** Whether values read from a cursor are a place of this list. */
  isPlace(values: unknown[]): boolean;
}

/**
 * A page of a stored list. With `page` (v1) it is counted and read at an offset, with page links as
 * before. Without, it is read after the place `cursor` names (from the first entry when none), never
 * the entries before it, and `next` carries the cursor of its last entry: a client following `next`
 * pays the same for every page. Only the first page counts the list; a page read by cursor does not.
 */
export async function listPage<T>(
  path: string,
  keep: Record<string, string | undefined>,
  query: { page?: number; page_size?: number; cursor?: string },
  list: StoredList<T>,
): Promise<{ items: T[]; paging: Paging }> {
  const pageSize = query.page_size ?? LIMITS.pageSizeDefault;
  if (query.page !== undefined) {
    if (query.cursor !== undefined) throw new HttpError(400, 'invalid_page', 'Give page or cursor, not both', { in: 'query', pointer: '/cursor' });
    const request = { page: query.page, pageSize };
    const [total, items] = await Promise.all([list.count(), list.at(offsetOf(request), pageSize)]);
    return { items, paging: paging(path, keep, total, request) };
  }
  const place = query.cursor === undefined ? null : decode(query.cursor, list.isPlace);
  // One more than a page tells whether there is a next one.
  const [read, total] = await Promise.all([list.after(place, pageSize + 1), place === null ? list.count() : undefined]);
  const items = read.slice(0, pageSize);
  const { next } = cursorLink(path, keep, pageSize, read.length > pageSize ? list.placeOf(items.at(-1)!) : null);
  if (total === undefined) return { items, paging: { page_size: pageSize, next } };
  return { items, paging: { total, page: 1, pages: Math.max(1, Math.ceil(total / pageSize)), page_size: pageSize, next, prev: null } };
}

/** A list of items of one kind, as `query` selects them, in their (at, id) order. */
export const itemList = (list: (query: ItemQuery & { offset?: number }) => Promise<Item[]>, count: () => Promise<number>): StoredList<Item> => ({
  count,
  at: (offset, limit) => list({ offset, limit }),
  after: (place, limit) => list({ limit, ...(place ? { after: { at: place[0] as string, id: place[1] as string } } : {}) }),
  placeOf: (item) => [item.at, item.id],
  isPlace: isItemPlace,
});

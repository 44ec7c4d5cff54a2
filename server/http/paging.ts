import { LIMITS } from '../../types/api.js';
import type { Paging } from '../../types/schema.js';
import type { Item } from '../core/model.js';
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

/** `paging` for a list of `total` items stored elsewhere, and where the page is in it (offset, limit). */
export function pageWindow(path: string, keep: Record<string, string | undefined>, total: number, query: { page?: number; page_size?: number }) {
  const request = pageRequest(query);
  return { paging: paging(path, keep, total, request), offset: offsetOf(request), limit: request.pageSize };
}

/**
 * Paging by cursor: a page starts after the entry the cursor names, so every page costs the same
 * however deep it is, and entries written meanwhile neither repeat nor go missing. The cursor is
 * opaque to clients: the (at, id) of the last entry of the page before.
 */
export function cursorOf(place: { at: string; id: string }): string {
  return Buffer.from(JSON.stringify([place.at, place.id])).toString('base64url');
}

/** The place a cursor names; a cursor that is not one of ours is a 400. */
export function placeOf(cursor: string): { at: string; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown[];
    if (typeof at === 'string' && typeof id === 'string') return { at, id };
  } catch {
    // Answered below.
  }
  throw new HttpError(400, 'invalid_cursor', 'cursor must be the `next` of an earlier page', { in: 'query', pointer: '/cursor' });
}

/** `paging` of a page read by cursor: `next` leads on from `last`, or is null after the last page. */
export function cursorPaging(path: string, keep: Record<string, string | undefined>, pageSize: number, last: { at: string; id: string } | null) {
  const kept = Object.entries(keep).filter((entry): entry is [string, string] => entry[1] !== undefined);
  return { page_size: pageSize, next: last ? `${path}?${new URLSearchParams([...kept, ['page_size', String(pageSize)], ['cursor', cursorOf(last)]])}` : null };
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
  let after = cursor === undefined ? undefined : placeOf(cursor);
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

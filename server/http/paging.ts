import { LIMITS } from '../../types/api.js';
import type { Paging } from '../../types/schema.js';
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

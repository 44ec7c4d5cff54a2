import type { ErrorBody } from '../types/api.js';
import type { StatedUsersResponse } from './wire.js';

/** Why badges could not be loaded: a display-server error (`code` from its body) or a network failure. */
export class UserBadgesError extends Error {
  constructor(
    message: string,
    /** The server's error code (`service_not_found`, ...), or `network_error` / `http_error`. */
    public code: string,
    /** HTTP status, 0 when the request never got an answer. */
    public status = 0,
  ) {
    super(message);
  }
}

/**
 * What follows `names=` in a `users.json` request: `&sort=`, `&states=all` when `show` is `all`
 * (unearned and in-progress badges too), and `&tags=` (badges with any of them). The tags are
 * trimmed and sorted, so that `tags="b, a"` and `tags="a,b"` share one request.
 */
export function usersQuery(sort?: string, show?: string, tags = ''): string {
  const t = tags.split(',').map((t) => t.trim()).filter(Boolean).sort();
  return (sort ? '&sort=' + encodeURIComponent(sort) : '') + (show == 'all' ? '&states=all' : '') + (t[0] ? '&tags=' + t.map(encodeURIComponent).join(',') : '');
}

/** `GET /v1/:service/users.json?names=...` on `server`, followed by a {@link usersQuery}. */
export function usersUrl(server: string, service: string, names: string[], query = ''): string {
  return `${server}/v1/${encodeURIComponent(service)}/users.json?names=${names.map(encodeURIComponent).join(',')}` + query;
}

/** Fetches several users at once, without credentials, across origins. */
export async function fetchUsers(url: string): Promise<StatedUsersResponse> {
  let res: Response;
  try {
    res = await fetch(url, { mode: 'cors', credentials: 'omit' });
  } catch {
    throw new UserBadgesError('Cannot reach the display server at ' + new URL(url).origin, 'network_error');
  }
  const body = (await res.json().catch(() => null)) as (StatedUsersResponse & Partial<ErrorBody>) | null;
  if (!res.ok || !Array.isArray(body?.users)) {
    const e = body?.error;
    throw new UserBadgesError(e?.message || `HTTP ${res.status}`, e?.code || 'http_error', res.status);
  }
  return body!;
}

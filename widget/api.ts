import type { ErrorBody, UsersResponse } from '../types/api.js';

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

/** `GET /v1/:service/users.json?names=...&sort=...` on `server`. */
export function usersUrl(server: string, service: string, names: string[], sort?: string): string {
  return (
    `${server}/v1/${encodeURIComponent(service)}/users.json?names=${names.map(encodeURIComponent).join(',')}` +
    (sort ? '&sort=' + encodeURIComponent(sort) : '')
  );
}

/** Fetches several users at once, without credentials, across origins. */
export async function fetchUsers(url: string): Promise<UsersResponse> {
  let res: Response;
  try {
    res = await fetch(url, { mode: 'cors', credentials: 'omit' });
  } catch {
    throw new UserBadgesError('Cannot reach the display server at ' + new URL(url).origin, 'network_error');
  }
  const body = (await res.json().catch(() => null)) as (UsersResponse & Partial<ErrorBody>) | null;
  if (!res.ok || !Array.isArray(body?.users)) {
    const e = body?.error;
    throw new UserBadgesError(e?.message || `HTTP ${res.status}`, e?.code || 'http_error', res.status);
  }
  return body!;
}

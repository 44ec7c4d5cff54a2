import type {
  BadgeInput,
  BadgeNamesRequest,
  BadgesDeleteResponse,
  BadgesPutRequest,
  BadgesResponse,
  ErrorBody,
  JsonValue,
  SortKey,
  SortQuery,
  User,
  UserRevokeResponse,
  UsersQuery,
  UsersResponse,
  UserUpdateResponse,
} from '../types/api.js';

/** A query as sent: the parameters the API declares, as text. */
type Query<T> = { [K in keyof T]?: string };

export interface UserBadgesClientOptions {
  /** Origin of the display server, e.g. `https://badges.example.com`. */
  server: string;
  service: string;
  /** The service's secret key; needed for writes only. Keep it on your backend. */
  key?: string;
  /**
   * How writes prove the key: `signature` (default) signs each request with HMAC-SHA256 so the key
   * never travels; `header` sends it as `Authorization`.
   */
  auth?: 'signature' | 'header';
  /** Seconds since the epoch; override when your clock is known to be off. */
  now?: () => number;
  fetch?: typeof fetch;
}

/** A failed call: the HTTP status and the server's error code and message. */
export class UserBadgesError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: JsonValue,
  ) {
    super(message);
    this.name = 'UserBadgesError';
  }
}

/** A badge to create or update: its name and custom fields. */
export type BadgeDefinition = BadgeInput;

/**
 * A typed client of the v1 API for Node (20+) and browsers: it needs only `fetch` and WebCrypto.
 *
 * ```ts
 * const client = new UserBadgesClient({ server: 'http://localhost:3000', service: 'demo', key });
 * await client.putBadges([{ name: 'commenter', description: 'Posted 25 comments' }]);
 * await client.award('daniel', ['commenter']);
 * ```
 */
export class UserBadgesClient {
  private readonly fetch: typeof fetch;

  constructor(private readonly options: UserBadgesClientOptions) {
    this.fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  badges(options: { sort?: SortKey } = {}): Promise<BadgesResponse> {
    return this.request('GET', '/badges.json', { sort: options.sort } satisfies Query<SortQuery>);
  }

  /** Creates missing badges and updates the fields of existing ones; a field set to null is removed. */
  putBadges(badges: BadgeDefinition[]): Promise<BadgesResponse> {
    return this.request('PUT', '/badges.json', {}, { badges } satisfies BadgesPutRequest);
  }

  /** Deletes badges and takes them from every user; `absent` names those that were already gone. */
  deleteBadges(names: string[]): Promise<BadgesDeleteResponse> {
    return this.request('DELETE', '/badges.json', {}, { badges: names } satisfies BadgeNamesRequest);
  }

  /** Named users (those that exist), or a page of all users when `names` is omitted. */
  users(options: { names?: string[]; sort?: SortKey; page?: number; pageSize?: number } = {}): Promise<UsersResponse> {
    return this.request('GET', '/users.json', {
      names: options.names?.join(','),
      sort: options.sort,
      page: options.page?.toString(),
      page_size: options.pageSize?.toString(),
    } satisfies Query<UsersQuery>);
  }

  user(name: string, options: { sort?: SortKey } = {}): Promise<User> {
    return this.request('GET', `/users/${encodeURIComponent(name)}.json`, { sort: options.sort } satisfies Query<SortQuery>);
  }

  /** Awards each badge once more; a badge listed twice is awarded twice. */
  award(name: string, badges: string[]): Promise<UserUpdateResponse> {
    return this.request('PUT', `/users/${encodeURIComponent(name)}.json`, {}, { badges } satisfies BadgeNamesRequest);
  }

  /** Takes badges from the user; `absent` names those the user did not hold. */
  revoke(name: string, badges: string[]): Promise<UserRevokeResponse> {
    return this.request('DELETE', `/users/${encodeURIComponent(name)}.json`, {}, { badges } satisfies BadgeNamesRequest);
  }

  private async request<T>(method: string, route: string, query: Record<string, string | undefined>, body?: unknown): Promise<T> {
    const url = new URL(`/v1/${encodeURIComponent(this.options.service)}${route}`, this.options.server);
    for (const [name, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(name, value);
    const headers: Record<string, string> = { accept: 'application/json' };
    const text = body === undefined ? '' : JSON.stringify(body);
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method !== 'GET' && this.options.key !== undefined) {
      if (this.options.auth === 'header') headers.authorization = this.options.key;
      else {
        const ts = String(Math.floor(this.options.now?.() ?? Date.now() / 1000));
        // Every request distinct, so two identical awards in one second are two awards, not a replay.
        const nonce = newNonce();
        url.searchParams.set('ts', ts);
        url.searchParams.set('nonce', nonce);
        url.searchParams.set('signature', await signRequest(this.options.key, ts, method, url.pathname, text, nonce));
      }
    }
    const response = await this.fetch(url, { method, headers, body: body === undefined ? undefined : text });
    const payload = (await response.json().catch(() => null)) as (T & Partial<ErrorBody>) | null;
    if (!response.ok) {
      const error = payload?.error;
      throw new UserBadgesError(response.status, error?.code ?? 'http_error', error?.message ?? `HTTP ${response.status}`, error?.details);
    }
    return payload as T;
  }
}

/**
 * The request signature: hex(HMAC-SHA256(key, ts + "\n" + nonce + "\n" + METHOD + "\n" + PATH + "\n" + BODY)),
 * PATH being the path as sent (percent-encoded), without the query. Without a nonce the line
 * `nonce + "\n"` is left out, as servers before nonces expect.
 */
export async function signRequest(key: string, ts: string, method: string, path: string, body: string, nonce?: string): Promise<string> {
  const encoder = new TextEncoder();
  const cryptoKey = await crypto.subtle.importKey('raw', encoder.encode(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const head = nonce === undefined ? `${ts}\n` : `${ts}\n${nonce}\n`;
  const mac = await crypto.subtle.sign('HMAC', cryptoKey, encoder.encode(`${head}${method.toUpperCase()}\n${path}\n${body}`));
  return hex(new Uint8Array(mac));
}

/** 128 random bits: 22 characters would do, hex keeps it plain. */
const newNonce = () => hex(crypto.getRandomValues(new Uint8Array(16)));

const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');

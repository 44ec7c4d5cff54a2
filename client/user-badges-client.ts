import type {
  BadgeInput,
  BadgeNamesRequest,
  BadgesDeleteResponse,
  BadgesPutRequest,
  BadgesQuery,
  BadgesResponse,
  ErrorBody,
  JsonValue,
  ProgressRequest,
  ProgressResponse,
  SortKey,
  User,
  UserQuery,
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

/**
 * A failed call: the HTTP status and the server's error code and message. A server that could not be
 * reached is status 0, code `network_error`, with what `fetch` threw as `cause`.
 */
export class UserBadgesError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: JsonValue,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'UserBadgesError';
  }
}

/** What `users()` takes; `page_size`, the API's own name, works too. */
export interface UsersOptions {
  names?: string[];
  sort?: SortKey;
  /** `all`: also the badges each user could still earn, each with its `state`. */
  states?: 'earned' | 'all';
  /** Only badges having any of these tags. */
  tags?: string[];
  page?: number;
  pageSize?: number;
  page_size?: number;
}
const USERS_OPTIONS = new Set(['names', 'sort', 'states', 'tags', 'page', 'pageSize', 'page_size']);

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

  /** Throws a TypeError for options that could never work, rather than at the first call. */
  constructor(private readonly options: UserBadgesClientOptions) {
    const { server, service, auth } = options ?? ({} as Partial<UserBadgesClientOptions>);
    if (typeof server !== 'string' || !/^https?:$/.test(parseUrl(server)?.protocol ?? '')) {
      throw new TypeError(`UserBadgesClient needs server, the badge server's http(s) URL (e.g. "https://badges.example.com"), not ${quoted(server)}`);
    }
    if (typeof service !== 'string' || service === '') throw new TypeError(`UserBadgesClient needs service, the service's name, not ${quoted(service)}`);
    // A key read from an unset environment variable: writes would fail later with a 401 that does not say why.
    if ('key' in options && (typeof options.key !== 'string' || options.key === '')) {
      throw new TypeError(`UserBadgesClient: key is ${quoted(options.key)}; give the service's key, or leave key out for a client that only reads`);
    }
    if (auth !== undefined && auth !== 'signature' && auth !== 'header') throw new TypeError(`UserBadgesClient: auth must be "signature" or "header", not ${quoted(auth)}`);
    this.fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /** A page of the badges (the first 100 unless `page`/`pageSize` say otherwise). */
  badges(options: { sort?: SortKey; tags?: string[]; page?: number; pageSize?: number } = {}): Promise<BadgesResponse> {
    return this.request('GET', '/badges.json', {
      sort: options.sort,
      tags: options.tags?.join(','),
      page: options.page?.toString(),
      page_size: options.pageSize?.toString(),
    } satisfies Query<BadgesQuery>);
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
  users(options: UsersOptions = {}): Promise<UsersResponse> {
    // A misspelt option would otherwise be dropped without a word, and the answer look right.
    const unknown = Object.keys(options).filter((name) => !USERS_OPTIONS.has(name));
    if (unknown.length > 0) return Promise.reject(new TypeError(`users() takes ${[...USERS_OPTIONS].join(', ')}; not ${unknown.join(', ')}`));
    if (options.pageSize !== undefined && options.page_size !== undefined && options.pageSize !== options.page_size) {
      return Promise.reject(new TypeError(`users(): pageSize (${options.pageSize}) and page_size (${options.page_size}) differ`));
    }
    return this.request('GET', '/users.json', {
      names: options.names?.join(','),
      sort: options.sort,
      states: options.states,
      tags: options.tags?.join(','),
      page: options.page?.toString(),
      page_size: (options.pageSize ?? options.page_size)?.toString(),
    } satisfies Query<UsersQuery>);
  }

  user(name: string, options: { sort?: SortKey; states?: 'earned' | 'all'; tags?: string[] } = {}): Promise<User> {
    const { sort, states, tags } = options;
    return this.request('GET', `/users/${encodeURIComponent(name)}.json`, { sort, states, tags: tags?.join(',') } satisfies Query<UserQuery>);
  }

  /** Awards each badge once more; a badge listed twice is awarded twice. */
  award(name: string, badges: string[]): Promise<UserUpdateResponse> {
    return this.request('PUT', `/users/${encodeURIComponent(name)}.json`, {}, { badges } satisfies BadgeNamesRequest);
  }

  /** Sets the user's progress towards badges with a goal; `awarded` names the goals this reached. */
  progress(name: string, progress: Record<string, number>): Promise<ProgressResponse> {
    return this.request('PUT', `/users/${encodeURIComponent(name)}/progress.json`, {}, { progress } satisfies ProgressRequest);
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
    let response: Response;
    try {
      response = await this.fetch(url, { method, headers, body: body === undefined ? undefined : text });
    } catch (cause) {
      // fetch's TypeError says "fetch failed"; the reason (refused, DNS, TLS) is in its cause.
      const reason = (cause as { cause?: { message?: string } })?.cause?.message ?? (cause as Error)?.message;
      throw new UserBadgesError(0, 'network_error', `Cannot reach ${url.origin}: ${reason}`, undefined, { cause });
    }
    const payload = (await response.json().catch(() => null)) as (T & Partial<ErrorBody>) | null;
    if (!response.ok) {
      const error = payload?.error;
      let message = error?.message ?? `HTTP ${response.status}`;
      // With signatures the server cannot tell a wrong key from a request changed on the way; the
      // key is by far the likelier.
      if (error?.code === 'invalid_signature' && this.options.key !== undefined) message = `${message}: is the key right?`;
      throw new UserBadgesError(response.status, error?.code ?? 'http_error', message, error?.details);
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

const parseUrl = (text: string): URL | null => {
  try {
    return new URL(text);
  } catch {
    return null;
  }
};

const quoted = (value: unknown) => (typeof value === 'string' ? JSON.stringify(value) : String(value));

/** 128 random bits: 22 characters would do, hex keeps it plain. */
const newNonce = () => hex(crypto.getRandomValues(new Uint8Array(16)));

const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');

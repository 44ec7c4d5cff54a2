import type {
  BadgeInput,
  BadgeNamesRequest,
  BadgesDeleteResponse,
  BadgesPutRequest,
  BadgesQuery,
  BadgesResponse,
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
import { callOperation, operationMethods, type Api, type ArgsOf, type OperationId, type ResponseOf } from './api.js';
import { send, type Credentials, type Transport } from './transport.js';

export { UserBadgesError, signRequest, type Credentials } from './transport.js';
export { OPERATIONS, type Api, type ArgsOf, type InputOf, type OperationId, type Operations, type ResponseOf, type WithService } from './api.js';
export { verifyWebhook, WebhookVerificationError, type VerifyWebhookOptions, type WebhookHeaders, type WebhookPayload, type WebhookPayloadOf } from './webhooks.js';

/** A query as sent: the parameters the API declares, as text. */
type Query<T> = { [K in keyof T]?: string };

export interface UserBadgesClientOptions extends Credentials {
  /** Origin of the display server, e.g. `https://badges.example.com`. */
  server: string;
  /** The service the calls are for: `{service}` of every path, unless a call names another. */
  service: string;
  fetch?: typeof fetch;
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
  private readonly transport: Transport;
  /**
   * Every operation of the API, named by its `operationId` in `/openapi.json` and typed by its schemas:
   * `client.api.listWebhookEndpoints()`, `client.api.createRule({ body: {...} })`.
   */
  readonly api: Api;

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
    for (const name of ['keyId', 'keySecret', 'adminToken'] as const) {
      if (name in options && (typeof options[name] !== 'string' || options[name] === '')) throw new TypeError(`UserBadgesClient: ${name} is ${quoted(options[name])}; give it, or leave it out`);
    }
    if ((options.keyId === undefined) !== (options.keySecret === undefined)) throw new TypeError('UserBadgesClient: a scoped key needs both keyId and keySecret');
    const { server: _server, service: _service, fetch: given, ...credentials } = options;
    this.transport = { server, fetch: given ?? globalThis.fetch.bind(globalThis), credentials };
    this.api = operationMethods((id, input) => callOperation(this.transport, this.options.service, id, input));
  }

  /** Calls an operation by its `operationId`, as `api[id](input)` does. */
  call<K extends OperationId>(id: K, ...[input]: ArgsOf<K>): Promise<ResponseOf<K>> {
    return callOperation(this.transport, this.options.service, id, input as never) as Promise<ResponseOf<K>>;
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

  private request<T>(method: string, route: string, query: Record<string, string | undefined>, body?: unknown): Promise<T> {
    const path = `/v1/${encodeURIComponent(this.options.service)}${route}`;
    return send(this.transport, { method, path, query, body, auth: method === 'GET' ? 'public' : 'service' }) as Promise<T>;
  }
}

const parseUrl = (text: string): URL | null => {
  try {
    return new URL(text);
  } catch {
    return null;
  }
};

const quoted = (value: unknown) => (typeof value === 'string' ? JSON.stringify(value) : String(value));

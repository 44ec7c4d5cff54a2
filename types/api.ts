/**
 * The wire format of the v1 API: what the server sends and what the widget and the client read.
 * Shared by `server/`, `widget/` and the typed client, so a change to a shape is a compile error on
 * both sides.
 */

/** A JSON value as stored in a badge's custom fields. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Custom fields a service sets on a badge (`description`, `link`, `type`, anything else). */
export type BadgeFields = { [field: string]: JsonValue };

/** What a service name may be: letters, digits, `_` and `-`, starting with a letter or digit. */
export const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** The accepted values of `?sort=`; a leading `-` reverses the order. */
export const SORT_KEYS = ['name', '-name', 'count', '-count', 'date', '-date'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

/** Fields the server owns; a write that sets them has them ignored (so a GET -> PUT round trip works). */
export const RESERVED_BADGE_FIELDS = ['name', 'count', 'latest', 'globalCount', 'globalLatest'] as const;

/** A badge as `GET /v1/:service/badges.json` lists it: custom fields plus the service-wide figures. */
export interface Badge extends BadgeFields {
  name: string;
  /** Times awarded, all users together. */
  count: number;
  /** ISO-8601 time of the last award to anyone, or null if never awarded. */
  latest: string | null;
}

/** A badge as the `badges` map of `users.json` carries it: keyed by name, so without `name`. */
export interface BadgeSummary extends BadgeFields {
  count: number;
  latest: string | null;
}

/** One badge held by one user. */
export interface UserBadge {
  name: string;
  /** Times this user was awarded this badge. */
  count: number;
  /** ISO-8601 time of this user's last award of this badge. */
  latest: string;
}

/** A user as `users.json` lists it and `users/:name.json` returns it. */
export interface User {
  name: string;
  /** ISO-8601 time of the user's last award, or null if the user holds no badge. */
  latest: string | null;
  badges: UserBadge[];
}

export interface BadgesResponse {
  badges: Badge[];
}

/** Present on `users.json` when it lists the service's users rather than named ones. */
export interface Paging {
  total: number;
  page: number;
  pages: number;
  page_size: number;
  /** Path and query of the next page, or null on the last one. */
  next: string | null;
  prev: string | null;
}

export interface UsersResponse {
  badges: { [name: string]: BadgeSummary };
  users: User[];
  paging?: Paging;
}

/** What `PUT` and `DELETE /v1/:service/users/:name.json` answer. */
export interface UserUpdateResponse {
  user: { name: string; badges: string[] };
}

/**
 * `DELETE` is idempotent: deleting what is already gone succeeds. Its answer says what remains and,
 * in `absent`, which of the names asked for were already gone (badges not registered; awards the
 * user did not hold).
 */
export interface BadgesDeleteResponse extends BadgesResponse {
  absent: string[];
}

export interface UserRevokeResponse extends UserUpdateResponse {
  absent: string[];
}

export interface ErrorBody {
  error: { code: string; message: string; details?: JsonValue };
}

/** Limits the server enforces; the widget uses them to split its batched requests. */
export const LIMITS = {
  nameLength: 100,
  namesPerRequest: 100,
  badgesPerRequest: 100,
  fieldsPerBadge: 50,
  fieldNameLength: 64,
  badgeFieldsBytes: 8 * 1024,
  /** Nesting of objects and arrays in a badge's fields, the fields object itself counted. */
  fieldDepth: 32,
  pageSizeDefault: 100,
  pageSizeMax: 1000,
} as const;

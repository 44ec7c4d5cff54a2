/** The constants of the wire format, shared by the schemas, the server, the client and the widget (no imports). */

/** What a service name may be: letters, digits, `_` and `-`, starting with a letter or digit. */
export const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** The accepted values of `?sort=`; a leading `-` reverses the order. */
export const SORT_KEYS = ['name', '-name', 'count', '-count', 'date', '-date'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

/** What a service may hold (or do in an hour) at most: the operator's defaults, a service's own (admin API). */
export const QUOTA_NAMES = ['webhook_endpoints', 'redeliveries', 'events', 'rejected_events', 'invitations', 'claim_codes'] as const;
export type QuotaName = (typeof QUOTA_NAMES)[number];
/** The most a quota may be set to. */
export const QUOTA_MAX = 1_000_000_000;

/** Fields the server owns; a write that sets them has them ignored (so a GET -> PUT round trip works). */
export const RESERVED_BADGE_FIELDS = ['name', 'count', 'latest', 'globalCount', 'globalLatest'] as const;

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
  /** Badges a user may feature (shown first). */
  featuredBadges: 5,
  /** Points a badge may be worth. */
  pointsMax: 1_000_000,
} as const;

/**
 * The wire format of the v1 API, as the widget, the client and the server import it: the constants
 * here, and the static types of the schemas declared in `schema.ts`. This module must stay free of
 * runtime imports (types only from `schema.ts`), since the widget bundles it and must never carry
 * the schema library.
 */

export type {
  AdminService,
  AdminServiceWithKey,
  Badge,
  BadgeFields,
  BadgeInput,
  BadgeNamesRequest,
  BadgesDeleteResponse,
  BadgesPutRequest,
  BadgesQuery,
  BadgesResponse,
  BadgeSummary,
  ErrorBody,
  JsonValue,
  Paging,
  ProgressRequest,
  ProgressResponse,
  SkippedAward,
  User,
  UserBadge,
  UserQuery,
  UserRevokeResponse,
  UsersQuery,
  UsersResponse,
  SortQuery,
  UserUpdateResponse,
} from './schema.js';

/** What a service name may be: letters, digits, `_` and `-`, starting with a letter or digit. */
export const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** The accepted values of `?sort=`; a leading `-` reverses the order. */
/**
 * The domain events a webhook endpoint may ask for, besides `*`; an endpoint that names another is
 * refused (`award.create` would never be sent). A feature that emits a new one adds it here.
 */
export const WEBHOOK_EVENTS = [
  'award.created',
  'award.revoked',
  'badge.created',
  'badge.updated',
  'badge.deleted',
  'invitation.created',
  'invitation.claimed',
  'claim_code.redeemed',
] as const;

/** What a service may hold (or do in an hour) at most: the operator's defaults, a service's own (admin API). */
export const QUOTA_NAMES = ['webhook_endpoints', 'redeliveries', 'events', 'rejected_events', 'invitations', 'claim_codes'] as const;
export type QuotaName = (typeof QUOTA_NAMES)[number];

export const SORT_KEYS = ['name', '-name', 'count', '-count', 'date', '-date'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

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
} as const;

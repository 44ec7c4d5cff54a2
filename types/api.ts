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

export { LIMITS, QUOTA_NAMES, RESERVED_BADGE_FIELDS, SERVICE_NAME, SORT_KEYS, type QuotaName, type SortKey } from './constants.js';

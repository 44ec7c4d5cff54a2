import type { BadgeFields, QuotaName } from '../../types/api.js';

/**
 * The records of the model, as every store keeps them. They are values: a change replaces a record
 * whole and never edits one in place, so a store or a cache may hold on to one safely.
 */

export interface ServiceSettings {
  /** Whether the SHA1 signature of the original UserBadges clients is accepted (default true). */
  legacySignatures?: boolean;
  /** At most this many users and badges; the open `test` service has one, since anyone writes to it. */
  quota?: { users: number; badges: number };
  /** The service's own quotas (rules/quota.ts), where they differ from the operator's defaults. */
  quotas?: Partial<Record<QuotaName, number>>;
}

export interface ServiceRecord {
  name: string;
  /** The secret the service signs with. Kept in clear: HMAC verification needs the key itself. */
  key: string;
  createdAt: string;
  settings?: ServiceSettings;
}

export interface BadgeRecord {
  name: string;
  fields: BadgeFields;
  /** Times awarded, all users together; follows awards and revocations. */
  count: number;
  /** Last award to any current holder, ISO-8601; null when nobody holds it. */
  latest: string | null;
  createdAt: string;
}

/** What one user holds of one badge: the award, aggregated. */
export interface AwardRecord {
  badge: string;
  count: number;
  first: string;
  latest: string;
  /**
   * Awards in the current period of the badge's frequency cap: the period's first instant, and how
   * many. Kept only while the badge has a cap; records written before caps existed have none.
   */
  period?: { start: string; count: number };
  /**
   * Points earned with this badge: each award counted with the badge's points when it was made
   * (core/standings.ts). Absent on awards made before points existed, which count 1 each.
   */
  points?: number;
  /** The awards of the badge in the week and the month of its latest award, for the period leaderboards. */
  recent?: Recent;
}

/** Awards of one badge in one calendar week and one month (UTC, weeks from Monday): how many, and their points. */
export interface Recent {
  week: string;
  weekCount: number;
  weekPoints: number;
  month: string;
  monthCount: number;
  monthPoints: number;
}

export interface UserRecord {
  name: string;
  createdAt: string;
  /** In the order first awarded. */
  awards: AwardRecord[];
  /** Progress towards badges with a `goal`, by badge name; absent until first set. */
  progress?: Record<string, number>;
  /** Badges shown first, in this order (at most LIMITS.featuredBadges); absent until set. */
  featured?: string[];
  /** Badges left out of every public read of this user (and of holders and badge boards); absent until set. */
  hidden?: string[];
}

export interface BadgeInput {
  name: string;
  /** Custom fields to set; a field set to null is removed. */
  fields: BadgeFields;
  /** The badge's integer id, when the write names one (CrowdTwist's `id`; see rules/badge-numbers.ts). */
  id?: number;
}

/**
 * A record of a kind a feature adds (events, rules, keys, deliveries...). Every store keeps items
 * the same way, indexed by id, by owner and by time, so that a new feature is a rule over items and
 * not a change to each store.
 */
export interface Item<V = unknown> {
  /** What the item is: `event`, `rule`, ... (lowercase letters, digits and "-"). */
  kind: string;
  /** Unique among the service's items of its kind. */
  id: string;
  /** Whom the item is about (a user, an address), for the per-owner index; null for nobody. */
  owner: string | null;
  /**
   * Whose personal data the item holds (core/subjects.ts), for the per-subject index that export,
   * erasure and renaming read: a user's name, or `email/<address>` for an address no user has.
   * Null for nobody's. A unit fills it in from the item's kind when a rule leaves it out, and every
   * item read from a store has it.
   */
  subject?: string | null;
  /** ISO-8601; items are listed in (at, id) order, and `dueItems` reads it as a due time. */
  at: string;
  v: V;
}

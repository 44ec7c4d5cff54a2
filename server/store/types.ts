import type { BadgeFields, SortKey } from '../../types/api.js';

/**
 * The domain model, as the store keeps it. The HTTP layer turns these into the wire shapes of
 * `types/api.ts`; a future store (SQL, another process) implements `Store` over the same records.
 */

export interface ServiceRecord {
  name: string;
  /** The secret the service signs with. Kept in clear: HMAC verification needs the key itself. */
  key: string;
  createdAt: string;
  /**
   * Whether writes signed with the legacy SHA1 form (which covers neither the method nor a nonce)
   * are accepted. Absent means yes, as for every service created before the setting existed.
   */
  legacySignatures?: boolean;
}

/** What an operator may change about a service besides its key. */
export type ServiceSettings = Partial<Pick<ServiceRecord, 'legacySignatures'>>;

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
}

export interface UserRecord {
  name: string;
  createdAt: string;
  /** In the order first awarded. */
  awards: AwardRecord[];
}

export interface BadgeInput {
  name: string;
  /** Custom fields to set; a field set to null is removed. */
  fields: BadgeFields;
}

/**
 * The most a service may hold. A write whose result would hold more is refused whole with 403
 * `quota_exceeded`; one that adds nothing (an update, an award to an existing user) always passes.
 */
export interface Quota {
  badges: number;
  users: number;
}

export interface ListUsersOptions {
  sort?: SortKey;
  /** Zero-based offset into the sorted list. */
  offset: number;
  limit: number;
}

/**
 * Storage, shaped by what the API needs. Every write is atomic (it changes everything or nothing)
 * and its promise resolves only once the change is durable.
 */
export interface Store {
  getService(name: string): Promise<ServiceRecord | undefined>;
  listServices(): Promise<ServiceRecord[]>;
  /** Fails with 409 `service_exists` if the name is taken. */
  createService(name: string, key: string, settings?: ServiceSettings): Promise<ServiceRecord>;
  setServiceKey(name: string, key: string): Promise<ServiceRecord>;
  /** Changes the settings given, leaving the others as they are. */
  configureService(name: string, settings: ServiceSettings): Promise<ServiceRecord>;
  /** Deletes the service with all its badges and users; 404 `service_not_found` if there is none. */
  deleteService(name: string): Promise<void>;

  listBadges(service: string): Promise<BadgeRecord[]>;
  /** The named badges that exist, in the order asked. */
  getBadges(service: string, names: Iterable<string>): Promise<BadgeRecord[]>;
  /** Creates missing badges and merges fields into existing ones. */
  putBadges(service: string, badges: BadgeInput[], quota?: Quota): Promise<BadgeRecord[]>;
  /**
   * Deletes badges and takes them from every user. Idempotent: a name that is not registered is
   * skipped and listed in `absent` (once, in the order asked); `badges` is what remains.
   */
  deleteBadges(service: string, names: string[]): Promise<{ badges: BadgeRecord[]; absent: string[] }>;

  getUser(service: string, name: string): Promise<UserRecord | undefined>;
  /** The named users that exist, in the order asked. */
  getUsers(service: string, names: string[]): Promise<UserRecord[]>;
  listUsers(service: string, options: ListUsersOptions): Promise<{ users: UserRecord[]; total: number }>;
  /** Awards each listed badge once more (a name listed twice is awarded twice); creates the user. */
  award(service: string, user: string, badges: string[], at: Date, quota?: Quota): Promise<UserRecord>;
  /**
   * Takes the listed badges from the user entirely. Idempotent: a badge the user does not hold
   * (unregistered ones included) is listed in `absent`; an unknown user is not created, `user` is
   * then undefined and every name absent.
   */
  revoke(service: string, user: string, badges: string[]): Promise<{ user: UserRecord | undefined; absent: string[] }>;

  /** Flushes and releases files; the store is unusable afterwards. */
  close(): Promise<void>;
}

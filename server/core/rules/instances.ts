import { newId } from '../access/ids.js';
import type { Cause } from '../events.js';
import type { Item } from '../model.js';
import type { Reads, Tx } from '../ports.js';

/**
 * Award instances: every award is an instance with an id of its own (BadgeKit's badge instance, an
 * Open Badges assertion), an `award` item (owner and subject the user, `at` when awarded) written by
 * the award rule in the unit that awards. The user's `AwardRecord` stays what counts, caps and reads
 * go by; the instances say which awards make up its count.
 *
 * A revocation marks instances `revoked` and keeps them, so that what was said of an award can be
 * answered "revoked, and why" for as long as the person's data is kept; erasing the person removes
 * them with their other records.
 *
 * Awards made before instances existed have none: they get theirs when first needed (a read of the
 * user, a revocation by id), as many as the award counts, dated by what the award record kept: the
 * first at `first`, and when it had none at all, the last at `latest`. The dates of those between
 * were never kept; they are dated `first` too.
 */
export const AWARD_KIND = 'award';

/** One piece of evidence an earner gave (BadgeKit's): a link or a file, and what they said of it. */
export interface Evidence {
  url?: string;
  media_type?: string;
  reflection?: string;
}

export interface AwardInstance {
  badge: string;
  /** When awarded (ISO-8601); the item's `at` too. */
  at: string;
  cause?: Cause;
  /** What the award was given for (an application's evidence). */
  evidence?: Evidence[];
  /** Set when revoked; the instance is kept. `reason` as the revocation gave it, or null. */
  revoked?: { at: string; reason: string | null };
}

/** What an award carries beside its badge and time: why it was made, and on what evidence. */
export interface AwardedFor {
  cause?: Cause;
  evidence?: Evidence[];
}

export const isLive = (item: Item): boolean => !(item.v as AwardInstance).revoked;
const badgeOf = (item: Item) => (item.v as AwardInstance).badge;

/** Writes `n` instances of an award of `badge` to `user` at `at`; answers their ids. */
export function putInstances(tx: Tx, service: string, user: string, badge: string, at: string, n: number, awardedFor: AwardedFor = {}): string[] {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = newId('aw');
    const instance: AwardInstance = { badge, at, ...(awardedFor.cause ? { cause: awardedFor.cause } : {}), ...(awardedFor.evidence?.length ? { evidence: awardedFor.evidence } : {}) };
    tx.put({ t: 'item', s: service, v: { kind: AWARD_KIND, id, owner: user, subject: user, at, v: instance } });
    ids.push(id);
  }
  return ids;
}

/** Every instance of the user's, revoked ones included, in the order awarded. */
export const instancesOf = (tx: Reads, service: string, user: string): Promise<Item[]> => tx.items(service, AWARD_KIND, { owner: user });

/** Marks instances revoked now, with the reason given (or none). */
export function markRevoked(tx: Tx, service: string, items: readonly Item[], reason: string | null): void {
  const revoked = { at: tx.now.toISOString(), reason };
  for (const item of items) tx.put({ t: 'item', s: service, v: { ...item, v: { ...(item.v as AwardInstance), revoked } } });
}

/** The user's live instances of each of the badges, by badge, in the order awarded. */
export async function liveInstances(tx: Reads, service: string, user: string, badges: ReadonlySet<string>): Promise<Map<string, Item[]>> {
  const live = new Map<string, Item[]>();
  for (const item of await instancesOf(tx, service, user)) {
    if (!isLive(item) || !badges.has(badgeOf(item))) continue;
    live.set(badgeOf(item), [...(live.get(badgeOf(item)) ?? []), item]);
  }
  return live;
}

/** Whether every award of the user has its instances: what a read checks before writing any. */
export function instancesMissing(awards: readonly { badge: string; count: number }[], instances: readonly Item[]): boolean {
  const live = new Map<string, number>();
  for (const item of instances) if (isLive(item)) live.set(badgeOf(item), (live.get(badgeOf(item)) ?? 0) + 1);
  return awards.some((award) => (live.get(award.badge) ?? 0) < award.count);
}

/**
 * Gives the user's awards made before instances existed their instances (see above); answers every
 * instance of the user's, in the order awarded. Writes nothing when none is missing.
 */
export async function settleInstances(tx: Tx, service: string, userName: string): Promise<Item[]> {
  const instances = await instancesOf(tx, service, userName);
  const user = await tx.user(service, userName);
  if (!user || !instancesMissing(user.awards, instances)) return instances;
  const live = new Map<string, number>();
  for (const item of instances) if (isLive(item)) live.set(badgeOf(item), (live.get(badgeOf(item)) ?? 0) + 1);
  for (const award of user.awards) {
    const have = live.get(award.badge) ?? 0;
    const missing = award.count - have;
    for (let i = 0; i < missing; i++) {
      const at = have === 0 && missing > 1 && i === missing - 1 ? award.latest : award.first;
      putInstances(tx, service, userName, award.badge, at, 1);
    }
  }
  return instancesOf(tx, service, userName);
}

import type { BadgeRecord } from '../model.js';
import type { Tx } from '../ports.js';
import { awardChecked, type SkipReason } from '../rules/awards.js';
import type { AwardedFor } from '../rules/instances.js';
import { termsOf } from '../terms.js';

/**
 * How awards made by address, invitation and claim code go through the awarding rules: one badge to
 * one user, as far as the badge's terms allow (rules/awards.ts: unique, caps, windows, disabled).
 */

/** Whether a user may hold the badge once only. */
export const isUnique = (badge: BadgeRecord): boolean => termsOf(badge.fields).unique;

/**
 * Awards `badge` to `user` once: `awarded`, or why the badge's terms refused it (nothing written
 * then). What it was awarded for (a claim code, an invitation and what it carried) is written on
 * the award's event and instance.
 */
export async function awardOnce(tx: Tx, service: string, user: string, badge: BadgeRecord, awardedFor?: AwardedFor): Promise<'awarded' | SkipReason> {
  return (await awardChecked(tx, service, user, [badge.name], tx.now, awardedFor)).skipped[0]?.reason ?? 'awarded';
}

import type { BadgeRecord } from '../model.js';
import type { Tx } from '../ports.js';
import { award } from '../rules/awards.js';

/**
 * How awards made by address, invitation and claim code go through the awarding rules: one badge to
 * one user, once only where the badge is unique. The issue-10 badge rules (`awardChecked`, whose
 * `unique` field this reads until then) replace the two functions below at merge; nothing else here
 * reads badge fields.
 */

/** Whether a user may hold the badge once only. */
export const isUnique = (badge: BadgeRecord): boolean => badge.fields.unique === true;

/** Awards `badge` to `user` unless it is unique and held already: `held` then, and nothing written. */
export async function awardOnce(tx: Tx, service: string, user: string, badge: BadgeRecord): Promise<'awarded' | 'held'> {
  if (isUnique(badge) && (await tx.user(service, user))?.awards.some((a) => a.badge === badge.name)) return 'held';
  await award(tx, service, user, [badge.name]);
  return 'awarded';
}

import type { Cause } from '../events.js';
import { withCause } from '../events/award-for.js';
import type { BadgeRecord } from '../model.js';
import type { Tx } from '../ports.js';
import { awardChecked, type SkipReason } from '../rules/awards.js';
import { termsOf } from '../terms.js';

/**
 * How awards made by address, invitation and claim code go through the awarding rules: one badge to
 * one user, as far as the badge's terms allow (rules/awards.ts: unique, caps, windows, disabled).
 */

/** Whether a user may hold the badge once only. */
export const isUnique = (badge: BadgeRecord): boolean => termsOf(badge.fields).unique;

/**
 * Awards `badge` to `user` once: `awarded`, or why the badge's terms refused it (nothing written
 * then). `cause` (a claim code, an invitation) is written on the award's event.
 */
export async function awardOnce(tx: Tx, service: string, user: string, badge: BadgeRecord, cause?: Cause): Promise<'awarded' | SkipReason> {
  let reason: SkipReason | undefined;
  const award = async () => (reason = (await awardChecked(tx, service, user, [badge.name])).skipped[0]?.reason);
  await (cause ? withCause(tx, cause, award) : award());
  return reason ?? 'awarded';
}

import type { Cause } from '../events.js';
import type { Tx } from '../ports.js';
import { awardChecked, revoke } from '../rules/awards.js';

/**
 * Awards and revocations a rule makes: the same as the API's, with what caused them written on the
 * domain events (the activity feed shows it) and on the award instances.
 */

/**
 * Awards the rule's badge once, dated `at`, as far as the badge's terms allow (a cap, a window: see
 * rules/awards.ts). False when nothing was awarded: the badge is gone (deleted after the rule was
 * made) or its terms refused it then.
 */
export async function awardFor(tx: Tx, service: string, badge: string, user: string, at: string, cause: Cause): Promise<boolean> {
  if (!(await tx.badges(service, [badge])).has(badge)) return false;
  return (await awardChecked(tx, service, user, [badge], new Date(at), { cause })).skipped.length === 0;
}

export async function revokeFor(tx: Tx, service: string, badge: string, user: string, cause: Cause): Promise<void> {
  await revoke(tx, service, user, [badge], { cause });
}

import type { Cause, DomainEvent } from '../events.js';
import type { Tx } from '../ports.js';
import { awardChecked, revoke } from '../rules/awards.js';

/**
 * Awards and revocations a rule makes: the same as the API's, with what caused them written on the
 * domain events (the activity feed shows it).
 */

/**
 * Awards the rule's badge once, dated `at`, as far as the badge's terms allow (a cap, a window: see
 * rules/awards.ts). False when nothing was awarded: the badge is gone (deleted after the rule was
 * made) or its terms refused it then.
 */
export async function awardFor(tx: Tx, service: string, badge: string, user: string, at: string, cause: Cause): Promise<boolean> {
  if (!(await tx.badges(service, [badge])).has(badge)) return false;
  let awarded = false;
  await withCause(tx, cause, async () => (awarded = (await awardChecked(tx, service, user, [badge], new Date(at))).skipped.length === 0));
  return awarded;
}

export async function revokeFor(tx: Tx, service: string, badge: string, user: string, cause: Cause): Promise<void> {
  await withCause(tx, cause, () => revoke(tx, service, user, [badge]));
}

/** Runs `work` and writes `cause` on the award events it emitted; events emitted before stay as they were. */
export async function withCause(tx: Tx, cause: Cause, work: () => Promise<unknown>): Promise<void> {
  const before = tx.takeEvents();
  try {
    await work();
  } finally {
    const mine = tx.takeEvents();
    for (const event of before) tx.emit(event);
    for (const event of mine) tx.emit(event.type === 'award.created' || event.type === 'award.revoked' ? ({ ...event, cause } as DomainEvent) : event);
  }
}

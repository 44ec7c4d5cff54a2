import type { AwardCause, DomainEvent } from '../events.js';
import type { Tx } from '../ports.js';
import { award, revoke } from '../rules/awards.js';

/**
 * Awards and revocations a rule makes: the same as the API's, with what caused them written on the
 * domain events (the activity feed shows it).
 */

/** Awards the rule's badge once, dated `at`. False when the badge is gone (deleted after the rule was made). */
export async function awardFor(tx: Tx, service: string, badge: string, user: string, at: string, cause: AwardCause): Promise<boolean> {
  if (!(await tx.badges(service, [badge])).has(badge)) return false;
  await withCause(tx, cause, () => award(tx, service, user, [badge], new Date(at)));
  return true;
}

export async function revokeFor(tx: Tx, service: string, badge: string, user: string, cause: AwardCause): Promise<void> {
  await withCause(tx, cause, () => revoke(tx, service, user, [badge]));
}

/** Runs `work` and writes `cause` on the award events it emitted; events emitted before stay as they were. */
async function withCause(tx: Tx, cause: AwardCause, work: () => Promise<unknown>): Promise<void> {
  const before = tx.takeEvents();
  try {
    await work();
  } finally {
    const mine = tx.takeEvents();
    for (const event of before) tx.emit(event);
    for (const event of mine) tx.emit(event.type === 'award.created' || event.type === 'award.revoked' ? ({ ...event, cause } as DomainEvent) : event);
  }
}

import { EMAIL_KIND } from '../email.js';
import { notFound } from '../errors.js';
import type { Tx } from '../ports.js';
import { requireService } from '../rules/services.js';
import type { SkipReason } from '../rules/awards.js';
import { awardOnce } from './awarding.js';
import { invite, INVITATION_KIND } from './invitations.js';
import { DEFAULT_QUOTAS, requireWithinQuota, type Quotas } from '../rules/quota.js';

/** A recipient as the request named it (`key`): a normalised address or a user name. */
export type Recipient = { key: string; email: string } | { key: string; user: string };

export type BulkSuccess = 'AWARDED' | 'INVITED';
/** Beyond badges.mozilla.org's two, why the badge's terms refused an award now (see rules/awards.ts). */
export type BulkError = 'ALREADYAWARDED' | 'INVALID' | 'DISABLED' | 'NOT_STARTED' | 'ENDED' | 'MAX_REACHED' | 'FREQUENCY_CAP' | 'NOT_ELIGIBLE';

export interface BulkResult {
  successes: Record<string, BulkSuccess>;
  errors: Record<string, BulkError>;
}

/**
 * badges.mozilla.org's award by address, in one unit: a known address (or a user name) is AWARDED,
 * an address nobody has is INVITED (a deferred award), a unique badge held (or pending) already is
 * ALREADYAWARDED. A recipient named twice is given once, both keys answered alike.
 */
export async function bulkAward(
  tx: Tx,
  service: string,
  badgeName: string,
  recipients: readonly Recipient[],
  description: string | null,
  invitationTtlMs: number,
  quotas: Quotas = DEFAULT_QUOTAS,
): Promise<BulkResult> {
  await requireService(tx, service);
  const badge = (await tx.badges(service, [badgeName])).get(badgeName);
  if (!badge) throw notFound('badge_not_found', `Badge "${badgeName}" is not registered in service "${service}"`);
  // Keyed by what the request named, which may be "__proto__": objects without a prototype take it as a key.
  const result: BulkResult = { successes: Object.create(null), errors: Object.create(null) };
  const done = new Map<string, BulkSuccess | BulkError>();
  for (const recipient of recipients) {
    const user = 'user' in recipient ? recipient.user : (await tx.item(service, EMAIL_KIND, recipient.email))?.owner ?? undefined;
    const who = user !== undefined ? `u\n${user}` : `e\n${(recipient as { email: string }).email}`;
    let outcome = done.get(who);
    if (outcome === undefined) {
      if (user !== undefined) outcome = outcomeOf(await awardOnce(tx, service, user, badge));
      else outcome = (await invite(tx, service, (recipient as { email: string }).email, badge, description, invitationTtlMs)) === 'held' ? 'ALREADYAWARDED' : 'INVITED';
      done.set(who, outcome);
    }
    if (outcome === 'AWARDED' || outcome === 'INVITED') result.successes[recipient.key] = outcome;
    else result.errors[recipient.key] = outcome;
  }
  await requireWithinQuota(tx, service, 'invitations', INVITATION_KIND, quotas);
  return result;
}

function outcomeOf(result: 'awarded' | SkipReason): BulkSuccess | BulkError {
  if (result === 'awarded') return 'AWARDED';
  return result === 'unique' ? 'ALREADYAWARDED' : (result.toUpperCase() as BulkError);
}

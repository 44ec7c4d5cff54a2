import { EMAIL_KIND } from '../email.js';
import { conflict } from '../errors.js';
import type { Tx } from '../ports.js';
import { requireService } from '../rules/services.js';
import { claimPendingEvents } from '../events/ingest.js';
import { claimInvitations, type ClaimedInvitation } from './invitations.js';

/** At most this many addresses per user. */
export const MAX_EMAILS = 20;

/**
 * Sets the user's addresses (normalised, see core/email.ts) to exactly `emails`. An address another
 * user has is refused; an address new to the user claims the invitations pending for it, in the
 * same unit, so an award can never be both pending and held; so do the events kept for it (GetBadges'
 * URL keeps an event for an address nobody has yet), counted then.
 */
export async function setEmails(tx: Tx, service: string, user: string, emails: readonly string[]): Promise<{ emails: string[]; claimed: ClaimedInvitation[] }> {
  await requireService(tx, service);
  const wanted = [...new Set(emails)];
  const current = new Set((await tx.items(service, EMAIL_KIND, { owner: user })).map((item) => item.id));
  for (const address of wanted) {
    const holder = (await tx.item(service, EMAIL_KIND, address))?.owner;
    if (holder !== undefined && holder !== user) throw conflict('email_taken', `The address ${address} belongs to another user of service "${service}"`);
  }
  for (const address of current) if (!wanted.includes(address)) tx.put({ t: 'item-', s: service, k: EMAIL_KIND, id: address });
  const claimed: ClaimedInvitation[] = [];
  for (const address of wanted) {
    if (current.has(address)) continue;
    tx.put({ t: 'item', s: service, v: { kind: EMAIL_KIND, id: address, owner: user, at: tx.now.toISOString(), v: { user } } });
    claimed.push(...(await claimInvitations(tx, service, user, address)));
    await claimPendingEvents(tx, service, user, address);
  }
  return { emails: wanted.sort(), claimed };
}

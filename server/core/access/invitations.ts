import { notFound } from '../errors.js';
import type { BadgeRecord, Item } from '../model.js';
import type { Tx } from '../ports.js';
import type { AwardedFor } from '../rules/instances.js';
import { awardOnce, isUnique } from './awarding.js';
import { newId } from './ids.js';

/**
 * Deferred awards: a badge awarded to an address nobody has yet is an invitation (an `invitation`
 * item, owner the address, `at` its expiry so that expiry is a `dueItems` read). When a user gets the
 * address, the invitation becomes theirs in the same unit: awarded then, and kept as an
 * `invitation-claimed` item (owner the address) that remembers when it was first awarded.
 */
export const INVITATION_KIND = 'invitation';
export const CLAIMED_KIND = 'invitation-claimed';
/** The `at` of an invitation that never expires. */
export const NEVER = '9999-12-31T23:59:59.999Z';

export interface Invitation {
  id: string;
  email: string;
  badge: string;
  description: string | null;
  createdAt: string;
  expiresAt: string | null;
  /** What made it (a claim code, an application) and on what evidence: the award, when claimed, carries them. */
  cause?: AwardedFor['cause'];
  evidence?: AwardedFor['evidence'];
}

export interface ClaimedInvitation extends Invitation {
  user: string;
  claimedAt: string;
  /** False when the badge is unique and the user held it already: claimed, nothing awarded. */
  awarded: boolean;
}

/**
 * Invites the address to the badge: the invitation's id, or `held` when a unique badge is pending
 * for it already (nothing written). `awardedFor` goes with the award when the invitation is claimed.
 */
export async function invite(tx: Tx, service: string, email: string, badge: BadgeRecord, description: string | null, ttlMs: number, awardedFor: AwardedFor = {}): Promise<{ invitation: string } | 'held'> {
  if (isUnique(badge)) {
    const pending = await tx.items(service, INVITATION_KIND, { owner: email, from: tx.now.toISOString() });
    if (pending.some((item) => (item.v as Invitation).badge === badge.name)) return 'held';
  }
  const at = tx.now.toISOString();
  const expiresAt = ttlMs > 0 ? new Date(tx.now.getTime() + ttlMs).toISOString() : null;
  const invitation: Invitation = {
    id: newId('inv'),
    email,
    badge: badge.name,
    description,
    createdAt: at,
    expiresAt,
    ...(awardedFor.cause ? { cause: awardedFor.cause } : {}),
    ...(awardedFor.evidence?.length ? { evidence: awardedFor.evidence } : {}),
  };
  tx.put({ t: 'item', s: service, v: { kind: INVITATION_KIND, id: invitation.id, owner: email, at: expiresAt ?? NEVER, v: invitation } });
  tx.emit({ type: 'invitation.created', service, invitation: invitation.id, email, badge: badge.name, at });
  return { invitation: invitation.id };
}

/** Makes the address's pending invitations the user's: awarded now, the first award date kept. */
export async function claimInvitations(tx: Tx, service: string, user: string, email: string): Promise<ClaimedInvitation[]> {
  const now = tx.now.toISOString();
  // An expired invitation the expiry job has not removed yet is not claimed.
  const pending = (await tx.items(service, INVITATION_KIND, { owner: email })).filter((item) => item.at > now);
  const claimed: ClaimedInvitation[] = [];
  for (const item of pending) {
    const invitation = item.v as Invitation;
    tx.put({ t: 'item-', s: service, k: INVITATION_KIND, id: item.id });
    const badge = (await tx.badges(service, [invitation.badge])).get(invitation.badge);
    // The badge was deleted since: nothing left to claim.
    if (!badge) continue;
    const awardedFor: AwardedFor = { cause: { ...invitation.cause, invitation: invitation.id }, ...(invitation.evidence ? { evidence: invitation.evidence } : {}) };
    const awarded = (await awardOnce(tx, service, user, badge, awardedFor)) === 'awarded';
    const record: ClaimedInvitation = { ...invitation, user, claimedAt: now, awarded };
    tx.put({ t: 'item', s: service, v: { kind: CLAIMED_KIND, id: invitation.id, owner: email, at: now, v: record } });
    tx.emit({ type: 'invitation.claimed', service, invitation: invitation.id, email, user, badge: invitation.badge, invitedAt: invitation.createdAt, at: now });
    claimed.push(record);
  }
  return claimed;
}

export async function cancelInvitation(tx: Tx, service: string, id: string): Promise<Invitation> {
  const item = await tx.item(service, INVITATION_KIND, id);
  if (!item) throw notFound('invitation_not_found', `No pending invitation "${id}" in service "${service}"`);
  tx.put({ t: 'item-', s: service, k: INVITATION_KIND, id });
  const invitation = item.v as Invitation;
  tx.emit({ type: 'invitation.cancelled', service, invitation: id, email: invitation.email, badge: invitation.badge, at: tx.now.toISOString() });
  return invitation;
}

/** Removes the listed invitations that have expired by the unit's time; returns how many. */
export async function expireInvitations(tx: Tx, service: string, ids: readonly string[]): Promise<number> {
  const now = tx.now.toISOString();
  let removed = 0;
  for (const id of ids) {
    const item: Item | undefined = await tx.item(service, INVITATION_KIND, id);
    if (!item || item.at > now) continue;
    tx.put({ t: 'item-', s: service, k: INVITATION_KIND, id });
    removed++;
  }
  return removed;
}

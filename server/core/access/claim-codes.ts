import { addressSubject, EMAIL_KIND } from '../email.js';
import { conflict, DomainError, invalid, notFound } from '../errors.js';
import type { BadgeRecord, UserRecord } from '../model.js';
import type { Tx } from '../ports.js';
import { requireService } from '../rules/services.js';
import { awardOnce } from './awarding.js';
import { invite } from './invitations.js';

/**
 * Claim codes: a code the site hands out that awards a badge to whoever redeems it, once per user,
 * up to `uses` times, until an optional expiry. A `claim-code` item per code (id the code, owner the
 * badge); each redemption a `claim-redemption` item (owner the user, or for an address nobody has,
 * the address's subject). Redeeming reads and writes in one unit, and units of a service never
 * interleave: of two redemptions of a last use, one wins. Codes are random, or chosen by the site
 * (BadgeKit's): a code is one badge's, whoever made it.
 */
export const CLAIM_CODE_KIND = 'claim-code';
export const REDEMPTION_KIND = 'claim-redemption';

export interface ClaimCode {
  code: string;
  badge: string;
  uses: number;
  redeemed: number;
  expiresAt: string | null;
  createdAt: string;
  /** Chosen by the site, not made at random: shown as it is kept, not in groups of four. */
  chosen?: true;
}

export type ClaimCodeState = 'active' | 'used' | 'expired';

export const claimCodeState = (code: ClaimCode, now: string): ClaimCodeState =>
  code.redeemed >= code.uses ? 'used' : code.expiresAt !== null && code.expiresAt <= now ? 'expired' : 'active';

export async function makeClaimCodes(tx: Tx, service: string, badge: string, codes: readonly string[], uses: number, expiresAt: string | null, chosen = false): Promise<ClaimCode[]> {
  await requireService(tx, service);
  if (!(await tx.badges(service, [badge])).has(badge)) throw notFound('badge_not_found', `Badge "${badge}" is not registered in service "${service}"`);
  if (new Set(codes).size < codes.length) throw invalid('invalid_codes', 'The codes must differ (case and hyphens aside)');
  const taken = [...(await tx.itemsById(service, CLAIM_CODE_KIND, codes)).keys()];
  if (taken.length > 0) throw conflict('claim_code_exists', `The service has claim codes ${taken.join(', ')} already; choose others`, taken);
  const createdAt = tx.now.toISOString();
  const made = codes.map((code) => {
    const record: ClaimCode = { code, badge, uses, redeemed: 0, expiresAt, createdAt, ...(chosen ? { chosen: true as const } : {}) };
    tx.put({ t: 'item', s: service, v: { kind: CLAIM_CODE_KIND, id: code, owner: badge, at: createdAt, v: record } });
    return record;
  });
  // The codes award whoever holds one: they are told only to whoever asked for them.
  tx.emit({ type: 'claim_code.created', service, badge, count: codes.length, uses, expiresAt, at: createdAt });
  return made;
}

/** What a redemption did: awarded a user, or left an invitation for an address nobody has. */
export type Redeemed = { code: ClaimCode; user: UserRecord } | { code: ClaimCode; email: string; invitation: string };

/**
 * Redeems a code for a user, or for an address (BadgeKit's): an address a user has is that user's
 * redemption; an address nobody has gets an invitation (a deferred award, claimed with the
 * address), and uses up a redemption now. Once per user, or address, a code.
 */
export async function redeemClaimCode(tx: Tx, service: string, code: string, learner: string | { email: string }, invitationTtlMs = 0): Promise<Redeemed> {
  await requireService(tx, service);
  const item = await tx.item(service, CLAIM_CODE_KIND, code);
  if (!item) throw notFound('claim_code_not_found', 'No such claim code');
  const record = item.v as ClaimCode;
  const now = tx.now.toISOString();
  const state = claimCodeState(record, now);
  if (state === 'used') throw conflict('claim_code_used', 'The claim code has been used as many times as it may be');
  if (state === 'expired') throw conflict('claim_code_expired', `The claim code expired at ${record.expiresAt}`);
  const email = typeof learner === 'string' ? undefined : learner.email;
  const user = typeof learner === 'string' ? learner : (await tx.item(service, EMAIL_KIND, learner.email))?.owner ?? undefined;
  const redeemer = user ?? addressSubject(email!);
  const redemption = `${code}\n${redeemer}`;
  if (await tx.item(service, REDEMPTION_KIND, redemption)) throw conflict('claim_code_redeemed', `${user !== undefined ? `User "${user}"` : `The address ${email}`} has redeemed this claim code already`);
  const badge = (await tx.badges(service, [record.badge])).get(record.badge);
  if (!badge) throw new DomainError('conflict', 'badge_not_found', `The claim code's badge "${record.badge}" was deleted`);
  const invitation = user === undefined ? await inviteFor(tx, service, email!, badge, code, invitationTtlMs) : (await awardFor(tx, service, user, badge, code), undefined);
  const updated = { ...record, redeemed: record.redeemed + 1 };
  tx.put({ t: 'item', s: service, v: { ...item, v: updated } });
  tx.put({ t: 'item', s: service, v: { kind: REDEMPTION_KIND, id: redemption, owner: redeemer, at: now, v: { code, ...(user !== undefined ? { user } : { email }), badge: badge.name, at: now } } });
  if (user !== undefined) {
    tx.emit({ type: 'claim_code.redeemed', service, code, user, ...(email !== undefined ? { email } : {}), badge: badge.name, at: now });
    return { code: updated, user: (await tx.user(service, user))! };
  }
  tx.emit({ type: 'claim_code.redeemed', service, code, email: email!, invitation: invitation!, badge: badge.name, at: now });
  return { code: updated, email: email!, invitation: invitation! };
}

async function awardFor(tx: Tx, service: string, user: string, badge: BadgeRecord, code: string): Promise<void> {
  const result = await awardOnce(tx, service, user, badge, { cause: { claimCode: code } });
  if (result === 'unique') throw conflict('already_awarded', `User "${user}" holds the unique badge "${badge.name}" already; the code was not used`);
  if (result !== 'awarded') throw conflict('not_awardable', `Badge "${badge.name}" cannot be awarded to "${user}" now (${result}); the code was not used`);
}

async function inviteFor(tx: Tx, service: string, email: string, badge: BadgeRecord, code: string, ttlMs: number): Promise<string> {
  const invited = await invite(tx, service, email, badge, null, ttlMs, { cause: { claimCode: code } });
  if (invited === 'held') throw conflict('already_awarded', `The address ${email} has an invitation to the unique badge "${badge.name}" already; the code was not used`);
  return invited.invitation;
}

import { conflict, DomainError, notFound } from '../errors.js';
import type { UserRecord } from '../model.js';
import type { Tx } from '../ports.js';
import { requireService } from '../rules/services.js';
import { awardOnce } from './awarding.js';

/**
 * Claim codes: a code the site hands out that awards a badge to whoever redeems it, once per user,
 * up to `uses` times, until an optional expiry. A `claim-code` item per code (id the code, owner the
 * badge); each redemption a `claim-redemption` item (owner the user). Redeeming reads and writes in
 * one unit, and units of a service never interleave: of two redemptions of a last use, one wins.
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
}

export type ClaimCodeState = 'active' | 'used' | 'expired';

export const claimCodeState = (code: ClaimCode, now: string): ClaimCodeState =>
  code.redeemed >= code.uses ? 'used' : code.expiresAt !== null && code.expiresAt <= now ? 'expired' : 'active';

export async function makeClaimCodes(tx: Tx, service: string, badge: string, codes: readonly string[], uses: number, expiresAt: string | null): Promise<ClaimCode[]> {
  await requireService(tx, service);
  if (!(await tx.badges(service, [badge])).has(badge)) throw notFound('badge_not_found', `Badge "${badge}" is not registered in service "${service}"`);
  const createdAt = tx.now.toISOString();
  const made = codes.map((code) => {
    const record: ClaimCode = { code, badge, uses, redeemed: 0, expiresAt, createdAt };
    tx.put({ t: 'item', s: service, v: { kind: CLAIM_CODE_KIND, id: code, owner: badge, at: createdAt, v: record } });
    return record;
  });
  // The codes award whoever holds one: they are told only to whoever asked for them.
  tx.emit({ type: 'claim_code.created', service, badge, count: codes.length, uses, expiresAt, at: createdAt });
  return made;
}

export async function redeemClaimCode(tx: Tx, service: string, code: string, user: string): Promise<{ code: ClaimCode; user: UserRecord }> {
  await requireService(tx, service);
  const item = await tx.item(service, CLAIM_CODE_KIND, code);
  if (!item) throw notFound('claim_code_not_found', 'No such claim code');
  const record = item.v as ClaimCode;
  const now = tx.now.toISOString();
  const state = claimCodeState(record, now);
  if (state === 'used') throw conflict('claim_code_used', 'The claim code has been used as many times as it may be');
  if (state === 'expired') throw conflict('claim_code_expired', `The claim code expired at ${record.expiresAt}`);
  const redemption = `${code}\n${user}`;
  if (await tx.item(service, REDEMPTION_KIND, redemption)) throw conflict('claim_code_redeemed', `User "${user}" has redeemed this claim code already`);
  const badge = (await tx.badges(service, [record.badge])).get(record.badge);
  if (!badge) throw new DomainError('conflict', 'badge_not_found', `The claim code's badge "${record.badge}" was deleted`);
  const result = await awardOnce(tx, service, user, badge, { cause: { claimCode: code } });
  if (result === 'unique') throw conflict('already_awarded', `User "${user}" holds the unique badge "${badge.name}" already; the code was not used`);
  if (result !== 'awarded') throw conflict('not_awardable', `Badge "${badge.name}" cannot be awarded to "${user}" now (${result}); the code was not used`);
  const updated = { ...record, redeemed: record.redeemed + 1 };
  tx.put({ t: 'item', s: service, v: { ...item, v: updated } });
  tx.put({ t: 'item', s: service, v: { kind: REDEMPTION_KIND, id: redemption, owner: user, at: now, v: { code, user, badge: badge.name, at: now } } });
  tx.emit({ type: 'claim_code.redeemed', service, code, user, badge: badge.name, at: now });
  return { code: updated, user: (await tx.user(service, user))! };
}

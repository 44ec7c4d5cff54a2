import { addressSubject, EMAIL_KIND } from '../email.js';
import { conflict, DomainError, invalid, notFound } from '../errors.js';
import type { Reactor } from '../reactor.js';
import type { BadgeRecord, Item, UserRecord } from '../model.js';
import type { Tx } from '../ports.js';
import { requireService } from '../rules/services.js';
import { DEFAULT_QUOTAS, requireWithinQuota, type Quotas } from '../rules/quota.js';
import { awardOnce } from './awarding.js';
import { invite, INVITATION_KIND, type Invitation } from './invitations.js';

/**
 * Claim codes: a code the site hands out that awards a badge to whoever redeems it, once per user,
 * up to `uses` times, until an optional expiry. A `claim-code` item per code (id the code, owner the
 * badge); each redemption a `claim-redemption` item (owner the user, or for an address nobody has,
 * the address's subject). Redeeming reads and writes in one unit, and units of a service never
 * interleave: of two redemptions of a last use, one wins. Codes are random, or chosen by the site
 * (BadgeKit's): a code is one badge's, whoever made it.
 *
 * The codes made by one request are a batch (a `claim-code-batch` item, owner the scoped key that
 * made them, or none for the service's key), expired or deleted together. A code lives no longer
 * than the key that made it: it expires with it, and goes when the key is deleted. Deleting a badge
 * deletes its codes (and its pending invitations), so a badge made again under the name starts clean.
 */
export const CLAIM_CODE_KIND = 'claim-code';
export const REDEMPTION_KIND = 'claim-redemption';
export const BATCH_KIND = 'claim-code-batch';

export interface ClaimCode {
  code: string;
  badge: string;
  uses: number;
  redeemed: number;
  expiresAt: string | null;
  createdAt: string;
  /** Chosen by the site, not made at random: shown as it is kept, not in groups of four. */
  chosen?: true;
  /** The batch it was made in; codes made before batches existed have none. */
  batch?: string;
  /** The scoped key that made it; null: the service's own key. */
  key?: string | null;
}

export interface ClaimCodeBatch {
  id: string;
  badge: string;
  key: string | null;
  /** Its codes that still exist. */
  codes: string[];
  uses: number;
  expiresAt: string | null;
  createdAt: string;
}

export type ClaimCodeState = 'active' | 'used' | 'expired';

export const claimCodeState = (code: ClaimCode, now: string): ClaimCodeState =>
  code.redeemed >= code.uses ? 'used' : code.expiresAt !== null && code.expiresAt <= now ? 'expired' : 'active';

/** Who makes codes: a scoped key (its id and expiry), or the service's own key (null). */
export type Maker = { id: string; expiresAt: string | null } | null;

export async function makeClaimCodes(tx: Tx, service: string, badge: string, codes: readonly string[], uses: number, expiresAt: string | null, batch: string, maker: Maker, quotas: Quotas = DEFAULT_QUOTAS, chosen = false): Promise<{ batch: ClaimCodeBatch; codes: ClaimCode[] }> {
  await requireService(tx, service);
  if (!(await tx.badges(service, [badge])).has(badge)) throw notFound('badge_not_found', `Badge "${badge}" is not registered in service "${service}"`);
  if (new Set(codes).size < codes.length) throw invalid('invalid_codes', 'The codes must differ (case and hyphens aside)');
  const taken = [...(await tx.itemsById(service, CLAIM_CODE_KIND, codes)).keys()];
  if (taken.length > 0) throw conflict('claim_code_exists', `The service has claim codes ${taken.join(', ')} already; choose others`, taken);
  const createdAt = tx.now.toISOString();
  // No later than the key that makes them.
  const until = maker?.expiresAt && (expiresAt === null || maker.expiresAt < expiresAt) ? maker.expiresAt : expiresAt;
  const made = codes.map((code) => {
    const record: ClaimCode = { code, badge, uses, redeemed: 0, expiresAt: until, createdAt, batch, key: maker?.id ?? null, ...(chosen ? { chosen: true as const } : {}) };
    tx.put({ t: 'item', s: service, v: { kind: CLAIM_CODE_KIND, id: code, owner: badge, at: createdAt, v: record } });
    return record;
  });
  const record: ClaimCodeBatch = { id: batch, badge, key: maker?.id ?? null, codes: [...codes], uses, expiresAt: until, createdAt };
  tx.put({ t: 'item', s: service, v: { kind: BATCH_KIND, id: batch, owner: maker?.id ?? null, at: createdAt, v: record } });
  await requireWithinQuota(tx, service, 'claim_codes', CLAIM_CODE_KIND, quotas);
  // The codes award whoever holds one: they are told only to whoever asked for them.
  tx.emit({ type: 'claim_code.created', service, badge, count: codes.length, uses, expiresAt: until, at: createdAt });
  return { batch: record, codes: made };
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
  const item = await codeItem(tx, service, code);
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

export async function getClaimCode(tx: Tx, service: string, code: string): Promise<ClaimCode> {
  return (await codeItem(tx, service, code)).v as ClaimCode;
}

/** Ends the code now: it can no longer be redeemed, and is listed as expired. Already ended: unchanged. */
export async function expireClaimCode(tx: Tx, service: string, code: string): Promise<ClaimCode> {
  return expireCode(tx, service, await codeItem(tx, service, code));
}

export async function deleteClaimCode(tx: Tx, service: string, code: string): Promise<ClaimCode> {
  const item = await codeItem(tx, service, code);
  await removeCodes(tx, service, [item]);
  return item.v as ClaimCode;
}

export async function getBatch(tx: Tx, service: string, id: string): Promise<{ batch: ClaimCodeBatch; codes: ClaimCode[] }> {
  const batch = await batchOf(tx, service, id);
  const codes = await tx.itemsById(service, CLAIM_CODE_KIND, batch.codes);
  return { batch, codes: batch.codes.flatMap((code) => (codes.has(code) ? [codes.get(code)!.v as ClaimCode] : [])) };
}

export async function expireBatch(tx: Tx, service: string, id: string): Promise<{ batch: ClaimCodeBatch; codes: ClaimCode[] }> {
  const batch = await batchOf(tx, service, id);
  const now = tx.now.toISOString();
  const codes = [];
  for (const item of (await tx.itemsById(service, CLAIM_CODE_KIND, batch.codes)).values()) codes.push(expireCode(tx, service, item));
  const ended = batch.expiresAt !== null && batch.expiresAt <= now ? batch : { ...batch, expiresAt: now };
  if (ended !== batch) tx.put({ t: 'item', s: service, v: { kind: BATCH_KIND, id, owner: batch.key, at: batch.createdAt, v: ended } });
  return { batch: ended, codes };
}

/** Deletes the batch and every code of it; answers how many codes went. */
export async function deleteBatch(tx: Tx, service: string, id: string): Promise<{ batch: ClaimCodeBatch; deleted: number }> {
  const batch = await batchOf(tx, service, id);
  const codes = [...(await tx.itemsById(service, CLAIM_CODE_KIND, batch.codes)).values()];
  await removeCodes(tx, service, codes);
  tx.put({ t: 'item-', s: service, k: BATCH_KIND, id });
  return { batch, deleted: codes.length };
}

/** A scoped key was deleted: the codes it made go with it. */
export async function deleteCodesOfKey(tx: Tx, service: string, key: string): Promise<void> {
  for (const item of await tx.items(service, BATCH_KIND, { owner: key })) await deleteBatch(tx, service, item.id);
}

/**
 * A badge deleted takes its claim codes and its pending invitations with it, in the same unit: made
 * again under the name, it does not bring them back.
 */
export const badgeLeftovers: Reactor = async (tx, events) => {
  const deleted = new Map<string, Set<string>>();
  for (const event of events) if (event.type === 'badge.deleted') deleted.set(event.service, (deleted.get(event.service) ?? new Set()).add(event.badge));
  for (const [service, badges] of deleted) {
    for (const badge of badges) {
      const codes = await tx.items(service, CLAIM_CODE_KIND, { owner: badge });
      await removeCodes(tx, service, codes);
    }
    for (const item of await tx.items(service, INVITATION_KIND)) {
      if (badges.has((item.v as Invitation).badge)) tx.put({ t: 'item-', s: service, k: INVITATION_KIND, id: item.id });
    }
  }
};

async function codeItem(tx: Tx, service: string, code: string): Promise<Item> {
  const item = await tx.item(service, CLAIM_CODE_KIND, code);
  if (!item) throw notFound('claim_code_not_found', 'No such claim code');
  return item;
}

async function batchOf(tx: Tx, service: string, id: string): Promise<ClaimCodeBatch> {
  const item = await tx.item(service, BATCH_KIND, id);
  if (!item) throw notFound('claim_code_batch_not_found', `No claim code batch "${id}" in service "${service}"`);
  return item.v as ClaimCodeBatch;
}

function expireCode(tx: Tx, service: string, item: Item): ClaimCode {
  const code = item.v as ClaimCode;
  const now = tx.now.toISOString();
  if (code.expiresAt !== null && code.expiresAt <= now) return code;
  const ended: ClaimCode = { ...code, expiresAt: now };
  tx.put({ t: 'item', s: service, v: { ...item, v: ended } });
  return ended;
}

/** Removes codes, and each from its batch (a batch left without codes goes too). */
async function removeCodes(tx: Tx, service: string, items: readonly Item[]): Promise<void> {
  const byBatch = new Map<string, Set<string>>();
  for (const item of items) {
    tx.put({ t: 'item-', s: service, k: CLAIM_CODE_KIND, id: item.id });
    const batch = (item.v as ClaimCode).batch;
    if (batch) byBatch.set(batch, (byBatch.get(batch) ?? new Set()).add(item.id));
  }
  for (const [id, gone] of byBatch) {
    const item = await tx.item(service, BATCH_KIND, id);
    if (!item) continue;
    const batch = item.v as ClaimCodeBatch;
    const left = batch.codes.filter((code) => !gone.has(code));
    if (left.length === 0) tx.put({ t: 'item-', s: service, k: BATCH_KIND, id });
    else tx.put({ t: 'item', s: service, v: { ...item, v: { ...batch, codes: left } } });
  }
}

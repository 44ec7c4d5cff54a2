import { invalid, notFound } from '../errors.js';
import type { ServiceRecord } from '../model.js';
import type { Tx } from '../ports.js';
import { requireService, setServiceKey } from '../rules/services.js';
import { deleteCodesOfKey } from './claim-codes.js';

/**
 * Keys a service makes beside its own ("valet keys"): each may do some operations, on some badges
 * or all, until an optional expiry. Kept as `key` items; the secret is kept in clear, as the
 * service's key is, because a signature is checked with the secret itself.
 */
export const KEY_KIND = 'key';
/** The service's previous key during a rotation's grace: one item, id `service`, `at` its end. */
export const PREVIOUS_KEY_KIND = 'previous-key';
/** The longest grace of a rotation: an old key is being replaced, not kept beside the new one for good. */
export const MAX_ROTATION_GRACE_MS = 30 * 86_400_000;

export const OPERATIONS = ['award', 'revoke', 'manage_badges', 'read_private'] as const;
export type Operation = (typeof OPERATIONS)[number];

export interface ScopedKey {
  id: string;
  label: string;
  operations: Operation[];
  /** The badges it may act on; null: all. */
  badges: string[] | null;
  expiresAt: string | null;
  createdAt: string;
  secret: string;
}

export interface PreviousKey {
  key: string;
  until: string;
}

export async function createKey(tx: Tx, service: string, key: Omit<ScopedKey, 'createdAt'>): Promise<ScopedKey> {
  await requireService(tx, service);
  // Badge names are kept NFC-normalised: a key for "Zoë" typed either way is for the one badge.
  const badges = key.badges === null ? null : [...new Set(key.badges.map((badge) => badge.normalize('NFC')))];
  const record: ScopedKey = { ...key, badges, createdAt: tx.now.toISOString() };
  tx.put({ t: 'item', s: service, v: { kind: KEY_KIND, id: key.id, owner: null, at: record.createdAt, v: record } });
  tx.emit({ type: 'key.created', service, key: key.id, label: key.label, at: record.createdAt });
  return record;
}

/**
 * Revokes a key: gone from the store, so every instance refuses it from the next request on. The
 * claim codes it made go with it: a code lives no longer than the key that made it.
 */
export async function deleteKey(tx: Tx, service: string, id: string): Promise<ScopedKey> {
  const item = await tx.item(service, KEY_KIND, id);
  if (!item) throw notFound('key_not_found', `Service "${service}" has no key "${id}"`);
  tx.put({ t: 'item-', s: service, k: KEY_KIND, id });
  await deleteCodesOfKey(tx, service, id);
  tx.emit({ type: 'key.deleted', service, key: id, at: tx.now.toISOString() });
  return item.v as ScopedKey;
}

/**
 * Gives the service a new key. With a grace period the old key keeps working beside it until the
 * grace ends; without, it stops at once (and so does any key left from an earlier rotation).
 */
export async function rotateServiceKey(tx: Tx, service: string, key: string, graceMs: number): Promise<ServiceRecord & { previousUntil: string | null }> {
  const old = await requireService(tx, service);
  if (graceMs > MAX_ROTATION_GRACE_MS) throw invalid('invalid_grace', `The old key may keep working at most ${MAX_ROTATION_GRACE_MS / 86_400_000} days beside the new one`);
  const until = graceMs <= 0 ? null : new Date(tx.now.getTime() + graceMs).toISOString();
  const record = await setServiceKey(tx, service, key, until);
  if (until === null) {
    if (await tx.item(service, PREVIOUS_KEY_KIND, 'service')) tx.put({ t: 'item-', s: service, k: PREVIOUS_KEY_KIND, id: 'service' });
    return { ...record, previousUntil: null };
  }
  const previous: PreviousKey = { key: old.key, until };
  tx.put({ t: 'item', s: service, v: { kind: PREVIOUS_KEY_KIND, id: 'service', owner: null, at: until, v: previous } });
  return { ...record, previousUntil: until };
}

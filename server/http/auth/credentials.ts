import { randomBytes } from 'node:crypto';
import type { Actor } from '../../core/actor.js';
import { sameSecret, unauthorized } from './signatures.js';
import { KEY_KIND, PREVIOUS_KEY_KIND, type Operation, type PreviousKey, type ScopedKey } from '../../core/access/keys.js';
import { newId } from '../../core/access/ids.js';
import type { ServiceRecord } from '../../core/model.js';
import type { Queries } from '../../core/ports.js';
import { HttpError } from '../errors.js';

/**
 * Who a write is from: the service itself (its key, or its previous key during a rotation's grace),
 * or one of its scoped keys. A scoped key is read from the store on every request, so a revoked key
 * is refused by every instance from the moment the revocation is durable.
 */
export type Access = { kind: 'service' } | { kind: 'key'; key: ScopedKey };

export const SERVICE_ACCESS: Access = { kind: 'service' };

/** The actor a request with this access acts as. */
export const actorOf = (access: Access): Actor => (access.kind === 'service' ? { type: 'service' } : { type: 'key', id: access.key.id });

/** A scoped key as given in `Authorization`: `<id>.<secret>`; as HTTP Basic, user `<id>`, password `<secret>`. */
const TOKEN = /^(key_[a-z2-7]{20})\.([A-Za-z0-9_-]{43})$/;

export const newScopedKey = () => ({ id: newId('key'), secret: randomBytes(32).toString('base64url') });
export const tokenOf = (key: Pick<ScopedKey, 'id' | 'secret'>) => `${key.id}.${key.secret}`;

/**
 * The access a key in `Authorization` gives (`Bearer` already taken off): a scoped key's token, HTTP
 * Basic (`id:secret` of a scoped key, or the service's name and key), or the service's key. Throws
 * a 401 for anything else.
 */
export async function accessOfKey(store: Queries, service: ServiceRecord, given: string, now: number): Promise<Access> {
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(given);
  if (basic) {
    const text = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = text.indexOf(':');
    const [user, password] = colon < 0 ? [text, ''] : [text.slice(0, colon), text.slice(colon + 1)];
    if (user !== service.name) return scopedAccess(store, service, user, password, now);
    given = password;
  }
  const token = TOKEN.exec(given);
  if (token) return scopedAccess(store, service, token[1]!, token[2]!, now);
  if (sameSecret(given, service.key)) return SERVICE_ACCESS;
  const previous = await previousKey(store, service, now);
  if (previous !== undefined && sameSecret(given, previous)) return SERVICE_ACCESS;
  throw unauthorized('invalid_key', `The key is not valid for service "${service.name}"`);
}

/** A scoped key by id, if it exists and has not expired; refused with a 401 otherwise. */
export async function scopedKey(store: Queries, service: ServiceRecord, id: string, now: number, secret?: string): Promise<ScopedKey> {
  const key = (await store.getItem(service.name, KEY_KIND, id))?.v as ScopedKey | undefined;
  // Whether a key exists is told only to whoever knows its secret.
  if (!key || (secret !== undefined && !sameSecret(secret, key.secret))) throw unauthorized('invalid_key', `The key is not valid for service "${service.name}"`);
  if (key.expiresAt !== null && Date.parse(key.expiresAt) <= now) throw unauthorized('key_expired', `Key ${id} expired at ${key.expiresAt}`);
  return key;
}

async function scopedAccess(store: Queries, service: ServiceRecord, id: string, secret: string, now: number): Promise<Access> {
  return { kind: 'key', key: await scopedKey(store, service, id, now, secret) };
}

/** The service's previous key, while a rotation's grace lasts. */
export async function previousKey(store: Queries, service: ServiceRecord, now: number): Promise<string | undefined> {
  const previous = (await store.getItem(service.name, PREVIOUS_KEY_KIND, 'service'))?.v as PreviousKey | undefined;
  return previous && Date.parse(previous.until) > now ? previous.key : undefined;
}

const OPERATION_TEXT: Record<Operation, string> = { award: 'award', revoke: 'revoke', manage_badges: 'manage badges', read_private: 'read private data' };

/** What a key may do, for people: `award and revoke (badges gold, silver)`. */
export function describeKey(key: ScopedKey): string {
  const what = key.operations.map((op) => OPERATION_TEXT[op]).join(', ');
  return `${what}${key.badges === null ? ' (all badges)' : ` (badges ${key.badges.join(', ') || 'none'})`}`;
}

const outOfScope = (key: ScopedKey, need: string) =>
  new HttpError(403, 'key_out_of_scope', `Key ${key.id} ("${key.label}") may ${describeKey(key)}; this request needs ${need}`, {
    operations: key.operations,
    badges: key.badges,
  });

/**
 * What a route asks of a scoped key: an operation, `any` (every key of the service may: a read of
 * what the key itself may do), or nothing (only the service's own key will do).
 */
export type KeyNeed = Operation | 'any' | undefined;

/** Refuses a scoped key without the operation (none: only the service's own key will do). */
export function requireOperation(access: Access, operation: KeyNeed): void {
  if (access.kind === 'service' || operation === 'any') return;
  if (operation === undefined) throw outOfScope(access.key, "the service's own key");
  if (!access.key.operations.includes(operation)) throw outOfScope(access.key, `"${operation}" (${OPERATION_TEXT[operation]})`);
}

/** The badges a request's key may act on; null: all (the service's key, or a key for every badge). */
export const badgesOf = (access: Access | undefined): ReadonlySet<string> | null =>
  !access || access.kind === 'service' || access.key.badges === null ? null : new Set(access.key.badges.map((badge) => badge.normalize('NFC')));

/** Refuses a scoped key limited to other badges than these; `all`: any key limited to some badges. */
export function requireBadges(access: Access, badges: readonly string[] | 'all'): void {
  if (access.kind === 'service' || access.key.badges === null) return;
  if (badges === 'all') throw outOfScope(access.key, 'every badge (it acts on what badges belong to)');
  const allowed = new Set(access.key.badges.map((badge) => badge.normalize('NFC')));
  const outside = [...new Set(badges.filter((badge) => !allowed.has(badge.normalize('NFC'))))];
  if (outside.length > 0) throw outOfScope(access.key, `badges ${outside.join(', ')}`);
}

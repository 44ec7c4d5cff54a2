import { createHash } from 'node:crypto';
import { OB_V2 } from './contexts.js';

/**
 * Open Badges 2.0, hosted verification: the Assertion, its BadgeClass and the Issuer profile, each a
 * JSON-LD document at its own URL on this server. A verifier (a backpack, Badgr's validator) reads
 * the assertion, follows `badge` and `issuer`, checks that every URL is on the same origin and that
 * the recipient's hashed email matches the one it knows, and re-reads the assertion to learn of a
 * revocation. Nothing is signed, so nothing here needs a key.
 */

/** `sha256$` + hex(SHA-256(identity + salt)), as 2.0's IdentityObject and 3.0's identityHash write it. */
export function identityHash(identity: string, salt: string): string {
  return 'sha256$' + createHash('sha256').update(identity + salt).digest('hex');
}

export interface Ob2Issuer {
  id: string;
  name: string;
  url: string;
  email?: string;
  image?: string;
  description?: string;
}

export interface Ob2BadgeClass {
  id: string;
  name: string;
  description: string;
  image: string;
  criteria: { id?: string; narrative?: string };
  issuer: string;
  tags?: string[];
}

export interface Ob2AssertionInput {
  id: string;
  badge: string;
  issuedOn: string;
  /** The recipient: their email (lower-cased and hashed, never in clear), or another kind of identity. */
  recipient: { type: 'email' | 'url'; identity: string };
  salt: string;
  /** The baked image of this award. */
  image?: string;
  evidence?: { id?: string; narrative?: string; name?: string; description?: string }[];
  narrative?: string;
}

const context = { '@context': OB_V2 };

export function buildIssuer(input: Ob2Issuer): object {
  return strip({ ...context, type: 'Issuer', id: input.id, name: input.name, url: input.url, email: input.email, image: input.image, description: input.description });
}

export function buildBadgeClass(input: Ob2BadgeClass): object {
  return strip({
    ...context,
    type: 'BadgeClass',
    id: input.id,
    name: input.name,
    description: input.description,
    image: input.image,
    criteria: strip({ id: input.criteria.id, narrative: input.criteria.narrative }),
    issuer: input.issuer,
    tags: input.tags?.length ? input.tags : undefined,
  });
}

export function buildAssertion(input: Ob2AssertionInput): object {
  const identity = input.recipient.type === 'email' ? input.recipient.identity.trim().toLowerCase() : input.recipient.identity;
  return strip({
    ...context,
    type: 'Assertion',
    id: input.id,
    recipient: { type: input.recipient.type, hashed: true, salt: input.salt, identity: identityHash(identity, input.salt) },
    badge: input.badge,
    issuedOn: input.issuedOn,
    verification: { type: 'hosted' },
    image: input.image,
    narrative: input.narrative,
    evidence: input.evidence?.length ? input.evidence.map((item) => strip({ type: 'Evidence', ...item })) : undefined,
  });
}

/** What a revoked award's assertion URL answers (with 410 Gone), as 2.0's hosted verification reads it. */
export function revokedAssertion(id: string, reason: string | undefined): object {
  return strip({ ...context, type: 'Assertion', id, revoked: true, revocationReason: reason });
}

function strip<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

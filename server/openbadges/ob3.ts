import { createHash } from 'node:crypto';
import { MULTIKEY_V1, OB_V3, VC_V2 } from './contexts.js';
import type { IssuerKey, PublicJwk } from './keys.js';
import { identityHash } from './ob2.js';
import type { StatusEntry } from './status-list.js';

/**
 * Open Badges 3.0 documents as plain JSON: the OpenBadgeCredential of an award, its Achievement,
 * and the issuer's Profile, which is also the controller document that publishes the issuer's keys.
 * Only what the specification requires and what this server knows is filled in.
 */

/** What the issuer is, as an award names it. */
export interface IssuerInput {
  /** The URL of the issuer's Open Badges 3.0 profile (also its id, and the keys' controller). */
  id: string;
  name: string;
  url?: string;
  email?: string;
  image?: string;
  description?: string;
}

export interface CriteriaInput {
  narrative?: string;
  /** Where the criteria are described, if they live on a page of their own. */
  id?: string;
}

export interface AchievementInput {
  id: string;
  name: string;
  description: string;
  criteria: CriteriaInput;
  image?: string;
  tags?: string[];
}

export interface CredentialInput {
  /** The credential's URL. */
  id: string;
  issuer: IssuerInput;
  achievement: AchievementInput;
  /** When awarded: the credential is valid from then. */
  validFrom: string;
  validUntil?: string;
  /** The recipient's email, hashed into the credential (never in clear); else `recipient` below. */
  email?: string;
  /** Where there is no email: some other identifier of the person (e.g. their profile URL), hashed. */
  recipient?: { type: 'url' | 'emailAddress'; value: string };
  /** The salt of the hashed identity, unique per award so that two awards cannot be linked by it. */
  salt: string;
  status?: StatusEntry;
  /** Evidence, as Open Badges 3.0's Evidence. */
  evidence?: { id?: string; narrative?: string; name?: string; description?: string }[];
}

export interface OpenBadgeCredential {
  '@context': string[];
  id: string;
  type: string[];
  issuer: { id: string; type: string[]; name: string; url?: string; email?: string; image?: { id: string; type: 'Image' }; description?: string };
  validFrom: string;
  validUntil?: string;
  name: string;
  description?: string;
  credentialSubject: {
    id: string;
    type: string[];
    identifier?: { type: 'IdentityObject'; identityHash: string; identityType: string; hashed: true; salt: string }[];
    achievement: {
      id: string;
      type: string[];
      name: string;
      description: string;
      criteria: { id?: string; narrative?: string };
      image?: { id: string; type: 'Image' };
      tag?: string[];
    };
  };
  credentialStatus?: StatusEntry;
  credentialSchema?: { id: string; type: string }[];
  evidence?: { id?: string; type: string[]; narrative?: string; name?: string; description?: string }[];
  proof?: unknown;
}

/**
 * 1EdTech's JSON Schema of the credential. Its type is VCDM 2.0's `JsonSchema`: the examples'
 * `1EdTechJsonSchemaValidator2019` is defined by no context, and verifiers in JSON-LD safe mode
 * (Digital Bazaar's among them) refuse a credential with an undefined type.
 */
export const ACHIEVEMENT_CREDENTIAL_SCHEMA = 'https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json';

const image = (url: string | undefined) => (url ? { id: url, type: 'Image' as const } : undefined);

/**
 * A name-based UUID (RFC 9562 version 8, from SHA-256) for a credential's subject: `sub` must be
 * the subject's id (section 8.2), and an id of its own per award keeps one person's awards from
 * being linked by it; who they are is in `identifier`, hashed.
 */
export function subjectId(credentialId: string): string {
  const bytes = createHash('sha256').update(`subject:${credentialId}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `urn:uuid:${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function issuerProfileRef(issuer: IssuerInput): OpenBadgeCredential['issuer'] {
  return strip({ id: issuer.id, type: ['Profile'], name: issuer.name, url: issuer.url, email: issuer.email, image: image(issuer.image), description: issuer.description });
}

export function achievementOf(input: AchievementInput): OpenBadgeCredential['credentialSubject']['achievement'] {
  return strip({
    id: input.id,
    type: ['Achievement'],
    name: input.name,
    description: input.description,
    criteria: strip({ id: input.criteria.id, narrative: input.criteria.narrative }),
    image: image(input.image),
    tag: input.tags?.length ? input.tags : undefined,
  });
}

/** The unsigned credential of one award. */
export function buildCredential(input: CredentialInput): OpenBadgeCredential {
  const recipient = input.email !== undefined ? { type: 'emailAddress', value: input.email.trim().toLowerCase() } : input.recipient;
  const credential: OpenBadgeCredential = {
    '@context': [VC_V2, OB_V3],
    id: input.id,
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    issuer: issuerProfileRef(input.issuer),
    validFrom: input.validFrom,
    validUntil: input.validUntil,
    name: input.achievement.name,
    credentialSubject: strip({
      id: subjectId(input.id),
      type: ['AchievementSubject'],
      identifier: recipient
        ? [{ type: 'IdentityObject' as const, identityHash: identityHash(recipient.value, input.salt), identityType: recipient.type, hashed: true as const, salt: input.salt }]
        : undefined,
      achievement: achievementOf(input.achievement),
    }),
    credentialStatus: input.status,
    credentialSchema: [{ id: ACHIEVEMENT_CREDENTIAL_SCHEMA, type: 'JsonSchema' }],
    evidence: input.evidence?.length ? input.evidence.map((item) => strip({ ...item, type: ['Evidence'] })) : undefined,
  };
  return strip(credential);
}

/** The `kid` of a key in a VC-JWT header: a URL that answers the key as a JWK (section 8.2.1). */
export const jwkUrl = (issuerId: string, keyId: string) => `${issuerId}/keys/${encodeURIComponent(keyId)}`;
/** The verification method of a key in a Data Integrity proof: the key's fragment of the profile. */
export const verificationMethodId = (issuerId: string, keyId: string) => `${issuerId}#${keyId}`;

/**
 * The profile's context: Multikey's, and the two controller-document terms the VC and Open Badges
 * contexts leave out (as the W3C Controlled Identifiers context defines them), inline so that no
 * other context needs fetching and every term is defined (a verifier in safe mode refuses others).
 */
const CONTROLLER_TERMS = {
  verificationMethod: { '@id': 'https://w3id.org/security#verificationMethod', '@type': '@id', '@container': '@set' },
  assertionMethod: { '@id': 'https://w3id.org/security#assertionMethod', '@type': '@id', '@container': '@set' },
  JsonWebKey: {
    '@id': 'https://w3id.org/security#JsonWebKey',
    '@context': {
      '@protected': true,
      id: '@id',
      type: '@type',
      controller: { '@id': 'https://w3id.org/security#controller', '@type': '@id' },
      revoked: { '@id': 'https://w3id.org/security#revoked', '@type': 'http://www.w3.org/2001/XMLSchema#dateTime' },
      publicKeyJwk: { '@id': 'https://w3id.org/security#publicKeyJwk', '@type': '@json' },
    },
  },
};

export interface ProfileDocument extends Omit<OpenBadgeCredential['issuer'], 'type'> {
  '@context': unknown[];
  type: string[];
  verificationMethod: (MultikeyMethod | JwkMethod)[];
  assertionMethod: string[];
}

export interface MultikeyMethod {
  id: string;
  type: 'Multikey';
  controller: string;
  publicKeyMultibase: string;
}

export interface JwkMethod {
  id: string;
  type: 'JsonWebKey';
  controller: string;
  publicKeyJwk: PublicJwk & { kid: string; alg: 'EdDSA'; use: 'sig' };
}

/**
 * The issuer's Open Badges 3.0 Profile, published at its id, with every key it ever signed with (a
 * retired key stays, so what it signed still verifies): each as a Multikey (what Data Integrity
 * proofs name) and as a JWK (what VC-JWT `kid`s name).
 */
export function buildProfile(issuer: IssuerInput, keys: readonly IssuerKey[]): ProfileDocument {
  const methods = keys.flatMap((key) => [multikeyMethod(issuer.id, key), jwkMethod(issuer.id, key)]);
  return {
    '@context': [VC_V2, OB_V3, MULTIKEY_V1, CONTROLLER_TERMS],
    ...issuerProfileRef(issuer),
    verificationMethod: methods,
    assertionMethod: methods.map((method) => method.id),
  };
}

export function multikeyMethod(issuerId: string, key: IssuerKey): MultikeyMethod {
  return { id: verificationMethodId(issuerId, key.id), type: 'Multikey', controller: issuerId, publicKeyMultibase: key.publicKeyMultibase };
}

export function jwkMethod(issuerId: string, key: IssuerKey): JwkMethod {
  const kid = jwkUrl(issuerId, key.id);
  return { id: kid, type: 'JsonWebKey', controller: issuerId, publicKeyJwk: { ...key.publicKeyJwk, kid, alg: 'EdDSA', use: 'sig' } };
}

/**
 * A document of the profile by URL, as a verifier dereferences it: the profile itself, a key's
 * fragment (the Multikey, with its context, as jsonld-signatures expects a verification method), or
 * a key's JWK URL (the bare JWK). Undefined for a URL the profile does not answer.
 */
export function profileDocumentAt(profile: ProfileDocument, url: string): object | undefined {
  if (url === profile.id) return profile;
  const method = profile.verificationMethod.find((candidate) => candidate.id === url);
  if (!method) return undefined;
  return method.type === 'Multikey' ? { '@context': MULTIKEY_V1, ...method } : method.publicKeyJwk;
}

/** The object without its undefined members (JSON would drop them, but canonicalisation must see the same). */
function strip<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

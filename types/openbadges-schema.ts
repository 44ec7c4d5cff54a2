import { Type } from '@sinclair/typebox';
import { BadgeName, refuse, ServiceParams } from './schema.js';

/** The wire contract of Open Badges (issue 22): path parameters and what each document is. */

const AwardId = Type.String({ pattern: '^aw_[a-z2-7]{20}$', description: 'An award instance: `aw_` and 20 base32 characters', ...refuse('invalid_award', 'An award id is aw_ and 20 base32 characters') });
const Slug = Type.String({ minLength: 1, maxLength: 100, description: 'An issuer: `default` (the service itself) or one of the service\'s issuers', ...refuse('invalid_issuer', 'An issuer is named by 1-100 characters') });

export const AwardParams = Type.Object({ ...ServiceParams.properties, award: AwardId });
export const IssuerParams = Type.Object({ ...ServiceParams.properties, issuer: Slug });
export const IssuerKeyParams = Type.Object({ ...IssuerParams.properties, key: Type.String({ minLength: 1, maxLength: 100, ...refuse('invalid_key_id', 'A key id is 1-100 characters') }) });
export const StatusListParams = Type.Object({ ...IssuerParams.properties, list: Type.String({ pattern: '^(0|[1-9][0-9]{0,6})$', ...refuse('invalid_status_list', 'A status list is a number from 0') }) });
export const OpenBadgesBadgeParams = Type.Object({ ...ServiceParams.properties, badge: BadgeName });

const document = (description: string) => Type.Object({ '@context': Type.Unknown(), id: Type.String(), type: Type.Unknown() }, { additionalProperties: true, description });

export const Ob2Assertion = document('An Open Badges 2.0 Assertion (hosted verification); a revoked award answers 410 with `revoked: true` and `revocationReason`');
export const Ob2BadgeClass = document('An Open Badges 2.0 BadgeClass');
export const Ob2Issuer = document('An Open Badges 2.0 Issuer profile');
export const Ob3Credential = document('An OpenBadgeCredential (Open Badges 3.0) with an embedded Data Integrity proof (eddsa-rdfc-2022) and a Bitstring Status List entry');
export const Ob3Profile = document("The issuer's Open Badges 3.0 Profile: the controller document of its keys (Multikey and JsonWebKey), every key it ever signed with");
export const Ob3Achievement = document('An Open Badges 3.0 Achievement');
export const StatusListCredential = document('A BitstringStatusListCredential, signed: a set bit means revoked');
export const PublicJwk = Type.Object({ kty: Type.Literal('OKP'), crv: Type.Literal('Ed25519'), x: Type.String(), kid: Type.String(), alg: Type.Literal('EdDSA'), use: Type.Literal('sig') }, { description: "An issuer's public key as a JWK: what a VC-JWT's `kid` dereferences to" });
export const Jwt = Type.String({ description: 'The credential as a VC-JWT (EdDSA; `kid` a URL of the public key)' });
export const Image = Type.String({ description: 'The badge image (SVG or PNG); baked: with the award\'s assertion inside, as the Open Badges 2.0 Baking Specification says' });
export const AwardPage = Type.String({ description: 'A page for people: the badge, its criteria, its issuer, when and to whom, valid or revoked (as checked against the signed credential), and "Add to LinkedIn"' });

export const Check = Type.Object({ name: Type.Union([Type.Literal('signature'), Type.Literal('status'), Type.Literal('validity')]), ok: Type.Boolean(), detail: Type.String() });
export const AwardVerification = Type.Object(
  {
    award: Type.String(),
    verified: Type.Boolean(),
    revoked: Type.Boolean(),
    reason: Type.Optional(Type.String()),
    checks: Type.Array(Check),
    openBadges: Type.Object({ assertion: Type.String(), credential: Type.String(), jwt: Type.String(), page: Type.String() }),
  },
  { description: 'The award\'s signed credential as checked by this server with an implementation independent of its signer: signature, status list, validity period' },
);

export const KeyRotation = Type.Object({ issuer: Type.String(), retired: Type.Array(Type.String()), key: Type.String() }, { description: 'The issuer signs with `key` from now on; the `retired` keys stay published, so what they signed still verifies' });

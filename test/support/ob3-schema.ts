import { Type } from '@sinclair/typebox';

/**
 * The shape Open Badges 3.0's data model requires of an AchievementCredential (section B.1.1 and
 * the classes it names: Profile, AchievementSubject, Achievement, Criteria, IdentityObject,
 * CredentialStatus, CredentialSchema, Proof), written from the specification's tables: each
 * required property, and the types its values must have. 1EdTech's own JSON Schema
 * (ob_v3p0_achievementcredential_schema.json) is published on its site and in its repository but
 * in no npm package, so it is not vendored here; this is what can be checked without it.
 */

const Uri = Type.String({ pattern: '^[a-zA-Z][a-zA-Z0-9+.-]*:' });
const DateTime = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$' });
const Types = (must: string) => Type.Union([Type.Literal(must), Type.Array(Type.String(), { contains: Type.Literal(must) })]);
const Image = Type.Object({ id: Uri, type: Type.Literal('Image'), caption: Type.Optional(Type.String()) });

export const AchievementCredentialShape = Type.Object({
  /** Credentials v2 first (the test checks the order), and an Open Badges 3.0 context. */
  '@context': Type.Array(Type.String(), { minItems: 2, contains: Type.String({ pattern: '^https://purl\\.imsglobal\\.org/spec/ob/v3p0/context(-\\d+\\.\\d+\\.\\d+)?\\.json$' }) }),
  id: Uri,
  type: Type.Intersect([
    Type.Array(Type.String(), { contains: Type.Literal('VerifiableCredential') }),
    Type.Array(Type.String(), { contains: Type.Union([Type.Literal('OpenBadgeCredential'), Type.Literal('AchievementCredential')]) }),
  ]),
  name: Type.String({ minLength: 1 }),
  description: Type.Optional(Type.String()),
  issuer: Type.Object({ id: Uri, type: Types('Profile'), name: Type.Optional(Type.String()), url: Type.Optional(Uri), email: Type.Optional(Type.String()), image: Type.Optional(Image) }),
  validFrom: DateTime,
  validUntil: Type.Optional(DateTime),
  credentialSubject: Type.Object({
    id: Type.Optional(Uri),
    type: Types('AchievementSubject'),
    identifier: Type.Optional(
      Type.Array(
        Type.Object({
          type: Type.Literal('IdentityObject'),
          hashed: Type.Boolean(),
          identityHash: Type.String({ minLength: 1 }),
          identityType: Type.String({ minLength: 1 }),
          salt: Type.Optional(Type.String()),
        }),
      ),
    ),
    achievement: Type.Object({
      id: Uri,
      type: Types('Achievement'),
      name: Type.String({ minLength: 1 }),
      description: Type.String(),
      criteria: Type.Object({ id: Type.Optional(Uri), narrative: Type.Optional(Type.String()) }, { minProperties: 1 }),
      image: Type.Optional(Image),
      tag: Type.Optional(Type.Array(Type.String())),
    }),
  }),
  credentialStatus: Type.Optional(Type.Object({ id: Type.Optional(Uri), type: Type.String({ minLength: 1 }) })),
  credentialSchema: Type.Optional(Type.Array(Type.Object({ id: Uri, type: Type.String({ minLength: 1 }) }))),
  evidence: Type.Optional(Type.Array(Type.Object({ type: Types('Evidence') }))),
  proof: Type.Optional(
    Type.Union([
      Type.Object({ type: Type.String(), created: Type.Optional(DateTime), proofPurpose: Type.String(), verificationMethod: Uri, proofValue: Type.String() }),
      Type.Array(Type.Object({ type: Type.String() })),
    ]),
  ),
});

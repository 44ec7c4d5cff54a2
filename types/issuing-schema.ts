import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Cause } from './audit-schema.js';
import { AwardId, BadgeName, ServiceParams, Slug, Time, UserName, UserParams, refuse } from './schema.js';

/**
 * The shapes of issuers, programs and award instances (issue 22, BadgeKit's), beside those of
 * `schema.ts` and in the same style: `x-error` names each refusal's code.
 */

const closed = { additionalProperties: false } as const;
const Nullable = <T extends TSchema>(schema: T, description?: string) => Type.Union([schema, Type.Null()], description ? { description } : {});
const text = (max: number, description: string, code = 'invalid_body') => Type.String({ maxLength: max, description, ...refuse(code, `${description}: text of at most ${max} characters`) });
const name = (what: string) => Type.String({ minLength: 1, maxLength: 200, description: `The ${what}'s name, as people read it`, ...refuse('invalid_name', `${what}'s "name" must be 1-200 characters`) });
/** An absolute http(s) URL: an issuer's page travels with its badges (Open Badges), so no path on a site. */
const Url = (description: string) => Type.String({ maxLength: 2048, pattern: '^https?://[^\\s]+$', description, ...refuse('invalid_url', `${description}: an absolute http(s) URL`) });

const slugParam = (what: 'issuer' | 'program') =>
  Type.String({ ...Slug, description: `The ${what}'s id`, ...refuse(`invalid_${what}_id`, `${what === 'issuer' ? 'An issuer' : 'A program'} id is 1-64 lowercase letters, digits or "-", starting with a letter or digit`) });

export const IssuerParams = Type.Object({ ...ServiceParams.properties, issuer: slugParam('issuer') });
export const ProgramParams = Type.Object({ ...ServiceParams.properties, program: slugParam('program') });

export const IssuerBody = Type.Object(
  {
    name: name('issuer'),
    url: Type.Optional(Url("The issuer's site")),
    email: Type.Optional(Type.String({ maxLength: 320, description: 'Where to write to the issuer (normalised: trimmed, lower case)' })),
    image: Type.Optional(Url("The issuer's logo")),
    description: Type.Optional(text(2000, "The issuer's description")),
  },
  {
    $id: 'IssuerPut',
    ...closed,
    examples: [{ name: 'Chicago Public Library', url: 'https://chipublib.example.org', email: 'badges@chipublib.example.org' }],
    ...refuse('invalid_body', 'The body must be a JSON object like {"name": "Chicago Public Library", "url": "https://..."}', {
      required: { code: 'invalid_body', message: 'An issuer needs a "name"' },
      additionalProperties: { code: 'invalid_body', message: '{key} is not a field of an issuer; expected name, url, email, image, description' },
    }),
  },
);

export const Issuer = Type.Object(
  {
    id: Slug,
    name: Type.String(),
    url: Type.Optional(Type.String()),
    email: Type.Optional(Type.String()),
    image: Type.Optional(Type.String()),
    description: Type.Optional(Type.String()),
    implicit: Type.Optional(Type.Literal(true, { description: 'The default issuer without a profile of its own: the service itself' })),
    createdAt: Time,
    updatedAt: Time,
  },
  { $id: 'Issuer', ...closed },
);

export const IssuerList = Type.Object({ issuers: Type.Array(Issuer, { description: 'The default issuer first, then the others in the order made' }) }, { $id: 'IssuerList', ...closed });

export const ProgramBody = Type.Object(
  {
    issuer: Type.Optional(Type.String({ ...Slug, description: 'The issuer it is a program of; `default` (the service) when absent', ...refuse('invalid_issuer', 'issuer must be an issuer id: 1-64 lowercase letters, digits or "-"') })),
    name: name('program'),
    url: Type.Optional(Url("The program's page")),
    description: Type.Optional(text(2000, "The program's description")),
  },
  {
    $id: 'ProgramPut',
    ...closed,
    examples: [{ issuer: 'chipublib', name: 'Summer of Learning', url: 'https://chipublib.example.org/summer' }],
    ...refuse('invalid_body', 'The body must be a JSON object like {"issuer": "chipublib", "name": "Summer of Learning"}', {
      required: { code: 'invalid_body', message: 'A program needs a "name"' },
      additionalProperties: { code: 'invalid_body', message: '{key} is not a field of a program; expected issuer, name, url, description' },
    }),
  },
);

export const Program = Type.Object(
  {
    id: Slug,
    issuer: Slug,
    name: Type.String(),
    url: Type.Optional(Type.String()),
    description: Type.Optional(Type.String()),
    createdAt: Time,
    updatedAt: Time,
  },
  { $id: 'Program', ...closed },
);

export const ProgramList = Type.Object({ programs: Type.Array(Program, { description: 'In the order made' }) }, { $id: 'ProgramList', ...closed });
export const ProgramsQuery = Type.Object({
  issuer: Type.Optional(Type.String({ ...Slug, description: "Only this issuer's programs", ...refuse('invalid_issuer', 'issuer must be an issuer id: 1-64 lowercase letters, digits or "-"') })),
});

export const IssuerDeleted = Type.Object({ id: Slug, deleted: Type.Literal(true) }, { $id: 'IssuerDeleted', ...closed });
export const ProgramDeleted = Type.Object({ id: Slug, deleted: Type.Literal(true) }, { $id: 'ProgramDeleted', ...closed });

// ---------------------------------------------------------------------------------------------------
// Award instances

export const Evidence = Type.Object(
  {
    url: Type.Optional(Url('Where the evidence is')),
    media_type: Type.Optional(Type.String({ maxLength: 100, description: 'What it is: `link`, `image` (BadgeKit\'s), or a media type such as `application/pdf`' })),
    reflection: Type.Optional(text(4000, "The earner's words on it")),
  },
  { $id: 'Evidence', ...closed, minProperties: 1, description: 'One piece of evidence: a link or a file, and what the earner says of it', ...refuse('invalid_evidence', 'Evidence is {url, media_type, reflection}, at least one of them') },
);

export const AwardParams = Type.Object({ ...UserParams.properties, id: AwardId });

export const RevokeAwardBody = Type.Object(
  { reason: Type.Optional(text(500, 'Why the award is revoked: kept with it, and told to whoever checks it (Open Badges answers 410 Gone with it)')) },
  {
    $id: 'RevokeAward',
    examples: [{ reason: 'Issued by mistake' }],
    ...closed,
    ...refuse('invalid_body', 'The body must be empty, or a JSON object like {"reason": "Issued by mistake"}', { additionalProperties: { code: 'invalid_body', message: '{key} is not a field; expected reason' } }),
  },
);

export const AwardInstance = Type.Object(
  {
    id: AwardId,
    user: UserName,
    badge: BadgeName,
    at: Time,
    cause: Type.Optional(Cause),
    evidence: Type.Optional(Type.Array(Evidence)),
    revoked: Type.Optional(Type.Object({ at: Time, reason: Nullable(Type.String()) }, { ...closed, description: 'When it was revoked, and why (null: not told)' })),
  },
  { $id: 'AwardInstance', ...closed, description: 'One award: what it was for, and whether it stands' },
);

export type IssuerBody = Static<typeof IssuerBody>;
export type ProgramBody = Static<typeof ProgramBody>;

export const AwardRevoked = Type.Object(
  { award: AwardInstance, user: Type.Object({ name: UserName, badges: Type.Array(BadgeName) }, closed) },
  { $id: 'AwardRevoked', ...closed, description: 'The award, revoked, and every badge the user still has' },
);

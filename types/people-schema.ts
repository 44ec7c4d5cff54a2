import { Type } from '@sinclair/typebox';
import { BadgeName, ServiceParams, Time, UserName, refuse } from './schema.js';

/** A person's data on request (GDPR articles 15 and 17): export, erasure and renaming of a user. */

const closed = { additionalProperties: false } as const;

const StoredRecord = Type.Object({ id: Type.String(), at: Time, value: Type.Unknown() }, closed);

export const PersonalData = Type.Object(
  {
    service: Type.String(),
    user: UserName,
    exportedAt: Time,
    account: Type.Union(
      [
        Type.Object(
          {
            name: UserName,
            createdAt: Time,
            awards: Type.Array(Type.Object({ badge: BadgeName, count: Type.Integer(), first: Time, latest: Time, period: Type.Optional(Type.Object({ start: Time, count: Type.Integer() })) })),
            progress: Type.Optional(Type.Record(Type.String(), Type.Number())),
          },
          closed,
        ),
        Type.Null(),
      ],
      { description: 'The user record: every badge held, how often, first and last award, progress; null when the service keeps other records of the person only' },
    ),
    emails: Type.Array(Type.String(), { description: "The person's addresses" }),
    records: Type.Record(Type.String(), Type.Array(StoredRecord), {
      description: 'Every other record of the person or of their addresses, by kind: `event`, `event-rejected`, `activity`, `rule-state`, `rule-expiry`, `email`, `invitation`, `invitation-claimed`, `claim-redemption`, `webhook-message`, `delivery`, `delivery-attempt`, `audit`...',
    }),
  },
  { $id: 'PersonalData', ...closed },
);

export const Erased = Type.Object(
  {
    erased: Type.Literal(true),
    pseudonym: Type.String({ description: 'Stands for the person in the audit trail and the `user.erased` webhook' }),
    removed: Type.Record(Type.String(), Type.Integer({ minimum: 1 }), { description: 'What was removed, by kind; `user` is the user record with its awards and progress' }),
    pseudonymised: Type.Integer({ minimum: 0, description: 'Audit entries kept, the person in them replaced by the pseudonym' }),
  },
  { $id: 'Erased', ...closed },
);

export const RenameBody = Type.Object(
  { to: UserName },
  { $id: 'Rename', examples: [{ to: 'daniel2' }], ...closed, ...refuse('invalid_body', 'The body must be a JSON object like {"to": "new name"}', { required: { code: 'invalid_body', message: '"to" is required: the new name' } }) },
);

export const Renamed = Type.Object(
  {
    from: UserName,
    to: UserName,
    moved: Type.Record(Type.String(), Type.Integer({ minimum: 1 }), { description: 'What moved to the new name, by kind; `user` is the user record' }),
  },
  { $id: 'Renamed', ...closed },
);

export const PersonParams = Type.Object({ ...ServiceParams.properties, name: UserName });


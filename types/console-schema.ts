import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Operation } from './access-schema.js';
import { BadgeName, Time, UserName, refuse } from './schema.js';

/**
 * The shapes of what the admin console reads beside the rest of the API (issue 23): what the
 * credentials of a request may do, a service's own key rotation, the figures its plots draw, and
 * the search for a member. Same style as `schema.ts`: `x-error` names each refusal's code.
 */

const closed = { additionalProperties: false } as const;
const Nullable = <T extends TSchema>(schema: T, description?: string) => Type.Union([schema, Type.Null()], description ? { description } : {});
const count = (description: string) => Type.Integer({ minimum: 0, description });
const perDay = (description: string) => Type.Array(Type.Integer({ minimum: 0 }), { description: `${description}, one number per day of \`days\`` });

export const KeyMe = Type.Object(
  {
    service: Type.String({ description: 'The service the credentials are for' }),
    kind: Type.Union([Type.Literal('service'), Type.Literal('key')], { description: "`service`: the service's own key, which may do everything; `key`: a scoped key" }),
    operations: Type.Array(Operation, { description: 'What the credentials may do (every operation for the service key, which may also do what no scoped key can: keys, rules, webhooks, settings, the audit trail, erasure)' }),
    badges: Nullable(Type.Array(BadgeName), 'The badges they may act on; null: all'),
    id: Type.Optional(Type.String({ description: "A scoped key's id" })),
    label: Type.Optional(Type.String({ description: "A scoped key's label" })),
    expiresAt: Type.Optional(Nullable(Time, 'When a scoped key expires; null: never')),
    previousKeyUntil: Type.Optional(Nullable(Time, "The service key: until when its previous key still works (a rotation's grace); null: no previous key works")),
  },
  { $id: 'KeyMe', ...closed, description: 'What the credentials of the request may do' },
);

export const ServiceKeyRotated = Type.Object(
  {
    service: Type.String(),
    key: Type.String({ description: 'The new key: shown this once' }),
    previousKeyUntil: Nullable(Time, 'Until when the previous key still works (the grace asked for); null: it stopped at once'),
  },
  { $id: 'ServiceKeyRotated', ...closed },
);

export const ServiceExportQuery = Type.Object(
  {
    secrets: Type.Optional(
      Type.Union([Type.Literal('on'), Type.Literal('off')], { description: '`off` leaves out the service key, scoped keys and webhook signing secrets', ...refuse('invalid_secrets', 'secrets is on or off') }),
    ),
  },
  closed,
);

export const MAX_STATS_DAYS = 90;

export const StatsQuery = Type.Object(
  {
    days: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_STATS_DAYS,
        default: 30,
        description: `How many days, today (UTC) included (at most ${MAX_STATS_DAYS})`,
        ...refuse('invalid_days', `days must be a whole number from 1 to ${MAX_STATS_DAYS}`),
      }),
    ),
  },
  closed,
);

export const Stats = Type.Object(
  {
    days: Type.Array(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }), { description: 'The days counted (UTC dates), oldest first' }),
    awards: Type.Object(
      {
        total: perDay('Awards of any badge'),
        byBadge: Type.Record(Type.String(), perDay('Awards of the badge'), { description: 'Per badge awarded in the period, by name' }),
        revocations: perDay('Revocations of any badge'),
      },
      closed,
    ),
    activeUsers: perDay('Users who were awarded a badge or sent an event that day'),
    badgesPerUser: Type.Array(Type.Object({ badges: count('Distinct badges held'), users: count('Users holding that many') }, closed), {
      description: 'How many distinct badges users hold: users per number of badges, fewest first (0 counts users whose badges were all revoked)',
    }),
    users: count('Users of the service'),
    webhooks: Type.Object(
      {
        attempts: perDay('Delivery attempts'),
        failures: perDay('Failed delivery attempts'),
        latencyP50: Type.Array(Nullable(Type.Integer({ minimum: 0 })), { description: 'Median latency of the attempts, ms; null on a day without one' }),
        latencyP95: Type.Array(Nullable(Type.Integer({ minimum: 0 })), { description: '95th percentile latency of the attempts, ms; null on a day without one' }),
      },
      closed,
    ),
    partial: Type.Boolean({ description: 'True when a count stopped at the most records one request reads; the figures then cover the newest part' }),
  },
  { $id: 'Stats', ...closed, description: 'Figures of the last days, for plots' },
);

export const MembersQuery = Type.Object(
  {
    q: Type.String({
      minLength: 1,
      maxLength: 320,
      description: 'The start of a user name, or a whole email address (with a key that may read private data)',
      ...refuse('invalid_q', 'q must be 1-320 characters'),
    }),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'At most this many (default 20)', ...refuse('invalid_limit', 'limit must be a whole number from 1 to 100') })),
  },
  closed,
);

export const Members = Type.Object(
  {
    members: Type.Array(
      Type.Object(
        {
          name: UserName,
          badges: count('Distinct badges held'),
          awards: count('Awards held, repeats counted'),
          createdAt: Time,
          email: Type.Optional(Type.String({ description: 'The address searched for, when the member was found by it' })),
        },
        closed,
      ),
      { description: 'Name order; a member found by address first' },
    ),
  },
  { $id: 'Members', ...closed },
);

export type KeyMe = Static<typeof KeyMe>;
export type Stats = Static<typeof Stats>;
export type Members = Static<typeof Members>;

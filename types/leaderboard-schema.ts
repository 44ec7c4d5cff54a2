import { Type, type Static } from '@sinclair/typebox';
import { LIMITS } from './constants.js';
import { Badge, BadgeName, NameList, ServiceParams, Time, UserName, refuse } from './schema.js';

/**
 * Issue 21's wire shapes: what a user features and hides, leaderboards, a badge's holders, the live
 * stream's query and the flair images' (see server/core/standings.ts for how scores are counted).
 */

const closed = { additionalProperties: false } as const;

const badgeList = (what: string, max: number, code: string) =>
  Type.Array(BadgeName, {
    maxItems: max,
    description: `${what} (at most ${max}); the list replaces the one kept, [] clears it`,
    ...refuse(code, `${code === 'invalid_featured' ? 'featured' : 'hidden'} must be a list of at most ${max} badge names`),
  });

export const DisplayBody = Type.Object(
  {
    featured: Type.Optional(badgeList('Badges the user holds, shown first in this order', LIMITS.featuredBadges, 'invalid_featured')),
    hidden: Type.Optional(badgeList('Badges left out of every public read of the user, of holders lists and of badge boards', LIMITS.badgesPerRequest, 'invalid_hidden')),
  },
  {
    $id: 'DisplayPut',
    ...closed,
    minProperties: 1,
    examples: [{ featured: ['donated'], hidden: ['beta-tester'] }],
    ...refuse('invalid_body', 'The body must be a JSON object like {"featured": ["donated"], "hidden": []}', {
      additionalProperties: { code: 'invalid_body', message: '{key} is not a field; expected featured, hidden' },
      minProperties: { code: 'invalid_body', message: 'Give featured, hidden or both' },
    }),
  },
);

export const DisplayResponse = Type.Object(
  { user: UserName, featured: Type.Array(BadgeName), hidden: Type.Array(BadgeName) },
  { $id: 'Display', ...closed, description: 'What the user features and hides (the owner site sees both; public reads show neither list as such)' },
);

export const PERIODS = ['all', 'month', 'week'] as const;

const Cursor = Type.String({ pattern: '^[A-Za-z0-9_-]{1,600}$', description: 'Where the page starts: from `next` of the page before', ...refuse('invalid_cursor', 'cursor must be from the `next` of an earlier page') });
const limit = Type.Integer({
  minimum: 1,
  maximum: LIMITS.pageSizeMax,
  default: 25,
  description: 'Entries per page',
  ...refuse('invalid_limit', `limit must be a whole number from 1 to ${LIMITS.pageSizeMax}`),
});

export const LeaderboardQuery = Type.Object({
  period: Type.Optional(
    Type.Union(PERIODS.map((p) => Type.Literal(p)), {
      default: 'all',
      description: '`all` (default), `month` or `week`: the current calendar period in UTC, weeks from Monday',
      ...refuse('invalid_period', 'period must be all, month or week'),
    }),
  ),
  // Rank this badge's holders by times they earned it (in the period) instead.
  badge: Type.Optional(BadgeName),
  limit: Type.Optional(limit),
  cursor: Type.Optional(Cursor),
});

const RankedUser = Type.Object(
  {
    rank: Type.Integer({ minimum: 1, description: 'Position on the board: ties are broken, never shared (see `ties`)' }),
    name: UserName,
    score: Type.Integer({ minimum: 0, description: 'Points on the board (times earned, on a badge board)' }),
    reached: Time,
  },
  { $id: 'RankedUser', ...closed },
);

export const LeaderboardResponse = Type.Object(
  {
    period: Type.Union(PERIODS.map((p) => Type.Literal(p))),
    start: Type.Union([Time, Type.Null()], { description: 'When the period began (UTC); null for all time' }),
    badge: Type.Optional(BadgeName),
    ties: Type.String({ description: 'How equal scores are ordered' }),
    users: Type.Array(RankedUser),
    next: Type.Union([Type.String(), Type.Null()], { description: 'Path and query of the next page, or null after the last' }),
  },
  { $id: 'Leaderboard', ...closed },
);

export const BadgeParams = Type.Object({ ...ServiceParams.properties, badge: BadgeName });

export const OneBadgeResponse = Type.Object({ badge: Badge }, { $id: 'OneBadge', ...closed });

export const HoldersQuery = Type.Object({ limit: Type.Optional(limit), cursor: Type.Optional(Cursor) });

export const HoldersResponse = Type.Object(
  {
    badge: BadgeName,
    holders: Type.Array(
      Type.Object(
        {
          name: UserName,
          count: Type.Integer({ minimum: 1, description: 'Times this holder earned it' }),
          first: Time,
          latest: Time,
        },
        closed,
      ),
    ),
    next: Type.Union([Type.String(), Type.Null()], { description: 'Path and query of the next page, or null after the last' }),
  },
  { $id: 'Holders', ...closed },
);

export const LiveQuery = Type.Object({
  // The users the page shows: their awards and revocations come on the stream, and every badge change of the service.
  users: Type.Optional(NameList),
  last_event_id: Type.Optional(
    Type.String({ pattern: '^[0-9]{1,16}$', description: 'As the `Last-Event-ID` header (which wins): resume after this event', ...refuse('invalid_last_event_id', 'last_event_id must be an event id') }),
  ),
});

export const FLAIR_THEMES = ['light', 'dark', 'compact'] as const;

export const FlairQuery = Type.Object({
  theme: Type.Optional(
    Type.Union(FLAIR_THEMES.map((t) => Type.Literal(t)), { default: 'light', description: '`light` (default), `dark`, or `compact` (one line of counts per tier)', ...refuse('invalid_theme', 'theme must be light, dark or compact') }),
  ),
});

export type LeaderboardResponse = Static<typeof LeaderboardResponse>;
export type HoldersResponse = Static<typeof HoldersResponse>;
export type DisplayResponse = Static<typeof DisplayResponse>;

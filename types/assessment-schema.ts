import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { WhenText } from './access-schema.js';
import { CursorPaging, cursorQuery } from './audit-schema.js';
import { Evidence } from './issuing-schema.js';
import { AwardId, BadgeName, ServiceParams, Time, UserName, homeQuery, refuse } from './schema.js';

/**
 * The shapes of applications and reviews (issue 22, BadgeKit's assessment), beside those of
 * `schema.ts` and in the same style: `x-error` names each refusal's code.
 */

const closed = { additionalProperties: false } as const;
const Nullable = <T extends TSchema>(schema: T, description?: string) => Type.Union([schema, Type.Null()], description ? { description } : {});
const text = (max: number, description: string, code = 'invalid_body') => Type.String({ maxLength: max, description, ...refuse(code, `${description}: text of at most ${max} characters`) });

export const MAX_EVIDENCE = 20;

export const ApplicationId = Type.String({ pattern: '^app_[a-z2-7]{20}$', description: 'An application', 'x-error': { code: 'application_not_found', message: 'No such application', status: 404 } });
export const ApplicationParams = Type.Object({ ...ServiceParams.properties, id: ApplicationId });

const reviewer = (description = 'Who reviews: any name or id the site gives its reviewers (an address, say)') =>
  Type.String({ minLength: 1, maxLength: 200, pattern: '^[^\\x00-\\x1F\\x7F]+$', description, ...refuse('invalid_reviewer', 'A reviewer is 1-200 characters without control characters') });
const Reviewer = reviewer();

const evidence = Type.Array(Evidence, {
  maxItems: MAX_EVIDENCE,
  description: `What the earner offers as evidence (at most ${MAX_EVIDENCE}); kept with the award the application leads to`,
  ...refuse('invalid_evidence', `evidence is a list of at most ${MAX_EVIDENCE} {url, media_type, reflection}`),
});

export const NewApplicationBody = Type.Object(
  {
    user: Type.Optional(UserName),
    email: Type.Optional(Type.String({ maxLength: 320, description: "The learner's address, when they are not (yet) a user: awarded, the badge goes to whoever has it" })),
    evidence: Type.Optional(evidence),
    reviewer: Type.Optional(Reviewer),
    expiresAt: Type.Optional(Nullable(WhenText('Until when the reviewer has it; null or left out: until reviewed'))),
  },
  {
    $id: 'NewApplication',
    ...closed,
    description: 'Who applies (`user` or `email`, one of them), their evidence, and optionally whom it is assigned to',
    examples: [{ email: 'earner@example.org', evidence: [{ url: 'https://example.org/my-essay', media_type: 'link', reflection: 'I wrote about five books' }] }],
    ...refuse('invalid_body', 'The body must be a JSON object like {"email": "earner@example.org", "evidence": [...]}', {
      additionalProperties: { code: 'invalid_body', message: '{key} is not a field of an application; expected user, email, evidence, reviewer, expiresAt' },
    }),
  },
);

export const AssignmentBody = Type.Object(
  { reviewer: Reviewer, expiresAt: Type.Optional(Nullable(WhenText('Until when the reviewer has it; null or left out: until reviewed'))) },
  {
    $id: 'Assignment',
    examples: [{ reviewer: 'rita@example.org', expiresAt: '2027-01-31T00:00:00Z' }],
    ...closed,
    ...refuse('invalid_body', 'The body must be a JSON object like {"reviewer": "rita@example.org", "expiresAt": "2027-01-31T00:00:00Z"}', {
      required: { code: 'invalid_body', message: 'An assignment needs a "reviewer"' },
    }),
  },
);

export const ReviewItem = Type.Object(
  {
    criterion: Type.String({ minLength: 1, maxLength: 64, description: "The id of one of the badge's criteria" }),
    satisfied: Type.Boolean(),
    comment: Type.Optional(text(2000, 'A comment on it')),
  },
  { $id: 'ReviewItem', ...closed, ...refuse('invalid_review', 'A review item is {criterion, satisfied, comment}') },
);

export const ReviewBody = Type.Object(
  {
    reviewer: Reviewer,
    comment: Type.Optional(text(4000, 'What the reviewer tells the earner')),
    approved: Type.Boolean({ description: 'Whether the application is approved: only when every required criterion is satisfied' }),
    items: Type.Optional(Type.Array(ReviewItem, { maxItems: 50, description: "Per criterion of the badge, satisfied or not, each at most once", ...refuse('invalid_review', 'items is a list of at most 50 {criterion, satisfied, comment}') })),
  },
  {
    $id: 'NewReview',
    ...closed,
    examples: [{ reviewer: 'rita@example.org', approved: true, comment: 'Well done', items: [{ criterion: 'five', satisfied: true, comment: 'Five books indeed' }] }],
    ...refuse('invalid_body', 'The body must be a JSON object like {"reviewer": "rita", "approved": true, "items": [...]}', {
      required: { code: 'invalid_body', message: 'A review needs "reviewer" and "approved"' },
      additionalProperties: { code: 'invalid_body', message: '{key} is not a field of a review; expected reviewer, comment, approved, items' },
    }),
  },
);

export const Review = Type.Object(
  {
    id: Type.String({ pattern: '^rev_[a-z2-7]{20}$' }),
    application: Type.String(),
    badge: BadgeName,
    reviewer: Type.String(),
    comment: Nullable(Type.String()),
    approved: Type.Boolean(),
    items: Type.Array(ReviewItem),
    at: Time,
  },
  { $id: 'Review', ...closed },
);

const ApplicationState = Type.Union([Type.Literal('pending'), Type.Literal('processed')], {
  description: '`pending`: waiting for review, or approved and waiting to be awarded; `processed`: awarded, or closed',
  ...refuse('invalid_state', 'state must be pending or processed'),
});

export const Application = Type.Object(
  {
    id: Type.String(),
    badge: BadgeName,
    user: Type.Optional(UserName),
    email: Type.Optional(Type.String()),
    state: ApplicationState,
    evidence: Type.Array(Evidence),
    createdAt: Time,
    assignment: Nullable(Type.Object({ reviewer: Type.String(), expiresAt: Nullable(Time) }, closed), 'Whom it is assigned to, until when; null: nobody'),
    review: Nullable(Type.Object({ id: Type.String(), reviewer: Type.String(), approved: Type.Boolean(), at: Time }, closed), 'The latest review, which decides'),
    processed: Nullable(
      Type.Object(
        {
          at: Time,
          awarded: Type.Boolean(),
          awards: Type.Optional(Type.Array(AwardId, { description: 'The awards made' })),
          invitation: Type.Optional(Type.String({ description: 'For an address nobody has: the invitation that awards it when a user gets the address' })),
        },
        closed,
      ),
      'When it was processed, and how; null while pending',
    ),
    reviews: Type.Optional(Type.Array(Review, { description: 'One application read: every review, oldest first' })),
  },
  { $id: 'Application', ...closed },
);

export const ApplicationsQuery = Type.Object({
  state: Type.Optional(ApplicationState),
  badge: Type.Optional(BadgeName),
  reviewer: Type.Optional(reviewer('Only those assigned to this reviewer, and still theirs (soonest to expire first)')),
  ...homeQuery,
  ...cursorQuery,
});

export const ApplicationList = Type.Object({ applications: Type.Array(Application), paging: CursorPaging }, { $id: 'ApplicationList', ...closed });
export const ReviewResponse = Type.Object({ review: Review, application: Application, skipped: Type.Optional(Type.String({ description: 'With `auto_award`: why the badge\'s terms refused the award now (the application stays pending, approved)' })) }, { $id: 'Reviewed', ...closed });
export const ApplicationDeleted = Type.Object({ id: Type.String(), deleted: Type.Literal(true) }, { $id: 'ApplicationDeleted', ...closed });

export type ApplicationView = Static<typeof Application>;
export type ReviewView = Static<typeof Review>;

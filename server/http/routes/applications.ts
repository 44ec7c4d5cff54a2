import type { Static } from '@sinclair/typebox';
import { BadgeParams } from '../../../types/access-schema.js';
import {
  Application as ApplicationSchema,
  ApplicationDeleted,
  ApplicationList,
  ApplicationParams,
  ApplicationsQuery,
  AssignmentBody,
  NewApplicationBody,
  ReviewBody,
  ReviewResponse,
  type ReviewView,
} from '../../../types/assessment-schema.js';
import { ServiceParams } from '../../../types/schema.js';
import {
  APPLICATION_KIND,
  applicationNotFound,
  applicationOwner,
  ASSIGNMENT_KIND,
  assign,
  awardApplication,
  closeApplication,
  deleteApplication,
  requireApplication,
  REVIEW_KIND,
  reviewApplication,
  reviewerOwner,
  submitApplication,
  type Application,
  type Review,
} from '../../core/assessment/applications.js';
import { belongsTo } from '../../core/issuing/issuers.js';
import type { Item } from '../../core/model.js';
import type { Tx } from '../../core/ports.js';
import { accessConfig } from '../../config/access.js';
import { futureTime } from '../future-time.js';
import { requireBadges } from '../auth/credentials.js';
import { badRequest } from '../errors.js';
import { learnerFrom } from '../learner.js';
import { cursorPaging, scanPage } from '../paging.js';
import type { Deps, V1Context } from './context.js';
import { route } from './table.js';

/**
 * `/v1/:service/applications`: earners' applications for a badge, with evidence, assigned to
 * reviewers and reviewed against the badge's criteria (BadgeKit's assessment; see
 * core/assessment/applications.ts). They hold earners' addresses and evidence: the service's key,
 * or a scoped key for the badge, only.
 */

const applicationView = (application: Application, reviews?: Review[]): Static<typeof ApplicationSchema> => {
  const { id, badge, user, email, evidence, createdAt, assignment, review, processed } = application;
  return {
    id,
    badge,
    ...(user !== undefined ? { user } : {}),
    ...(email !== undefined ? { email } : {}),
    state: processed ? 'processed' : 'pending',
    evidence,
    createdAt,
    assignment,
    review,
    processed,
    ...(reviews ? { reviews: reviews.map(reviewView) } : {}),
  };
};

const reviewView = ({ id, application, badge, reviewer, comment, approved, items, at }: Review): ReviewView => ({ id, application, badge, reviewer, comment, approved, items, at });

/** Runs `write` on an application in one unit, once a scoped key is known to cover its badge. */
async function onApplication<T>(ctx: V1Context, { domain }: Deps, id: string, write: (tx: Tx, service: string) => Promise<T>): Promise<T> {
  const service = ctx.state.service.name;
  return domain.run(service, async (tx) => {
    const { badge } = await requireApplication(tx, service, id);
    if (ctx.state.access) requireBadges(ctx.state.access, [badge]);
    return write(tx, service);
  });
}

type ListQuery = Static<typeof ApplicationsQuery>;

/**
 * A page of applications: a reviewer's (the assignments still theirs, soonest to expire first),
 * or a badge's of one state, or all of one state; oldest first. `issuer` and `program` filter as
 * the read goes (see scanPage).
 */
async function listApplications(ctx: V1Context, { store, config }: Deps, query: ListQuery) {
  const service = ctx.state.service.name;
  const state = query.state ?? 'pending';
  const pageSize = query.page_size ?? 100;
  const home = query.issuer !== undefined || query.program !== undefined ? new Set((await store.listBadges(service)).filter((b) => belongsTo(b, query)).map((b) => b.name)) : undefined;
  const badgeOf = (item: Item) => (item.v as { badge: string }).badge;
  const kept = (item: Item) => (query.badge === undefined || badgeOf(item) === query.badge) && (home === undefined || home.has(badgeOf(item)));
  let read: Parameters<typeof scanPage>[0];
  let wanted: ((item: Item) => boolean) | undefined;
  if (query.reviewer !== undefined) {
    // Assignments exist only while an application is pending; one past its expiry is no longer theirs.
    const owner = reviewerOwner(query.reviewer);
    const from = new Date(config.now()).toISOString();
    read = (q) => store.listItems(service, ASSIGNMENT_KIND, { owner, from, ...q });
    wanted = query.badge !== undefined || home ? kept : undefined;
    if (state === 'processed') read = async () => [];
  } else if (query.badge !== undefined) {
    const owner = applicationOwner(state, query.badge);
    read = (q) => store.listItems(service, APPLICATION_KIND, { owner, ...q });
    wanted = home ? kept : undefined;
  } else {
    const prefix = `${state}/`;
    read = (q) => store.listItems(service, APPLICATION_KIND, q);
    wanted = (item) => item.owner!.startsWith(prefix) && kept(item);
  }
  const { page, last } = await scanPage(read, pageSize, query.cursor, wanted);
  const applications =
    query.reviewer === undefined
      ? page.map((item) => item.v as Application)
      : (await Promise.all(page.map((item) => store.getItem(service, APPLICATION_KIND, item.id)))).flatMap((item) => (item ? [item.v as Application] : []));
  const keep = { state: query.state, badge: ctx.params.badge === undefined ? query.badge : undefined, reviewer: query.reviewer, issuer: query.issuer, program: query.program };
  return { applications: applications.map((a) => applicationView(a)), paging: cursorPaging(ctx.path, keep, pageSize, last) };
}

const listDescription =
  '`state` pending (the default: waiting for review, or approved and waiting to be awarded) or processed; `reviewer`: the applications assigned to them and still theirs, soonest to expire first; otherwise oldest first. Paged by cursor: follow `paging.next`.';
const pendingErrors = { 404: 'No such application (`application_not_found`)', 409: 'The application was processed already (`application_processed`)' };

export const applicationRoutes = [
  route({
    method: 'post',
    path: '/v1/{service}/badges/{badge}/applications.json',
    operationId: 'submitApplication',
    summary: "An earner applies for a badge: a user or an address, with evidence; optionally assigned to a reviewer",
    description:
      "Sent by the site with the service's key (or a scoped key that may award the badge). An address a user has is that user's application. A learner has one pending application per badge (`application_pending`). Sends `application.submitted` (and `application.assigned` when a reviewer is named).",
    tags: ['assessment'],
    auth: 'service',
    operation: 'award',
    scopeBadges: ({ params }) => [params.badge],
    params: BadgeParams,
    body: NewApplicationBody,
    response: { status: 201, description: 'The application', schema: ApplicationSchema },
    errors: {
      400: 'Neither or both of `user` and `email`, an address that is not one, an expiry not in the future (`invalid_body`, `invalid_email`, `invalid_expiry`)',
      404: 'No such badge (`badge_not_found`)',
      409: 'The learner has a pending application for the badge (`application_pending`)',
    },
    handler: async (ctx, { params, body }, { domain, config }) => {
      const learner = learnerFrom(body, 'An application');
      if (body.reviewer === undefined && body.expiresAt != null) throw badRequest('invalid_body', 'An expiry needs a "reviewer"');
      const service = ctx.state.service.name;
      const application = await domain.run(service, (tx) =>
        submitApplication(tx, service, {
          badge: params.badge,
          ...learner,
          evidence: body.evidence ?? [],
          ...(body.reviewer !== undefined ? { assignment: { reviewer: body.reviewer, expiresAt: futureTime(body.expiresAt, config.now()) } } : {}),
        }),
      );
      return applicationView(application);
    },
  }),
  route({
    method: 'get',
    path: '/v1/{service}/applications.json',
    operationId: 'listApplications',
    summary: "The service's applications: pending ones by default; a badge's, a reviewer's, an issuer's or a program's",
    description: listDescription,
    tags: ['assessment'],
    auth: 'service',
    operation: 'read_private',
    scopeBadges: ({ query }) => (query.badge !== undefined ? [query.badge] : 'all'),
    params: ServiceParams,
    query: ApplicationsQuery,
    response: { description: 'A page of applications', schema: ApplicationList },
    etag: false,
    handler: async (ctx, { query }, deps) => listApplications(ctx, deps, query),
  }),
  route({
    method: 'get',
    path: '/v1/{service}/badges/{badge}/applications.json',
    operationId: 'listBadgeApplications',
    summary: "A badge's applications (BadgeKit's path): pending ones by default",
    description: listDescription,
    tags: ['assessment'],
    auth: 'service',
    operation: 'read_private',
    scopeBadges: ({ params }) => [params.badge],
    params: BadgeParams,
    query: ApplicationsQuery,
    response: { description: 'A page of applications', schema: ApplicationList },
    etag: false,
    handler: async (ctx, { params, query }, deps) => listApplications(ctx, deps, { ...query, badge: params.badge }),
  }),
  route({
    method: 'get',
    path: '/v1/{service}/applications/{id}.json',
    operationId: 'getApplication',
    summary: 'An application with every review of it, oldest first',
    tags: ['assessment'],
    auth: 'service',
    operation: 'read_private',
    params: ApplicationParams,
    response: { description: 'The application', schema: ApplicationSchema },
    errors: { 404: 'No such application (`application_not_found`)' },
    etag: false,
    handler: async (ctx, { params }, { store }) => {
      const service = ctx.state.service.name;
      const item = await store.getItem(service, APPLICATION_KIND, params.id);
      if (!item) throw applicationNotFound(service, params.id);
      const application = item.v as Application;
      if (ctx.state.access) requireBadges(ctx.state.access, [application.badge]);
      const reviews = await store.listItems(service, REVIEW_KIND, { owner: params.id });
      return applicationView(application, reviews.map((r) => r.v as Review));
    },
  }),
  route({
    method: 'put',
    path: '/v1/{service}/applications/{id}/assignment.json',
    operationId: 'assignApplication',
    summary: 'Assign a pending application to a reviewer, until an expiry',
    description: "Another reviewer's assignment that still holds is a 409 (`application_assigned`): unassign first. Sends `application.assigned`.",
    tags: ['assessment'],
    auth: 'service',
    operation: 'award',
    params: ApplicationParams,
    body: AssignmentBody,
    response: { description: 'The application', schema: ApplicationSchema },
    errors: { 400: 'An expiry not in the future (`invalid_expiry`)', ...pendingErrors, 409: 'Processed already, or assigned to another reviewer (`application_processed`, `application_assigned`)' },
    handler: async (ctx, { params, body }, deps) =>
      applicationView(await onApplication(ctx, deps, params.id, (tx, service) => assign(tx, service, params.id, { reviewer: body.reviewer, expiresAt: futureTime(body.expiresAt, deps.config.now()) }))),
  }),
  route({
    method: 'delete',
    path: '/v1/{service}/applications/{id}/assignment.json',
    operationId: 'unassignApplication',
    summary: 'Take a pending application from its reviewer',
    tags: ['assessment'],
    auth: 'service',
    operation: 'award',
    params: ApplicationParams,
    response: { description: 'The application', schema: ApplicationSchema },
    errors: pendingErrors,
    handler: async (ctx, { params }, deps) => applicationView(await onApplication(ctx, deps, params.id, (tx, service) => assign(tx, service, params.id, null))),
  }),
  route({
    method: 'post',
    path: '/v1/{service}/applications/{id}/reviews.json',
    operationId: 'reviewApplication',
    summary: "Review a pending application against the badge's criteria: per criterion satisfied or not, and approved or not",
    description:
      "Each item names a criterion of the badge, at most once; an approval needs every required criterion satisfied (`criteria_not_met`). The latest review decides. Sends `application.reviewed`. Approved, and the badge has `auto_award`, the application is awarded at once and processed (unless the badge's terms refuse the award now: `skipped` says why, and it stays pending).",
    tags: ['assessment'],
    auth: 'service',
    operation: 'award',
    params: ApplicationParams,
    body: ReviewBody,
    response: { status: 201, description: 'The review, and the application after it', schema: ReviewResponse },
    errors: {
      400: 'A criterion the badge does not have, judged twice, or an approval with a required criterion not satisfied (`unknown_criterion`, `invalid_review`, `criteria_not_met`)',
      ...pendingErrors,
      409: 'Processed already, or assigned to another reviewer until its expiry (`application_processed`, `assigned_to_another`)',
    },
    handler: async (ctx, { params, body }, deps) => {
      const { invitationTtlMs } = accessConfig(deps.config);
      const input = { reviewer: body.reviewer, comment: body.comment ?? null, approved: body.approved, items: body.items ?? [] };
      const { review, application, autoAward } = await onApplication(ctx, deps, params.id, (tx, service) => reviewApplication(tx, service, params.id, input, invitationTtlMs));
      return { review: reviewView(review), application: applicationView(application), ...(autoAward?.skipped ? { skipped: autoAward.skipped } : {}) };
    },
  }),
  route({
    method: 'post',
    path: '/v1/{service}/applications/{id}/award.json',
    operationId: 'awardApplication',
    summary: 'Award an approved application: its badge to its learner, with its evidence; the application is then processed',
    description:
      "An address no user has gets an invitation (a deferred award, claimed with the address). The award's cause names the application. Sends `award.created` (or `invitation.created`) and `application.processed`.",
    tags: ['assessment'],
    auth: 'service',
    operation: 'award',
    params: ApplicationParams,
    response: { description: 'The application, processed', schema: ApplicationSchema },
    errors: {
      ...pendingErrors,
      409: "Processed already, not reviewed, not approved by its latest review, or the badge's terms refuse the award now (`application_processed`, `not_reviewed`, `not_approved`, `not_awardable`)",
    },
    handler: async (ctx, { params }, deps) => {
      const { invitationTtlMs } = accessConfig(deps.config);
      return applicationView(await onApplication(ctx, deps, params.id, (tx, service) => awardApplication(tx, service, params.id, invitationTtlMs)));
    },
  }),
  route({
    method: 'post',
    path: '/v1/{service}/applications/{id}/close.json',
    operationId: 'closeApplication',
    summary: 'Close a pending application without an award: it is processed',
    tags: ['assessment'],
    auth: 'service',
    operation: 'award',
    params: ApplicationParams,
    response: { description: 'The application, processed', schema: ApplicationSchema },
    errors: pendingErrors,
    handler: async (ctx, { params }, deps) => applicationView(await onApplication(ctx, deps, params.id, (tx, service) => closeApplication(tx, service, params.id))),
  }),
  route({
    method: 'delete',
    path: '/v1/{service}/applications/{id}.json',
    operationId: 'deleteApplication',
    summary: 'Delete an application with its reviews (an award it led to stays)',
    tags: ['assessment'],
    auth: 'service',
    operation: 'manage_badges',
    params: ApplicationParams,
    response: { description: 'Deleted', schema: ApplicationDeleted },
    errors: { 404: 'No such application (`application_not_found`)' },
    handler: async (ctx, { params }, deps) => {
      await onApplication(ctx, deps, params.id, (tx, service) => deleteApplication(tx, service, params.id));
      return { id: params.id, deleted: true as const };
    },
  }),
];

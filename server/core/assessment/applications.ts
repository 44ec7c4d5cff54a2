import { newId } from '../access/ids.js';
import { invite, NEVER } from '../access/invitations.js';
import { addressSubject, EMAIL_KIND } from '../email.js';
import { conflict, invalid, notFound } from '../errors.js';
import type { BadgeRecord } from '../model.js';
import type { Reads, Tx } from '../ports.js';
import { awardChecked } from '../rules/awards.js';
import type { AwardedFor, Evidence } from '../rules/instances.js';
import { requireService } from '../rules/services.js';
import { criteriaOf } from './criteria.js';

/**
 * Assessment, as BadgeKit had it: an earner applies for a badge with evidence; the application may
 * be assigned to a reviewer until an expiry; reviews judge it against the badge's criteria, each
 * approving it or not; an approved application is awarded when the site says so (or at once, when
 * the badge says `auto_award`), and is then processed. Its evidence goes with the award it led to.
 *
 * An `application` item per application (id `app_...`), its owner `pending/<badge>` until it is
 * processed and `processed/<badge>` after, so that a badge's pending applications are one index
 * read; an `application-assignment` item while it is assigned (id the application's, owner
 * `reviewer/<reviewer>`, `at` the expiry), so that a reviewer's are too; a `review` item per review
 * (owner the application). Owners hold "/", which no user name does, so renaming a user never
 * mistakes one for theirs. All three hold the learner's data, and name the learner as their subject.
 */
export const APPLICATION_KIND = 'application';
export const ASSIGNMENT_KIND = 'application-assignment';
export const REVIEW_KIND = 'review';

/** Who applied: a user, or an address (that of a user, when one had it as they applied). */
export interface Learner {
  user?: string;
  email?: string;
}

export interface Application extends Learner {
  id: string;
  badge: string;
  evidence: Evidence[];
  createdAt: string;
  /** Who is to review it, and until when (null: no limit); null when nobody is. */
  assignment: { reviewer: string; expiresAt: string | null } | null;
  /** The latest review: it decides whether the application is approved. */
  review: { id: string; reviewer: string; approved: boolean; at: string } | null;
  /** Set when processed: awarded (the awards made, or the invitation left for an address nobody has), or closed. */
  processed: { at: string; awarded: boolean; awards?: string[]; invitation?: string } | null;
}

export interface ReviewItem {
  criterion: string;
  satisfied: boolean;
  comment?: string;
}

export interface Review extends Learner {
  id: string;
  application: string;
  badge: string;
  reviewer: string;
  comment: string | null;
  approved: boolean;
  items: ReviewItem[];
  at: string;
}

export type PendingState = 'pending' | 'processed';

/** The owner under which a badge's applications of that state are listed. */
export const applicationOwner = (state: PendingState, badge: string) => `${state}/${badge}`;
export const reviewerOwner = (reviewer: string) => `reviewer/${reviewer}`;

/** The data subject of an application and of what is kept of it: its learner. */
export const learnerSubject = (learner: Learner): string | null => learner.user ?? (learner.email === undefined ? null : addressSubject(learner.email));
const learnerOf = ({ user, email }: Learner): { user: string } | { email: string } => (user !== undefined ? { user } : { email: email! });

export interface NewApplication {
  badge: string;
  /** Exactly one of the two: a user, or an address (normalised). */
  user?: string;
  email?: string;
  evidence: Evidence[];
  assignment?: { reviewer: string; expiresAt: string | null };
}

/**
 * Takes an application in. An address a user has is that user's application; a learner may have
 * one pending application per badge (409 `application_pending`).
 */
export async function submitApplication(tx: Tx, service: string, input: NewApplication): Promise<Application> {
  await requireService(tx, service);
  await requireBadge(tx, service, input.badge);
  const user = input.user ?? ((await tx.item(service, EMAIL_KIND, input.email!))?.owner ?? undefined);
  const learner: Learner = { ...(user !== undefined ? { user } : {}), ...(input.email !== undefined ? { email: input.email } : {}) };
  const pending = (await tx.items(service, APPLICATION_KIND, { subject: learnerSubject(learner)! })).find((item) => item.owner === applicationOwner('pending', input.badge));
  if (pending) throw conflict('application_pending', `${describe(learner)} has applied for badge "${input.badge}" already (${pending.id}); review or close that application first`);
  const now = tx.now.toISOString();
  const application: Application = { id: newId('app'), badge: input.badge, ...learner, evidence: input.evidence, createdAt: now, assignment: null, review: null, processed: null };
  await putApplication(tx, service, application);
  tx.emit({ type: 'application.submitted', service, application: application.id, badge: application.badge, ...learnerOf(application), at: now });
  return input.assignment ? assign(tx, service, application.id, input.assignment) : application;
}

/**
 * Assigns the application to a reviewer until `expiresAt`, or to nobody (null). While another
 * reviewer's assignment holds, it is theirs (409 `application_assigned`); once it has expired,
 * another may be given it.
 */
export async function assign(tx: Tx, service: string, id: string, assignment: { reviewer: string; expiresAt: string | null } | null): Promise<Application> {
  const application = await requirePending(tx, service, id);
  const now = tx.now.toISOString();
  const current = application.assignment;
  if (assignment && current && current.reviewer !== assignment.reviewer && holds(current, now)) {
    throw conflict('application_assigned', `Application ${id} is assigned to "${current.reviewer}" until ${current.expiresAt ?? 'it is reviewed'}; unassign it first`);
  }
  if (assignment?.expiresAt != null && assignment.expiresAt <= now) throw invalid('invalid_expiry', 'An assignment expires in the future');
  const updated: Application = { ...application, assignment };
  await putApplication(tx, service, updated);
  tx.emit({ type: 'application.assigned', service, application: id, badge: application.badge, reviewer: assignment?.reviewer ?? null, expiresAt: assignment?.expiresAt ?? null, ...learnerOf(application), at: now });
  return updated;
}

export interface ReviewInput {
  reviewer: string;
  comment: string | null;
  approved: boolean;
  items: ReviewItem[];
}

/**
 * Records a review of a pending application against the badge's criteria: each item names a
 * criterion of the badge, once; an approval needs every required criterion satisfied. The latest
 * review decides; reviewed, the application leaves its reviewer's list. Approved, and the badge
 * says `auto_award`, it is awarded in the same unit (see awardApplication).
 */
export async function reviewApplication(tx: Tx, service: string, id: string, input: ReviewInput, invitationTtlMs: number): Promise<{ review: Review; application: Application; autoAward?: Awarding }> {
  const application = await requirePending(tx, service, id);
  const now = tx.now.toISOString();
  const current = application.assignment;
  if (current && current.reviewer !== input.reviewer && holds(current, now)) {
    throw conflict('assigned_to_another', `Application ${id} is assigned to "${current.reviewer}" until ${current.expiresAt ?? 'it is reviewed'}`);
  }
  const badge = await requireBadge(tx, service, application.badge);
  const criteria = criteriaOf(badge.fields).items;
  const known = new Map(criteria.map((c) => [c.id, c]));
  const seen = new Set<string>();
  for (const item of input.items) {
    if (!known.has(item.criterion)) throw invalid('unknown_criterion', `Badge "${badge.name}" has no criterion "${item.criterion}"`, { criterion: item.criterion });
    if (seen.has(item.criterion)) throw invalid('invalid_review', `The review judges criterion "${item.criterion}" twice`);
    seen.add(item.criterion);
  }
  if (input.approved) {
    const satisfied = new Set(input.items.filter((i) => i.satisfied).map((i) => i.criterion));
    const unmet = criteria.filter((c) => c.required && !satisfied.has(c.id)).map((c) => c.id);
    if (unmet.length > 0) throw invalid('criteria_not_met', `An approval needs every required criterion satisfied; not: ${unmet.join(', ')}`, unmet);
  }
  const review: Review = { id: newId('rev'), application: id, badge: badge.name, ...learnerOnly(application), reviewer: input.reviewer, comment: input.comment, approved: input.approved, items: input.items, at: now };
  tx.put({ t: 'item', s: service, v: { kind: REVIEW_KIND, id: review.id, owner: id, subject: learnerSubject(application), at: now, v: review } });
  const reviewed: Application = { ...application, assignment: null, review: { id: review.id, reviewer: review.reviewer, approved: review.approved, at: now } };
  await putApplication(tx, service, reviewed);
  tx.emit({ type: 'application.reviewed', service, application: id, badge: badge.name, review: review.id, reviewer: review.reviewer, approved: review.approved, ...learnerOf(application), at: now });
  if (!review.approved || badge.fields.auto_award !== true) return { review, application: reviewed };
  const autoAward = await awardApproved(tx, service, reviewed, badge, invitationTtlMs);
  return { review, application: autoAward.application, autoAward };
}

/** What awarding an application did: processed, or not (`skipped`: why the badge's terms refused the award now). */
export interface Awarding {
  application: Application;
  skipped?: string;
}

/**
 * Awards an approved application's badge to its learner, with its evidence, and processes it: a
 * user (or an address a user has now) is awarded; an address nobody has is invited (a deferred
 * award, claimed with the address). Refused when not approved (`not_reviewed`, `not_approved`).
 * When the badge's terms refuse the award now, nothing is written (409 `not_awardable`).
 */
export async function awardApplication(tx: Tx, service: string, id: string, invitationTtlMs: number): Promise<Application> {
  const application = await requirePending(tx, service, id);
  if (!application.review) throw conflict('not_reviewed', `Application ${id} has not been reviewed`);
  if (!application.review.approved) throw conflict('not_approved', `The latest review of application ${id} did not approve it`);
  const badge = await requireBadge(tx, service, application.badge);
  const { application: processed, skipped } = await awardApproved(tx, service, application, badge, invitationTtlMs);
  if (skipped) throw conflict('not_awardable', `Badge "${badge.name}" cannot be awarded to ${describe(application)} now (${skipped}); the application stays pending`, { reason: skipped });
  return processed;
}

/** Closes a pending application without an award (it was not approved, or was settled elsewhere). */
export async function closeApplication(tx: Tx, service: string, id: string): Promise<Application> {
  const application = await requirePending(tx, service, id);
  return markProcessed(tx, service, application, { at: tx.now.toISOString(), awarded: false });
}

/** Deletes an application with its reviews and assignment. */
export async function deleteApplication(tx: Tx, service: string, id: string): Promise<Application> {
  const application = await requireApplication(tx, service, id);
  tx.put({ t: 'item-', s: service, k: APPLICATION_KIND, id });
  if (await tx.item(service, ASSIGNMENT_KIND, id)) tx.put({ t: 'item-', s: service, k: ASSIGNMENT_KIND, id });
  for (const review of await tx.items(service, REVIEW_KIND, { owner: id })) tx.put({ t: 'item-', s: service, k: REVIEW_KIND, id: review.id });
  tx.emit({ type: 'application.deleted', service, application: id, badge: application.badge, ...learnerOf(application), at: tx.now.toISOString() });
  return application;
}

export async function requireApplication(tx: Reads, service: string, id: string): Promise<Application> {
  const item = await tx.item(service, APPLICATION_KIND, id);
  if (!item) throw applicationNotFound(service, id);
  return item.v as Application;
}

export const applicationNotFound = (service: string, id: string) => notFound('application_not_found', `Service "${service}" has no application "${id}"`);

async function awardApproved(tx: Tx, service: string, application: Application, badge: BadgeRecord, invitationTtlMs: number): Promise<Awarding> {
  const awardedFor: AwardedFor = { cause: { application: application.id }, ...(application.evidence.length ? { evidence: application.evidence } : {}) };
  const at = tx.now.toISOString();
  const user = application.user ?? ((await tx.item(service, EMAIL_KIND, application.email!))?.owner ?? undefined);
  if (user === undefined) {
    const invited = await invite(tx, service, application.email!, badge, null, invitationTtlMs, awardedFor);
    if (invited === 'held') return { application, skipped: 'unique' };
    return { application: await markProcessed(tx, service, application, { at, awarded: true, invitation: invited.invitation }) };
  }
  const { skipped, awards } = await awardChecked(tx, service, user, [badge.name], tx.now, awardedFor);
  if (skipped.length > 0) return { application, skipped: skipped[0]!.reason };
  return { application: await markProcessed(tx, service, application, { at, awarded: true, awards: awards.map((a) => a.id) }) };
}

async function markProcessed(tx: Tx, service: string, application: Application, processed: NonNullable<Application['processed']>): Promise<Application> {
  const done: Application = { ...application, assignment: null, processed };
  await putApplication(tx, service, done);
  const { awards, invitation } = processed;
  tx.emit({
    type: 'application.processed',
    service,
    application: application.id,
    badge: application.badge,
    awarded: processed.awarded,
    ...(awards ? { awards } : {}),
    ...(invitation ? { invitation } : {}),
    ...learnerOf(application),
    at: processed.at,
  });
  return done;
}

/** Writes the application, and its assignment as the one index of a reviewer's list. */
async function putApplication(tx: Tx, service: string, application: Application): Promise<void> {
  const subject = learnerSubject(application);
  const state: PendingState = application.processed ? 'processed' : 'pending';
  tx.put({ t: 'item', s: service, v: { kind: APPLICATION_KIND, id: application.id, owner: applicationOwner(state, application.badge), subject, at: application.createdAt, v: application } });
  const { assignment } = application;
  if (assignment) {
    const value = { application: application.id, badge: application.badge, ...learnerOnly(application), ...assignment };
    tx.put({ t: 'item', s: service, v: { kind: ASSIGNMENT_KIND, id: application.id, owner: reviewerOwner(assignment.reviewer), subject, at: assignment.expiresAt ?? NEVER, v: value } });
  } else if (await tx.item(service, ASSIGNMENT_KIND, application.id)) {
    tx.put({ t: 'item-', s: service, k: ASSIGNMENT_KIND, id: application.id });
  }
}

async function requirePending(tx: Tx, service: string, id: string): Promise<Application> {
  const application = await requireApplication(tx, service, id);
  if (application.processed) throw conflict('application_processed', `Application ${id} was processed at ${application.processed.at}`);
  return application;
}

async function requireBadge(tx: Reads, service: string, name: string): Promise<BadgeRecord> {
  const badge = (await tx.badges(service, [name])).get(name);
  if (!badge) throw notFound('badge_not_found', `Badge "${name}" is not registered in service "${service}"`);
  return badge;
}

/** Whether an assignment still holds at `now`. */
const holds = (assignment: { expiresAt: string | null }, now: string) => assignment.expiresAt === null || assignment.expiresAt > now;
const learnerOnly = ({ user, email }: Learner): Learner => ({ ...(user !== undefined ? { user } : {}), ...(email !== undefined ? { email } : {}) });
const describe = ({ user, email }: Learner) => (user !== undefined ? `User "${user}"` : `The address ${email}`);

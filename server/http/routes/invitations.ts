import {
  BadgeParams,
  BulkAwardBody,
  BulkAwardResponse,
  EmailsBody,
  EmailsResponse,
  InvitationList,
  InvitationParams,
  Invitation as InvitationSchema,
  InvitationsQuery,
  MAX_RECIPIENTS,
  UserEmails,
  UserParams,
} from '../../../types/access-schema.js';
import { nameProblem, ServiceParams } from '../../../types/schema.js';
import { accessConfig } from '../../config/access.js';
import { badgesOf, requireBadges } from '../auth/credentials.js';
import { itemList, listPage, pageOf, pageRequest } from '../paging.js';
import { bulkAward, type Recipient } from '../../core/access/bulk-award.js';
import { setEmails } from '../../core/access/emails.js';
import { cancelInvitation, CLAIMED_KIND, INVITATION_KIND, type ClaimedInvitation, type Invitation } from '../../core/access/invitations.js';
import { EMAIL_KIND, normalizeEmail } from '../../core/email.js';
import { badRequest, HttpError } from '../errors.js';
import { TEST_SERVICE_FULL } from '../auth/guards.js';
import type { Deps } from './context.js';
import { route } from './table.js';
import type { Static } from '@sinclair/typebox';

/**
 * Awards the badge to addresses and users in one write, each answered by itself (an invalid one
 * INVALID); shared by our route and badges.mozilla.org's (routes/mozilla.ts).
 */
export async function awardMany(service: string, badge: string, emails: readonly string[], users: readonly string[], description: string | null, { domain, config }: Pick<Deps, 'domain' | 'config'>): Promise<BulkAwardResponse> {
  if (emails.length + users.length === 0) throw badRequest('no_recipients', 'Name at least one recipient in "emails" or "users"');
  if (emails.length + users.length > MAX_RECIPIENTS) throw badRequest('too_many_recipients', `At most ${MAX_RECIPIENTS} recipients per request`);
  const invalid: string[] = [];
  const recipients: Recipient[] = [];
  for (const key of emails) {
    const email = normalizeEmail(key);
    if (email) recipients.push({ key, email });
    else invalid.push(key);
  }
  for (const key of users) {
    if (nameProblem(key) === undefined) recipients.push({ key, user: key.normalize('NFC') });
    else invalid.push(key);
  }
  const { invitationTtlMs } = accessConfig(config);
  const result = await domain.run(service, (tx) => bulkAward(tx, service, badge, recipients, description, invitationTtlMs, config.quotas));
  for (const key of invalid) result.errors[key] = 'INVALID';
  return result;
}

/** Users' addresses, awards by address (badges.mozilla.org's), and the invitations they leave. */

type InvitationView = Static<typeof InvitationSchema>;

export const invitationView = (record: Invitation | ClaimedInvitation): InvitationView =>
  'claimedAt' in record
    ? { ...base(record), state: 'claimed', user: record.user, claimedAt: record.claimedAt, awarded: record.awarded }
    : { ...base(record), state: 'pending' };

const base = ({ id, email, badge, description, createdAt, expiresAt }: Invitation) => ({ id, email, badge, description, createdAt, expiresAt });

export const invitationRoutes = [
  route({
    method: 'put',
    path: '/v1/{service}/users/{name}/emails.json',
    operationId: 'setUserEmails',
    summary: "Set the user's email addresses; new ones claim the awards pending for them",
    description:
      "Replaces the user's addresses (at most 20; normalised: trimmed, NFC, lower case). An address that another user has is refused (409 `email_taken`). Each new address claims its pending invitations in the same write: awarded now, the original award date kept in `claimed[].createdAt`. Addresses are never shown by public reads. The service's own key only.",
    tags: ['access'],
    auth: 'service',
    params: UserParams,
    body: EmailsBody,
    response: { description: 'The addresses, and the invitations they claimed', schema: EmailsResponse },
    errors: { 409: 'The address belongs to another user (`email_taken`)', 403: `A scoped key (\`key_out_of_scope\`), or: ${TEST_SERVICE_FULL}` },
    handler: async (ctx, { params, body }, { domain }) => {
      const emails = body.emails.map((text, i) => {
        const address = normalizeEmail(text);
        if (!address) throw badRequest('invalid_email', `emails[${i}]: not an email address`, { in: 'body', pointer: `/emails/${i}` });
        return address;
      });
      const service = ctx.state.service.name;
      const result = await domain.run(service, (tx) => setEmails(tx, service, params.name, emails));
      return { user: params.name, emails: result.emails, claimed: result.claimed.map(invitationView) };
    },
  }),
  route({
    method: 'get',
    path: '/v1/{service}/users/{name}/emails.json',
    operationId: 'getUserEmails',
    summary: "The user's email addresses (private: the service's key, or a key that may read private data)",
    tags: ['access'],
    auth: 'service',
    operation: 'read_private',
    params: UserParams,
    response: { description: 'The addresses', schema: UserEmails },
    handler: async (ctx, { params }, { store }) => {
      const service = ctx.state.service.name;
      // A key for some badges reads the addresses of those who hold one of them, nobody else's.
      const badges = badgesOf(ctx.state.access);
      if (badges) {
        const user = await store.getUser(service, params.name);
        if (!user?.awards.some((award) => badges.has(award.badge))) {
          throw new HttpError(403, 'key_out_of_scope', `This key may read the addresses of holders of ${[...badges].join(', ') || 'no badge'}; "${params.name}" holds none of them`);
        }
      }
      const items = await store.listItems(service, EMAIL_KIND, { owner: params.name });
      return { user: params.name, emails: items.map((item) => item.id).sort() };
    },
  }),
  route({
    method: 'post',
    path: '/v1/{service}/badges/{badge}/awards.json',
    operationId: 'awardMany',
    summary: 'Award a badge to up to 1,000 addresses and users at once (the badges.mozilla.org award API)',
    description:
      'One write. Each recipient is answered by itself: `successes` AWARDED (a user, or an address a user has) or INVITED (an address nobody has yet: a deferred award, claimed when a user gets the address); `errors` ALREADYAWARDED (the badge is unique and held, or pending for the address) or INVALID. A bad recipient never fails the others; the same request again awards a unique badge nobody twice. Works with HTTP Basic `-u <key id>:<secret>` of a scoped key that may award the badge.',
    tags: ['access'],
    auth: 'service',
    operation: 'award',
    scopeBadges: ({ params }) => [params.badge],
    params: BadgeParams,
    body: BulkAwardBody,
    response: { description: 'Per recipient, as sent', schema: BulkAwardResponse },
    errors: {
      404: 'The service or the badge does not exist (`service_not_found`, `badge_not_found`)',
      403: `A key that may not award this badge (\`key_out_of_scope\`); invitations beyond the service's quota (\`quota_invitations\`: nothing is awarded); or: ${TEST_SERVICE_FULL}`,
    },
    handler: async (ctx, { params, body }, deps) => awardMany(ctx.state.service.name, params.badge, body.emails ?? [], body.users ?? [], body.description ?? null, deps),
  }),
  route({
    method: 'get',
    path: '/v1/{service}/invitations.json',
    operationId: 'listInvitations',
    summary: 'Deferred awards: pending (by expiry) or claimed (by claim time)',
    tags: ['access'],
    auth: 'service',
    operation: 'read_private',
    params: ServiceParams,
    query: InvitationsQuery,
    response: { description: 'A page of invitations', schema: InvitationList },
    handler: async (ctx, { query }, { store }) => {
      const service = ctx.state.service.name;
      const kind = query.state === 'claimed' ? CLAIMED_KIND : INVITATION_KIND;
      const owner = query.email === undefined ? undefined : (normalizeEmail(query.email) ?? query.email);
      const keep = { state: query.state, email: query.email };
      // A key for some badges sees the invitations to those badges, nobody else's: read and filtered.
      const badges = badgesOf(ctx.state.access);
      if (badges) {
        const mine = (await store.listItems(service, kind, { owner })).map((item) => item.v as Invitation).filter((invitation) => badges.has(invitation.badge));
        const { items, paging } = pageOf(mine, ctx.path, keep, pageRequest(query));
        return { invitations: items.map(invitationView), paging };
      }
      const invitations = itemList((q) => store.listItems(service, kind, { owner, ...q }), () => store.countItems(service, kind, { owner }));
      const { items, paging } = await listPage(ctx.path, keep, query, invitations);
      return { invitations: items.map((item) => invitationView(item.v as Invitation)), paging };
    },
  }),
  route({
    method: 'delete',
    path: '/v1/{service}/invitations/{id}.json',
    operationId: 'cancelInvitation',
    summary: 'Cancel a pending invitation',
    tags: ['access'],
    auth: 'service',
    operation: 'revoke',
    params: InvitationParams,
    response: { description: 'The cancelled invitation', schema: InvitationSchema },
    errors: { 404: 'The service or the pending invitation does not exist (`service_not_found`, `invitation_not_found`)', 403: 'A key that may not revoke this badge (`key_out_of_scope`)' },
    handler: async (ctx, { params }, { domain }) => {
      const service = ctx.state.service.name;
      const cancelled = await domain.run(service, async (tx) => {
        const pending = (await tx.item(service, INVITATION_KIND, params.id))?.v as Invitation | undefined;
        if (pending && ctx.state.access) requireBadges(ctx.state.access, [pending.badge]);
        return cancelInvitation(tx, service, params.id);
      });
      return invitationView(cancelled);
    },
  }),
];

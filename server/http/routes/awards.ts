import type { Static } from '@sinclair/typebox';
import { AwardInstance as AwardSchema, AwardParams, AwardRevoked, RevokeAwardBody } from '../../../types/issuing-schema.js';
import { notFound } from '../../core/errors.js';
import type { Item } from '../../core/model.js';
import { revokeAward } from '../../core/rules/awards.js';
import { AWARD_KIND, type AwardInstance } from '../../core/rules/instances.js';
import { requireBadges } from '../auth/credentials.js';
import { route } from './table.js';

/** `/v1/:service/users/:name/awards/:id.json`: one award instance, read or revoked by its id. */

export const awardView = (id: string, user: string, { badge, at, cause, evidence, revoked }: AwardInstance): Static<typeof AwardSchema> => ({
  id,
  user,
  badge,
  at,
  ...(cause ? { cause } : {}),
  ...(evidence ? { evidence } : {}),
  ...(revoked ? { revoked } : {}),
});

const noSuchAward = (user: string, id: string) => notFound('award_not_found', `User "${user}" has no award "${id}"`);

export const awardRoutes = [
  route({
    method: 'get',
    path: '/v1/{service}/users/{name}/awards/{id}.json',
    operationId: 'getAward',
    summary: 'One award: what it was for (its cause, the evidence it was given on), and whether it was revoked',
    description: "The evidence an earner gave is theirs: the service's key, or a key that may read private data (and its badge).",
    tags: ['users'],
    auth: 'service',
    operation: 'read_private',
    params: AwardParams,
    response: { description: 'The award', schema: AwardSchema },
    errors: { 404: 'The user has no such award (`award_not_found`)' },
    handler: async (ctx, { params }, { store }) => {
      const item: Item | undefined = await store.getItem(ctx.state.service.name, AWARD_KIND, params.id);
      if (!item || item.owner !== params.name) throw noSuchAward(params.name, params.id);
      const award = item.v as AwardInstance;
      if (ctx.state.access) requireBadges(ctx.state.access, [award.badge]);
      return awardView(item.id, params.name, award);
    },
  }),
  route({
    method: 'delete',
    path: '/v1/{service}/users/{name}/awards/{id}.json',
    operationId: 'revokeAward',
    summary: 'Revoke one award: the count of its badge goes down by one; the award is kept, revoked, with the reason',
    description:
      'Idempotent: an award revoked already is answered as it is. The user keeps the badge while other awards of it stand. An empty body, or `{"reason": "..."}`: the reason is kept with the award, and told to whoever checks it.',
    tags: ['users'],
    auth: 'service',
    operation: 'revoke',
    params: AwardParams,
    body: RevokeAwardBody,
    optionalBody: true,
    response: { description: 'The award, revoked, and the badges the user still has', schema: AwardRevoked },
    errors: { 404: 'The user has no such award (`award_not_found`)' },
    handler: async (ctx, { params, body }, { domain }) => {
      const service = ctx.state.service.name;
      const { instance, user } = await domain.run(service, async (tx) => {
        const badge = ((await tx.item(service, AWARD_KIND, params.id))?.v as AwardInstance | undefined)?.badge;
        if (badge !== undefined && ctx.state.access) requireBadges(ctx.state.access, [badge]);
        return revokeAward(tx, service, params.name, params.id, body.reason ?? null);
      });
      return { award: awardView(params.id, params.name, instance), user: { name: params.name, badges: user?.awards.map((a) => a.badge) ?? [] } };
    },
  }),
];

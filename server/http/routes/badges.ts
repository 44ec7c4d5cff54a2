import { BadgeNamesBody, BadgesDeleteResponse, BadgesPutBody, BadgesQuery, BadgesResponse, ServiceParams, SortQuery } from '../../../types/schema.js';
import type { SortKey } from '../../../types/api.js';
import type { BadgeRecord } from '../../core/model.js';
import type { Store } from '../../core/ports.js';
import { pageOf, pageRequest } from '../paging.js';
import { badgeInputs } from '../validate.js';
import { Listing, badgeView, sortBadges } from '../../cache/views.js';
import { TEST_SERVICE_FULL } from '../auth/guards.js';
import { route } from './table.js';

/** `/v1/:service/badges.json`: the badges a service has registered. */

const inOrder = (badges: BadgeRecord[], sort?: SortKey) => (sort ? sortBadges([...badges], sort) : badges).map((badge) => badgeView(badge));

/** What a write answers: every badge, shown or not; the service's own key asked. */
const listed = async (store: Store, service: string, sort?: SortKey) => inOrder(await store.listBadges(service), sort);

export const badgeRoutes = [
  route({
    method: 'get',
    path: '/v1/{service}/badges.json',
    operationId: 'listBadges',
    summary: "The service's badges with their custom fields, times awarded and last award",
    description:
      'A page at a time. Badges outside their display window are left out (disabled ones are listed, with `is_enabled: false`); `tags` keeps those having any of the tags; `issuer` those of an issuer (its programs\' included), `program` those of a program.',
    tags: ['badges'],
    auth: 'public',
    params: ServiceParams,
    query: BadgesQuery,
    response: { description: 'A page of the badges, in the order registered unless sorted', schema: BadgesResponse },
    handler: async (ctx, { query }, { store, config }) => {
      const { sort, tags, issuer, program } = query;
      const shown = new Listing(await store.listBadges(ctx.state.service.name), { tags, issuer, program }, config.now()).badges();
      const { items, paging } = pageOf(inOrder(shown, sort), ctx.path, { sort, tags: tags?.join(','), issuer, program }, pageRequest(query));
      return { badges: items, paging };
    },
  }),
  route({
    method: 'put',
    path: '/v1/{service}/badges.json',
    operationId: 'putBadges',
    summary: 'Create missing badges and update the fields of existing ones (a field set to null is removed)',
    tags: ['badges'],
    auth: 'service',
    operation: 'manage_badges',
    scopeBadges: ({ body }) => body.badges.map((badge) => badge.name),
    params: ServiceParams,
    query: SortQuery,
    body: BadgesPutBody,
    response: { description: 'All badges of the service', schema: BadgesResponse },
    errors: { 403: TEST_SERVICE_FULL },
    handler: async (ctx, { query, body }, { store, domain }) => {
      await domain.putBadges(ctx.state.service.name, badgeInputs(body.badges));
      return { badges: await listed(store, ctx.state.service.name, query.sort) };
    },
  }),
  route({
    method: 'delete',
    path: '/v1/{service}/badges.json',
    operationId: 'deleteBadges',
    summary: 'Delete badges and take them from every user',
    description: 'Idempotent: names that are not registered (deleted already, say) are listed in `absent`, not refused.',
    tags: ['badges'],
    auth: 'service',
    operation: 'manage_badges',
    scopeBadges: ({ body }) => body.badges,
    params: ServiceParams,
    query: SortQuery,
    body: BadgeNamesBody,
    response: { description: 'The remaining badges, and the names that were already absent', schema: BadgesDeleteResponse },
    handler: async (ctx, { query, body }, { store, domain }) => {
      const { absent } = await domain.deleteBadges(ctx.state.service.name, body.badges);
      return { badges: await listed(store, ctx.state.service.name, query.sort), absent };
    },
  }),
];

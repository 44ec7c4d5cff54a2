import { Members, MembersQuery, ServiceExportQuery, Stats, StatsQuery } from '../../../types/console-schema.js';
import { ExportLines, ServiceParams } from '../../../types/schema.js';
import { EMAIL_KIND, normalizeEmail } from '../../core/email.js';
import type { UserRecord } from '../../core/model.js';
import { serviceStats } from '../../core/stats.js';
import { sendExport } from './admin.js';
import { route } from './table.js';

/**
 * What the admin console reads beside the rest of the API (issue 23): the figures of its plots, the
 * search for a member, and the service's own export. Each is an ordinary route of the v1 API, so
 * a script can read what the console shows.
 */

const memberOf = (user: UserRecord, email?: string) => ({
  name: user.name,
  badges: user.awards.filter((award) => award.count > 0).length,
  awards: user.awards.reduce((sum, award) => sum + award.count, 0),
  createdAt: user.createdAt,
  ...(email ? { email } : {}),
});

export const consoleRoutes = [
  route({
    method: 'get',
    path: '/v1/{service}/stats.json',
    operationId: 'getStats',
    summary: 'Figures of the last days: awards per day and badge, active users, badges per user, webhook attempts, failures and latency',
    description: 'Counted when asked from the activity entries, events, users and delivery log; at most 200,000 records of each are read (`partial` says so).',
    tags: ['console'],
    auth: 'service',
    operation: 'read_private',
    params: ServiceParams,
    query: StatsQuery,
    response: { description: 'The figures', schema: Stats },
    etag: false,
    handler: async (ctx, { query }, { store, config }) => {
      ctx.set('Cache-Control', 'no-store');
      return serviceStats(store, ctx.state.service.name, config.now(), query.days ?? 30);
    },
  }),
  route({
    method: 'get',
    path: '/v1/{service}/members.json',
    operationId: 'findMembers',
    summary: 'Users whose name starts with `q`, or the user with the address `q`',
    description: 'Any key of the service may search by name (names are public, as in `users.json`); by address only a key that may read private data.',
    tags: ['console'],
    auth: 'service',
    operation: 'any',
    params: ServiceParams,
    query: MembersQuery,
    response: { description: 'The members found', schema: Members },
    etag: false,
    handler: async (ctx, { query: { q, limit = 20 } }, { store }) => {
      const service = ctx.state.service.name;
      const { access } = ctx.state;
      ctx.set('Cache-Control', 'no-store');
      const found: ReturnType<typeof memberOf>[] = [];
      const address = q.includes('@') ? normalizeEmail(q) : undefined;
      const privateReads = access?.kind === 'service' || access?.key.operations.includes('read_private');
      if (address && privateReads) {
        const owner = (await store.getItem(service, EMAIL_KIND, address))?.owner;
        const user = owner ? await store.getUser(service, owner) : undefined;
        if (user) found.push(memberOf(user, address));
      }
      const exact = await store.getUser(service, q);
      const named = [...(exact ? [exact] : []), ...(await store.usersAfter(service, q, limit)).filter((user) => user.name.startsWith(q))];
      for (const user of named) if (found.length < limit && !found.some((f) => f.name === user.name)) found.push(memberOf(user));
      return { members: found };
    },
  }),
  route({
    method: 'get',
    path: '/v1/{service}/export.jsonl',
    operationId: 'exportService',
    summary: 'The service as JSON Lines from one snapshot, as `GET /admin/export?service=` answers it: a backup its owner can take',
    description: "The service's own key only. With its keys and webhook signing secrets unless `secrets=off`.",
    tags: ['console'],
    auth: 'service',
    params: ServiceParams,
    query: ServiceExportQuery,
    response: { description: 'The export', schema: ExportLines, contentType: 'application/x-ndjson' },
    etag: false,
    handler: async (ctx, { query }, deps) => {
      const service = ctx.state.service.name;
      ctx.set('Content-Disposition', `attachment; filename="${service}.jsonl"`);
      return sendExport(ctx, deps, { service, withoutSecrets: query.secrets === 'off' });
    },
  }),
];

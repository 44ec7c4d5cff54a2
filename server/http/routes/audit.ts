import { AuditQuery, AuditResponse, type AuditEntry } from '../../../types/audit-schema.js';
import { ServiceParams } from '../../../types/schema.js';
import { AUDIT_KIND } from '../../core/audit.js';
import type { Item } from '../../core/model.js';
import type { ItemQuery } from '../../core/ports.js';
import { cursorPaging, scanPage } from '../paging.js';
import { route } from './table.js';

/**
 * `/v1/:service/audit.json`: who granted, revoked, changed or deleted what, newest first (the
 * trail core/audit.ts keeps). Filtered by actor and by user through the store's indexes; by badge
 * by reading on (see scanPage), so no request reads a whole history.
 */

const entry = (item: Item): AuditEntry => ({ id: item.id, at: item.at, ...(item.v as Omit<AuditEntry, 'id' | 'at'>) });

export const auditRoutes = [
  route({
    method: 'get',
    path: '/v1/{service}/audit.json',
    operationId: 'getAudit',
    summary: 'The audit trail: who granted, revoked, changed or deleted what, newest first',
    description:
      "One entry per act: awards and revocations (with their cause: a rule and its event, a claim code, an invitation), badges, rules, scoped keys, webhook endpoints, settings, the service's key, integrations, invitations, claim codes, erasures and renames, each with its actor (the service's key, a scoped key, the operator, a CLI command, an integration, a job). Paged by cursor: follow `paging.next`. The service's own key only. After an erasure the person's entries stay, the person in them replaced by a pseudonym.",
    tags: ['audit'],
    auth: 'service',
    params: ServiceParams,
    query: AuditQuery,
    response: { description: 'A page of the trail', schema: AuditResponse },
    etag: false,
    handler: async (ctx, { query }, { store }) => {
      const service = ctx.state.service.name;
      const pageSize = query.page_size ?? 100;
      const narrowed: ItemQuery = { order: 'desc', ...(query.actor !== undefined ? { owner: query.actor } : {}), ...(query.user !== undefined ? { subject: query.user } : {}) };
      const wanted = query.badge === undefined ? undefined : (item: Item) => (item.v as { badge?: string }).badge === query.badge;
      const { page, last } = await scanPage((q) => store.listItems(service, AUDIT_KIND, { ...narrowed, ...q }), pageSize, query.cursor, wanted);
      const keep = { actor: query.actor, user: query.user, badge: query.badge };
      return { audit: page.map(entry), paging: cursorPaging(ctx.path, keep, pageSize, last) };
    },
  }),
];

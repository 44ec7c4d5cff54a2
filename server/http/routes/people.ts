import { Erased, PersonalData, PersonParams, RenameBody, Renamed } from '../../../types/people-schema.js';
import type { Domain } from '../../core/domain.js';
import type { Store } from '../../core/ports.js';
import type { ReplayStore } from '../../stores/replays.js';
import { route } from './table.js';

/**
 * A person's data on request (GDPR articles 15 and 17): everything the service holds of a user in
 * one document, erased in one write, or moved to a new name. The service's own key only.
 */

/**
 * Erases a user (core/people/erase.ts), then what the store's unit cannot reach: kept answers to
 * signed requests that showed them, and, on the embedded store, the journal that still holds the
 * records removed (a checkpoint rewrites the files without them). The CLI erases through here too.
 */
export async function erasePerson({ domain, store, replay }: { domain: Domain; store: Store; replay?: ReplayStore }, service: string, name: string) {
  const { forget, ...erased } = await domain.eraseUser(service, name);
  await replay?.forgetAnswers(service, forget);
  await store.checkpoint();
  return { erased: true as const, ...erased };
}

const NOBODY = { 404: 'The service does not exist, or holds nothing of this user (`service_not_found`, `user_not_found`)' };

export const peopleRoutes = [
  route({
    method: 'get',
    path: '/v1/{service}/users/{name}/export.json',
    operationId: 'exportUser',
    summary: 'Everything the service holds of a user, in one document (GDPR article 15)',
    description:
      'The user record (awards, progress), their addresses, and every record of them or of their addresses, by kind: events and refused events, activity entries, rule states, invitations, claim redemptions, webhook messages and attempts, audit entries. Read in one unit, so it is one moment of the data. Not cached anywhere.',
    tags: ['people'],
    auth: 'service',
    params: PersonParams,
    response: { description: "The person's data", schema: PersonalData },
    errors: NOBODY,
    etag: false,
    handler: async (ctx, { params }, { domain }) => {
      ctx.set('Cache-Control', 'no-store');
      return domain.exportUser(ctx.state.service.name, params.name);
    },
  }),
  route({
    method: 'post',
    path: '/v1/{service}/users/{name}/erase.json',
    operationId: 'eraseUser',
    summary: 'Erase a user: every record of them goes, in one write (GDPR article 17)',
    description:
      "Removes the user record and every record of the user or of their addresses, in one atomic write; the badges they held are counted again (`count`, `latest`). Audit entries stay, the person in them replaced by a pseudonym; a `user.erased` webhook names only the pseudonym. Kept answers to signed requests that showed the person are dropped, and on the embedded store the files are rewritten at once, so no file holds the person's name or addresses when this answers.",
    tags: ['people'],
    auth: 'service',
    params: PersonParams,
    response: { description: 'What was erased', schema: Erased },
    errors: NOBODY,
    handler: async (ctx, { params }, deps) => erasePerson(deps, ctx.state.service.name, params.name),
  }),
  route({
    method: 'post',
    path: '/v1/{service}/users/{name}/rename.json',
    operationId: 'renameUser',
    summary: 'Rename a user, with everything the service holds of them, in one write',
    description:
      'Moves the user record (awards, progress: no badge count changes), addresses, events, activity, rule states, invitations claimed, claim redemptions, and the subject of their webhook messages and audit entries to the new name. Records of what was said then (events as sent, webhook payloads, audit entries) keep the name they said. A `user.renamed` event says from what to what.',
    tags: ['people'],
    auth: 'service',
    params: PersonParams,
    body: RenameBody,
    response: { description: 'What moved', schema: Renamed },
    errors: { ...NOBODY, 400: 'The new name is the same (`same_name`)', 409: 'The new name is taken (`user_exists`)' },
    handler: async (ctx, { params, body }, { domain }) => domain.renameUser(ctx.state.service.name, params.name, body.to),
  }),
];

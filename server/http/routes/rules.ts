import { BackfillProgress, RuleDeleted, RuleInput, RuleParams, RulePreview, RulesResponse, Rule as RuleSchema } from '../../../types/events-schema.js';
import type { Static } from '@sinclair/typebox';
import { ServiceParams } from '../../../types/schema.js';
import { backfillProgress, previewRule, startBackfill, type BackfillProgress as Progress } from '../../core/events/backfill.js';
import { KIND } from '../../core/events/kinds.js';
import type { Rule, RuleDefinition } from '../../core/events/rule-model.js';
import { createRule, definitionOf, deleteRule, draftRule, getRule, listRules, updateRule } from '../../core/events/rules.js';
import { itemReads } from '../../core/events/store-reads.js';
import { notFound } from '../../core/errors.js';

import type { Deps } from './context.js';
import { route } from './table.js';

/** Rules of a service: made, changed and removed at run time, previewed and backfilled (issue 9). */

const view = (rule: Rule) => ({ id: rule.id, ...definitionOf(rule), createdAt: rule.createdAt, updatedAt: rule.updatedAt }) as never;
const progressView = (rule: string, p: Progress) => {
  const { rev: _rev, cursor: _cursor, ...shown } = p;
  return { rule, ...shown };
};
const definition = ({ id: _id, ...rest }: Static<typeof RuleInput>) => rest as RuleDefinition;

async function requireRule({ store }: Deps, service: string, id: string): Promise<Rule> {
  const rule = await getRule(itemReads(store), service, id);
  if (!rule) throw notFound('rule_not_found', `Rule "${id}" does not exist in service "${service}"`);
  return rule;
}

const NOT_FOUND = 'The service, or the rule, does not exist (`service_not_found`, `rule_not_found`)';
const INVALID =
  'The rule cannot work: a badge or event type that is not registered (`unknown_badge`, `unknown_event_type`, their names in `details`), a bad `window` (`invalid_window`), fields that do not go together (`invalid_rule`), or badges rules that would require themselves (`rule_cycle`)';

export const ruleRoutes = [
  route({
    method: 'get',
    path: '/v1/{service}/rules.json',
    operationId: 'listRules',
    summary: "The service's rules",
    tags: ['rules'],
    auth: 'service',
    params: ServiceParams,
    response: { description: 'Every rule', schema: RulesResponse },
    handler: async (ctx, _input, { store }) => ({ rules: (await listRules(itemReads(store), ctx.state.service.name)).map(view) }),
  }),
  route({
    method: 'post',
    path: '/v1/{service}/rules.json',
    operationId: 'createRule',
    summary: 'Make a rule; it evaluates every event from now on',
    description: 'To apply it to the events already stored, start a backfill. Without `id`, one is made from the badge name.',
    tags: ['rules'],
    auth: 'service',
    params: ServiceParams,
    body: RuleInput,
    response: { status: 201, description: 'The rule', schema: RuleSchema },
    errors: { 400: INVALID, 409: 'A rule with this id exists (`rule_exists`)' },
    handler: async (ctx, { body }, { domain }) => view(await domain.run(ctx.state.service.name, (tx) => createRule(tx, ctx.state.service.name, definition(body), body.id))),
  }),
  route({
    method: 'post',
    path: '/v1/{service}/rule-preview.json',
    operationId: 'previewNewRule',
    summary: 'What a rule would award over the stored events, without making it',
    tags: ['rules'],
    auth: 'service',
    params: ServiceParams,
    body: RuleInput,
    response: { description: 'Users and awards a backfill would make now, with a sample', schema: RulePreview },
    errors: { 400: INVALID },
    etag: false,
    handler: async (ctx, { body }, deps) => {
      const service = ctx.state.service.name;
      // Checked as it would be saved; the unit writes nothing.
      const rule = await deps.domain.run(service, (tx) => draftRule(tx, service, definition(body)));
      return previewRule(deps.store, service, rule);
    },
  }),
  route({
    method: 'get',
    path: '/v1/{service}/rules/{id}.json',
    operationId: 'getRule',
    summary: 'One rule',
    tags: ['rules'],
    auth: 'service',
    params: RuleParams,
    response: { description: 'The rule', schema: RuleSchema },
    errors: { 404: NOT_FOUND },
    handler: async (ctx, { params }, deps) => view(await requireRule(deps, ctx.state.service.name, params.id)),
  }),
  route({
    method: 'put',
    path: '/v1/{service}/rules/{id}.json',
    operationId: 'updateRule',
    summary: 'Change a rule',
    description: 'A changed definition counts anew from the next event (what the old one counted is not carried over); backfill to count the stored events. The same definition again changes nothing.',
    tags: ['rules'],
    auth: 'service',
    params: RuleParams,
    body: RuleInput,
    response: { description: 'The rule', schema: RuleSchema },
    errors: { 400: INVALID, 404: NOT_FOUND },
    handler: async (ctx, { params, body }, { domain }) => view(await domain.run(ctx.state.service.name, (tx) => updateRule(tx, ctx.state.service.name, params.id, definition(body)))),
  }),
  route({
    method: 'delete',
    path: '/v1/{service}/rules/{id}.json',
    operationId: 'deleteRule',
    summary: 'Remove a rule (the badges it awarded stay)',
    tags: ['rules'],
    auth: 'service',
    params: RuleParams,
    response: { description: 'Deleted', schema: RuleDeleted },
    errors: { 404: NOT_FOUND },
    handler: async (ctx, { params }, { domain }) => {
      await domain.run(ctx.state.service.name, (tx) => deleteRule(tx, ctx.state.service.name, params.id));
      return { id: params.id, deleted: true as const };
    },
  }),
  route({
    method: 'get',
    path: '/v1/{service}/rules/{id}/preview.json',
    operationId: 'previewRule',
    summary: 'What a backfill of the rule would award now, changing nothing',
    tags: ['rules'],
    auth: 'service',
    params: RuleParams,
    response: { description: 'Users and awards a backfill would make now, with a sample', schema: RulePreview },
    errors: { 404: NOT_FOUND },
    etag: false,
    handler: async (ctx, { params }, deps) => previewRule(deps.store, ctx.state.service.name, await requireRule(deps, ctx.state.service.name, params.id)),
  }),
  route({
    method: 'post',
    path: '/v1/{service}/rules/{id}/backfill.json',
    operationId: 'startBackfill',
    summary: 'Apply the rule to the stored events, in the background',
    description: 'Idempotent: users are recomputed from their stored events, and only awards the rule has not made are made, dated by the event that earned them. A backfill of the same rule already running is answered as it is.',
    tags: ['rules'],
    auth: 'service',
    params: RuleParams,
    response: { description: 'Its progress', schema: BackfillProgress },
    errors: { 404: NOT_FOUND },
    handler: async (ctx, { params }, deps) => {
      const service = ctx.state.service.name;
      const rule = await requireRule(deps, service, params.id);
      const total = rule.condition === 'badges' ? (await deps.store.listUsers(service, { offset: 0, limit: 1 })).total : await deps.store.countItems(service, KIND.event, {});
      const progress = await deps.domain.run(service, async (tx) => {
        const current = (await tx.item(service, KIND.backfill, rule.id))?.v as Progress | undefined;
        if (current?.status === 'running' && current.rev === rule.rev) return current;
        return startBackfill(tx, service, rule, total);
      });
      return progressView(rule.id, progress);
    },
  }),
  route({
    method: 'get',
    path: '/v1/{service}/rules/{id}/backfill.json',
    operationId: 'getBackfill',
    summary: "The progress of the rule's last backfill",
    tags: ['rules'],
    auth: 'service',
    params: RuleParams,
    response: { description: 'Its progress', schema: BackfillProgress },
    errors: { 404: 'The service, the rule or a backfill of it does not exist (`service_not_found`, `rule_not_found`, `backfill_not_found`)' },
    etag: false,
    handler: async (ctx, { params }, deps) => {
      const progress = await backfillProgress(deps.store, ctx.state.service.name, params.id);
      if (!progress) {
        await requireRule(deps, ctx.state.service.name, params.id);
        throw notFound('backfill_not_found', `Rule "${params.id}" was never backfilled; start with POST`);
      }
      return progressView(params.id, progress);
    },
  }),
];

import type { Static } from '@sinclair/typebox';
import {
  BadgeParams,
  ClaimCodeBatch as BatchSchema,
  ClaimCodeBatchDeleted,
  ClaimCodeBatchParams,
  ClaimCodeDeleted,
  ClaimCodeList,
  ClaimCodeParams,
  ClaimCodes,
  ClaimCode as ClaimCodeSchema,
  NewClaimCodesBody,
  PageQuery,
  RedeemBody,
  RedeemResponse,
} from '../../../types/access-schema.js';
import { requireBadges } from '../auth/credentials.js';
import { futureTime } from '../future-time.js';
import { itemList, listPage } from '../paging.js';
import { newId, randomBase32 } from '../../core/access/ids.js';
import {
  CLAIM_CODE_KIND,
  claimCodeState,
  deleteBatch,
  deleteClaimCode,
  expireBatch,
  expireClaimCode,
  getBatch,
  getClaimCode,
  makeClaimCodes,
  redeemClaimCode,
  type ClaimCode,
  type ClaimCodeBatch,
} from '../../core/access/claim-codes.js';
import type { Tx } from '../../core/ports.js';
import type { Domain } from '../../core/domain.js';
import type { V1Context } from './context.js';
import { badRequest } from '../errors.js';
import { accessConfig } from '../../config/access.js';
import { learnerFrom } from '../learner.js';
import { route } from './table.js';

/** Claim codes: made for a badge (at random, or chosen by the site), handed out by the site, redeemed for a user or an address; ended or deleted, one or a batch. */

/** 120 random bits, in groups of four for people to type: `ABCD-EFGH-...`. */
const newCode = () => randomBase32(15).toUpperCase();
const shown = (code: string) => code.match(/.{1,4}/g)!.join('-');
/** What a person typed, as the code is kept: case and hyphens do not matter. */
const canonical = (typed: string) => typed.replace(/[-\s]/g, '').toUpperCase();

const codeView = (code: ClaimCode, now: number): Static<typeof ClaimCodeSchema> => ({
  code: code.chosen ? code.code : shown(code.code),
  badge: code.badge,
  uses: code.uses,
  redeemed: code.redeemed,
  state: claimCodeState(code, new Date(now).toISOString()),
  expiresAt: code.expiresAt,
  createdAt: code.createdAt,
  batch: code.batch ?? null,
  key: code.key ?? null,
  ...(code.chosen ? { chosen: true as const } : {}),
});

const batchView = ({ batch, codes }: { batch: ClaimCodeBatch; codes: ClaimCode[] }, now: number): Static<typeof BatchSchema> => ({
  id: batch.id,
  badge: batch.badge,
  key: batch.key,
  uses: batch.uses,
  expiresAt: batch.expiresAt,
  createdAt: batch.createdAt,
  codes: codes.map((code) => codeView(code, now)),
});

/**
 * A unit on one code (as typed) or one batch, for a key limited to some badges only if it covers
 * the badge the code or batch is for (read in the unit: the path names no badge).
 */
function onCode<T>(ctx: V1Context, domain: Domain, typed: string, work: (tx: Tx, service: string, code: string) => Promise<T>): Promise<T> {
  const service = ctx.state.service.name;
  const code = canonical(typed);
  return domain.run(service, async (tx) => {
    if (ctx.state.access) requireBadges(ctx.state.access, [(await getClaimCode(tx, service, code)).badge]);
    return work(tx, service, code);
  });
}

function onBatch<T>(ctx: V1Context, domain: Domain, batch: string, work: (tx: Tx, service: string) => Promise<T>): Promise<T> {
  const service = ctx.state.service.name;
  return domain.run(service, async (tx) => {
    if (ctx.state.access) requireBadges(ctx.state.access, [(await getBatch(tx, service, batch)).batch.badge]);
    return work(tx, service);
  });
}

const codeErrors = { 404: 'The service or the code does not exist (`service_not_found`, `claim_code_not_found`)' };
const batchErrors = { 404: 'The service or the batch does not exist (`service_not_found`, `claim_code_batch_not_found`)' };

export const claimCodeRoutes = [
  route({
    method: 'post',
    path: '/v1/{service}/badges/{badge}/claim-codes.json',
    operationId: 'createClaimCodes',
    summary: 'Make claim codes for a badge, random or chosen by the site, as one batch: single or multi use, optional expiry',
    description: 'A code made by a scoped key expires no later than the key, and is deleted with it.',
    tags: ['access'],
    auth: 'service',
    operation: 'award',
    scopeBadges: ({ params }) => [params.badge],
    params: BadgeParams,
    body: NewClaimCodesBody,
    response: { status: 201, description: 'The new codes and their batch', schema: ClaimCodes },
    errors: {
      400: 'Both `count` and `codes`, or codes that are the same but for case and hyphens (`invalid_body`, `invalid_codes`)',
      404: 'The service or the badge does not exist (`service_not_found`, `badge_not_found`)',
      403: 'The codes would make the service hold more than its quota (`quota_claim_codes`)',
      409: 'A code chosen is a code of the service already (`claim_code_exists`, the codes in `details`)',
    },
    handler: async (ctx, { params, body }, { domain, config }) => {
      const expiresAt = futureTime(body.expiresAt, config.now());
      const service = ctx.state.service.name;
      if (body.codes && body.count !== undefined) throw badRequest('invalid_body', 'Either `count` random codes or the `codes` chosen, not both');
      const codes = body.codes ? body.codes.map(canonical) : Array.from({ length: body.count ?? 1 }, newCode);
      const access = ctx.state.access;
      const maker = access?.kind === 'key' ? { id: access.key.id, expiresAt: access.key.expiresAt } : null;
      const made = await domain.run(service, (tx) => makeClaimCodes(tx, service, params.badge, codes, body.uses ?? 1, expiresAt, newId('ccb'), maker, config.quotas, body.codes !== undefined));
      return { batch: made.batch.id, codes: made.codes.map((code) => codeView(code, config.now())) };
    },
  }),
  route({
    method: 'get',
    path: '/v1/{service}/badges/{badge}/claim-codes.json',
    operationId: 'listClaimCodes',
    summary: "A badge's claim codes with their state (active, used, expired), oldest first",
    tags: ['access'],
    auth: 'service',
    operation: 'read_private',
    scopeBadges: ({ params }) => [params.badge],
    params: BadgeParams,
    query: PageQuery,
    response: { description: 'A page of codes', schema: ClaimCodeList },
    handler: async (ctx, { params, query }, { store, config }) => {
      const service = ctx.state.service.name;
      const owner = params.badge;
      const codes = itemList((q) => store.listItems(service, CLAIM_CODE_KIND, { owner, ...q }), () => store.countItems(service, CLAIM_CODE_KIND, { owner }));
      const { items, paging } = await listPage(ctx.path, {}, query, codes);
      return { codes: items.map((item) => codeView(item.v as ClaimCode, config.now())), paging };
    },
  }),
  route({
    method: 'get',
    path: '/v1/{service}/claim-codes/{code}.json',
    operationId: 'getClaimCode',
    summary: 'One claim code with its state',
    tags: ['access'],
    auth: 'service',
    operation: 'read_private',
    params: ClaimCodeParams,
    response: { description: 'The code', schema: ClaimCodeSchema },
    errors: codeErrors,
    handler: async (ctx, { params }, { domain, config }) => codeView(await onCode(ctx, domain, params.code, getClaimCode), config.now()),
  }),
  route({
    method: 'post',
    path: '/v1/{service}/claim-codes/{code}/expire.json',
    operationId: 'expireClaimCode',
    summary: 'End a claim code now: it can no longer be redeemed, and is listed as expired',
    tags: ['access'],
    auth: 'service',
    operation: 'award',
    params: ClaimCodeParams,
    response: { description: 'The code, expired', schema: ClaimCodeSchema },
    errors: codeErrors,
    handler: async (ctx, { params }, { domain, config }) => codeView(await onCode(ctx, domain, params.code, expireClaimCode), config.now()),
  }),
  route({
    method: 'delete',
    path: '/v1/{service}/claim-codes/{code}.json',
    operationId: 'deleteClaimCode',
    summary: 'Delete a claim code (its redemptions, and the awards they made, stay)',
    tags: ['access'],
    auth: 'service',
    operation: 'award',
    params: ClaimCodeParams,
    response: { description: 'Deleted', schema: ClaimCodeDeleted },
    errors: codeErrors,
    handler: async (ctx, { params }, { domain }) => ({ code: shown((await onCode(ctx, domain, params.code, deleteClaimCode)).code), deleted: true as const }),
  }),
  route({
    method: 'get',
    path: '/v1/{service}/claim-code-batches/{batch}.json',
    operationId: 'getClaimCodeBatch',
    summary: 'A batch of claim codes (those made by one request) with every code in it',
    tags: ['access'],
    auth: 'service',
    operation: 'read_private',
    params: ClaimCodeBatchParams,
    response: { description: 'The batch', schema: BatchSchema },
    errors: batchErrors,
    handler: async (ctx, { params }, { domain, config }) => batchView(await onBatch(ctx, domain, params.batch, (tx, service) => getBatch(tx, service, params.batch)), config.now()),
  }),
  route({
    method: 'post',
    path: '/v1/{service}/claim-code-batches/{batch}/expire.json',
    operationId: 'expireClaimCodeBatch',
    summary: 'End every code of a batch now',
    tags: ['access'],
    auth: 'service',
    operation: 'award',
    params: ClaimCodeBatchParams,
    response: { description: 'The batch, its codes expired', schema: BatchSchema },
    errors: batchErrors,
    handler: async (ctx, { params }, { domain, config }) => batchView(await onBatch(ctx, domain, params.batch, (tx, service) => expireBatch(tx, service, params.batch)), config.now()),
  }),
  route({
    method: 'delete',
    path: '/v1/{service}/claim-code-batches/{batch}.json',
    operationId: 'deleteClaimCodeBatch',
    summary: 'Delete a batch and every code of it',
    tags: ['access'],
    auth: 'service',
    operation: 'award',
    params: ClaimCodeBatchParams,
    response: { description: 'Deleted', schema: ClaimCodeBatchDeleted },
    errors: batchErrors,
    handler: async (ctx, { params }, { domain }) => ({ id: params.batch, deleted: (await onBatch(ctx, domain, params.batch, (tx, service) => deleteBatch(tx, service, params.batch))).deleted }),
  }),
  route({
    method: 'post',
    path: '/v1/{service}/claim-codes/{code}/redeem.json',
    operationId: 'redeemClaimCode',
    summary: 'Redeem a claim code for a user or an address: awards its badge',
    description:
      'Atomic: of two redemptions of the last use of a code, exactly one succeeds; the other is a 409 (`claim_code_used`). A user, or an address, redeems a code once (`claim_code_redeemed`). An address a user has awards that user; an address nobody has gets an invitation (a deferred award, claimed when a user gets the address), and uses the code up now.',
    tags: ['access'],
    auth: 'service',
    operation: 'award',
    params: ClaimCodeParams,
    body: RedeemBody,
    response: { description: 'The code after redemption, and every badge the user has', schema: RedeemResponse },
    errors: {
      404: 'The service or the code does not exist (`service_not_found`, `claim_code_not_found`)',
      400: 'Neither or both of `user` and `email`, or an address that is not one (`invalid_body`, `invalid_email`)',
      409: 'The code is used up, expired, redeemed by this user (or address) before, its badge deleted, or a unique badge the user holds, or a badge whose terms refuse it now (`claim_code_used`, `claim_code_expired`, `claim_code_redeemed`, `badge_not_found`, `already_awarded`, `not_awardable`)',
    },
    handler: async (ctx, { params, body }, { domain, config }) => {
      const learner = learnerFrom(body, 'A redemption');
      const { invitationTtlMs } = accessConfig(config);
      const result = await onCode(ctx, domain, params.code, (tx, service, code) => redeemClaimCode(tx, service, code, 'user' in learner ? learner.user : learner, invitationTtlMs));
      const shown = codeView(result.code, config.now());
      if ('invitation' in result) return { code: shown, email: result.email, invitation: result.invitation };
      return { code: shown, user: { name: result.user.name, badges: result.user.awards.map((a) => a.badge) } };
    },
  }),
];

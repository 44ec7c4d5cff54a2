import { BadgeParams, ClaimCodeList, ClaimCodeParams, ClaimCodes, NewClaimCodesBody, PageQuery, RedeemBody, RedeemResponse, ClaimCode as ClaimCodeSchema } from '../../../types/access-schema.js';
import type { Static } from '@sinclair/typebox';
import { requireBadges } from '../auth/credentials.js';
import { futureTime } from '../../config/duration.js';
import { pageWindow } from '../paging.js';
import { randomBase32 } from '../../core/access/ids.js';
import { CLAIM_CODE_KIND, claimCodeState, makeClaimCodes, redeemClaimCode, type ClaimCode } from '../../core/access/claim-codes.js';
import { badRequest } from '../errors.js';
import { accessConfig } from '../../config/access.js';
import { learnerFrom } from '../learner.js';
import { route } from './table.js';

/** Claim codes: made for a badge (at random, or chosen by the site), handed out by the site, redeemed for a user or an address. */

/** 120 random bits, in groups of four for people to type: `ABCD-EFGH-...`. */
const newCode = () => randomBase32(15).toUpperCase();
const shown = (code: string) => code.match(/.{1,4}/g)!.join('-');
/** What a person typed, as the code is kept: case and hyphens do not matter. */
const canonical = (typed: string) => typed.replace(/[-\s]/g, '').toUpperCase();

const codeView = (code: ClaimCode, now: number): Static<typeof ClaimCodeSchema> => ({
  ...code,
  code: code.chosen ? code.code : shown(code.code),
  state: claimCodeState(code, new Date(now).toISOString()),
});

export const claimCodeRoutes = [
  route({
    method: 'post',
    path: '/v1/{service}/badges/{badge}/claim-codes.json',
    operationId: 'createClaimCodes',
    summary: 'Make claim codes for a badge, random or chosen by the site: single or multi use, optional expiry',
    tags: ['access'],
    auth: 'service',
    operation: 'award',
    scopeBadges: ({ params }) => [params.badge],
    params: BadgeParams,
    body: NewClaimCodesBody,
    response: { status: 201, description: 'The new codes', schema: ClaimCodes },
    errors: {
      400: 'Both `count` and `codes`, or codes that are the same but for case and hyphens (`invalid_body`, `invalid_codes`)',
      404: 'The service or the badge does not exist (`service_not_found`, `badge_not_found`)',
      409: 'A code chosen is a code of the service already (`claim_code_exists`, the codes in `details`)',
    },
    handler: async (ctx, { params, body }, { domain, config }) => {
      const expiresAt = futureTime(body.expiresAt, config.now());
      const service = ctx.state.service.name;
      if (body.codes && body.count !== undefined) throw badRequest('invalid_body', 'Either `count` random codes or the `codes` chosen, not both');
      const codes = body.codes ? body.codes.map(canonical) : Array.from({ length: body.count ?? 1 }, newCode);
      const made = await domain.run(service, (tx) => makeClaimCodes(tx, service, params.badge, codes, body.uses ?? 1, expiresAt, body.codes !== undefined));
      return { codes: made.map((code) => codeView(code, config.now())) };
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
      const total = await store.countItems(service, CLAIM_CODE_KIND, { owner: params.badge });
      const { paging, offset, limit } = pageWindow(ctx.path, {}, total, query);
      const items = await store.listItems(service, CLAIM_CODE_KIND, { owner: params.badge, offset, limit });
      return { codes: items.map((item) => codeView(item.v as ClaimCode, config.now())), paging };
    },
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
      const service = ctx.state.service.name;
      const code = canonical(params.code);
      const { invitationTtlMs } = accessConfig(config);
      const result = await domain.run(service, async (tx) => {
        const badge = ((await tx.item(service, CLAIM_CODE_KIND, code))?.v as ClaimCode | undefined)?.badge;
        if (badge !== undefined && ctx.state.access) requireBadges(ctx.state.access, [badge]);
        return redeemClaimCode(tx, service, code, 'user' in learner ? learner.user : learner, invitationTtlMs);
      });
      const shown = codeView(result.code, config.now());
      if ('invitation' in result) return { code: shown, email: result.email, invitation: result.invitation };
      return { code: shown, user: { name: result.user.name, badges: result.user.awards.map((a) => a.badge) } };
    },
  }),
];

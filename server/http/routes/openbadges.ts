import * as schema from '../../../types/openbadges-schema.js';
import { etagOf } from '../../cache/read-cache.js';
import { achievementOf, badgePng, badgeSvg, bakePng, bakeSvg, OB_V3, revokedAssertion, tierOf, VC_V2 } from '../../openbadges/index.js';
import { notModified } from '../etag.js';
import { HttpError } from '../errors.js';
import { openBadgesLinks, openBadgesOf, type OpenBadges } from '../openbadges/issuing.js';
import { awardPage, PAGE_CSP } from '../openbadges/page.js';
import type { Deps, V1Context } from './context.js';
import { ANSWERED, route } from './table.js';

/**
 * Open Badges (issue 22), public and permanent: every award's hosted 2.0 assertion (with its
 * BadgeClass and Issuer on this server's origin), its baked images, its signed 3.0 credential (Data
 * Integrity and VC-JWT), the issuers' profiles and keys, the status lists, and a page for people.
 */

const base = '/v1/{service}/openbadges';
const LD = 'application/ld+json';

/** Sends a body of its own type, with a validator (and a 304 when it still matches). */
function send(ctx: V1Context, type: string, body: string | Buffer, status = 200): typeof ANSWERED {
  ctx.set('Cache-Control', 'no-cache');
  ctx.status = status;
  if (status === 200 && notModified(ctx, etagOf(typeof body === 'string' ? body : body.toString('latin1')))) return ANSWERED;
  ctx.type = type;
  ctx.body = body;
  return ANSWERED;
}

const ld = (ctx: V1Context, document: unknown, status = 200): typeof ANSWERED => send(ctx, LD, JSON.stringify(document), status);

const origin = (ctx: V1Context) => `${ctx.protocol}://${ctx.host}`;

function parts(ctx: V1Context, deps: Deps): { ob: OpenBadges; urls: ReturnType<OpenBadges['urls']>; service: string } {
  const ob = openBadgesOf(deps.store, deps.config);
  const service = ctx.state.service.name;
  return { ob, urls: ob.urls(origin(ctx), service), service };
}

/** Signed documents need the issuer's key; a revoked award still has its credential (its status says revoked). */
const SIGNING_ERRORS = { 503: 'This server cannot sign: production without ISSUER_KEY_SECRET, or a key sealed with another secret (`signing_unavailable`)' };
const AWARD_ERRORS = { 404: 'No such award (`award_not_found`)' };

export const openBadgesRoutes = [
  route({
    method: 'get',
    path: `${base}/assertions/{award}`,
    operationId: 'getOb2Assertion',
    summary: "An award's Open Badges 2.0 assertion (hosted)",
    description:
      'The Assertion as JSON-LD (`application/ld+json`): the recipient as the salted SHA-256 of their address (the award id is the salt), `verification: {type: "hosted"}`, its BadgeClass and Issuer on this origin. A revoked award answers `410 Gone` with `revoked: true` and `revocationReason`: a verifier re-reading it learns of the revocation.',
    tags: ['openbadges'],
    auth: 'public',
    params: schema.AwardParams,
    response: { description: 'The assertion', schema: schema.Ob2Assertion, contentType: LD },
    answers: { 410: { description: 'The award was revoked: the assertion says `revoked: true` and `revocationReason`', schema: schema.Ob2Assertion, contentType: LD } },
    errors: AWARD_ERRORS,
    handler: async (ctx, { params }, deps) => {
      const { ob, urls, service } = parts(ctx, deps);
      const view = await ob.award(service, params.award);
      if (view.award.revoked) {
        return ld(ctx, revokedAssertion(urls.assertion(view.id), view.award.revoked.reason ?? 'Revoked by the issuer'), 410);
      }
      return ld(ctx, await ob.assertion(view, service, urls));
    },
  }),
  ...(['png', 'svg'] as const).map((format) =>
    route({
      method: 'get',
      path: `${base}/assertions/{award}/badge.${format}`,
      operationId: `getBaked${format === 'png' ? 'Png' : 'Svg'}`,
      summary: `An award's baked badge (${format.toUpperCase()})`,
      description: `The badge image with the award's assertion baked in, as the Open Badges 2.0 Baking Specification says (${format === 'png' ? 'an iTXt chunk `openbadges`' : 'an `<openbadges:assertion verify="...">` element'}): saved anywhere, it can still be checked.`,
      tags: ['openbadges'],
      auth: 'public',
      params: schema.AwardParams,
      response: { description: 'The baked image', schema: schema.Image, contentType: format === 'png' ? 'image/png' : 'image/svg+xml' },
      errors: { ...AWARD_ERRORS, 410: 'The award was revoked: nothing to bake' },
      handler: async (ctx, { params }, deps) => {
        const { ob, urls, service } = parts(ctx, deps);
        const view = await ob.award(service, params.award);
        if (view.award.revoked) throw new HttpError(410, 'award_revoked', `Award ${view.id} was revoked${view.award.revoked.reason ? `: ${view.award.revoked.reason}` : ''}`);
        const json = JSON.stringify(await ob.assertion(view, service, urls));
        const tier = tierOf((view.badge.fields as { type?: unknown }).type);
        if (format === 'png') return send(ctx, 'image/png', bakePng(badgePng(tier), json));
        const title = ob.achievementInput(view.badge, urls, service).name;
        return send(ctx, 'image/svg+xml', bakeSvg(badgeSvg(tier, title), urls.assertion(view.id), json));
      },
    }),
  ),
  route({
    method: 'get',
    path: `${base}/badges/{badge}`,
    operationId: 'getOb2BadgeClass',
    summary: "A badge's Open Badges 2.0 BadgeClass",
    tags: ['openbadges'],
    auth: 'public',
    params: schema.OpenBadgesBadgeParams,
    response: { description: 'The BadgeClass, with image and criteria', schema: schema.Ob2BadgeClass, contentType: LD },
    errors: { 404: 'No such badge (`badge_not_found`)' },
    handler: async (ctx, { params }, deps) => {
      const { ob, urls, service } = parts(ctx, deps);
      return ld(ctx, await ob.badgeClass(service, params.badge, urls));
    },
  }),
  ...(['png', 'svg'] as const).map((format) =>
    route({
      method: 'get',
      path: `${base}/badges/{badge}/image.${format}`,
      operationId: `getBadgeImage${format === 'png' ? 'Png' : 'Svg'}`,
      summary: `A badge's image as this server draws it (${format.toUpperCase()})`,
      description: "What a BadgeClass names as its image when the badge has no absolute `image` of its own: the tier's shape (gold star, silver diamond, bronze disc).",
      tags: ['openbadges'],
      auth: 'public',
      params: schema.OpenBadgesBadgeParams,
      response: { description: 'The image', schema: schema.Image, contentType: format === 'png' ? 'image/png' : 'image/svg+xml' },
      errors: { 404: 'No such badge (`badge_not_found`)' },
      handler: async (ctx, { params }, deps) => {
        const { ob, urls, service } = parts(ctx, deps);
        const badge = await ob.badge(service, params.badge);
        const tier = tierOf((badge.fields as { type?: unknown }).type);
        return format === 'png' ? send(ctx, 'image/png', badgePng(tier)) : send(ctx, 'image/svg+xml', badgeSvg(tier, ob.achievementInput(badge, urls, service).name));
      },
    }),
  ),
  route({
    method: 'get',
    path: `${base}/issuers/{issuer}`,
    operationId: 'getOb2Issuer',
    summary: "An issuer's Open Badges 2.0 profile",
    tags: ['openbadges'],
    auth: 'public',
    params: schema.IssuerParams,
    response: { description: 'The Issuer', schema: schema.Ob2Issuer, contentType: LD },
    errors: { 404: 'No such issuer (`issuer_not_found`)' },
    handler: async (ctx, { params }, deps) => {
      const { ob, urls, service } = parts(ctx, deps);
      return ld(ctx, await ob.issuer2(service, params.issuer, urls));
    },
  }),
  route({
    method: 'get',
    path: `${base}/v3/issuers/{issuer}`,
    operationId: 'getOb3Profile',
    summary: "An issuer's Open Badges 3.0 profile, with its public keys",
    description: 'The controller document of the issuer\'s keys: each key it ever signed with, as a `Multikey` (what Data Integrity proofs name, `#<key>`) and a `JsonWebKey` (what VC-JWT `kid`s name, `/keys/<key>`). A retired key stays, so what it signed still verifies.',
    tags: ['openbadges'],
    auth: 'public',
    params: schema.IssuerParams,
    response: { description: 'The Profile', schema: schema.Ob3Profile, contentType: LD },
    errors: { 404: 'No such issuer (`issuer_not_found`)' },
    handler: async (ctx, { params }, deps) => {
      const { ob, urls, service } = parts(ctx, deps);
      return ld(ctx, await ob.profile(service, params.issuer, urls));
    },
  }),
  route({
    method: 'get',
    path: `${base}/v3/issuers/{issuer}/keys/{key}`,
    operationId: 'getIssuerKey',
    summary: "One of an issuer's public keys, as a JWK",
    tags: ['openbadges'],
    auth: 'public',
    params: schema.IssuerKeyParams,
    response: { description: 'The public key (never a private part)', schema: schema.PublicJwk, contentType: 'application/jwk+json' },
    errors: { 404: 'No such issuer or key (`issuer_not_found`, `key_not_found`)' },
    handler: async (ctx, { params }, deps) => {
      const { ob, urls, service } = parts(ctx, deps);
      const profile = await ob.profile(service, params.issuer, urls);
      const method = profile.verificationMethod.find((candidate) => candidate.type === 'JsonWebKey' && candidate.id === `${profile.id}/keys/${encodeURIComponent(params.key)}`);
      if (!method || method.type !== 'JsonWebKey') throw new HttpError(404, 'key_not_found', `Issuer "${params.issuer}" has no key "${params.key}"`);
      return send(ctx, 'application/jwk+json', JSON.stringify(method.publicKeyJwk));
    },
  }),
  route({
    method: 'get',
    path: `${base}/v3/achievements/{badge}`,
    operationId: 'getOb3Achievement',
    summary: "A badge's Open Badges 3.0 Achievement",
    tags: ['openbadges'],
    auth: 'public',
    params: schema.OpenBadgesBadgeParams,
    response: { description: 'The Achievement', schema: schema.Ob3Achievement, contentType: LD },
    errors: { 404: 'No such badge (`badge_not_found`)' },
    handler: async (ctx, { params }, deps) => {
      const { ob, urls, service } = parts(ctx, deps);
      return ld(ctx, { '@context': [VC_V2, OB_V3], ...achievementOf(ob.achievementInput(await ob.badge(service, params.badge), urls, service)) });
    },
  }),
  route({
    method: 'get',
    path: `${base}/v3/credentials/{award}`,
    operationId: 'getOb3Credential',
    summary: "An award's Open Badges 3.0 credential, signed (Data Integrity)",
    description:
      'An OpenBadgeCredential (contexts `https://www.w3.org/ns/credentials/v2` and Open Badges 3.0.3) with an embedded `DataIntegrityProof` (`eddsa-rdfc-2022`) by a key in the issuer\'s profile, and a `BitstringStatusListEntry`: a revoked award keeps its credential, and its entry in the status list says revoked.',
    tags: ['openbadges'],
    auth: 'public',
    params: schema.AwardParams,
    response: { description: 'The signed credential', schema: schema.Ob3Credential, contentType: LD },
    errors: { ...AWARD_ERRORS, ...SIGNING_ERRORS },
    handler: async (ctx, { params }, deps) => {
      const { ob, urls, service } = parts(ctx, deps);
      const view = await ob.award(service, params.award);
      return ld(ctx, (await ob.credential(deps.domain, view, service, urls)).credential);
    },
  }),
  route({
    method: 'get',
    path: `${base}/v3/credentials/{award}/jwt`,
    operationId: 'getOb3Jwt',
    summary: "An award's Open Badges 3.0 credential as a VC-JWT",
    description: 'The same credential (its Data Integrity proof inside) signed as a JWT: `alg` EdDSA, `kid` the URL of the key as a JWK, claims `iss`, `jti`, `nbf`, `sub` as Open Badges 3.0 section 8.2 has them.',
    tags: ['openbadges'],
    auth: 'public',
    params: schema.AwardParams,
    response: { description: 'The compact JWS', schema: schema.Jwt, contentType: 'application/jwt' },
    errors: { ...AWARD_ERRORS, ...SIGNING_ERRORS },
    handler: async (ctx, { params }, deps) => {
      const { ob, urls, service } = parts(ctx, deps);
      const view = await ob.award(service, params.award);
      return send(ctx, 'application/jwt', (await ob.credential(deps.domain, view, service, urls)).jwt);
    },
  }),
  route({
    method: 'get',
    path: `${base}/v3/status/{issuer}/{list}`,
    operationId: 'getStatusList',
    summary: "One of an issuer's status lists (Bitstring Status List), signed",
    tags: ['openbadges'],
    auth: 'public',
    params: schema.StatusListParams,
    response: { description: 'The BitstringStatusListCredential', schema: schema.StatusListCredential, contentType: LD },
    errors: { 404: 'No such list (`status_list_not_found`)', ...SIGNING_ERRORS },
    handler: async (ctx, { params }, deps) => {
      const { ob, urls, service } = parts(ctx, deps);
      return ld(ctx, await ob.statusListCredential(deps.domain, service, params.issuer, Number(params.list), urls));
    },
  }),
  route({
    method: 'get',
    path: `${base}/awards/{award}`,
    operationId: 'getAwardPage',
    summary: "An award's public page (HTML)",
    description: 'For people: the badge, its criteria, its issuer, when and to whom (by the name the site shows), valid or revoked as checked against the signed credential (each check named), the files to download, and "Add to LinkedIn" with the certification\'s fields filled in. No script.',
    tags: ['openbadges'],
    auth: 'public',
    params: schema.AwardParams,
    response: { description: 'The page', schema: schema.AwardPage, contentType: 'text/html' },
    errors: AWARD_ERRORS,
    handler: async (ctx, { params }, deps) => {
      const { ob, urls, service } = parts(ctx, deps);
      const view = await ob.award(service, params.award);
      const issuer = await ob.issuer(service, view.issuer, urls);
      const achievement = ob.achievementInput(view.badge, urls, service);
      const refusal = ob.signingRefusal();
      const verification = refusal ? null : await ob.verify(deps.domain, view, service, urls);
      ctx.set('Content-Security-Policy', PAGE_CSP);
      return send(ctx, 'text/html; charset=utf-8', awardPage({ view, urls, issuer, achievement: { ...achievement, narrative: achievement.criteria.narrative ?? '' }, verification, unsigned: refusal }));
    },
  }),
  route({
    method: 'get',
    path: `${base}/awards/{award}/verification.json`,
    operationId: 'getAwardVerification',
    summary: "An award's credential, checked",
    description: "What the award page shows, as JSON (the widget's \"verify\"): the signed credential checked with an implementation independent of its signer, from the keys and status list the issuer publishes.",
    tags: ['openbadges'],
    auth: 'public',
    params: schema.AwardParams,
    response: { description: 'The checks', schema: schema.AwardVerification },
    errors: { ...AWARD_ERRORS, ...SIGNING_ERRORS },
    handler: async (ctx, { params }, deps) => {
      const { ob, urls, service } = parts(ctx, deps);
      const view = await ob.award(service, params.award);
      const verification = await ob.verify(deps.domain, view, service, urls);
      return {
        award: view.id,
        verified: verification.verified,
        revoked: verification.revoked,
        ...(view.award.revoked?.reason ? { reason: view.award.revoked.reason } : {}),
        checks: verification.checks,
        openBadges: openBadgesLinks(urls, view.id),
      };
    },
  }),
  route({
    method: 'post',
    path: `${base}/issuers/{issuer}/keys/rotate.json`,
    operationId: 'rotateIssuerKey',
    summary: "Rotates an issuer's signing key",
    description: 'A new key signs from now on; the old ones stay in the profile, so credentials they signed still verify. The service\'s own key only.',
    tags: ['openbadges'],
    auth: 'service',
    params: schema.IssuerParams,
    response: { description: 'The new key, and those retired', schema: schema.KeyRotation },
    errors: { 404: 'No such issuer (`issuer_not_found`)', ...SIGNING_ERRORS },
    handler: async (ctx, { params }, deps) => {
      const { ob, urls, service } = parts(ctx, deps);
      return ob.rotate(deps.domain, service, params.issuer, urls);
    },
  }),
];

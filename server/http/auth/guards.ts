import type { Middleware } from 'koa';
import { checkSignatureForm, credentialsOf, requestIdentity, unauthorized, useSignature, type Signature } from './signatures.js';
import { jwtOf, useJwt } from './jwt.js';
import { accessOfKey, actorOf, previousKey, requireOperation, scopedKey, SERVICE_ACCESS, type Access, type KeyNeed } from './credentials.js';
import { parseBody, readBody, readRawBody } from '../body.js';
import { DomainError } from '../../core/errors.js';
import { HttpError, badRequest, notFound } from '../errors.js';
import { newKey } from '../../core/service-key.js';
import { sendAgain } from '../middleware/kept-answers.js';
import type { Use } from '../../stores/replays.js';
import * as validate from '../validate.js';
import type { Deps, V1Context, V1State } from '../routes/context.js';

/** The service named `test` takes writes without a key, as the original API did for trying it out. */
export const OPEN_TEST_SERVICE = 'test';

/**
 * Anyone may write to the open test service, so it is kept small: a write whose result would hold
 * more users or badges than this is refused (updates, awards to existing users and deletes pass).
 */
export const TEST_SERVICE_LIMITS = { users: 1000, badges: 100 };

/** How the document tells the refusal below. */
export const TEST_SERVICE_FULL = `The open \`${OPEN_TEST_SERVICE}\` service would hold more than ${TEST_SERVICE_LIMITS.users} users or ${TEST_SERVICE_LIMITS.badges} badges (\`test_service_full\`)`;

/** Resolves `:service` to its record, or answers 404. */
export function loadService({ store, domain, config }: Deps): Middleware<V1State> {
  return async function service(ctx, next) {
    // The router keeps a segment it cannot decode as literal text; refuse it instead of guessing.
    try {
      decodeURIComponent(ctx.path);
    } catch {
      throw badRequest('invalid_path', 'The path has a malformed percent-encoding');
    }
    const name = validate.serviceName((ctx as unknown as { params: { service: string } }).params.service);
    let record = await store.getService(name);
    if (name === OPEN_TEST_SERVICE && config.openTestService && !record?.settings?.quota) {
      // Created on first use, and kept small: anyone may write to it. (A test service made before
      // quotas were settings gets its quota here once.)
      const quota = TEST_SERVICE_LIMITS;
      const anyone = domain.as({ type: 'public' });
      record = await (record ? anyone.updateServiceSettings(name, { quota }) : anyone.createService(name, newKey(), { quota })).catch(async (error) => {
        // Two first requests at once: the other one created it.
        if (error instanceof DomainError && error.code === 'service_exists') return (await store.getService(name))!;
        throw error;
      });
    }
    if (!record) throw notFound('service_not_found', `Service "${name}" does not exist`);
    ctx.state.service = record;
    await next();
  };
}

/**
 * Checks the service's credentials, then reads the body; writes go through here. A key in the header
 * is checked before the body is read, and so is what a scoped key may do (`operation`; none: only
 * the service's own key). A signature covers the body, so the bytes are read first, the signature
 * is checked and used up, and only then is the body parsed and validated: a request refused for its
 * body has still spent its signature. A scoped key signs with its secret and names itself in `key_id`.
 * BadgeKit's JWT (`Authorization: JWT token="..."`, see jwt.ts) is a signature too, used up alike.
 */
export function authorize({ config, replay, store }: Deps, operation?: KeyNeed, maxBodyBytes = config.maxBodyBytes): Middleware<V1State> {
  return async function authorized(ctx, next) {
    const { service } = ctx.state;
    ctx.state.access = SERVICE_ACCESS;
    if (service.name === OPEN_TEST_SERVICE && config.openTestService) {
      ctx.state.actor = { type: 'public' };
      ctx.state.body = (await readBody(ctx, maxBodyBytes)).json;
      // The core checks the service's quota against the result of the write, in the same unit.
      await next().catch((error) => {
        throw testServiceFull(error);
      });
      return;
    }
    const authorization = ctx.get('authorization');
    const jwt = jwtOf(authorization);
    const credentials = jwt === undefined ? credentialsOf(authorization, ctx.query) : undefined;
    if (credentials && 'key' in credentials) {
      const access = await accessOfKey(store, service, credentials.key, config.now());
      requireOperation(access, operation);
      ctx.state.access = access;
      ctx.state.actor = actorOf(access);
      ctx.state.body = (await readBody(ctx, maxBodyBytes)).json;
      await next();
      return;
    }
    const now = config.now();
    let access: Access = SERVICE_ACCESS;
    let use: Use;
    let request: { method: string; path: string; body: Buffer };
    /** A nonce or a `jti` makes identical requests distinct: a repeat is then refused, not answered again. */
    let distinct: boolean;
    if (jwt !== undefined) {
      request = { method: ctx.method, path: ctx.path, body: await readRawBody(ctx, maxBodyBytes) };
      const used = await useJwt(store, service, jwt, { ...request, url: ctx.originalUrl }, replay, now);
      ({ access, use } = used);
      distinct = used.jti !== undefined;
    } else {
      const signed = credentials as Signature;
      distinct = signed.nonce !== undefined;
      const keyId = ctx.query.key_id;
      // What the signature can be refused for without its body (an unknown key, a stale ts) is
      // refused before the body is read: a signature-shaped request costs no body unless it may pass.
      const key = typeof keyId === 'string' ? await scopedKey(store, service, keyId, now) : undefined;
      // A scoped key is new: it signs with HMAC-SHA256 only.
      const signer = key ? { ...service, key: key.secret, settings: { ...service.settings, legacySignatures: false } } : service;
      checkSignatureForm(signer, signed, now);
      if (key) requireOperation({ kind: 'key', key }, operation);
      request = { method: ctx.method, path: ctx.path, body: await readRawBody(ctx, maxBodyBytes) };
      if (key) {
        use = await useSignature(signer, signed, request, replay, now);
        access = { kind: 'key', key };
      } else {
        use = await useSignature(service, signed, request, replay, now).catch(async (error) => {
          // During a rotation's grace, a request signed with the previous key is good too.
          const previous = (error as { code?: string }).code === 'invalid_signature' ? await previousKey(store, service, now) : undefined;
          if (previous === undefined) throw error;
          return useSignature({ ...service, key: previous }, signed, request, replay, now);
        });
      }
    }
    requireOperation(access, operation);
    ctx.state.access = access;
    ctx.state.actor = actorOf(access);
    if (!use.first) {
      const sameRequest = use.request === requestIdentity(request);
      // The same request again within the window, signed without a nonce: a retry, or a repeat the
      // signature cannot tell from a replay. Either way it gets the first answer and changes nothing.
      const kept = sameRequest && !distinct ? await use.answer : null;
      if (!kept) throw replayed(sameRequest);
      sendAgain(ctx, kept);
      return;
    }
    ctx.state.answered = use.answered;
    ctx.state.body = parseBody(ctx, request.body).json;
    await next();
  };
}

function replayed(sameRequest: boolean): HttpError {
  return unauthorized(
    'replayed_signature',
    sameRequest
      ? 'This signature was already used; sign each request anew (with a nonce, identical requests get distinct signatures)'
      : 'This signature was already used for another request (method, path or body); sign each request anew',
  );
}

/** The store's quota refusal, told as what it means for the open test service. */
function testServiceFull(error: unknown): unknown {
  if (!(error instanceof DomainError) || error.code !== 'quota_exceeded') return error;
  return new HttpError(
    403,
    'test_service_full',
    `The open "${OPEN_TEST_SERVICE}" service is full: ${error.message}. Delete some, or create a service of your own with "user-badges service create NAME"`,
  );
}

/**
 * Refuses what the open test service must not have: anyone may write to it, so it keeps no private
 * data (addresses, keys, webhooks) and nothing that grows without a quota (events, rules, codes).
 */
export function notOnTestService(ctx: Pick<V1Context, 'state'>, { config }: Pick<Deps, 'config'>, what: string): void {
  if (ctx.state.service.name === OPEN_TEST_SERVICE && config.openTestService) {
    throw new HttpError(403, 'not_on_test_service', `The open "${OPEN_TEST_SERVICE}" service, which anyone may write to, has no ${what}; create a service of your own`);
  }
}

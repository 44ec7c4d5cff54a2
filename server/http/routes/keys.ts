import { Key as KeySchema, KeyDeleted, KeyList, KeyParams, NewKeyBody, NewKeyResponse } from '../../../types/access-schema.js';
import { RotateKeyQuery } from '../../../types/access-schema.js';
import { KeyMe, ServiceKeyRotated } from '../../../types/console-schema.js';
import { ServiceParams } from '../../../types/schema.js';
import { newScopedKey, tokenOf } from '../auth/credentials.js';
import { futureTime } from '../future-time.js';
import { parseDuration } from '../../config/duration.js';
import { createKey, deleteKey, KEY_KIND, OPERATIONS, PREVIOUS_KEY_KIND, rotateServiceKey, type PreviousKey, type ScopedKey } from '../../core/access/keys.js';
import { newKey } from '../../core/service-key.js';
import { badRequest } from '../errors.js';
import type { Static } from '@sinclair/typebox';
import type { V1Context, Deps } from './context.js';
import { route } from './table.js';

/** `/v1/:service/keys`: keys the service makes that may do only some things. The service's own key only. */

export const keyView = ({ id, label, operations, badges, expiresAt, createdAt }: ScopedKey): Static<typeof KeySchema> => ({ id, label, operations, badges, expiresAt, createdAt });

export const keyRoutes = [
  route({
    method: 'get',
    path: '/v1/{service}/keys/me.json',
    operationId: 'getOwnKey',
    summary: 'What the key in `Authorization` may do: every operation for the service key, or a scoped key with its operations and badges',
    description: 'Any key of the service may ask (the admin console reads it to offer only what the key may do). Never the secret.',
    tags: ['access'],
    auth: 'service',
    operation: 'any',
    params: ServiceParams,
    response: { description: 'What the key may do', schema: KeyMe },
    // What a key may do changes when it is revoked or the service key rotated: never from a cache.
    etag: false,
    handler: async (ctx, _input, { store, config }) => {
      const { access, service } = ctx.state;
      ctx.set('Cache-Control', 'no-store');
      if (access?.kind === 'key') {
        const { id, label, operations, badges, expiresAt } = access.key;
        return { service: service.name, kind: 'key' as const, id, label, operations, badges, expiresAt };
      }
      const previous = (await store.getItem(service.name, PREVIOUS_KEY_KIND, 'service'))?.v as PreviousKey | undefined;
      const previousKeyUntil = previous && Date.parse(previous.until) > config.now() ? previous.until : null;
      return { service: service.name, kind: 'service' as const, operations: [...OPERATIONS], badges: null, previousKeyUntil };
    },
  }),
  route({
    method: 'post',
    path: '/v1/{service}/key.json',
    operationId: 'rotateOwnServiceKey',
    summary: 'Give the service a new key; the old one stops working at once, or when the grace ends',
    description: "The service key only (the operator's `POST /admin/services/{name}/key` does the same). The answer shows the new key once.",
    tags: ['access'],
    auth: 'service',
    params: ServiceParams,
    query: RotateKeyQuery,
    response: { description: 'The new key', schema: ServiceKeyRotated },
    handler: async (ctx, { query }, { domain }) => {
      const name = ctx.state.service.name;
      ctx.set('Cache-Control', 'no-store');
      const service = await domain.run(name, (tx) => rotateServiceKey(tx, name, newKey(), query.grace ? parseDuration(query.grace)! : 0));
      return { service: name, key: service.key, previousKeyUntil: service.previousUntil };
    },
  }),
  route({
    method: 'get',
    path: '/v1/{service}/keys.json',
    operationId: 'listKeys',
    summary: "The service's scoped keys, without their secrets",
    tags: ['access'],
    auth: 'service',
    params: ServiceParams,
    response: { description: 'The keys', schema: KeyList },
    handler: async (ctx, _input, { store }) => {
      const items = await store.listItems(ctx.state.service.name, KEY_KIND, {});
      return { keys: items.map((item) => keyView(item.v as ScopedKey)) };
    },
  }),
  route({
    method: 'post',
    path: '/v1/{service}/keys.json',
    operationId: 'createKey',
    summary: 'Make a key that may do some operations, on some badges, until an optional expiry',
    description:
      'The answer shows the secret once. Use it as `Authorization: <token>`, as HTTP Basic (`-u <id>:<secret>`), or sign with the secret (HMAC-SHA256, `&key_id=<id>`). Used outside its scope it is a 403 saying what it may do.',
    tags: ['access'],
    auth: 'service',
    params: ServiceParams,
    body: NewKeyBody,
    response: { status: 201, description: 'The key, with its secret', schema: NewKeyResponse },
    handler: async (ctx, { body }, deps) => {
      const expiresAt = futureTime(body.expiresAt, deps.config.now());
      const service = ctx.state.service.name;
      const { id, secret } = newScopedKey();
      const key = await deps.domain.run(service, (tx) =>
        createKey(tx, service, { id, secret, label: body.label, operations: [...new Set(body.operations)], badges: body.badges ? [...new Set(body.badges)] : null, expiresAt }),
      );
      return { ...keyView(key), secret, token: tokenOf(key) };
    },
  }),
  route({
    method: 'delete',
    path: '/v1/{service}/keys/{id}.json',
    operationId: 'deleteKey',
    summary: 'Revoke a key: refused by every instance from the next request',
    tags: ['access'],
    auth: 'service',
    params: KeyParams,
    response: { description: 'Revoked', schema: KeyDeleted },
    errors: { 404: 'The service or the key does not exist (`service_not_found`, `key_not_found`)' },
    handler: async (ctx, { params }, { domain }) => {
      const service = ctx.state.service.name;
      await domain.run(service, (tx) => deleteKey(tx, service, params.id));
      return { id: params.id, deleted: true as const };
    },
  }),
];

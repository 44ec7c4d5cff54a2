import { Key as KeySchema, KeyDeleted, KeyList, KeyParams, NewKeyBody, NewKeyResponse } from '../../../types/access-schema.js';
import { ServiceParams } from '../../../types/schema.js';
import { newScopedKey, tokenOf } from '../auth/credentials.js';
import { futureTime } from '../future-time.js';
import { createKey, deleteKey, KEY_KIND, type ScopedKey } from '../../core/access/keys.js';
import { badRequest } from '../errors.js';
import type { Static } from '@sinclair/typebox';
import type { V1Context, Deps } from './context.js';
import { route } from './table.js';

/** `/v1/:service/keys`: keys the service makes that may do only some things. The service's own key only. */

export const keyView = ({ id, label, operations, badges, expiresAt, createdAt }: ScopedKey): Static<typeof KeySchema> => ({ id, label, operations, badges, expiresAt, createdAt });

export const keyRoutes = [
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

import { Health, OpenApiDocument } from '../../../types/schema.js';
import { ANSWERED, route } from './table.js';

/** What the server says about itself. */
export const metaRoutes = [
  route({
    method: 'get',
    path: '/openapi.json',
    operationId: 'getOpenApiDocument',
    summary: 'This document',
    tags: ['meta'],
    auth: 'public',
    response: { description: 'The OpenAPI 3.1 document of this API, generated from the routes the server mounts', schema: OpenApiDocument },
    etag: false,
    handler: async (ctx, _input, { openapi }) => {
      ctx.type = 'application/json';
      ctx.body = openapi;
      return ANSWERED;
    },
  }),
  route({
    method: 'get',
    path: '/health',
    operationId: 'getHealth',
    summary: 'Whether the server is up',
    tags: ['meta'],
    auth: 'public',
    response: { description: 'Up', schema: Health },
    handler: async () => ({ ok: true as const }),
  }),
];

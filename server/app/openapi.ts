import type { TObject, TSchema } from '@sinclair/typebox';
import { ErrorBody, SignedQuery } from '../../types/schema.js';
import { DOMAIN_EVENT_NAMES, DOMAIN_EVENTS } from '../../types/domain-events.js';
import { WEBHOOK_PAYLOADS } from '../../types/webhook-schema.js';
import { SIGNATURE_WINDOW_SECONDS } from '../http/auth/signatures.js';
import { JWT_LIFETIME_SECONDS } from '../http/auth/jwt.js';
import { packageVersion } from '../config/package-root.js';
import { routes as allRoutes } from './features/index.js';
import { OPEN_TEST_SERVICE, TEST_SERVICE_LIMITS } from '../http/auth/guards.js';
import { CLOSED_TO_TEST_SERVICE, type Route, type Tag } from '../http/routes/table.js';

/**
 * The OpenAPI 3.1 document served at `/openapi.json`, generated from the route table: each route's
 * schemas, its auth, and the refusals its guards can give. Schemas with an `$id` become components.
 */
export function openApiDocument(routes: readonly Route[] = allRoutes) {
  const schemas: Record<string, unknown> = {};
  const json = (schema: TSchema) => jsonSchema(schema, schemas);
  const ref = (kind: string, name: string) => ({ $ref: `#/components/${kind}/${name}` });
  const errorContent = { 'application/json': { schema: json(ErrorBody) } };

  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const status = route.response.status ?? 200;
    const cached = route.method === 'get' && route.etag !== false;
    const signed = route.auth === 'service';
    const headers = (extra: Record<string, unknown> = {}) => ({ 'X-Response-Time': ref('headers', 'X-Response-Time'), ...(signed ? { 'X-Replay': ref('headers', 'X-Replay') } : {}), ...extra });
    const cacheControl = route.response.cache
      ? { description: 'How long caches may keep the answer before revalidating it', required: true, schema: { type: 'string', const: route.response.cache } }
      : ref('headers', 'Cache-Control');
    const responses: Record<string, unknown> = {
      [status]: {
        description: route.response.description,
        headers: headers(cached ? { ETag: ref('headers', 'ETag'), 'Cache-Control': cacheControl } : {}),
        content: { [route.response.contentType ?? 'application/json']: { schema: json(route.response.schema) } },
      },
    };
    if (cached) responses['304'] = { description: 'Not modified: the `If-None-Match` sent still matches', headers: headers({ ETag: ref('headers', 'ETag'), 'Cache-Control': cacheControl }) };
    for (const [code, description] of Object.entries(refusals(route))) {
      const extra = code === '401' ? { 'WWW-Authenticate': ref('headers', 'WWW-Authenticate') } : code === '503' || code === '507' ? { 'Retry-After': ref('headers', 'Retry-After') } : {};
      const content = route.refusal ? { [route.refusal.contentType]: { schema: { type: 'string' } } } : errorContent;
      responses[code] = { description, headers: headers(extra), content };
    }
    for (const [code, answer] of Object.entries(route.answers ?? {})) {
      responses[code] = { description: answer.description, headers: headers(), content: { [answer.contentType ?? 'application/json']: { schema: json(answer.schema) } } };
    }
    const parameters = [
      ...parametersOf(route.params, 'path', json),
      ...parametersOf(route.query, 'query', json),
      ...(signed ? parametersOf(SignedQuery, 'query', json) : []),
    ];
    (paths[route.path] ??= {})[route.method] = {
      operationId: route.operationId,
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      tags: route.tags,
      security: route.auth === 'public' ? [] : route.auth === 'service' ? [{ key: [] }, { signature: [] }, { jwt: [] }] : [{ admin: [] }],
      ...(parameters.length ? { parameters } : {}),
      ...(route.body ? { requestBody: { required: !route.optionalBody, content: { 'application/json': { schema: json(route.body) } } } } : {}),
      responses,
    };
  }

  // What the server POSTs to a service's endpoints: one entry per event type, its payload a component.
  const webhooks = Object.fromEntries(
    DOMAIN_EVENT_NAMES.map((type) => [
      type,
      {
        post: {
          operationId: `webhook_${type.replace('.', '_')}`,
          summary: DOMAIN_EVENTS[type],
          tags: ['webhooks'],
          security: [{ webhookSignature: [] }],
          parameters: WEBHOOK_HEADERS,
          requestBody: { required: true, content: { 'application/json': { schema: json(WEBHOOK_PAYLOADS[type]) } } },
          responses: {
            '2XX': { description: 'Received. Anything else is retried on the schedule (a `Retry-After` longer than the next wait is kept)' },
            '410': { description: 'Gone: the endpoint is disabled at once' },
          },
        },
      },
    ]),
  );

  const unrouted = (description: string, extra: Record<string, unknown> = {}) => ({
    description,
    headers: { 'X-Response-Time': ref('headers', 'X-Response-Time'), ...extra },
    content: errorContent,
  });

  return {
    openapi: '3.1.0',
    info: {
      title: 'user-badges display server',
      version: packageVersion(),
      license: { name: 'MIT', identifier: 'MIT' },
      description: DESCRIPTION,
    },
    servers: [{ url: '/', description: 'The server that serves this document' }],
    tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
    paths,
    webhooks,
    components: {
      securitySchemes: {
        key: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'The service key, optionally prefixed with `Bearer `' },
        signature: { type: 'apiKey', in: 'query', name: 'signature', description: 'With `ts` (and `nonce`); see the description of the API' },
        jwt: { type: 'apiKey', in: 'header', name: 'Authorization', description: "BadgeKit's: `JWT token=\"<jwt>\"`; see the description of the API" },
        webhookSignature: { type: 'apiKey', in: 'header', name: 'webhook-signature', description: "How a service's endpoint knows a webhook is the server's (Standard Webhooks): see the `webhook-signature` header of each webhook" },
        admin: { type: 'http', scheme: 'bearer', description: 'The operator token that `serve` takes from ADMIN_TOKEN or creates (admin API only)' },
      },
      headers: {
        'X-Response-Time': { description: 'Time the server took, in whole milliseconds, as the original API sent it', required: true, schema: { type: 'string', pattern: '^\\d+ms$' } },
        ETag: { description: 'Validator of the answer; send it back as `If-None-Match` for a 304', required: true, schema: { type: 'string', pattern: '^(W/)?"[^"]*"$' } },
        'Cache-Control': { description: 'Revalidate before reusing', required: true, schema: { type: 'string', const: 'no-cache' } },
        'X-Replay': { description: 'A signed request without nonce repeated within the window: the first answer again, and nothing changed', schema: { type: 'string', const: 'true' } },
        'WWW-Authenticate': { description: 'The scheme to authenticate with', required: true, schema: { type: 'string' } },
        'Retry-After': { description: 'Seconds to wait before retrying', required: true, schema: { type: 'string', pattern: '^\\d+$' } },
        Allow: { description: 'The methods the path takes', required: true, schema: { type: 'string' } },
      },
      responses: {
        // Answers to requests no operation matches; a validator looks them up here.
        NoRoute: unrouted('No route for the method and path (`not_found`)'),
        MethodNotAllowed: unrouted('The path exists, the method does not (`method_not_allowed`); `Allow` lists those it takes', { Allow: ref('headers', 'Allow') }),
        NotImplemented: unrouted('A method this server does not know (`not_implemented`)', { Allow: ref('headers', 'Allow') }),
      },
      schemas: sortedKeys(schemas),
    },
  };
}

/** The Standard Webhooks headers of every delivery (server/webhooks/send.ts); client/webhooks.ts checks them. */
const WEBHOOK_HEADERS = [
  { name: 'webhook-id', in: 'header', required: true, description: 'The message id (`msg_…`), the same on every attempt: drop repeats by it', schema: { type: 'string' } },
  { name: 'webhook-timestamp', in: 'header', required: true, description: 'When this attempt was signed, in Unix seconds; refuse one more than 5 minutes off', schema: { type: 'string', pattern: '^\\d+$' } },
  {
    name: 'webhook-signature',
    in: 'header',
    required: true,
    description: '`v1,` and base64(HMAC-SHA256(key, webhook-id + "." + webhook-timestamp + "." + body)), key being the endpoint secret after `whsec_`, base64-decoded. `verifyWebhook` of `user-badges/client`, or the `standardwebhooks` package, checks it',
    schema: { type: 'string', pattern: '^v1,[A-Za-z0-9+/]+=*( v1,[A-Za-z0-9+/]+=*)*$' },
  },
];

const TAGS: Record<Tag, string> = {
  badges: "A service's badges and their custom fields",
  users: 'Users and the badges awarded to them',
  admin: "Managing services on the running server (only when it has an operator token, see `user-badges serve`)",
  meta: 'The server itself',
  events: 'Events that happened (GetBadges-compatible), their types, and the integration tokens of the GetBadges URL',
  rules: 'Rules that award badges from events and badges, with preview and backfill',
  activity: 'Awards, revocations and events, newest first',
  access: 'Email addresses, awards by address and their invitations, scoped keys, claim codes',
  webhooks: 'Signed webhooks (Standard Webhooks), delivered at least once: endpoints, the delivery log, redelivery',
  audit: 'Who granted, revoked, changed or deleted what: the audit trail',
  people: "A person's data on request: export, erasure, renaming (GDPR articles 15 and 17)",
  leaderboard: 'Points, leaderboards, and what each user features and hides',
  live: 'Badges as they are won: a Server-Sent Events stream per page, and flair images that need no JavaScript',
  issuers: "Issuers and their programs (BadgeKit's): who gives a badge; the service itself is the default issuer",
  assessment: "Earners' applications for a badge, with evidence, reviewed against its criteria (BadgeKit's assessment)",
  openbadges: 'Open Badges 2.0 (hosted assertions, baked images) and 3.0 (signed credentials, issuer keys, status lists), and a public page per award',
  console: 'What the admin console at `/admin` reads beside the rest: figures for its plots, the member search, the service\'s own export',
};

const DESCRIPTION = [
  'The UserBadges.com v1 API. Reads are public and CORS-open.',
  'Writes need the service key: `Authorization: <key>` (or `Bearer <key>`), or `?ts=<unix seconds>&nonce=<8-64 of A-Za-z0-9_->&signature=<hex>` where signature = hex(HMAC-SHA256(key, ts + "\\n" + nonce + "\\n" + METHOD + "\\n" + PATH + "\\n" + BODY)), PATH being the path as sent without the query; without `nonce`, the line `nonce + "\\n"` is left out.',
  'The legacy hex(SHA1(key + ts + PATH + BODY)) is accepted too, PATH as sent or decoded, unless the service turned it off.',
  `BadgeKit's clients authenticate as BadgeKit did: \`Authorization: JWT token="<jwt>"\`, an HS256 JWT signed with the key, claims \`key\` ("master" for the service's key, or a scoped key's id, signed with its secret), \`method\`, \`path\` (as sent, with the query), \`body\` ({"alg": "sha256", "hash": hex(SHA-256(BODY))}, needed with a body) and \`exp\` (Unix seconds, at most ${JWT_LIFETIME_SECONDS} s ahead); used once like a signature, and a \`jti\` makes it distinct as a nonce does.`,
  `ts must be within ${SIGNATURE_WINDOW_SECONDS} s of the server clock. Each signature is used once, whatever the outcome; one without nonce, repeated for the identical request (method, path, body) within the window, gets the first answer again with \`X-Replay: true\` and changes nothing.`,
  `The service named \`${OPEN_TEST_SERVICE}\` is open for trying the API: it takes writes without credentials (unless the server runs with TEST_SERVICE=off), is created on first use, and holds at most ${TEST_SERVICE_LIMITS.users} users and ${TEST_SERVICE_LIMITS.badges} badges (a write past that is a 403).`,
  'A URL parameter named like a credential (key, token, secret, ...) is a 400 on every path. Errors are `{"error":{"code","message","details"?}}`; a request schema node that can refuse a request names its code in `x-error`.',
].join('\n\n');

/** The refusals a route can give, by status: those its declaration implies, then its own. */
function refusals(route: Route): Record<string, string> {
  const write = route.method !== 'get';
  return {
    '400': 'The request is malformed: a name, the query or the JSON body (`error.code` says which, `details.pointer` where), a malformed path (`invalid_path`), or a credential in the URL (`key_in_url`)',
    ...(route.auth === 'service'
      ? { '401': 'Credentials missing or wrong: no key or signature, a wrong key, a malformed or expired `ts`, a signature or nonce that does not match, a signature used before, a legacy signature the service turned off, or a JWT that does not match the request (`jwt_*`) or has expired' }
      : route.auth === 'admin'
        ? { '401': 'The operator token is missing or wrong' }
        : {}),
    ...(route.path.includes('{service}') ? { '404': 'The service does not exist (`service_not_found`)' } : {}),
    ...(route.body ? { '413': "The body, or a badge's custom fields, is too large (`body_too_large`, `fields_too_large`)", '415': 'The body is not JSON: send `Content-Type: application/json` (`unsupported_media_type`)' } : {}),
    ...ownRefusals(route),
    '500': 'An unexpected failure; the message says nothing more',
    ...(write
      ? {
          '503': 'The store cannot take writes now (shutting down or failed), or too many signed requests arrived at once; retry after `Retry-After` seconds',
          '507': "The store's disk is full; retry after `Retry-After` seconds",
        }
      : {}),
  };
}

/** A route's own refusals; a write any key may make can also meet a scoped key that may not. */
function ownRefusals(route: Route): { [status: number]: string } {
  const own = { ...route.errors };
  if (route.auth === 'service' && route.operation !== 'any' && !own[403]?.includes('key_out_of_scope')) {
    const scoped = route.operation ? `A scoped key that may not do this (\`key_out_of_scope\`: needs "${route.operation}")` : "A scoped key: only the service's own key may (`key_out_of_scope`)";
    own[403] = own[403] ? `${own[403]}; or ${scoped}` : scoped;
  }
  if (route.path.includes('{service}') && CLOSED_TO_TEST_SERVICE.has(route.tags[0]) && !own[403]?.includes('not_on_test_service')) {
    const closed = `On the open \`${OPEN_TEST_SERVICE}\` service (\`not_on_test_service\`)`;
    own[403] = own[403] ? `${own[403]}; or ${closed}` : closed;
  }
  return own;
}

function parametersOf(object: TObject | undefined, where: 'path' | 'query', json: (schema: TSchema) => unknown) {
  if (!object) return [];
  return Object.entries(object.properties).map(([name, schema]) => ({
    name,
    in: where,
    required: where === 'path' || (object.required ?? []).includes(name),
    ...(schema.description ? { description: schema.description } : {}),
    // A list is `a,b,c`: OpenAPI's form style, not exploded.
    ...(schema.type === 'array' ? { style: 'form', explode: false } : {}),
    schema: json(schema),
  }));
}

/**
 * A TypeBox schema as plain JSON Schema: nested schemas with an `$id` become `$ref`s to components
 * (two different schemas may not share an `$id`), and a union of string constants an `enum`.
 */
function jsonSchema(schema: unknown, components: Record<string, unknown>, defining = false): unknown {
  if (Array.isArray(schema)) return schema.map((item) => jsonSchema(item, components));
  if (typeof schema !== 'object' || schema === null) return schema;
  const node = schema as Record<string, unknown>;
  if (typeof node.$id === 'string' && !defining) {
    const defined = jsonSchema(node, components, true);
    const name = node.$id;
    if (components[name] !== undefined && JSON.stringify(components[name]) !== JSON.stringify(defined)) throw new Error(`Two different schemas have the $id "${name}"`);
    components[name] = defined;
    return { $ref: `#/components/schemas/${name}` };
  }
  // Symbols (TypeBox's Kind and modifiers) are not own string keys, so they stay behind.
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) if (key !== '$id') out[key] = jsonSchema(value, components);
  const choices = out.anyOf as Record<string, unknown>[] | undefined;
  if (choices?.every((choice) => choice.type === 'string' && 'const' in choice && Object.keys(choice).length === 2)) {
    delete out.anyOf;
    return { type: 'string', enum: choices.map((choice) => choice.const), ...out };
  }
  return out;
}

const sortedKeys = (record: Record<string, unknown>) => Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));

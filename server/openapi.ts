import { LIMITS, SERVICE_NAME, SORT_KEYS } from '../types/api.js';

/**
 * The OpenAPI 3.1 description served at `/openapi.json`. Written by hand beside the routes; a test
 * checks that every route the app serves is described here and that every example answer matches.
 */
export function openApiDocument() {
  const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
  const json = (schema: object, description: string) => ({ description, content: { 'application/json': { schema } } });
  const error = (description: string) => json(ref('Error'), description);
  const service = { name: 'service', in: 'path', required: true, description: 'The service, e.g. `demo`', schema: { type: 'string', pattern: SERVICE_NAME.source } };
  const user = { name: 'name', in: 'path', required: true, description: 'The user name, percent-encoded', schema: ref('Name') };
  const sort = { name: 'sort', in: 'query', required: false, description: 'Order; a leading `-` reverses it', schema: { type: 'string', enum: [...SORT_KEYS] } };
  const badgeNames = {
    required: true,
    content: { 'application/json': { schema: { type: 'object', required: ['badges'], properties: { badges: { type: 'array', minItems: 1, maxItems: LIMITS.badgesPerRequest, items: ref('Name') } } }, example: { badges: ['commenter', 'popular'] } } },
  };
  const writeErrors = {
    '400': error('Badly formed request: invalid JSON, wrong types, missing fields, unknown badge (`unknown_badge`), bad names'),
    '401': error('Bad credentials: missing, wrong key, bad or expired signature, bad nonce, replayed signature, legacy signatures turned off'),
    '403': error('The open `test` service is full'),
    '404': error('Service not found'),
    '413': error('Body too large'),
    '415': error('Body is not JSON'),
  };
  const secured = [{ key: [] }, { signature: [] }];
  const etag = { ETag: { description: 'Validator; send it back as `If-None-Match` for a 304', schema: { type: 'string' } } };

  return {
    openapi: '3.1.0',
    info: {
      title: 'user-badges display server',
      version: '1.0.0',
      description:
        'The UserBadges.com v1 API. Reads are public and CORS-open. Writes need the service key: `Authorization: <key>` (or `Bearer <key>`), or `?ts=<unix seconds>&nonce=<8-64 of A-Za-z0-9_->&signature=<hex>` where signature = hex(HMAC-SHA256(key, ts + "\\n" + nonce + "\\n" + METHOD + "\\n" + PATH + "\\n" + BODY)), PATH being the path as sent without the query; without `nonce`, the line `nonce + "\\n"` is left out. The legacy hex(SHA1(key + ts + PATH + BODY)) is accepted too, PATH as sent or decoded, unless the service turned it off. ts must be within 300 s of the server clock. Each signature is used once, whatever the outcome; one without nonce, repeated for the identical request (method, path, body) within the window, gets the first answer again with `X-Replay: true` and changes nothing. A URL parameter named like a credential (key, token, secret, ...) is a 400. Errors are `{"error":{"code","message"}}`.',
    },
    paths: {
      '/v1/{service}/badges.json': {
        parameters: [service],
        get: {
          summary: "The service's badges with custom fields, times awarded and last award",
          parameters: [sort],
          responses: { '200': { ...json(ref('BadgesResponse'), 'The badges'), headers: etag }, '304': { description: 'Not modified' }, '400': error('Invalid sort'), '404': error('Service not found') },
        },
        put: {
          summary: 'Create missing badges and update fields of existing ones (a field set to null is removed)',
          security: secured,
          parameters: [sort],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { type: 'object', required: ['badges'], properties: { badges: { type: 'array', minItems: 1, maxItems: LIMITS.badgesPerRequest, items: ref('BadgeInput') } } }, example: { badges: [{ name: 'test', description: 'This is a test badge', link: '/badges/test', myCustomField: 5 }] } } },
          },
          responses: { '200': json(ref('BadgesResponse'), 'All badges of the service'), ...writeErrors },
        },
        delete: {
          summary: 'Delete badges and take them from every user; idempotent: names not registered are listed in `absent`',
          security: secured,
          parameters: [sort],
          requestBody: badgeNames,
          responses: { '200': json(ref('BadgesDeleteResponse'), 'The remaining badges, and the names that were already absent'), ...writeErrors },
        },
      },
      '/v1/{service}/users.json': {
        parameters: [service],
        get: {
          summary: 'Named users with their awards, or a page of all users',
          parameters: [
            { name: 'names', in: 'query', required: false, description: `Comma-separated user names (at most ${LIMITS.namesPerRequest}); unknown ones are left out. Without it, all users a page at a time.`, schema: { type: 'string' } },
            sort,
            { name: 'page', in: 'query', required: false, description: 'Page number from 1 (without `names`)', schema: { type: 'integer', minimum: 1 } },
            { name: 'page_size', in: 'query', required: false, description: `Users per page (without \`names\`), default ${LIMITS.pageSizeDefault}`, schema: { type: 'integer', minimum: 1, maximum: LIMITS.pageSizeMax } },
          ],
          responses: { '200': { ...json(ref('UsersResponse'), 'Users and the service-wide data of their badges'), headers: etag }, '304': { description: 'Not modified' }, '400': error('Invalid query'), '404': error('Service not found') },
        },
      },
      '/v1/{service}/users/{name}.json': {
        parameters: [service, user],
        get: {
          summary: 'One user, as an entry of users.json',
          parameters: [sort],
          responses: { '200': { ...json(ref('User'), 'The user'), headers: etag }, '304': { description: 'Not modified' }, '404': error('Service or user not found') },
        },
        put: {
          summary: 'Award each listed badge once more (creating the user); an unregistered badge fails the whole request',
          security: secured,
          requestBody: badgeNames,
          responses: { '200': json(ref('UserUpdate'), 'Every badge the user has'), ...writeErrors },
        },
        delete: {
          summary: 'Take badges from the user; service-wide counts follow. Idempotent: badges the user does not hold (or an unknown user) are listed in `absent`',
          security: secured,
          requestBody: badgeNames,
          responses: { '200': json(ref('UserRevoke'), 'Every badge the user still has, and the names that were already absent'), ...writeErrors },
        },
      },
      ...adminPaths(json, error, ref),
    },
    components: {
      securitySchemes: {
        admin: { type: 'http', scheme: 'bearer', description: 'The operator token `serve` takes from ADMIN_TOKEN or creates (admin API only)' },
        key: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'The service key, optionally prefixed with `Bearer `' },
        signature: { type: 'apiKey', in: 'query', name: 'signature', description: 'With `ts`; see the description above' },
      },
      schemas: {
        Name: { type: 'string', minLength: 1, maxLength: LIMITS.nameLength, description: 'Any text without control characters, "," or "/", and without surrounding white space; stored NFC-normalised' },
        Time: { type: 'string', format: 'date-time' },
        BadgeInput: {
          type: 'object',
          required: ['name'],
          properties: { name: ref('Name') },
          additionalProperties: true,
          maxProperties: LIMITS.fieldsPerBadge + 1,
          description: 'Custom fields are free; `description`, `link` and `type` are used by the widget. `count`, `latest`, `globalCount`, `globalLatest` are the server\'s and ignored when sent.',
        },
        Badge: { type: 'object', required: ['name', 'count', 'latest'], properties: { name: ref('Name'), count: { type: 'integer' }, latest: { oneOf: [ref('Time'), { type: 'null' }] } }, additionalProperties: true },
        BadgeSummary: { type: 'object', required: ['count', 'latest'], properties: { count: { type: 'integer' }, latest: { oneOf: [ref('Time'), { type: 'null' }] } }, additionalProperties: true },
        UserBadge: { type: 'object', required: ['name', 'count', 'latest'], properties: { name: ref('Name'), count: { type: 'integer' }, latest: ref('Time') } },
        User: { type: 'object', required: ['name', 'latest', 'badges'], properties: { name: ref('Name'), latest: { oneOf: [ref('Time'), { type: 'null' }] }, badges: { type: 'array', items: ref('UserBadge') } } },
        BadgesResponse: { type: 'object', required: ['badges'], properties: { badges: { type: 'array', items: ref('Badge') } } },
        Paging: {
          type: 'object',
          required: ['total', 'page', 'pages', 'page_size', 'next', 'prev'],
          properties: { total: { type: 'integer' }, page: { type: 'integer' }, pages: { type: 'integer' }, page_size: { type: 'integer' }, next: { type: ['string', 'null'] }, prev: { type: ['string', 'null'] } },
        },
        UsersResponse: {
          type: 'object',
          required: ['badges', 'users'],
          properties: { badges: { type: 'object', additionalProperties: ref('BadgeSummary') }, users: { type: 'array', items: ref('User') }, paging: ref('Paging') },
        },
        UserUpdate: { type: 'object', required: ['user'], properties: { user: { type: 'object', required: ['name', 'badges'], properties: { name: ref('Name'), badges: { type: 'array', items: ref('Name') } } } } },
        BadgesDeleteResponse: { allOf: [ref('BadgesResponse'), { type: 'object', required: ['absent'], properties: { absent: { type: 'array', items: ref('Name') } } }] },
        UserRevoke: { allOf: [ref('UserUpdate'), { type: 'object', required: ['absent'], properties: { absent: { type: 'array', items: ref('Name') } } }] },
        AdminService: {
          type: 'object',
          required: ['name', 'createdAt', 'legacySignatures'],
          properties: { name: { type: 'string', pattern: SERVICE_NAME.source }, createdAt: ref('Time'), legacySignatures: { type: 'boolean', description: 'Whether the legacy SHA1 signature form is accepted' }, key: { type: 'string', description: 'Only right after creating or rotating' } },
        },
        Error: {
          type: 'object',
          required: ['error'],
          properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} } } },
        },
      },
    },
  };
}

/** `/admin/services`: managing services while the server runs (see routes/admin.ts). */
function adminPaths(json: (schema: object, description: string) => object, error: (description: string) => object, ref: (name: string) => object) {
  const security = [{ admin: [] }];
  const name = { name: 'name', in: 'path', required: true, description: 'The service', schema: { type: 'string', pattern: SERVICE_NAME.source } };
  const denied = { '401': error('Missing or wrong operator token') };
  const settings = { type: 'object', properties: { legacySignatures: { type: 'boolean' } }, additionalProperties: false };
  return {
    '/admin/services': {
      get: { summary: 'Every service, without keys', security, responses: { '200': json({ type: 'object', required: ['services'], properties: { services: { type: 'array', items: ref('AdminService') } } }, 'The services'), ...denied } },
      post: {
        summary: 'Create a service; the answer is the only place its key is shown',
        security,
        requestBody: { required: true, content: { 'application/json': { schema: { ...settings, required: ['name'], properties: { name: { type: 'string', pattern: SERVICE_NAME.source }, ...settings.properties } } } } },
        responses: { '201': json(ref('AdminService'), 'The service, with its key'), '400': error('Invalid name or field'), ...denied, '409': error('The name is taken') },
      },
    },
    '/admin/services/{name}': {
      parameters: [name],
      get: { summary: 'One service, without its key', security, responses: { '200': json(ref('AdminService'), 'The service'), ...denied, '404': error('No such service') } },
      patch: { summary: 'Change settings', security, requestBody: { required: true, content: { 'application/json': { schema: settings } } }, responses: { '200': json(ref('AdminService'), 'The service'), '400': error('Invalid setting'), ...denied, '404': error('No such service') } },
      delete: { summary: 'Delete the service with all its badges and users', security, responses: { '200': json({ type: 'object', properties: { name: { type: 'string' }, deleted: { const: true } } }, 'Deleted'), ...denied, '404': error('No such service') } },
    },
    '/admin/services/{name}/key': {
      parameters: [name],
      post: { summary: 'Give the service a new key; the old one stops working at once', security, responses: { '200': json(ref('AdminService'), 'The service, with its new key'), ...denied, '404': error('No such service') } },
    },
  };
}

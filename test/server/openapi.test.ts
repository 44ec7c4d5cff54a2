import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import fc from 'fast-check';
import { OpenAPIBackend, ValidationContext, type Document } from 'openapi-backend';
import { sign } from '../../server/http/auth/signatures.js';
import { openApiDocument } from '../../server/app/openapi.js';
import { routes } from '../../server/app/features/index.js';
import { checker } from '../../server/core/schema-refusal.js';
import { fieldNameProblem, nameProblem } from '../../types/schema.js';
import { start, type Harness } from './harness.js';
import { awardOnce, revokeOnce } from '../support/awards.js';

/**
 * The served document against independent tools: Redocly's linter with its recommended rules, and
 * openapi-backend (ajv) checking every answer of a broad set of real requests (status, body and
 * headers), errors included. Nothing here reads the schemas of `types/schema.ts`: only the document.
 */

const TOKEN = 'operator-token-for-tests-0123456789';

describe('/openapi.json passes redocly lint (recommended rules)', () => {
  test('no errors; warnings listed', async (t) => {
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lintFromString({ source: JSON.stringify(openApiDocument(), null, 2), absoluteRef: 'openapi.json', config });
    const show = (p: (typeof problems)[number]) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`;
    const warnings = problems.filter((p) => p.severity === 'warn');
    t.diagnostic(`redocly recommended: ${warnings.length} warning(s)`);
    for (const warning of warnings) t.diagnostic(`  ${show(warning)}`);
    assert.deepEqual(problems.filter((p) => p.severity === 'error').map(show), []);
  });

  test("the document's version is the package's, not a placeholder", async () => {
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    assert.equal(openApiDocument().info.version, pkg.version);
  });

  test('every body an operation takes has an example (shown by /docs), which the server would take', () => {
    const withBody = routes.filter((r) => r.body);
    assert.ok(withBody.length > 20);
    const wrong = withBody.flatMap((r) => {
      const examples = (r.body as { examples?: unknown[] }).examples;
      if (!examples?.length) return [`${r.method} ${r.path}: no examples`];
      return examples.filter((e) => !checker(r.body!).Check(e)).map((e) => `${r.method} ${r.path}: ${JSON.stringify(e)} is refused`);
    });
    assert.deepEqual(wrong, []);
  });
});

/**
 * openapi-backend checks a definition against the OpenAPI 3.0 meta-schema only, which refuses 3.1
 * (`const`, `examples`, `license.identifier`, ...) and then leaves it unloaded; Redocly checks the
 * document as 3.1 above. Its validators, which are what this test uses, read 3.1 schemas fine.
 */
class ResponseValidator extends OpenAPIBackend {
  override validateDefinition() {
    return this.document;
  }
}

/** An OpenAPI validator over a document, with RFC 3339 times checked (ajv leaves `format` out otherwise). */
async function validatorOf(definition: object): Promise<OpenAPIBackend> {
  const api = new ResponseValidator({
    strict: true,
    definition: structuredClone(definition) as Document,
    customizeAjv: (ajv) => ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/),
  });
  await api.init();
  return api;
}

interface Answer {
  method: string;
  path: string;
  status: number;
  headers: Record<string, string>;
  text: string;
}

/** What is wrong with an answer according to the document (nothing: an empty list). */
function problemsOf(api: OpenAPIBackend, answer: Answer): { operation?: string; problems: string[] } {
  const problems: string[] = [];
  const [path, query = ''] = answer.path.split('?');
  // HEAD is GET without the body; the document describes GET.
  const method = answer.method === 'HEAD' ? 'get' : answer.method.toLowerCase();
  const operation = api.matchOperation({ method, path: path!, query: Object.fromEntries(new URLSearchParams(query)), headers: {} });
  const definition = api.definition as unknown as { components: { responses: Record<string, Response> } };
  type Response = { content?: Record<string, { schema: object }>; headers?: Record<string, { required?: boolean; schema: object }> };
  let response: Response | undefined;
  if (operation) {
    // Explicitly documented: a validator falls back to `default` or nothing, which would pass anything.
    response = (operation.responses as Record<string, Response>)[String(answer.status)];
    if (!response) return { operation: operation.operationId, problems: [`status ${answer.status} is not documented for ${operation.operationId}`] };
  } else {
    const unrouted: Record<number, string> = { 404: 'NoRoute', 405: 'MethodNotAllowed', 501: 'NotImplemented' };
    response = definition.components.responses[unrouted[answer.status] ?? ''];
    if (!response) return { problems: [`no operation for ${answer.method} ${path}, and ${answer.status} is not an unrouted answer`] };
  }
  for (const [name, header] of Object.entries(response.headers ?? {})) {
    if (header.required && answer.headers[name.toLowerCase()] === undefined) problems.push(`header ${name} missing`);
  }
  const lines = response.content?.['application/x-ndjson'];
  if (lines) {
    // JSON Lines (an export): the type, and every line JSON.
    if (!/^application\/x-ndjson/.test(answer.headers['content-type'] ?? '')) problems.push(`content-type ${answer.headers['content-type']}`);
    for (const line of answer.text.trimEnd().split('\n')) {
      try {
        JSON.parse(line);
      } catch {
        problems.push(`a line that is not JSON: ${line.slice(0, 80)}`);
      }
    }
    return { operation: operation?.operationId, problems };
  }
  // A document of its own type (JSON-LD, a JWK, an image, a page): that type, and the schema if it is JSON.
  const [own, media] = Object.entries(response.content ?? {}).find(([type]) => type !== 'application/json') ?? [];
  if (own && media) {
    if (!(answer.headers['content-type'] ?? '').startsWith(own)) problems.push(`content-type ${answer.headers['content-type']}, not ${own}`);
    if (/json$/.test(own) && answer.method !== 'HEAD') {
      const validate = api.validator.getAjv(ValidationContext.Response).compile(media.schema);
      try {
        if (!validate(JSON.parse(answer.text))) for (const e of validate.errors ?? []) problems.push(`body${e.instancePath} ${e.message}`);
      } catch {
        problems.push(`not JSON: ${answer.text.slice(0, 80)}`);
      }
    }
    return { operation: operation?.operationId, problems };
  }
  const content = response.content?.['application/json'];
  // An event stream or an image: its media type is what the document says.
  const other = Object.keys(response.content ?? {}).find((type) => type !== 'application/json');
  if (!content && other) {
    if (!(answer.headers['content-type'] ?? '').startsWith(other)) problems.push(`content-type ${answer.headers['content-type']}, documented ${other}`);
    if (answer.method !== 'HEAD' && answer.text === '') problems.push('no body');
  } else if (!content) {
    if (answer.text !== '') problems.push(`a body where none is documented: ${answer.text.slice(0, 80)}`);
  } else if (answer.method !== 'HEAD') {
    if (!/^application\/json/.test(answer.headers['content-type'] ?? '')) problems.push(`content-type ${answer.headers['content-type']}`);
    let body: unknown;
    try {
      body = JSON.parse(answer.text);
    } catch {
      problems.push(`not JSON: ${answer.text.slice(0, 80)}`);
    }
    if (operation) {
      const result = api.validateResponse(body, operation, answer.status);
      for (const e of result.errors ?? []) problems.push(`body${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
    } else {
      const validate = api.validator.getAjv(ValidationContext.Response).compile(content.schema);
      if (!validate(body)) for (const e of validate.errors ?? []) problems.push(`body${e.instancePath} ${e.message}`);
    }
  }
  if (operation) {
    const result = api.validateResponseHeaders(answer.headers, operation, { statusCode: answer.status });
    for (const e of result.errors ?? []) problems.push(`headers${e.instancePath} ${e.message}`);
  }
  return { operation: operation?.operationId, problems };
}

interface Case {
  name: string;
  method: string;
  path: string;
  status: number;
  auth?: 'key' | 'admin' | 'hmac' | 'hmac-nonce' | 'token';
  headers?: Record<string, string>;
  body?: unknown;
  raw?: string;
  /** Send the ETag of the last answer to this path as If-None-Match. */
  revalidate?: boolean;
  /** Names of ids in the answer, for later paths' `{name}`s. */
  capture?: (json: any) => Record<string, string>;
  /** Ids read from the store before the request, for its path's `{name}`s. */
  prepare?: (h: Harness) => Promise<Record<string, string>>;
  /** An answer that does not end (a live stream): its first bytes are its text. */
  stream?: true;
}

const demo = '/v1/demo';
const user = `${demo}/users/daniel.json`;
const admin = '/admin/services';

/** Every route, answered with success and with each kind of refusal it can give, in this order. */
const cases: Case[] = [
  // Open Badges (issue 22): public documents of an award, its badge and issuer; signed ones; a page.
  { name: 'ob: assertion', method: 'GET', path: `${demo}/openbadges/assertions/{award}`, status: 200, prepare: async (h) => ({ award: await awardOnce(h.domain, 'demo', 'daniel', 'donated') }) },
  { name: 'ob: assertion, unknown award', method: 'GET', path: `${demo}/openbadges/assertions/aw_aaaaaaaaaaaaaaaaaaaa`, status: 404 },
  { name: 'ob: assertion, malformed id', method: 'GET', path: `${demo}/openbadges/assertions/42`, status: 400 },
  {
    name: 'ob: assertion, revoked',
    method: 'GET',
    path: `${demo}/openbadges/assertions/{revoked}`,
    status: 410,
    prepare: async (h) => {
      const revoked = await awardOnce(h.domain, 'demo', 'bob', 'donated');
      await revokeOnce(h.domain, 'demo', 'bob', revoked, 'a mistake');
      return { revoked };
    },
  },
  { name: 'ob: baked PNG', method: 'GET', path: `${demo}/openbadges/assertions/{award}/badge.png`, status: 200 },
  { name: 'ob: baked PNG, unknown award', method: 'GET', path: `${demo}/openbadges/assertions/aw_aaaaaaaaaaaaaaaaaaaa/badge.png`, status: 404 },
  { name: 'ob: baked SVG', method: 'GET', path: `${demo}/openbadges/assertions/{award}/badge.svg`, status: 200 },
  { name: 'ob: baked SVG, revoked', method: 'GET', path: `${demo}/openbadges/assertions/{revoked}/badge.svg`, status: 410 },
  { name: 'ob: BadgeClass', method: 'GET', path: `${demo}/openbadges/badges/donated`, status: 200 },
  { name: 'ob: BadgeClass, unknown badge', method: 'GET', path: `${demo}/openbadges/badges/nosuch`, status: 404 },
  { name: 'ob: badge image PNG', method: 'GET', path: `${demo}/openbadges/badges/donated/image.png`, status: 200 },
  { name: 'ob: badge image PNG, unknown badge', method: 'GET', path: `${demo}/openbadges/badges/nosuch/image.png`, status: 404 },
  { name: 'ob: badge image SVG', method: 'GET', path: `${demo}/openbadges/badges/donated/image.svg`, status: 200 },
  { name: 'ob: badge image SVG, unknown badge', method: 'GET', path: `${demo}/openbadges/badges/nosuch/image.svg`, status: 404 },
  { name: 'ob: Issuer', method: 'GET', path: `${demo}/openbadges/issuers/default`, status: 200 },
  { name: 'ob: Issuer, unknown', method: 'GET', path: `${demo}/openbadges/issuers/nobody`, status: 404 },
  { name: 'ob: Achievement', method: 'GET', path: `${demo}/openbadges/v3/achievements/donated`, status: 200 },
  { name: 'ob: Achievement, unknown badge', method: 'GET', path: `${demo}/openbadges/v3/achievements/nosuch`, status: 404 },
  {
    name: 'ob: credential',
    method: 'GET',
    path: `${demo}/openbadges/v3/credentials/{award}`,
    status: 200,
    capture: (json) => ({ keyId: json.proof.verificationMethod.split('#')[1] }),
  },
  { name: 'ob: credential, unknown award', method: 'GET', path: `${demo}/openbadges/v3/credentials/aw_aaaaaaaaaaaaaaaaaaaa`, status: 404 },
  { name: 'ob: JWT', method: 'GET', path: `${demo}/openbadges/v3/credentials/{award}/jwt`, status: 200 },
  { name: 'ob: JWT, unknown award', method: 'GET', path: `${demo}/openbadges/v3/credentials/aw_aaaaaaaaaaaaaaaaaaaa/jwt`, status: 404 },
  { name: 'ob: profile', method: 'GET', path: `${demo}/openbadges/v3/issuers/default`, status: 200 },
  { name: 'ob: profile, unknown issuer', method: 'GET', path: `${demo}/openbadges/v3/issuers/nobody`, status: 404 },
  { name: 'ob: key', method: 'GET', path: `${demo}/openbadges/v3/issuers/default/keys/{keyId}`, status: 200 },
  { name: 'ob: key, unknown', method: 'GET', path: `${demo}/openbadges/v3/issuers/default/keys/key-none`, status: 404 },
  { name: 'ob: status list', method: 'GET', path: `${demo}/openbadges/v3/status/default/0`, status: 200 },
  { name: 'ob: status list, unknown', method: 'GET', path: `${demo}/openbadges/v3/status/default/9`, status: 404 },
  { name: 'ob: status list, malformed', method: 'GET', path: `${demo}/openbadges/v3/status/default/x`, status: 400 },
  { name: 'ob: page', method: 'GET', path: `${demo}/openbadges/awards/{award}`, status: 200 },
  { name: 'ob: page, unknown award', method: 'GET', path: `${demo}/openbadges/awards/aw_aaaaaaaaaaaaaaaaaaaa`, status: 404 },
  { name: 'ob: verification', method: 'GET', path: `${demo}/openbadges/awards/{award}/verification.json`, status: 200 },
  { name: 'ob: verification, unknown award', method: 'GET', path: `${demo}/openbadges/awards/aw_aaaaaaaaaaaaaaaaaaaa/verification.json`, status: 404 },
  { name: 'ob: rotate a key', method: 'POST', path: `${demo}/openbadges/issuers/default/keys/rotate.json`, status: 200, auth: 'key' },
  { name: 'ob: rotate a key without the key', method: 'POST', path: `${demo}/openbadges/issuers/default/keys/rotate.json`, status: 401 },
  { name: 'ob: rotate, unknown issuer', method: 'POST', path: `${demo}/openbadges/issuers/nobody/keys/rotate.json`, status: 404, auth: 'key' },
  // Public reads, through Koa and the fast path
  { name: 'badges', method: 'GET', path: `${demo}/badges.json`, status: 200 },
  { name: 'badges again, not modified', method: 'GET', path: `${demo}/badges.json`, status: 304, revalidate: true },
  { name: 'badges, sorted', method: 'GET', path: `${demo}/badges.json?sort=-count`, status: 200 },
  { name: 'badges, a page past the last', method: 'GET', path: `${demo}/badges.json?page=9&page_size=2`, status: 200 },
  { name: 'badges, page size 0', method: 'GET', path: `${demo}/badges.json?page_size=0`, status: 400 },
  { name: 'badges, HEAD', method: 'HEAD', path: `${demo}/badges.json`, status: 200 },
  { name: 'badges, invalid sort', method: 'GET', path: `${demo}/badges.json?sort=up`, status: 400 },
  { name: 'badges, sort given twice', method: 'GET', path: `${demo}/badges.json?sort=name&sort=count`, status: 400 },
  { name: 'badges of an unknown service', method: 'GET', path: '/v1/nosuch/badges.json', status: 404 },
  { name: 'badges, invalid service name', method: 'GET', path: '/v1/..demo/badges.json', status: 400 },
  { name: 'badges, a key in the URL', method: 'GET', path: `${demo}/badges.json?api_key=secret`, status: 400 },
  { name: 'named users (fast path)', method: 'GET', path: `${demo}/users.json?names=daniel,bob,nobody`, status: 200 },
  { name: 'named users, not modified (fast path)', method: 'GET', path: `${demo}/users.json?names=daniel,bob,nobody`, status: 304, revalidate: true },
  { name: 'named users, HEAD (fast path)', method: 'HEAD', path: `${demo}/users.json?names=daniel`, status: 200 },
  { name: 'named users, repeated names=, sorted', method: 'GET', path: `${demo}/users.json?names=daniel&names=bob&sort=-date`, status: 200 },
  { name: 'named users, none known', method: 'GET', path: `${demo}/users.json?names=`, status: 200 },
  { name: 'named users, too many', method: 'GET', path: `${demo}/users.json?names=${Array.from({ length: 101 }, (_, i) => `u${i}`).join(',')}`, status: 400 },
  { name: 'named users, an invalid name', method: 'GET', path: `${demo}/users.json?names=a%0Ab`, status: 400 },
  { name: 'named users of an unknown service', method: 'GET', path: '/v1/nosuch/users.json?names=daniel', status: 404 },
  { name: 'a page of users', method: 'GET', path: `${demo}/users.json`, status: 200 },
  { name: 'a page of users, second of pages of 2', method: 'GET', path: `${demo}/users.json?page_size=2&page=2&sort=name`, status: 200 },
  { name: 'a page of users, not modified', method: 'GET', path: `${demo}/users.json?page_size=2&page=2&sort=name`, status: 304, revalidate: true },
  { name: 'a page of users past the last', method: 'GET', path: `${demo}/users.json?page=99`, status: 200 },
  { name: 'page 0', method: 'GET', path: `${demo}/users.json?page=0`, status: 400 },
  { name: 'page size over the maximum', method: 'GET', path: `${demo}/users.json?page_size=1001`, status: 400 },
  { name: 'one user', method: 'GET', path: user, status: 200 },
  { name: 'one user, not modified', method: 'GET', path: user, status: 304, revalidate: true },
  { name: 'one user, sorted', method: 'GET', path: `${user}?sort=date`, status: 200 },
  { name: 'an unknown user', method: 'GET', path: `${demo}/users/nobody.json`, status: 404 },
  { name: 'an invalid user name', method: 'GET', path: `${demo}/users/a%07b.json`, status: 400 },
  { name: 'a malformed percent-encoding', method: 'GET', path: `${demo}/users/%E0%A4%A.json`, status: 400 },

  // Writes with the key, and their refusals
  { name: 'put badges', method: 'PUT', path: `${demo}/badges.json?sort=name`, auth: 'key', body: { badges: [{ name: 'reviewer2', description: 'Reviewed', meta: { n: [1, null, true] } }] }, status: 200 },
  { name: 'put badges with meaningful fields', method: 'PUT', path: `${demo}/badges.json`, auth: 'key', body: { badges: [{ name: 'lessons', title: 'Five lessons', image: 'https://example.com/lessons.png', tags: ['learning'], goal: 5, frequency: { freq_max: 2 }, date_start: '2020-01-01T00:00:00Z', badge_states: [{ state: 'unearned', description: 'Take five lessons', image_url: 'https://example.com/grey.png' }] }] }, status: 200 },
  { name: 'put badges, a window ending before it starts', method: 'PUT', path: `${demo}/badges.json`, auth: 'key', body: { badges: [{ name: 'p', date_start: '2026-02-01T00:00:00Z', date_end: '2026-01-01T00:00:00Z' }] }, status: 400 },
  { name: 'put badges, an image that is no URL', method: 'PUT', path: `${demo}/badges.json`, auth: 'key', body: { badges: [{ name: 'p', image: 'javascript:alert(1)' }] }, status: 400 },
  { name: 'progress', method: 'PUT', path: `${user.replace('.json', '/progress.json')}`, auth: 'key', body: { progress: { lessons: 5 } }, status: 200 },
  { name: 'progress, a badge without a goal', method: 'PUT', path: `${user.replace('.json', '/progress.json')}`, auth: 'key', body: { progress: { popular: 1 } }, status: 400 },
  { name: 'progress, a negative value', method: 'PUT', path: `${user.replace('.json', '/progress.json')}`, auth: 'key', body: { progress: { lessons: -1 } }, status: 400 },
  { name: 'progress, no credentials', method: 'PUT', path: `${user.replace('.json', '/progress.json')}`, body: { progress: { lessons: 1 } }, status: 401 },
  { name: 'badges with a tag', method: 'GET', path: `${demo}/badges.json?tags=learning,other`, status: 200 },
  { name: 'named users, every state, a tag', method: 'GET', path: `${demo}/users.json?names=daniel,bob&states=all&tags=learning`, status: 200 },
  { name: 'a page of users, every state', method: 'GET', path: `${demo}/users.json?states=all&page_size=1`, status: 200 },
  { name: 'one user, every state', method: 'GET', path: `${user}?states=all`, status: 200 },
  { name: 'one user, an invalid states', method: 'GET', path: `${user}?states=some`, status: 400 },
  { name: 'put badges, no body', method: 'PUT', path: `${demo}/badges.json`, auth: 'key', status: 400 },
  { name: 'put badges, invalid JSON', method: 'PUT', path: `${demo}/badges.json`, auth: 'key', raw: '{"badges": [', status: 400 },
  { name: 'put badges, a badge without name', method: 'PUT', path: `${demo}/badges.json`, auth: 'key', body: { badges: [{ description: 'x' }] }, status: 400 },
  { name: 'put badges, an invalid field name', method: 'PUT', path: `${demo}/badges.json`, auth: 'key', body: { badges: [{ name: 'p', 'a/b': 1 }] }, status: 400 },
  { name: 'put badges, fields nested too deep', method: 'PUT', path: `${demo}/badges.json`, auth: 'key', raw: `{"badges":[{"name":"p","deep":${'['.repeat(40)}${']'.repeat(40)}}]}`, status: 400 },
  { name: 'put badges, fields too large', method: 'PUT', path: `${demo}/badges.json`, auth: 'key', body: { badges: [{ name: 'p', a: 'x'.repeat(9000) }] }, status: 413 },
  { name: 'put badges, a body over the limit', method: 'PUT', path: `${demo}/badges.json`, auth: 'key', raw: JSON.stringify({ badges: [{ name: 'p', pad: 'x'.repeat(17 * 1024) }] }), status: 413 },
  { name: 'put badges, a form body', method: 'PUT', path: `${demo}/badges.json`, auth: 'key', raw: 'badges=p', headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 415 },
  { name: 'put badges, no credentials', method: 'PUT', path: `${demo}/badges.json`, body: { badges: [{ name: 'p' }] }, status: 401 },
  { name: 'put badges, a wrong key', method: 'PUT', path: `${demo}/badges.json`, headers: { authorization: 'wrong' }, body: { badges: [{ name: 'p' }] }, status: 401 },
  { name: 'put badges, a malformed ts', method: 'PUT', path: `${demo}/badges.json?ts=soon&signature=${'0'.repeat(64)}`, body: { badges: [{ name: 'p' }] }, status: 401 },
  { name: 'put badges, an expired signature', method: 'PUT', path: `${demo}/badges.json?ts=1000&signature=${'0'.repeat(64)}`, body: { badges: [{ name: 'p' }] }, status: 401 },
  { name: 'put badges, signed', method: 'PUT', path: `${demo}/badges.json`, auth: 'hmac', body: { badges: [{ name: 'signed' }] }, status: 200 },
  { name: 'put badges, the same signed request again: the first answer, X-Replay', method: 'PUT', path: `${demo}/badges.json`, auth: 'hmac', body: { badges: [{ name: 'signed' }] }, status: 200 },
  { name: 'put badges, signed with a nonce', method: 'PUT', path: `${demo}/badges.json`, auth: 'hmac-nonce', body: { badges: [{ name: 'signed' }] }, status: 200 },
  { name: 'delete badges, idempotent', method: 'DELETE', path: `${demo}/badges.json?sort=count`, auth: 'key', body: { badges: ['reviewer2', 'never-there'] }, status: 200 },
  { name: 'delete badges, empty list', method: 'DELETE', path: `${demo}/badges.json`, auth: 'key', body: { badges: [] }, status: 400 },
  { name: 'delete badges, unknown service', method: 'DELETE', path: '/v1/nosuch/badges.json', auth: 'key', body: { badges: ['x'] }, status: 404 },
  { name: 'award', method: 'PUT', path: `${demo}/users/${encodeURIComponent('Zoë Ann')}.json`, auth: 'key', body: { badges: ['popular', 'popular'] }, status: 200 },
  { name: 'award, an unregistered badge', method: 'PUT', path: user, auth: 'key', body: { badges: ['no-such-badge'] }, status: 400 },
  { name: 'award, too many badges', method: 'PUT', path: user, auth: 'key', body: { badges: Array(101).fill('popular') }, status: 400 },
  { name: 'award, an invalid user name', method: 'PUT', path: `${demo}/users/%20x.json`, auth: 'key', body: { badges: ['popular'] }, status: 400 },
  { name: 'award, signed', method: 'PUT', path: user, auth: 'hmac-nonce', body: { badges: ['popular'] }, status: 200 },
  { name: 'award, no credentials', method: 'PUT', path: user, body: { badges: ['popular'] }, status: 401 },
  { name: 'revoke, idempotent', method: 'DELETE', path: user, auth: 'key', body: { badges: ['popular', 'never-held'] }, status: 200 },
  { name: 'revoke from an unknown user', method: 'DELETE', path: `${demo}/users/ghost.json`, auth: 'key', body: { badges: ['popular'] }, status: 200 },
  { name: 'revoke, a body that is a string', method: 'DELETE', path: user, auth: 'key', body: 'popular', status: 400 },

  // The open test service: no credentials, and a quota
  { name: 'test service: put badges without credentials', method: 'PUT', path: '/v1/test/badges.json', body: { badges: Array.from({ length: 100 }, (_, i) => ({ name: `b${i}` })) }, status: 200 },
  { name: 'test service: award without credentials', method: 'PUT', path: '/v1/test/users/someone.json', body: { badges: ['b1'] }, status: 200 },
  { name: 'test service: full', method: 'PUT', path: '/v1/test/badges.json', body: { badges: [{ name: 'one-too-many' }] }, status: 403 },

  // The admin API
  { name: 'admin: list', method: 'GET', path: admin, auth: 'admin', status: 200 },
  { name: 'admin: list, not modified', method: 'GET', path: admin, auth: 'admin', status: 304, revalidate: true },
  { name: 'admin: list without token', method: 'GET', path: admin, status: 401 },
  { name: 'admin: list with a wrong token', method: 'GET', path: admin, headers: { authorization: 'Bearer wrong' }, status: 401 },
  { name: 'admin: create', method: 'POST', path: admin, auth: 'admin', body: { name: 'topchefs', legacySignatures: false }, status: 201 },
  { name: 'admin: create a taken name', method: 'POST', path: admin, auth: 'admin', body: { name: 'TopChefs' }, status: 409 },
  { name: 'admin: create, an invalid name', method: 'POST', path: admin, auth: 'admin', body: { name: '../evil' }, status: 400 },
  { name: 'admin: create, an unknown field', method: 'POST', path: admin, auth: 'admin', body: { name: 'x', key: 'chosen' }, status: 400 },
  { name: 'admin: create, a form body', method: 'POST', path: admin, auth: 'admin', raw: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 415 },
  { name: 'admin: create, a body over the limit', method: 'POST', path: admin, auth: 'admin', raw: JSON.stringify({ name: 'x'.repeat(17 * 1024) }), status: 413 },
  { name: 'admin: one', method: 'GET', path: `${admin}/topchefs`, auth: 'admin', status: 200 },
  { name: 'admin: one that does not exist', method: 'GET', path: `${admin}/ghost`, auth: 'admin', status: 404 },
  { name: 'admin: one, an invalid name', method: 'GET', path: `${admin}/..x`, auth: 'admin', status: 400 },
  { name: 'admin: change a setting', method: 'PATCH', path: `${admin}/topchefs`, auth: 'admin', body: { legacySignatures: true }, status: 200 },
  { name: 'admin: change a setting to a string', method: 'PATCH', path: `${admin}/topchefs`, auth: 'admin', body: { legacySignatures: 'no' }, status: 400 },
  { name: 'admin: change what does not exist', method: 'PATCH', path: `${admin}/ghost`, auth: 'admin', body: {}, status: 404 },
  { name: 'admin: rotate the key', method: 'POST', path: `${admin}/topchefs/key`, auth: 'admin', status: 200 },
  { name: 'admin: rotate the key of nothing', method: 'POST', path: `${admin}/ghost/key`, auth: 'admin', status: 404 },
  { name: 'admin: show the key', method: 'GET', path: `${admin}/topchefs/key`, auth: 'admin', status: 200 },
  { name: 'admin: quotas', method: 'GET', path: `${admin}/topchefs/quotas`, auth: 'admin', status: 200 },
  { name: 'admin: quotas of nothing', method: 'GET', path: `${admin}/ghost/quotas`, auth: 'admin', status: 404 },
  { name: 'admin: set a quota', method: 'PATCH', path: `${admin}/topchefs/quotas`, auth: 'admin', body: { events: 1000, webhook_endpoints: null }, status: 200 },
  { name: 'admin: set a quota below zero', method: 'PATCH', path: `${admin}/topchefs/quotas`, auth: 'admin', body: { events: -1 }, status: 400 },
  { name: 'admin: show the key of nothing', method: 'GET', path: `${admin}/ghost/key`, auth: 'admin', status: 404 },
  { name: 'admin: export', method: 'GET', path: '/admin/export', auth: 'admin', status: 200 },
  { name: 'admin: export one service without secrets', method: 'GET', path: '/admin/export?service=topchefs&secrets=off', auth: 'admin', status: 200 },
  { name: 'admin: export a service that does not exist', method: 'GET', path: '/admin/export?service=ghost', auth: 'admin', status: 404 },
  { name: 'admin: export, secrets neither on nor off', method: 'GET', path: '/admin/export?secrets=maybe', auth: 'admin', status: 400 },
  { name: 'admin: delete', method: 'DELETE', path: `${admin}/topchefs`, auth: 'admin', status: 200 },
  { name: 'admin: delete again', method: 'DELETE', path: `${admin}/topchefs`, auth: 'admin', status: 404 },

  // Events, rules and the activity feed (issue 9)
  { name: 'event types: register', method: 'PUT', path: `${demo}/event-types.json`, auth: 'key', body: { eventTypes: [{ source: 'issueTracker', type: 'task', action: 'close', description: 'Closed' }] }, status: 200 },
  { name: 'event types: an invalid part', method: 'PUT', path: `${demo}/event-types.json`, auth: 'key', body: { eventTypes: [{ source: 'a/b', type: 't', action: 'x' }] }, status: 400 },
  { name: 'event types: list', method: 'GET', path: `${demo}/event-types.json`, status: 200 },
  { name: 'event types of an unknown service', method: 'GET', path: '/v1/nosuch/event-types.json', status: 404 },
  { name: 'rules: create', method: 'POST', path: `${demo}/rules.json`, auth: 'key', body: { id: 'closer', badge: 'commenter', condition: 'count', eventTypes: [{ source: 'issueTracker', type: 'task', action: 'close' }], count: 2, window: 'P7D' }, status: 201 },
  { name: 'rules: create a meta-badge rule', method: 'POST', path: `${demo}/rules.json`, auth: 'key', body: { badge: 'founder', condition: 'badges', badges: ['commenter', 'popular'] }, status: 201 },
  { name: 'rules: create, the id taken', method: 'POST', path: `${demo}/rules.json`, auth: 'key', body: { id: 'closer', badge: 'commenter', condition: 'first', eventTypes: [{ source: 'issueTracker', type: 'task', action: 'close' }] }, status: 409 },
  { name: 'rules: create, an unknown badge', method: 'POST', path: `${demo}/rules.json`, auth: 'key', body: { badge: 'nope', condition: 'first', eventTypes: [{ source: 'issueTracker', type: 'task', action: 'close' }] }, status: 400 },
  { name: 'rules: list', method: 'GET', path: `${demo}/rules.json`, auth: 'key', status: 200 },
  { name: 'rules: list without credentials', method: 'GET', path: `${demo}/rules.json`, status: 401 },
  { name: 'rule: one', method: 'GET', path: `${demo}/rules/closer.json`, auth: 'key', status: 200 },
  { name: 'rule: one that does not exist', method: 'GET', path: `${demo}/rules/ghost.json`, auth: 'key', status: 404 },
  { name: 'rule: change', method: 'PUT', path: `${demo}/rules/closer.json`, auth: 'key', body: { badge: 'commenter', condition: 'count', eventTypes: [{ source: 'issueTracker', type: 'task', action: 'close' }], count: 2 }, status: 200 },
  { name: 'rule: change, a bad window', method: 'PUT', path: `${demo}/rules/closer.json`, auth: 'key', body: { badge: 'commenter', condition: 'count', eventTypes: [{ source: 'issueTracker', type: 'task', action: 'close' }], window: 'P1Y' }, status: 400 },
  { name: 'events: a batch', method: 'POST', path: `${demo}/events.json`, auth: 'key', body: { events: [{ eventType: { source: 'issueTracker', type: 'task', action: 'close' }, id: 'OMG-1', user: 'daniel', preview: 'Fixed it', permalink: 'https://example.com/OMG-1' }, { eventType: { source: 'issueTracker', type: 'task', action: 'close' }, id: 'OMG-2', user: 'daniel' }, { eventType: { source: 'x', type: 'y', action: 'z' }, id: 'OMG-3', user: 'daniel' }] }, status: 200 },
  { name: 'events: one, signed', method: 'POST', path: `${demo}/events.json`, auth: 'hmac-nonce', body: { eventType: { source: 'issueTracker', type: 'task', action: 'close' }, id: 'OMG-1', user: 'daniel' }, status: 200 },
  { name: 'events: not an event', method: 'POST', path: `${demo}/events.json`, auth: 'key', body: { events: 5 }, status: 400 },
  { name: 'events: no credentials', method: 'POST', path: `${demo}/events.json`, body: { events: [] }, status: 401 },
  { name: 'events: refused ones', method: 'GET', path: `${demo}/events/rejected.json?page_size=5`, auth: 'key', status: 200 },
  { name: 'events: refused ones, without credentials', method: 'GET', path: `${demo}/events/rejected.json`, status: 401 },
  { name: 'rule preview, unsaved', method: 'POST', path: `${demo}/rule-preview.json`, auth: 'key', body: { badge: 'popular', condition: 'first', eventTypes: [{ source: 'issueTracker', type: 'task', action: 'close' }] }, status: 200 },
  { name: 'rule preview, unsaved, a cycle', method: 'POST', path: `${demo}/rule-preview.json`, auth: 'key', body: { badge: 'commenter', condition: 'badges', badges: ['founder'] }, status: 400 },
  { name: 'rule: preview', method: 'GET', path: `${demo}/rules/closer/preview.json`, auth: 'key', status: 200 },
  { name: 'rule: preview of nothing', method: 'GET', path: `${demo}/rules/ghost/preview.json`, auth: 'key', status: 404 },
  { name: 'rule: backfill never started', method: 'GET', path: `${demo}/rules/closer/backfill.json`, auth: 'key', status: 404 },
  { name: 'rule: start a backfill', method: 'POST', path: `${demo}/rules/closer/backfill.json`, auth: 'key', status: 200 },
  { name: 'rule: backfill progress', method: 'GET', path: `${demo}/rules/closer/backfill.json`, auth: 'key', status: 200 },
  { name: 'rule: backfill of nothing', method: 'POST', path: `${demo}/rules/ghost/backfill.json`, auth: 'key', status: 404 },
  { name: 'activity', method: 'GET', path: `${demo}/activity.json?page_size=5`, status: 200 },
  { name: 'activity with the key', method: 'GET', path: `${demo}/activity.json`, auth: 'key', status: 200 },
  { name: 'activity with a wrong key', method: 'GET', path: `${demo}/activity.json`, headers: { authorization: 'wrong' }, status: 401 },
  { name: "a user's activity", method: 'GET', path: `${demo}/users/daniel/activity.json`, auth: 'key', status: 200 },
  { name: "a user's activity, page 0", method: 'GET', path: `${demo}/users/daniel/activity.json?page=0`, status: 400 },
  { name: 'event settings', method: 'GET', path: `${demo}/event-settings.json`, status: 200 },
  { name: 'event settings of an unknown service', method: 'GET', path: '/v1/nosuch/event-settings.json', status: 404 },
  { name: 'event settings: change', method: 'PUT', path: `${demo}/event-settings.json`, auth: 'key', body: { retentionDays: 30, publicEvents: true }, status: 200 },
  { name: 'event settings: an unknown setting', method: 'PUT', path: `${demo}/event-settings.json`, auth: 'key', body: { keep: 'forever' }, status: 400 },
  { name: 'integrations: create', method: 'POST', path: `${demo}/integrations.json`, auth: 'key', body: { name: 'gitlab' }, status: 201, capture: (json) => ({ integration: json.id, integrationToken: json.token }) },
  { name: 'integrations: create without a name', method: 'POST', path: `${demo}/integrations.json`, auth: 'key', body: {}, status: 400 },
  { name: 'integrations: list', method: 'GET', path: `${demo}/integrations.json`, auth: 'key', status: 200 },
  { name: 'integrations: list without credentials', method: 'GET', path: `${demo}/integrations.json`, status: 401 },
  { name: 'GetBadges: log an event', method: 'POST', path: '/v0/event/log/{integrationToken}', body: [{ version: 0, eventType: { source: 'issueTracker', type: 'task', action: 'close' }, id: 123, email: '', preview: 'Merge Request message' }], status: 200 },
  { name: 'GetBadges: the event-type catalogue', method: 'GET', path: '/api/v0/event-types', status: 200 },
  { name: 'GetBadges: the event-type catalogue, a token in the URL', method: 'GET', path: '/api/v0/event-types?token=x', status: 400 },
  { name: 'GetBadges: an unknown token', method: 'POST', path: '/v0/event/log/demo.000000000000.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', body: { version: 0 }, status: 404 },
  { name: 'integrations: delete', method: 'DELETE', path: `${demo}/integrations/{integration}.json`, auth: 'key', status: 200 },
  { name: 'integrations: delete again', method: 'DELETE', path: `${demo}/integrations/{integration}.json`, auth: 'key', status: 404 },
  { name: 'rule: delete', method: 'DELETE', path: `${demo}/rules/closer.json`, auth: 'key', status: 200 },
  { name: 'rule: delete again', method: 'DELETE', path: `${demo}/rules/closer.json`, auth: 'key', status: 404 },
  // Addresses, awards by address, invitations, scoped keys, claim codes (issue 11)
  { name: 'set emails', method: 'PUT', path: `${user.replace('.json', '')}/emails.json`, auth: 'key', body: { emails: ['Daniel@Example.org'] }, status: 200 },
  { name: 'set emails, not an address', method: 'PUT', path: `${user.replace('.json', '')}/emails.json`, auth: 'key', body: { emails: ['daniel'] }, status: 400 },
  { name: 'get emails', method: 'GET', path: `${user.replace('.json', '')}/emails.json`, auth: 'key', status: 200 },
  { name: 'get emails, no credentials', method: 'GET', path: `${user.replace('.json', '')}/emails.json`, status: 401 },
  { name: 'award by address', method: 'POST', path: `${demo}/badges/popular/awards.json`, auth: 'key', body: { emails: ['daniel@example.org', 'new@example.org', 'nope'], users: ['bob'] }, status: 200 },
  { name: 'CrowdTwist: write badges in their shape', method: 'PUT', path: '/crowdtwist/demo/v2.1/badges', auth: 'key', body: { badges: [{ name: 'popular', is_enabled: 1, tags: [{ tag_name: 'Football', tag_id: 1 }], frequency: { freq_max: 5 }, badge_states: [{ state: 'earned', order: 1 }] }] }, status: 200 },
  { name: 'CrowdTwist: write a badge, is_enabled 2', method: 'PUT', path: '/crowdtwist/demo/v2.1/badges', auth: 'key', body: { badges: [{ name: 'popular', is_enabled: 2 }] }, status: 400 },
  { name: 'CrowdTwist: the badges listing', method: 'GET', path: '/crowdtwist/demo/v2.1/badges?page=1&page_size=15&api_key=QWERTYP', status: 200 },
  { name: 'CrowdTwist: the badges listing, 26 a page', method: 'GET', path: '/crowdtwist/demo/v2.1/badges?page_size=26', status: 400 },
  { name: 'set segments', method: 'PUT', path: `${user.replace('.json', '')}/segments.json`, auth: 'key', body: { segments: [1043] }, status: 200 },
  { name: 'set segments, not ids', method: 'PUT', path: `${user.replace('.json', '')}/segments.json`, auth: 'key', body: { segments: ['Canada'] }, status: 400 },
  { name: 'get segments', method: 'GET', path: `${user.replace('.json', '')}/segments.json`, auth: 'key', status: 200 },
  { name: 'get segments, no credentials', method: 'GET', path: `${user.replace('.json', '')}/segments.json`, status: 401 },
  { name: 'badges.mozilla.org: award by address', method: 'POST', path: '/mozilla/demo/en-US/badges/badge/popular/awards', auth: 'key', body: { description: 'Hoopy', emails: ['daniel@example.org', 'nope'] }, status: 200 },
  { name: 'badges.mozilla.org: award without credentials', method: 'POST', path: '/mozilla/demo/en-US/badges/badge/popular/awards', body: { emails: ['daniel@example.org'] }, status: 403 },
  { name: 'award by address, an unknown badge', method: 'POST', path: `${demo}/badges/nosuch/awards.json`, auth: 'key', body: { users: ['bob'] }, status: 404 },
  { name: 'invitations', method: 'GET', path: `${demo}/invitations.json?email=new@example.org`, auth: 'key', status: 200, capture: (json) => ({ invitation: json.invitations[0].id }) },
  { name: 'invitations, an unknown state', method: 'GET', path: `${demo}/invitations.json?state=lost`, auth: 'key', status: 400 },
  { name: 'cancel an invitation', method: 'DELETE', path: `${demo}/invitations/{invitation}.json`, auth: 'key', status: 200 },
  { name: 'cancel it again', method: 'DELETE', path: `${demo}/invitations/{invitation}.json`, auth: 'key', status: 404 },
  { name: 'make a key', method: 'POST', path: `${demo}/keys.json`, auth: 'key', body: { label: 'bot', operations: ['award'], badges: ['popular'] }, status: 201, capture: (json) => ({ key: json.id, token: json.token }) },
  { name: 'make a key, an unknown operation', method: 'POST', path: `${demo}/keys.json`, auth: 'key', body: { label: 'bot', operations: ['everything'] }, status: 400 },
  { name: 'keys', method: 'GET', path: `${demo}/keys.json`, auth: 'key', status: 200 },
  { name: 'keys, asked with a scoped key', method: 'GET', path: `${demo}/keys.json`, auth: 'token', status: 403 },
  { name: 'award with a scoped key, outside its badges', method: 'PUT', path: user, auth: 'token', body: { badges: ['donated'] }, status: 403 },
  { name: 'revoke a key', method: 'DELETE', path: `${demo}/keys/{key}.json`, auth: 'key', status: 200 },
  { name: 'revoke it again', method: 'DELETE', path: `${demo}/keys/{key}.json`, auth: 'key', status: 404 },
  { name: 'make claim codes', method: 'POST', path: `${demo}/badges/popular/claim-codes.json`, auth: 'key', body: { count: 2, uses: 1 }, status: 201, capture: (json) => ({ code: json.codes[0].code, other: json.codes[1].code, batch: json.batch }) },
  { name: 'make claim codes, too many', method: 'POST', path: `${demo}/badges/popular/claim-codes.json`, auth: 'key', body: { count: 1001 }, status: 400 },
  { name: 'claim codes', method: 'GET', path: `${demo}/badges/popular/claim-codes.json`, auth: 'key', status: 200 },
  { name: 'claim codes, no credentials', method: 'GET', path: `${demo}/badges/popular/claim-codes.json`, status: 401 },
  { name: 'redeem a claim code', method: 'POST', path: `${demo}/claim-codes/{code}/redeem.json`, auth: 'key', body: { user: 'bob' }, status: 200 },
  { name: 'redeem it again', method: 'POST', path: `${demo}/claim-codes/{code}/redeem.json`, auth: 'key', body: { user: 'daniel' }, status: 409 },
  { name: 'a claim code', method: 'GET', path: `${demo}/claim-codes/{code}.json`, auth: 'key', status: 200 },
  { name: 'a claim code that does not exist', method: 'GET', path: `${demo}/claim-codes/AAAA-BBBB.json`, auth: 'key', status: 404 },
  { name: 'expire a claim code', method: 'POST', path: `${demo}/claim-codes/{other}/expire.json`, auth: 'key', status: 200 },
  { name: 'expire a claim code, no credentials', method: 'POST', path: `${demo}/claim-codes/{other}/expire.json`, status: 401 },
  { name: 'delete a claim code', method: 'DELETE', path: `${demo}/claim-codes/{other}.json`, auth: 'key', status: 200 },
  { name: 'delete it again', method: 'DELETE', path: `${demo}/claim-codes/{other}.json`, auth: 'key', status: 404 },
  { name: 'a claim code batch', method: 'GET', path: `${demo}/claim-code-batches/{batch}.json`, auth: 'key', status: 200 },
  { name: 'a claim code batch that cannot be one', method: 'GET', path: `${demo}/claim-code-batches/nope.json`, auth: 'key', status: 404 },
  { name: 'expire a batch', method: 'POST', path: `${demo}/claim-code-batches/{batch}/expire.json`, auth: 'key', status: 200 },
  { name: 'expire a batch, no credentials', method: 'POST', path: `${demo}/claim-code-batches/{batch}/expire.json`, status: 401 },
  { name: 'delete a batch', method: 'DELETE', path: `${demo}/claim-code-batches/{batch}.json`, auth: 'key', status: 200 },
  { name: 'delete the batch again', method: 'DELETE', path: `${demo}/claim-code-batches/{batch}.json`, auth: 'key', status: 404 },

  // Webhooks (issue 11); .invalid names never resolve, so nothing is ever delivered
  { name: 'register an endpoint', method: 'POST', path: `${demo}/webhooks.json`, auth: 'key', body: { url: 'https://hooks.example.invalid/badges', events: ['award.created'] }, status: 201, capture: (json) => ({ endpoint: json.id }) },
  { name: 'register an endpoint on a private address', method: 'POST', path: `${demo}/webhooks.json`, auth: 'key', body: { url: 'http://10.0.0.1/hook' }, status: 400 },
  { name: 'endpoints', method: 'GET', path: `${demo}/webhooks.json`, auth: 'key', status: 200 },
  { name: 'endpoints, no credentials', method: 'GET', path: `${demo}/webhooks.json`, status: 401 },
  { name: 'an endpoint', method: 'GET', path: `${demo}/webhooks/{endpoint}.json`, auth: 'key', status: 200 },
  { name: 'an endpoint that does not exist', method: 'GET', path: `${demo}/webhooks/ep_aaaaaaaaaaaaaaaaaaaa.json`, auth: 'key', status: 404 },
  { name: 'change an endpoint', method: 'PATCH', path: `${demo}/webhooks/{endpoint}.json`, auth: 'key', body: { description: 'the shop', disabled: false }, status: 200 },
  { name: 'change an endpoint, an unknown field', method: 'PATCH', path: `${demo}/webhooks/{endpoint}.json`, auth: 'key', body: { secret: 'mine' }, status: 400 },
  { name: 'award, owing the endpoint a delivery', method: 'PUT', path: user, auth: 'key', body: { badges: ['popular'] }, status: 200 },
  { name: 'delivery log', method: 'GET', path: `${demo}/webhooks/{endpoint}/attempts.json`, auth: 'key', status: 200 },
  { name: 'delivery log, page 0', method: 'GET', path: `${demo}/webhooks/{endpoint}/attempts.json?page=0`, auth: 'key', status: 400 },
  {
    name: 'redeliver',
    method: 'POST',
    path: `${demo}/webhooks/{endpoint}/messages/{message}/redeliver.json`,
    auth: 'key',
    status: 201,
    prepare: async (h) => ({ message: (await h.store.listItems('demo', 'webhook-message', {})).at(-1)!.id }),
  },
  { name: 'redeliver what does not exist', method: 'POST', path: `${demo}/webhooks/{endpoint}/messages/msg_aaaaaaaaaaaaaaaaaaaa/redeliver.json`, auth: 'key', status: 404 },
  { name: 'remove an endpoint', method: 'DELETE', path: `${demo}/webhooks/{endpoint}.json`, auth: 'key', status: 200 },
  { name: 'remove it again', method: 'DELETE', path: `${demo}/webhooks/{endpoint}.json`, auth: 'key', status: 404 },

  // The audit trail and a person's data (issue 19)
  { name: 'audit', method: 'GET', path: `${demo}/audit.json?page_size=3`, auth: 'key', status: 200, capture: (json) => ({ cursor: new URL(json.paging.next, 'http://x').searchParams.get('cursor')! }) },
  { name: 'audit, the next page', method: 'GET', path: `${demo}/audit.json?page_size=3&cursor={cursor}`, auth: 'key', status: 200 },
  { name: "audit of a user's awards of a badge, by the service's key", method: 'GET', path: `${demo}/audit.json?user=daniel&badge=popular&actor=service`, auth: 'key', status: 200 },
  { name: 'audit, a cursor that is none', method: 'GET', path: `${demo}/audit.json?cursor=nope`, auth: 'key', status: 400 },
  { name: 'audit, no credentials', method: 'GET', path: `${demo}/audit.json`, status: 401 },
  { name: "a user's data", method: 'GET', path: `${demo}/users/daniel/export.json`, auth: 'key', status: 200 },
  { name: "the data of a user the service does not know", method: 'GET', path: `${demo}/users/ghost/export.json`, auth: 'key', status: 404 },
  { name: 'rename a user', method: 'POST', path: `${demo}/users/bob/rename.json`, auth: 'key', body: { to: 'robert' }, status: 200 },
  { name: 'rename a user to a name taken', method: 'POST', path: `${demo}/users/robert/rename.json`, auth: 'key', body: { to: 'daniel' }, status: 409 },
  { name: 'erase a user', method: 'POST', path: `${demo}/users/robert/erase.json`, auth: 'key', status: 200 },
  { name: 'erase them again', method: 'POST', path: `${demo}/users/robert/erase.json`, auth: 'key', status: 404 },

  // Points, leaderboards, one badge and its holders, featured and hidden badges (issue 21)
  { name: 'leaderboard', method: 'GET', path: `${demo}/leaderboard.json?limit=2`, status: 200 },
  { name: 'leaderboard of the week, of a badge', method: 'GET', path: `${demo}/leaderboard.json?period=week&badge=donated`, status: 200 },
  { name: 'leaderboard, an unknown period', method: 'GET', path: `${demo}/leaderboard.json?period=year`, status: 400 },
  { name: 'leaderboard, an unknown badge', method: 'GET', path: `${demo}/leaderboard.json?badge=nope`, status: 404 },
  { name: 'one badge', method: 'GET', path: `${demo}/badges/donated.json`, status: 200 },
  { name: 'one badge that does not exist', method: 'GET', path: `${demo}/badges/nope.json`, status: 404 },
  { name: "a badge's holders", method: 'GET', path: `${demo}/badges/donated/holders.json?limit=1`, status: 200 },
  { name: "a badge's holders, a foreign cursor", method: 'GET', path: `${demo}/badges/donated/holders.json?cursor=eA`, status: 400 },
  { name: 'feature and hide', method: 'PUT', path: `${demo}/users/daniel/display.json`, auth: 'key', body: { featured: ['donated'], hidden: [] }, status: 200 },
  { name: 'feature what is not held', method: 'PUT', path: `${demo}/users/daniel/display.json`, auth: 'key', body: { featured: ['nope'] }, status: 400 },
  { name: 'what a user features and hides', method: 'GET', path: `${demo}/users/daniel/display.json`, auth: 'key', status: 200 },
  { name: 'what a user features and hides, without the key', method: 'GET', path: `${demo}/users/daniel/display.json`, status: 401 },
  { name: 'the live stream', method: 'GET', path: `${demo}/live?users=daniel,bob`, status: 200, stream: true },
  { name: 'the live stream, a foreign last event id', method: 'GET', path: `${demo}/live?last_event_id=x`, status: 400 },
  { name: 'the live stream of an unknown service', method: 'GET', path: '/v1/nosuch/live', status: 404 },
  { name: 'flair, SVG', method: 'GET', path: `${demo}/users/daniel/flair.svg?theme=dark`, status: 200 },
  { name: 'flair, SVG, not modified', method: 'GET', path: `${demo}/users/daniel/flair.svg?theme=dark`, status: 304, revalidate: true },
  { name: 'flair, SVG, an unknown theme', method: 'GET', path: `${demo}/users/daniel/flair.svg?theme=neon`, status: 400 },
  { name: 'flair, PNG', method: 'GET', path: `${demo}/users/daniel/flair.png?theme=compact`, status: 200 },
  { name: 'flair, PNG, an unknown theme', method: 'GET', path: `${demo}/users/daniel/flair.png?theme=neon`, status: 400 },
  { name: 'one badge, SVG', method: 'GET', path: `${demo}/badges/donated/flair.svg`, status: 200 },
  { name: 'one badge, SVG, unknown', method: 'GET', path: `${demo}/badges/nope/flair.svg`, status: 404 },
  { name: 'one badge, PNG', method: 'GET', path: `${demo}/badges/donated/flair.png`, status: 200 },
  { name: 'one badge, PNG, unknown', method: 'GET', path: `${demo}/badges/nope/flair.png`, status: 404 },
  // Issuers, programs, award instances, applications and reviews (issue 22)
  { name: 'make an issuer', method: 'PUT', path: `${demo}/issuers/library.json`, auth: 'key', body: { name: 'Library', url: 'https://library.example.org' }, status: 200 },
  { name: 'make an issuer, not a URL', method: 'PUT', path: `${demo}/issuers/library.json`, auth: 'key', body: { name: 'Library', url: 'ftp://x' }, status: 400 },
  { name: 'issuers', method: 'GET', path: `${demo}/issuers.json`, status: 200 },
  { name: 'issuers of an unknown service', method: 'GET', path: '/v1/nosuch/issuers.json', status: 404 },
  { name: 'an issuer', method: 'GET', path: `${demo}/issuers/library.json`, status: 200 },
  { name: 'an issuer that does not exist', method: 'GET', path: `${demo}/issuers/nobody.json`, status: 404 },
  { name: 'make a program', method: 'PUT', path: `${demo}/programs/summer.json`, auth: 'key', body: { issuer: 'library', name: 'Summer' }, status: 200 },
  { name: 'make a program of no issuer', method: 'PUT', path: `${demo}/programs/summer.json`, auth: 'key', body: { issuer: 'nobody', name: 'Summer' }, status: 400 },
  { name: 'programs', method: 'GET', path: `${demo}/programs.json?issuer=library`, status: 200 },
  { name: 'programs, not an issuer id', method: 'GET', path: `${demo}/programs.json?issuer=No%20Such`, status: 400 },
  { name: 'a program', method: 'GET', path: `${demo}/programs/summer.json`, status: 200 },
  { name: 'a program that does not exist', method: 'GET', path: `${demo}/programs/winter.json`, status: 404 },
  { name: 'delete an issuer with programs', method: 'DELETE', path: `${demo}/issuers/library.json`, auth: 'key', status: 409 },
  { name: 'delete a program', method: 'DELETE', path: `${demo}/programs/summer.json`, auth: 'key', status: 200 },
  { name: 'delete it again', method: 'DELETE', path: `${demo}/programs/summer.json`, auth: 'key', status: 404 },
  { name: 'delete an issuer', method: 'DELETE', path: `${demo}/issuers/library.json`, auth: 'key', status: 200 },
  {
    name: 'an award',
    method: 'GET',
    path: `${demo}/users/daniel/awards/{award}.json`,
    auth: 'key',
    status: 200,
    prepare: async (h) => ({ award: (await h.store.listItems('demo', 'award', { owner: 'daniel' })).at(-1)!.id }),
  },
  { name: 'an award that does not exist', method: 'GET', path: `${demo}/users/daniel/awards/aw_aaaaaaaaaaaaaaaaaaaa.json`, auth: 'key', status: 404 },
  { name: 'revoke an award', method: 'DELETE', path: `${demo}/users/daniel/awards/{award}.json`, auth: 'key', body: { reason: 'By mistake' }, status: 200 },
  { name: 'revoke an award that does not exist', method: 'DELETE', path: `${demo}/users/daniel/awards/aw_aaaaaaaaaaaaaaaaaaaa.json`, auth: 'key', status: 404 },
  { name: 'apply for a badge', method: 'POST', path: `${demo}/badges/popular/applications.json`, auth: 'key', body: { user: 'daniel', evidence: [{ url: 'https://example.org/mine' }], reviewer: 'rita' }, status: 201, capture: (json) => ({ application: json.id }) },
  { name: 'apply again while pending', method: 'POST', path: `${demo}/badges/popular/applications.json`, auth: 'key', body: { user: 'daniel' }, status: 409 },
  { name: "a reviewer's applications", method: 'GET', path: `${demo}/applications.json?reviewer=rita`, auth: 'key', status: 200 },
  { name: 'applications, no such state', method: 'GET', path: `${demo}/applications.json?state=lost`, auth: 'key', status: 400 },
  { name: "a badge's applications", method: 'GET', path: `${demo}/badges/popular/applications.json`, auth: 'key', status: 200 },
  { name: "a badge's applications, no credentials", method: 'GET', path: `${demo}/badges/popular/applications.json`, status: 401 },
  { name: 'an application', method: 'GET', path: `${demo}/applications/{application}.json`, auth: 'key', status: 200 },
  { name: 'an application that does not exist', method: 'GET', path: `${demo}/applications/app_aaaaaaaaaaaaaaaaaaaa.json`, auth: 'key', status: 404 },
  { name: 'unassign an application', method: 'DELETE', path: `${demo}/applications/{application}/assignment.json`, auth: 'key', status: 200 },
  { name: 'unassign one that does not exist', method: 'DELETE', path: `${demo}/applications/app_aaaaaaaaaaaaaaaaaaaa/assignment.json`, auth: 'key', status: 404 },
  { name: 'assign an application', method: 'PUT', path: `${demo}/applications/{application}/assignment.json`, auth: 'key', body: { reviewer: 'sam', expiresAt: '2999-01-01T00:00:00Z' }, status: 200 },
  { name: 'assign it to another', method: 'PUT', path: `${demo}/applications/{application}/assignment.json`, auth: 'key', body: { reviewer: 'rita' }, status: 409 },
  { name: 'review, not saying whether approved', method: 'POST', path: `${demo}/applications/{application}/reviews.json`, auth: 'key', body: { reviewer: 'sam' }, status: 400 },
  { name: 'review an application', method: 'POST', path: `${demo}/applications/{application}/reviews.json`, auth: 'key', body: { reviewer: 'sam', approved: true, comment: 'Well done' }, status: 201 },
  { name: 'award an application', method: 'POST', path: `${demo}/applications/{application}/award.json`, auth: 'key', status: 200 },
  { name: 'award it again', method: 'POST', path: `${demo}/applications/{application}/award.json`, auth: 'key', status: 409 },
  { name: 'apply by address', method: 'POST', path: `${demo}/badges/popular/applications.json`, auth: 'key', body: { email: 'carol@example.org' }, status: 201, capture: (json) => ({ other: json.id }) },
  { name: 'close an application', method: 'POST', path: `${demo}/applications/{other}/close.json`, auth: 'key', status: 200 },
  { name: 'close it again', method: 'POST', path: `${demo}/applications/{other}/close.json`, auth: 'key', status: 409 },
  { name: 'delete an application', method: 'DELETE', path: `${demo}/applications/{other}.json`, auth: 'key', status: 200 },
  { name: 'delete it again', method: 'DELETE', path: `${demo}/applications/{other}.json`, auth: 'key', status: 404 },
  // What the admin console reads (issue 23)
  { name: 'what the key may do', method: 'GET', path: `${demo}/keys/me.json`, auth: 'key', status: 200 },
  { name: 'what the key may do, no key', method: 'GET', path: `${demo}/keys/me.json`, status: 401 },
  { name: 'figures for the plots', method: 'GET', path: `${demo}/stats.json?days=7`, auth: 'key', status: 200 },
  { name: 'figures for the plots, too many days', method: 'GET', path: `${demo}/stats.json?days=365`, auth: 'key', status: 400 },
  { name: 'members by name', method: 'GET', path: `${demo}/members.json?q=da`, auth: 'key', status: 200 },
  { name: 'members, no query', method: 'GET', path: `${demo}/members.json`, auth: 'key', status: 400 },
  { name: "the service's export", method: 'GET', path: `${demo}/export.jsonl?secrets=off`, auth: 'key', status: 200 },
  { name: "the service's export, no key", method: 'GET', path: `${demo}/export.jsonl`, status: 401 },
  { name: 'rotate the service key, an hour of grace', method: 'POST', path: `${demo}/key.json?grace=1h`, auth: 'key', status: 200 },
  { name: 'rotate the service key, a grace that is none', method: 'POST', path: `${demo}/key.json?grace=soon`, auth: 'key', status: 400 },

  // The server itself
  { name: 'the document', method: 'GET', path: '/openapi.json', status: 200 },
  { name: 'health', method: 'GET', path: '/health', status: 200 },
  { name: 'health, not modified', method: 'GET', path: '/health', status: 304, revalidate: true },
  { name: 'health, a token in the URL', method: 'GET', path: '/health?token=x', status: 400 },

  // Requests no operation takes
  { name: 'an unknown route', method: 'GET', path: `${demo}/awards.json`, status: 404 },
  { name: 'an unknown path', method: 'GET', path: '/nothing', status: 404 },
  { name: 'a method a v1 path does not take', method: 'POST', path: user, auth: 'key', body: { badges: ['popular'] }, status: 405 },
  { name: 'a method an admin path does not take', method: 'PUT', path: `${admin}/demo`, auth: 'admin', body: {}, status: 405 },
  { name: 'a method the server does not know', method: 'PROPFIND', path: user, status: 501 },
];

describe('every answer validates against /openapi.json (openapi-backend, ajv)', () => {
  let h: Harness;
  let api: OpenAPIBackend;
  const answers: Answer[] = [];
  /** By case name (the first of a name): a case that got no answer leaves no hole that shifts the others. */
  const answered = new Map<string, Answer>();
  const etags = new Map<string, string>();

  before(async () => {
    h = await start({ config: { adminToken: TOKEN, maxBodyBytes: 16 * 1024 } });
    api = await validatorOf((await h.request('GET', '/openapi.json')).json);
    // Signatures made before the server started are refused as replays.
    clock = Math.floor(Date.now() / 1000);
  });
  after(() => h.close());

  let clock = 0;
  const vars: Record<string, string> = {};
  async function send(c: Case): Promise<Answer> {
    const headers: Record<string, string> = { ...c.headers };
    if (c.prepare) Object.assign(vars, await c.prepare(h));
    let path = c.path.replace(/\{(\w+)\}/g, (_, name: string) => vars[name] ?? `{${name}}`);
    const raw = c.raw ?? (c.body === undefined ? undefined : JSON.stringify(c.body));
    if (c.auth === 'key') headers.authorization = h.key;
    if (c.auth === 'token') headers.authorization = vars.token!;
    if (c.auth === 'admin') headers.authorization = `Bearer ${TOKEN}`;
    if (c.auth === 'hmac' || c.auth === 'hmac-nonce') {
      // One ts for both plain "hmac" cases, so that the second is an identical repeat.
      const ts = String(c.auth === 'hmac' ? clock : ++clock);
      const nonce = c.auth === 'hmac-nonce' ? `nonce-${clock}-${answers.length}` : undefined;
      const signature = sign(h.key, ts, { method: c.method, path, body: Buffer.from(raw ?? '') }, nonce);
      path += `${path.includes('?') ? '&' : '?'}ts=${ts}${nonce ? `&nonce=${nonce}` : ''}&signature=${signature}`;
    }
    if (c.revalidate) headers['if-none-match'] = etags.get(c.path) ?? '';
    if (c.stream) {
      const aborted = new AbortController();
      const response = await fetch(h.base + path, { headers, signal: aborted.signal });
      const { value } = await response.body!.getReader().read();
      aborted.abort();
      return { method: c.method, path: c.path, status: response.status, headers: Object.fromEntries(response.headers), text: Buffer.from(value ?? []).toString() };
    }
    const r = await h.request(c.method, path, { raw, headers });
    if (r.headers.get('etag')) etags.set(c.path, r.headers.get('etag')!);
    if (c.capture && r.status < 300) Object.assign(vars, c.capture(r.json));
    return { method: c.method, path: c.path, status: r.status, headers: Object.fromEntries(r.headers), text: r.text };
  }

  for (const c of cases) {
    test(`${c.method} ${c.name}: ${c.status}`, async () => {
      const answer = await send(c);
      answers.push(answer);
      if (!answered.has(c.name)) answered.set(c.name, answer);
      assert.equal(answer.status, c.status, answer.text);
      const { problems } = problemsOf(api, answer);
      assert.deepEqual(problems, [], `${answer.status} ${answer.text.slice(0, 300)}`);
    });
  }

  test('the replayed signed request was answered as a replay', () => {
    const replayed = answers.filter((a) => a.headers['x-replay'] === 'true');
    assert.equal(replayed.length, 1);
  });

  test('every operation was answered with success and at least one refusal', () => {
    const seen = new Map<string, Set<number>>();
    for (const answer of answers) {
      const { operation } = problemsOf(api, answer);
      if (operation) seen.set(operation, (seen.get(operation) ?? new Set()).add(answer.status));
    }
    const operations = Object.values((api.definition as { paths: Record<string, Record<string, { operationId: string }>> }).paths).flatMap((item) => Object.values(item).map((op) => op.operationId));
    for (const operation of operations) {
      const statuses = [...(seen.get(operation) ?? [])];
      assert.ok(statuses.some((s) => s < 300), `${operation}: no success among ${statuses}`);
      if (operation !== 'getOpenApiDocument') assert.ok(statuses.some((s) => s >= 400), `${operation}: no refusal among ${statuses}`);
    }
  });

  test('the validator has teeth: the same answers against a document that drifted fail', async () => {
    const drifted = structuredClone(await (await fetch(`${h.base}/openapi.json`)).json());
    drifted.components.schemas.Badge.properties.count = { type: 'string' };
    drifted.components.schemas.Error.properties.error.required.push('hint');
    drifted.components.headers['X-Response-Time'].schema.pattern = '^\\d+s$';
    const strict = await validatorOf(drifted);
    const of = (name: string) => {
      const answer = answered.get(name);
      assert.ok(answer, `the case "${name}" has an answer`);
      return answer;
    };
    assert.match(problemsOf(strict, of('badges')).problems.join('\n'), /body\/badges\/0\/count must be string/);
    assert.match(problemsOf(strict, of('page 0')).problems.join('\n'), /must have required property 'hint'/);
    assert.match(problemsOf(strict, of('health')).problems.join('\n'), /headers\/x-response-time must match pattern/);
  });
});

test("the patterns the document gives names state the server's rules (read with the u flag, as JSON Schema does)", () => {
  const { schemas } = openApiDocument().components as { schemas: Record<string, { pattern: string; maxLength: number }> };
  const name = new RegExp(schemas.UserName!.pattern, 'u');
  const field = new RegExp(schemas.FieldName!.pattern, 'u');
  const tricky = fc.constantFrom(' ', ',', '/', '\n', '\t', '\u00a0', '\u200b', '\u2028', '\ufeff', '\u0000', '\u007f', 'a', 'é', 'e\u0301', '😀', '_', '-');
  const text = fc.oneof(fc.string({ unit: tricky, maxLength: 6 }), fc.string({ unit: 'binary', maxLength: 6 }), fc.constantFrom('__proto__', 'constructor', 'prototype', 'name'));
  fc.assert(
    fc.property(text, (raw) => {
      // Lengths are the schema's minLength/maxLength (and count differently in JSON Schema); only the characters here.
      const normal = raw.normalize('NFC');
      assert.equal(name.test(normal), normal.length > 0 && nameProblem(normal) === undefined, JSON.stringify(normal));
      assert.equal(field.test(raw), raw.length > 0 && fieldNameProblem(raw) === undefined, JSON.stringify(raw));
    }),
    { numRuns: 3000, seed: 20261129 },
  );
});

test('types/api.ts, which the widget bundles, imports nothing at run time but the constants, which import nothing (TypeBox stays out)', async () => {
  const runtimeImports = async (file: string) => {
    const source = await readFile(new URL(`../../types/${file}`, import.meta.url), 'utf8');
    const statements = source.match(/^\s*(import|export)\s[^;]*?\sfrom\s+'[^']+'/gm) ?? [];
    return statements.filter((statement) => !/^\s*(import|export) type\s/.test(statement)).map((statement) => /'([^']+)'$/.exec(statement)![1]);
  };
  assert.deepEqual(await runtimeImports('api.ts'), ['./constants.js']);
  assert.deepEqual(await runtimeImports('constants.ts'), []);
});

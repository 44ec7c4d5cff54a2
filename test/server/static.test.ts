import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type Router from '@koa/router';
import { openApiDocument } from '../../server/openapi.js';
import { routeGroups } from '../../server/routes/index.js';
import { mount } from '../../server/routes/table.js';
import { start, type Harness } from './harness.js';

describe('files and documents the server hosts', () => {
  let h: Harness;
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'user-badges-static-'));
    for (const [path, content] of Object.entries({
      'dist/widget/user-badges.js': 'console.log("widget")',
      'dist/widget/user-badges.esm.js': 'export {}',
      'themes/dark.css': '.userbadge{}',
      'demo/index.html': '<!doctype html><title>demo</title>',
      'demo/legacy.html': '<!doctype html><title>legacy</title>',
      'package.json': '{"secret":true}',
    })) {
      await mkdir(join(root, path, '..'), { recursive: true });
      await writeFile(join(root, path), content);
    }
    h = await start({ config: { publicRoot: root } });
  });
  after(async () => {
    await h.close();
    await rm(root, { recursive: true, force: true });
  });

  for (const [path, type, body] of [
    ['/user-badges.js', 'text/javascript', 'console.log("widget")'],
    ['/userbadges.js', 'text/javascript', 'console.log("widget")'],
    ['/widget/user-badges.esm.js', 'text/javascript', 'export {}'],
    ['/themes/dark.css', 'text/css', '.userbadge{}'],
    ['/', 'text/html', '<!doctype html><title>demo</title>'],
    ['/demo/legacy.html', 'text/html', '<!doctype html><title>legacy</title>'],
  ]) {
    test(`GET ${path}`, async () => {
      const r = await h.request('GET', path!);
      assert.equal(r.status, 200);
      assert.match(r.headers.get('content-type')!, new RegExp(type!));
      assert.equal(r.text, body);
      assert.equal(r.headers.get('access-control-allow-origin'), '*', 'themes and the script load cross-origin');
      const again = await h.request('GET', path!, { headers: { 'if-none-match': r.headers.get('etag')! } });
      assert.equal(again.status, 304);
    });
  }

  test('pages carry a strict Content-Security-Policy', async () => {
    const csp = (await h.request('GET', '/')).headers.get('content-security-policy')!;
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  });

  for (const path of ['/themes/../package.json', '/themes/%2e%2e/package.json', '/themes/..%2fpackage.json', '/demo/%2e%2e%2f%2e%2e%2fetc/passwd', '/widget/%00.js', '/themes/', '/package.json', '/themes/missing.css']) {
    test(`GET ${path} reaches nothing outside the mounted folders`, async () => {
      const r = await h.request('GET', path);
      assert.equal(r.status, 404);
      assert.doesNotMatch(r.text, /secret/);
      assert.equal(r.json.error.code, 'not_found');
    });
  }

  test('CORS preflight allows writes with the Authorization header', async () => {
    const r = await h.request('OPTIONS', '/v1/demo/users/daniel.json', { headers: { origin: 'https://site.example', 'access-control-request-method': 'PUT' } });
    assert.equal(r.status, 204);
    assert.match(r.headers.get('access-control-allow-methods')!, /PUT/);
    assert.match(r.headers.get('access-control-allow-headers')!, /Authorization/);
  });

  test('/openapi.json describes every route the app mounts, and nothing else', async () => {
    const { status, json } = await h.request('GET', '/openapi.json');
    assert.equal(status, 200);
    assert.deepEqual(json, JSON.parse(JSON.stringify(openApiDocument())));
    const deps = { config: { adminToken: 't' } } as never;
    const served = Object.values(routeGroups).flatMap((group) =>
      mount(group, deps).stack.flatMap((layer: Router.Layer) => layer.methods.filter((m) => m !== 'HEAD').map((m) => `${m} ${layer.path.replace(/:(\w+)/g, '{$1}')}`)),
    );
    const documented = Object.entries(json.paths).flatMap(([path, item]) => Object.keys(item as object).map((m) => `${m.toUpperCase()} ${path}`));
    assert.deepEqual(documented.sort(), served.sort());
  });
});

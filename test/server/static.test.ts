import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { brotliCompressSync, brotliDecompressSync, gunzipSync } from 'node:zlib';
import type Router from '@koa/router';
import { openApiDocument } from '../../server/app/openapi.js';
import { routeGroups } from '../../server/app/features/index.js';
import { mount } from '../../server/http/routes/table.js';
import { contentVersion, preferredEncoding } from '../../server/http/static.js';
import { start, type Harness } from './harness.js';

/** A theme large enough for compression to matter. */
const THEME = Array.from({ length: 200 }, (_, i) => `.userbadge[data-n='${i}'] { color: #${String(i).padStart(6, '0')}; }`).join('\n');

describe('files and documents the server hosts', () => {
  let h: Harness;
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'user-badges-static-'));
    for (const [path, content] of Object.entries({
      'dist/widget/user-badges.js': 'console.log("widget")',
      'dist/widget/user-badges.esm.js': 'export {}',
      'dist/widget/user-badges.js.map': '{"version":3,"sources":[]}',
      'themes/dark.css': '.userbadge{}',
      'themes/big.css': THEME,
      'demo/favicon.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
      'demo/pixel.png': 'not really a png',
      'demo/index.html': '<!doctype html><title>demo</title>',
      'demo/legacy.html': '<!doctype html><title>legacy</title>',
      'demo/badge.html': '<!doctype html><title>badge</title><h2>Who earned it</h2>',
      'dist/widget/user-badges-leaderboard.js': 'customElements.define("user-badges-leaderboard", class extends HTMLElement {})',
      'demo/docs.html': '<!doctype html><title>API</title><script type="module" src="/demo/docs.js"></script>',
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

  test('/docs is the API reference page and /favicon.ico the icon', async () => {
    const docs = await h.request('GET', '/docs');
    assert.equal(docs.status, 200);
    assert.match(docs.headers.get('content-type')!, /^text\/html/);
    assert.match(docs.text, /\/demo\/docs\.js/);
    const icon = await h.request('GET', '/favicon.ico');
    assert.equal(icon.status, 200);
    assert.match(icon.headers.get('content-type')!, /^image\/svg\+xml/);
  });

  test("the demo's badge links lead to its badge page; the leaderboard element's script is served", async () => {
    for (const path of ['/badges/donated', `/badges/${encodeURIComponent('Zoë')}`]) {
      const page = await h.request('GET', path);
      assert.equal(page.status, 200, path);
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(page.text, /Who earned it/);
      assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    }
    assert.equal((await h.request('GET', '/badges/donated/more')).status, 404);
    assert.equal((await h.request('GET', '/badges/')).status, 404);
    const script = await h.request('GET', '/user-badges-leaderboard.js');
    assert.equal(script.status, 200);
    assert.match(script.text, /user-badges-leaderboard/);
  });

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
    const served = Object.values(routeGroups()).flatMap((group) =>
      mount(group, deps).stack.flatMap((layer: Router.Layer) => layer.methods.filter((m) => m !== 'HEAD').map((m) => `${m} ${layer.path.replace(/:(\w+)/g, '{$1}')}`)),
    );
    const documented = Object.entries(json.paths).flatMap(([path, item]) => Object.keys(item as object).map((m) => `${m.toUpperCase()} ${path}`));
    assert.deepEqual(documented.sort(), served.sort());
  });
  /** A GET that sees the bytes as sent (fetch would decompress them). */
  const raw = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
    new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
      const req = httpRequest(h.base + path, { method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.end();
    });

  test('text is sent brotli-compressed when accepted, else gzip, else as it is', async () => {
    const br = await raw('/themes/big.css', { 'accept-encoding': 'gzip, deflate, br, zstd' });
    assert.equal(br.status, 200);
    assert.equal(br.headers['content-encoding'], 'br', 'brotli preferred even when listed after gzip');
    assert.equal(brotliDecompressSync(br.body).toString(), THEME);
    assert.ok(br.body.length < THEME.length / 4, `${br.body.length} of ${THEME.length} bytes`);
    assert.equal(Number(br.headers['content-length']), br.body.length);
    assert.match(String(br.headers.vary), /accept-encoding/i);
    const gz = await raw('/themes/big.css', { 'accept-encoding': 'gzip' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(gz.body).toString(), THEME);
    for (const ae of [undefined, 'identity', 'br;q=0, gzip;q=0']) {
      const plain = await raw('/themes/big.css', ae ? { 'accept-encoding': ae } : {});
      assert.equal(plain.headers['content-encoding'], undefined, String(ae));
      assert.equal(plain.body.toString(), THEME);
    }
    // Each representation has its own validator, and revalidates to a 304.
    assert.notEqual(br.headers.etag, gz.headers.etag);
    const again = await raw('/themes/big.css', { 'accept-encoding': 'br', 'if-none-match': String(br.headers.etag) });
    assert.equal(again.status, 304);
    const head = await raw('/themes/big.css', { 'accept-encoding': 'br' }, 'HEAD');
    assert.equal(head.headers['content-length'], br.headers['content-length']);
    assert.equal(head.body.length, 0);
    // Images other than SVG are not compressed.
    assert.equal((await raw('/demo/pixel.png', { 'accept-encoding': 'br' })).headers['content-encoding'], undefined);
    assert.equal((await raw('/demo/favicon.svg', { 'accept-encoding': 'br' })).headers['content-encoding'], 'br');
  });

  test('preferredEncoding reads q-values and wildcards', () => {
    assert.equal(preferredEncoding('gzip, deflate, br'), 'br');
    assert.equal(preferredEncoding('br;q=0, gzip'), 'gzip');
    assert.equal(preferredEncoding('*'), 'br');
    assert.equal(preferredEncoding('*;q=0, identity'), 'identity');
    assert.equal(preferredEncoding(''), 'identity');
  });

  test("the build's precompressed file is sent when it is at least as new, else the server compresses", async () => {
    const file = join(root, 'dist/widget/user-badges.js');
    // A .br whose content differs from what compressing the file gives: seeing it proves it was used.
    await writeFile(file + '.br', brotliCompressSync('console.log("precompressed")'));
    const fresh = await raw('/user-badges.js', { 'accept-encoding': 'br' });
    assert.equal(brotliDecompressSync(fresh.body).toString(), 'console.log("precompressed")');
    // The script changes after the build wrote the .br: the stale copy is not sent.
    await writeFile(file, 'console.log("widget, rebuilt")');
    await utimes(file + '.br', new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    const stale = await raw('/user-badges.js', { 'accept-encoding': 'br' });
    assert.equal(brotliDecompressSync(stale.body).toString(), 'console.log("widget, rebuilt")');
    await rm(file + '.br');
    await writeFile(file, 'console.log("widget")');
  });

  test('a file that changes is sent anew, not from memory', async () => {
    const file = join(root, 'themes/dark.css');
    const first = await h.request('GET', '/themes/dark.css');
    await writeFile(file, '.userbadge{color:red}');
    const second = await h.request('GET', '/themes/dark.css');
    assert.equal(second.text, '.userbadge{color:red}');
    assert.notEqual(second.headers.get('etag'), first.headers.get('etag'));
    await writeFile(file, '.userbadge{}');
  });

  test('a URL versioned with the content (?v=) is cached for a year; any other briefly', async () => {
    const version = contentVersion(Buffer.from(THEME));
    const plain = await h.request('GET', '/themes/big.css');
    assert.equal(plain.headers.get('cache-control'), 'public, max-age=60, must-revalidate');
    assert.equal((await raw('/themes/big.css')).headers.etag, `"${version}"`, 'the ETag is the version');
    const versioned = await h.request('GET', `/themes/big.css?v=${version}`);
    assert.equal(versioned.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(versioned.text, THEME);
    // An old version still gets the current file, but only briefly: it is not what it asked for.
    const old = await h.request('GET', '/themes/big.css?v=0123456789ab');
    assert.equal(old.headers.get('cache-control'), 'public, max-age=60, must-revalidate');
    assert.equal(old.text, THEME);
  });

  test('the script answers its source map, under both of its names', async () => {
    for (const path of ['/user-badges.js.map', '/userbadges.js.map', '/widget/user-badges.js.map']) {
      const r = await h.request('GET', path);
      assert.equal(r.status, 200, path);
      assert.match(r.headers.get('content-type')!, /application\/json/);
      assert.equal(r.json.version, 3);
    }
    assert.equal((await h.request('GET', '/themes/dark.css.map')).status, 404);
  });
});

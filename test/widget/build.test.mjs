// Checks of the widget's build outputs (node:test; run after `npm run build:widget`).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync } from 'node:zlib';

const read = (path) => readFileSync(new URL('../../' + path, import.meta.url), 'utf8');
const classic = read('dist/widget/user-badges.js');
const esm = read('dist/widget/user-badges.esm.js');

test('the classic script is one script: no import but its chunks\', no eval', () => {
  assert.ok(classic.startsWith('(function'), 'an IIFE');
  assert.doesNotMatch(classic, /(^|[;}])\s*(import|export)[\s{*]/m);
  assert.doesNotMatch(classic, /\beval\(|new Function\(/);
  // One dynamic import: of its own chunks, `<folder>/chunks/<name>.js?v=<their content version>`.
  const imports = classic.match(/import\(.{0,80}/g) ?? [];
  assert.equal(imports.length, 1, imports.join('\n'));
  assert.match(imports[0], /^import\(`\$\{.+\}chunks\/\$\{\w+\}\.js\?v=[0-9a-f]{12}`\)/);
  assert.doesNotMatch(classic, /Lit is in dev mode/, 'production Lit');
});

const chunkFiles = readdirSync(new URL('../../dist/widget/chunks/', import.meta.url), { recursive: true }).filter((f) => f.endsWith('.js'));

test('the chunks: one per module under widget/chunks/, each importing nothing, all in the ES module build too', () => {
  const sources = readdirSync(new URL('../../widget/chunks/', import.meta.url), { recursive: true }).filter((f) => f.endsWith('.ts'));
  assert.deepEqual(chunkFiles.map((f) => f.replace(/\.js$/, '')).sort(), sources.map((f) => f.replace(/\.ts$/, '')).sort());
  for (const f of chunkFiles) {
    const code = read('dist/widget/chunks/' + f);
    assert.doesNotMatch(code, /(^|[;}])\s*import[\s{*(]|\bimport\(/m, f + ' imports nothing');
    assert.match(code, /export\s*\{\s*\w+ as default\s*\}/, f + ' has a default export');
    assert.doesNotMatch(code, /\beval\(|new Function\(/, f);
  }
  // The ES module build names the same chunks (widget/chunk-list.ts), so that bundlers split them too.
  const list = read('widget/chunk-list.ts');
  for (const f of chunkFiles) assert.match(list, new RegExp(`['\\s]${f.replace(/\.js$/, '')}'?: \\(\\) => import\\('\\./chunks/${f}'\\)`), f + ' in chunk-list.ts');
});

test('the chunks\' version in the script is their content\'s, and each chunk has its brotli and gzip copies', () => {
  const hash = createHash('sha256');
  for (const f of [...chunkFiles].sort()) hash.update(f.replace(/\.js$/, '')).update(readFileSync(new URL('../../dist/widget/chunks/' + f, import.meta.url)));
  assert.match(classic, new RegExp(`\\?v=${hash.digest('hex').slice(0, 12)}`));
  for (const f of chunkFiles) {
    const file = new URL('../../dist/widget/chunks/' + f, import.meta.url);
    assert.deepEqual(brotliDecompressSync(readFileSync(new URL(file.href + '.br'))), readFileSync(file), f + '.br');
  }
});

test('the script-tag bundle, Lit included, is at most 8 KB brotli', () => {
  const size = brotliCompressSync(Buffer.from(classic), { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  assert.ok(size <= 8 * 1024, `${size} bytes brotli`);
});

test('the build writes brotli and gzip copies of both scripts, for the server to send as they are', () => {
  for (const file of ['dist/widget/user-badges.js', 'dist/widget/user-badges.esm.js']) {
    const content = readFileSync(new URL('../../' + file, import.meta.url));
    assert.deepEqual(brotliDecompressSync(readFileSync(new URL('../../' + file + '.br', import.meta.url))), content, file + '.br');
    assert.deepEqual(gunzipSync(readFileSync(new URL('../../' + file + '.gz', import.meta.url))), content, file + '.gz');
  }
});

test("the bundle links each built-in theme with its content version, as the server computes it", () => {
  const themes = readdirSync(new URL('../../themes/', import.meta.url)).filter((f) => f.endsWith('.css') && f !== 'base.css');
  assert.equal(themes.length, 6);
  for (const f of themes) {
    const version = createHash('sha256').update(readFileSync(new URL('../../themes/' + f, import.meta.url))).digest('hex').slice(0, 12);
    for (const bundle of [classic, esm]) assert.match(bundle, new RegExp(`${f.slice(0, -4)}\\W{1,6}${version}`), f);
  }
});

test('the ES module leaves Lit to the bundler', () => {
  assert.match(esm, /from "lit\/html\.js"/);
  assert.doesNotMatch(esm, /class \w+ extends ReactiveElement|function render\(value, container/);
});

test('type declarations and the custom-elements manifest describe the element', () => {
  const dts = read('dist/widget/index.d.ts');
  assert.match(dts, /UserBadgesElement/);
  assert.match(read('dist/widget/user-badges.d.ts'), /renderBadge/);
  assert.match(read('dist/widget/events.d.ts'), /'user-badges-load': UserBadgesLoadEvent/);
  const manifest = JSON.parse(read('dist/custom-elements.json'));
  const el = manifest.modules.flatMap((m) => m.declarations ?? []).find((d) => d.tagName === 'user-badges');
  assert.ok(el, 'user-badges declared');
  assert.deepEqual(el.attributes.map((a) => a.name).sort(), ['empty', 'group', 'lang', 'layout', 'max', 'server', 'service', 'show', 'sort', 'state', 'tags', 'theme', 'user', 'variant']);
  assert.deepEqual(el.events.map((e) => e.name).sort(), ['user-badges-error', 'user-badges-load']);
  for (const part of ['list', 'item', 'badge', 'badge-earned', 'badge-in_progress', 'badge-unearned', 'image', 'link', 'name', 'progress', 'count', 'details', 'status', 'skeleton', 'more', 'popover', 'summary', 'tally', 'grid', 'card', 'art', 'title', 'tier', 'description', 'date', 'group', 'group-title']) {
    assert.ok(el.cssParts.some((p) => p.name === part), 'part ' + part);
  }
  assert.ok(el.cssProperties.length >= 10);
  for (const p of ['--user-badges-image-size', '--user-badges-wrap', '--user-badges-card-width']) assert.ok(el.cssProperties.some((c) => c.name === p), p);
  const defined = manifest.modules.flatMap((m) => m.exports ?? []).some((e) => e.kind === 'custom-element-definition' || e.name === 'defineUserBadges');
  assert.ok(defined);
});

test('every theme exists and styles both the element and the old markup', () => {
  // The rules all themes share are in base.css; each theme imports it first and sets its tokens.
  const base = read('themes/base.css');
  assert.match(base, /\.userbadges \{/, 'base');
  assert.match(base, /\.userbadge \{/, 'base');
  for (const theme of ['auto', 'light', 'dark', 'stackoverflow', 'github', 'minimal']) {
    const css = read(`themes/${theme}.css`);
    assert.match(css.replace(/\/\*[\s\S]*?\*\//g, '').trimStart(), /^@import url\("base\.css"\);/, theme);
    assert.match(css, /:host,\s*\.userbadges \{/, theme);
  }
  // auto and github follow the page's colour scheme (light-dark()), not the system's alone.
  for (const theme of ['auto', 'github']) {
    const css = read(`themes/${theme}.css`);
    assert.match(css, /light-dark\(/, theme);
    assert.doesNotMatch(css, /prefers-color-scheme/, theme);
  }
});

test('importing the ES module on a server (no DOM) does not crash', async () => {
  const m = await import('../../dist/widget/user-badges.esm.js');
  assert.equal(typeof m.UserBadgesElement, 'function');
  m.defineUserBadges(); // no customElements here: does nothing
});

test("the loader's limits are the API's (types/constants.ts LIMITS, written out to keep the object out of the bundle)", () => {
  const api = read('types/constants.ts');
  const loader = read('widget/loader.ts');
  const limit = (name) => Number(new RegExp(`${name}:\\s*(\\d+)`).exec(api)[1]);
  assert.equal(Number(/NAME_LENGTH = (\d+)/.exec(loader)[1]), limit('nameLength'));
  assert.equal(Number(/NAMES_PER_REQUEST = (\d+)/.exec(loader)[1]), limit('namesPerRequest'));
});

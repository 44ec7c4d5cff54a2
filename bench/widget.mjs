#!/usr/bin/env node
/**
 * Widget benchmark: bundle sizes (raw, gzip, brotli) beside jQuery's minified file, each chunk the
 * classic script loads when a page first needs it, the number of users.json requests the demo page
 * with 200 <user-badges> makes against the real display server in headless Chromium, and the
 * cumulative layout shift of the cross-origin demo's forum thread with 50 elements there.
 *
 *   node bench/widget.mjs          a table on stdout
 *   node bench/widget.mjs --json   one JSON object on stdout (progress goes to stderr)
 *
 * Needs `npm run build:widget` first. jQuery 3.7.1 is fetched with `npm pack` from the npm registry
 * (cached in the system temp folder); without it, its known raw size is printed, labelled as such.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const json = process.argv.includes('--json');
const root = fileURLToPath(new URL('..', import.meta.url));
const log = (...a) => console.error(...a);
const BUDGET_BROTLI = 8 * 1024;
const JQUERY = { version: '3.7.1', minifiedRaw: 87_533 };
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

function sizes(buf) {
  return {
    raw: buf.length,
    gzip: gzipSync(buf, { level: 9 }).length,
    brotli: brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

/** Each chunk of the classic script (dist/widget/chunks/), by name. */
function chunkSizes() {
  const dir = join(root, 'dist/widget/chunks');
  return Object.fromEntries(
    readdirSync(dir, { recursive: true })
      .filter((f) => f.endsWith('.js'))
      .sort()
      .map((f) => [f.slice(0, -3), sizes(readFileSync(join(dir, f)))]),
  );
}

function bundleSizes() {
  const out = {};
  for (const [name, file] of [
    ['classic', 'dist/widget/user-badges.js'],
    ['esm', 'dist/widget/user-badges.esm.js'],
  ]) {
    const path = join(root, file);
    if (!existsSync(path)) throw new Error(`${file} is missing: run npm run build:widget first`);
    out[name] = { file, ...sizes(readFileSync(path)) };
  }
  return out;
}

function jquerySizes() {
  const dir = join(tmpdir(), 'user-badges-bench-jquery-' + JQUERY.version);
  const file = join(dir, 'package', 'dist', 'jquery.min.js');
  try {
    if (!existsSync(file)) {
      mkdirSync(dir, { recursive: true });
      log(`fetching jquery@${JQUERY.version} with npm pack...`);
      const tgz = execFileSync('npm', ['pack', `jquery@${JQUERY.version}`, '--silent', '--pack-destination', dir], {
        cwd: dir,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        timeout: 60_000,
      }).trim().split('\n').pop();
      execFileSync('tar', ['-xzf', join(dir, tgz), '-C', dir, 'package/dist/jquery.min.js']);
    }
    return { version: JQUERY.version, measured: true, ...sizes(readFileSync(file)) };
  } catch (e) {
    log(`jquery@${JQUERY.version} not available (${e.message.split('\n')[0]}): using its known raw size`);
    return { version: JQUERY.version, measured: false, raw: JQUERY.minifiedRaw, gzip: null, brotli: null };
  }
}

/** Opens /demo/many.html on an in-process display server and counts users.json requests. */
async function manyElements() {
  const { register } = await import('tsx/esm/api');
  register();
  const { createApp } = await import('../server/app/create-app.ts');
  const { openStore } = await import('../server/app/open-store.ts');
  const store = await openStore({ seed: true });
  const handle = createApp({ store, config: { publicRoot: root, log: () => {} } }).callback();
  const seen = [];
  const server = createServer((req, res) => {
    if (req.url.includes('/users.json')) seen.push(req.url);
    handle(req, res);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${server.address().port}`;
  const puppeteer = (await import('puppeteer-core')).default;
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const page = await browser.newPage();
    const started = Date.now();
    await page.goto(base + '/demo/many.html');
    await page.waitForSelector('#stats[data-done="true"]', { timeout: 30_000 });
    const ms = Date.now() - started;
    const page_ = await page.evaluate(() => {
      const els = [...document.querySelectorAll('user-badges')];
      return {
        elements: els.length,
        distinctUsers: new Set(els.map((e) => e.getAttribute('user'))).size,
        drawn: els.filter((e) => !['idle', 'loading'].includes(e.getAttribute('state'))).length,
      };
    });
    return {
      page: '/demo/many.html',
      ...page_,
      requests: seen.length,
      namesPerRequest: seen.map((u) => decodeURIComponent(/names=([^&]*)/.exec(u)[1]).split(',').length),
      allDrawnMs: ms,
    };
  } finally {
    await browser.close();
    server.close();
  }
}

/**
 * The forum thread of the cross-origin demo (demo/community) with 50 elements (45 posts and a topic
 * map of 5), at 1280 and 375 px: its cumulative layout shift, all elements drawn.
 */
async function forumLayoutShift() {
  const { register } = await import('tsx/esm/api');
  register();
  const lib = await import('../server/index.ts');
  const { startCommunity } = await import('../demo/community/serve.mjs');
  const community = await startCommunity(lib);
  const puppeteer = (await import('puppeteer-core')).default;
  const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'] });
  try {
    const out = {};
    for (const [width, height, reserved] of [
      [1280, 900, true],
      [375, 800, true],
      [1280, 900, false],
      [375, 800, false],
    ]) {
      const page = await browser.newPage();
      await page.setViewport({ width, height });
      // Without the theme linked in the page (the element still links it): nothing reserves the room.
      if (!reserved) {
        await page.setRequestInterception(true);
        page.on('request', (r) => (/\/themes\/auto\.css$/.test(r.url()) ? r.abort() : r.continue()));
      }
      await page.evaluateOnNewDocument(() => {
        window.__cls = 0;
        new PerformanceObserver((l) => l.getEntries().forEach((e) => !e.hadRecentInput && (window.__cls += e.value))).observe({ type: 'layout-shift', buffered: true });
      });
      await page.goto(community.forum + '/forum?posts=45');
      await page.waitForFunction(() => [...document.querySelectorAll('user-badges')].every((e) => !['idle', 'loading', null].includes(e.getAttribute('state'))), { timeout: 30_000 });
      await new Promise((r) => setTimeout(r, 800));
      out[`${width} px${reserved ? '' : ', without the theme in the page'}`] = await page.evaluate(() => ({ elements: document.querySelectorAll('user-badges').length, cls: window.__cls }));
      await page.close();
    }
    return out;
  } finally {
    await browser.close();
    community.close();
  }
}

const kb = (n) => (n == null ? '—' : (n / 1024).toFixed(1) + ' KB');
const bundles = bundleSizes();
const chunks = chunkSizes();
const jquery = jquerySizes();
let many;
try {
  many = await manyElements();
} catch (e) {
  log('request count not measured: ' + e.message);
  many = { error: e.message };
}
let shift;
try {
  shift = await forumLayoutShift();
} catch (e) {
  log('layout shift not measured: ' + e.message);
  shift = { error: e.message };
}
const result = {
  bundles,
  chunks,
  forumLayoutShift: shift,
  budget: { brotli: BUDGET_BROTLI, within: bundles.classic.brotli <= BUDGET_BROTLI },
  jquery,
  manyElements: many,
};

if (json) {
  process.stdout.write(JSON.stringify(result) + '\n');
} else {
  const row = (label, s, note = '') => console.log(`${label.padEnd(36)} ${kb(s.raw).padStart(9)} ${kb(s.gzip).padStart(9)} ${kb(s.brotli).padStart(9)}  ${note}`);
  console.log(`${'file'.padEnd(36)} ${'raw'.padStart(9)} ${'gzip'.padStart(9)} ${'brotli'.padStart(9)}`);
  row('user-badges.js (script tag, Lit in)', bundles.classic, result.budget.within ? `within the ${kb(BUDGET_BROTLI)} brotli budget` : 'OVER BUDGET');
  for (const [name, s] of Object.entries(chunks)) row(`  chunks/${name}.js`, s, 'when first needed');
  row('user-badges.esm.js (Lit external)', bundles.esm);
  row(`jquery ${jquery.version} min`, jquery, jquery.measured ? '(npm pack, measured)' : '(known raw size, not measured)');
  console.log('');
  if (shift.error) console.log('forum layout shift: not measured: ' + shift.error);
  else
    for (const [how, m] of Object.entries(shift))
      console.log(`forum thread of another origin, ${m.elements} elements, ${how}: cumulative layout shift ${m.cls.toFixed(4)}${how.includes('without') ? '' : ' (budget 0.005)'}`);
  if (many.error) console.log('\n200 elements: not measured: ' + many.error);
  else
    console.log(
      `\n${many.page}: ${many.elements} elements, ${many.distinctUsers} distinct users -> ${many.requests} users.json requests ` +
        `(${many.namesPerRequest.join(' + ')} names), all drawn in ${many.allDrawnMs} ms`,
    );
}

/**
 * Widget tests: @web/test-runner in the system Chromium, against the real display server.
 *
 * The config starts the server in-process (in-memory store, demo service seeded, files served from
 * this checkout, so /user-badges.js is the built bundle) on 127.0.0.1, a different origin from the
 * test pages (served by the dev server on localhost), so CORS, batching and errors cross a real
 * origin. It records every request the server receives; tests read that log to count requests.
 *
 * Test-only routes on the dev server (plugin below):
 *   /__ub/env.js          `export const server`: the display server's origin
 *   /__ub/log             the URLs the display server received, in order (JSON)
 *   /__ub/csp.html?theme= a page under a strict Content-Security-Policy that embeds the widget
 *                         (a row, max="3", a summary, a German grid of every state) and the old markup
 *   /__ub/theme.css?delay=ms&color=  a custom theme that answers late, for the no-FOUC test
 *   /__ub/theme.css?delay=ms&import=URL  the theme at URL, answering late (a theme seen before it loads)
 *   /__ub/page.html?body=&css=&meta=  a page of its own (the classic script from the display server,
 *                         `body` as its body, `css` as its stylesheet, `meta` as its color-scheme meta)
 *   /__ub/slow/<ms>/...   the display server's answer to `...`, <ms> late (status and body kept)
 *   /__ub/learning/v1/:service/users.json  a mock display server answering `states=all` and `tags=`
 *                         from demo/learning-seed.json (test/widget/fixtures/learning-server.mjs),
 *                         until the real server knows the richer badges of issue 10; it serves
 *                         /__ub/learning/themes/<name>.css too, from this checkout, and a service
 *                         `hostile` whose new fields carry markup and bad URLs
 *   /__ub/learning-log    the URLs the mock received, in order (JSON); the mock also serves the
 *                         service `community` (demo/community/seed.json, with its `featured`)
 *   /__ub/forum.html?posts=&lang=&scheme=&theme=   the forum thread of the cross-origin demo
 *                         (demo/community/site.mjs), its badges from the display server's `test`
 *                         service (the community's badges and members are put there), under the
 *                         demo's Content-Security-Policy; /__ub/profile.html?user=&lang=&scheme=&theme=
 *                         a member's profile; /community.css, /community.js the demo site's files
 * and the command `ax-tree` (the page's full accessibility tree).
 *
 * `npm run build:widget` must have run: the classic bundle is tested as shipped.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { chromeLauncher } from '@web/test-runner-chrome';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { register } from 'tsx/esm/api';
import { findChromium, missingMessage } from './scripts/find-chromium.mjs';
import { answerUsers } from './test/widget/fixtures/learning-server.mjs';
import { forumPage, policy, profilePage } from './demo/community/site.mjs';

register();
/** A badge name of 100 characters, the most the API accepts (user `longname` holds it). */
const LONG_NAME = 'Contributed to every single release of the project during its first ten years of its own development';
const root = fileURLToPath(new URL('.', import.meta.url));
if (!existsSync(root + 'dist/widget/user-badges.js')) throw new Error('Run `npm run build:widget` before the widget tests');
// `npm run test:widget` has run `scripts/find-chromium.mjs --install` first, which installs it where it can.
const chromium = findChromium();
if (!chromium) throw new Error(missingMessage());

const { createApp } = await import('./server/app/create-app.ts');
const { openStore } = await import('./server/app/open-store.ts');

const store = await openStore({ seed: true });
const app = createApp({ store, config: { publicRoot: root, openTestService: true, log: () => {} } });
const handle = app.callback();
/** @type {string[]} */
const log = [];
const httpServer = createServer((req, res) => {
  log.push(req.method + ' ' + req.url);
  handle(req, res);
});
await new Promise((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
const server = `http://127.0.0.1:${httpServer.address().port}`;

const communitySeed = JSON.parse(readFileSync(new URL('./demo/community/seed.json', import.meta.url), 'utf8'));
await fixtures(server);
log.length = 0;

/** Badges and users of the open `test` service that the tests read. */
async function fixtures(base) {
  const put = async (path, body) => {
    const res = await fetch(base + '/v1/test/' + path, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`fixture ${path}: ${res.status} ${await res.text()}`);
  };
  await put('badges.json', {
    badges: [
      { name: 'donated', description: 'Donated at least $5', link: '/badges/donated', type: 'gold', tier: 3, perks: ['hat'] },
      { name: 'popular', description: 'Post has at least 100 views', link: '/badges/popular', type: 'silver' },
      { name: 'test1' },
      { name: 'helper', description: 'Answered 10 questions & more', type: 'bronze' },
      { name: '<img src=x onerror=alert(1)>', description: '<script>alert(2)</script>', link: 'javascript:alert(3)' },
      { name: 'escaper', description: '"quoted" <b>bold</b>', link: '/badges/esc?a=1&b=2' },
      { name: LONG_NAME, description: 'A badge with the longest name the API accepts', link: '/badges/long', type: 'gold' },
      { name: 'pictured', description: 'A badge with its own image', image: base + '/demo/favicon.svg', type: 'silver' },
    ],
  });
  const award = (user, badges) => put(`users/${encodeURIComponent(user)}.json`, { badges });
  await award('daniel', ['donated', 'popular', 'test1']);
  await award('daniel', ['donated']);
  await award('bob', ['popular', 'helper']);
  await award('mallory', ['<img src=x onerror=alert(1)>', 'escaper']);
  await award('mallory', ['<img src=x onerror=alert(1)>']);
  await award('longname', [LONG_NAME, 'popular', 'helper']);
  await award('imaged', ['pictured', 'helper', 'test1']);
  for (let i = 0; i < 250; i++) await award(`many-${String(i).padStart(3, '0')}`, [i % 2 ? 'popular' : 'donated']);
  // The community of the cross-origin demo: its badges (images on this server) and members.
  await put('badges.json', { badges: communitySeed.badges.map(({ image, ...b }) => (image ? { ...b, image: base + image } : b)) });
  for (const { user, badges } of communitySeed.awards) await award(user, badges);
  for (const [user, progress] of Object.entries(communitySeed.progress)) await put(`users/${user}/progress.json`, { progress });
  // A user that exists but holds no badge: awarded, then revoked.
  await award('emptyhanded', ['test1']);
  const res = await fetch(base + '/v1/test/users/emptyhanded.json', {
    method: 'DELETE',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ badges: ['test1'] }),
  });
  if (!res.ok) throw new Error('fixture emptyhanded: ' + res.status);
}

const learningSeed = JSON.parse(readFileSync(new URL('./demo/learning-seed.json', import.meta.url), 'utf8'));
/** The same mock's service `hostile`: fields of the richer badges carrying markup and bad URLs. */
const hostileSeed = {
  service: 'hostile',
  badges: [
    {
      name: 'trap',
      title: '<img src=x onerror="window.pwned=1">Trap',
      image: 'javascript:alert(1)',
      goal: 4,
      badge_states: [
        { state: 'in_progress', description: '<b onclick="window.pwned=2">half</b>', image_url: 'javascript:alert(2)' },
        'not an object',
        null,
      ],
    },
    { name: 'odd', badge_states: 'not a list', goal: 0 },
  ],
  awards: [{ user: 'eve', badges: ['odd'], at: '2026-10-01T12:00:00Z' }],
  progress: { eve: { trap: 2 } },
};
/** @type {string[]} */
const learningLog = [];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** @type {import('@web/test-runner').TestRunnerConfig} */
export default {
  files: ['test/widget/**/*.test.ts'],
  // Lit's production build, as shipped (the development one prints "Lit is in dev mode" into every run).
  nodeResolve: { exportConditions: ['production'] },
  concurrency: 1,
  testsFinishTimeout: 180_000,
  testFramework: { config: { timeout: 15_000 } },
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: chromium,
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      },
    }),
  ],
  middleware: [
    async function slowServer(ctx, next) {
      const m = /^\/__ub\/slow\/(\d+)(\/.*)$/.exec(ctx.url);
      if (!m) return next();
      await sleep(Number(m[1]));
      const res = await fetch(server + m[2]);
      ctx.status = res.status;
      ctx.type = res.headers.get('content-type') || 'application/json';
      ctx.body = await res.text();
    },
  ],
  plugins: [
    {
      // executeServerCommand('ax-tree'): the full accessibility tree (puppeteer's default prunes lists).
      name: 'ax-tree',
      async executeCommand({ command, session }) {
        if (command !== 'ax-tree') return undefined;
        return session.browser.getPage(session.id).accessibility.snapshot({ interestingOnly: false });
      },
    },
    esbuildPlugin({ ts: true, target: 'es2022', tsconfig: fileURLToPath(new URL('./tsconfig.widget.json', import.meta.url)) }),
    {
      name: 'user-badges-test-routes',
      async serve(context) {
        const url = new URL(context.request.url, 'http://x');
        if (url.pathname === '/__ub/env.js') return { body: `export const server = ${JSON.stringify(server)};`, type: 'js' };
        if (url.pathname === '/__ub/log') return { body: JSON.stringify(log), type: 'json' };
        if (url.pathname === '/__ub/learning-log') return { body: JSON.stringify(learningLog), type: 'json' };
        const theme = /^\/__ub\/learning\/themes\/([\w-]+\.css)$/.exec(url.pathname);
        if (theme) return { body: readFileSync(new URL('./themes/' + theme[1], import.meta.url), 'utf8'), type: 'css' };
        if (url.pathname.startsWith('/__ub/learning/')) {
          learningLog.push(url.pathname.slice('/__ub/learning'.length) + url.search);
          const seed = url.pathname.includes('/v1/hostile/') ? hostileSeed : url.pathname.includes('/v1/community/') ? communitySeed : learningSeed;
          const { status, body } = answerUsers(url, seed);
          context.response.status = status;
          // Never from the browser's cache: every test file is a page of the same browser, and the tests
          // count requests. (The test runner marks every path with an extension cacheable for a year,
          // overriding Cache-Control; a response that varies on everything is reused by no cache.)
          return { body: JSON.stringify(body), type: 'json', headers: { vary: '*' } };
        }
        const site = /^\/(community\.(css|js))$/.exec(url.pathname);
        if (site) return { body: readFileSync(new URL('./demo/community/' + site[1], import.meta.url), 'utf8'), type: site[2] };
        if (url.pathname === '/__ub/forum.html' || url.pathname === '/__ub/profile.html') {
          const q = (k) => url.searchParams.get(k) || undefined;
          const o = { badges: server, service: 'test', lang: q('lang'), scheme: q('scheme'), theme: q('theme'), posts: Number(q('posts') || 0) };
          context.response.set('Content-Security-Policy', policy(server));
          return { type: 'html', body: url.pathname.includes('forum') ? forumPage(o) : profilePage(o, q('user') || 'kenji') };
        }
        if (url.pathname === '/__ub/theme.css') {
          await sleep(Number(url.searchParams.get('delay') || 0));
          const imported = url.searchParams.get('import');
          if (imported) return { body: `@import url(${JSON.stringify(imported)});`, type: 'css' };
          const color = url.searchParams.get('color') || 'rgb(1, 2, 3)';
          return { body: `.userbadge { color: ${color}; }`, type: 'css' };
        }
        if (url.pathname === '/__ub/page.html') {
          const q = (k) => url.searchParams.get(k) || '';
          return {
            type: 'html',
            body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
${q('meta') ? `<meta name="color-scheme" content="${q('meta')}">` : ''}<title>page</title><style>${q('css')}</style>
<script src="${server}/user-badges.js" defer></script></head><body>${q('body')}</body></html>`,
          };
        }
        if (url.pathname === '/__ub/csp.html') {
          const theme = url.searchParams.get('theme') || 'auto';
          // No inline script or style is allowed, only files from this origin and the badge server.
          context.response.set(
            'Content-Security-Policy',
            `default-src 'none'; script-src 'self' ${server}; style-src 'self' ${server}; connect-src ${server}; img-src 'self' ${server}`,
          );
          return {
            type: 'html',
            body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>CSP</title>
<script src="/test/widget/fixtures/csp-probe.js"></script>
<link rel="stylesheet" href="${server}/themes/${theme}.css">
<script src="${server}/user-badges.js" defer></script></head>
<body><user-badges service="test" user="daniel" theme="${theme}">daniel's badges</user-badges>
<span class="userbadges" data-service="test" data-user="daniel" data-sort="name"></span>
<p><user-badges service="test" user="mira" max="3" theme="${theme}"></user-badges> <user-badges service="test" user="mira" variant="summary" theme="${theme}"></user-badges></p>
<user-badges service="test" user="kenji" layout="grid" show="all" group="tags" lang="de" theme="${theme}"></user-badges></body></html>`,
          };
        }
      },
    },
  ],
};

process.on('exit', () => httpServer.close());

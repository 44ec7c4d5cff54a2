#!/usr/bin/env node
/**
 * The cross-origin demo: a display server and, on another origin, the forum "Crumb & Crust" that
 * embeds its widget, as a site of its own would.
 *
 *   npm run build && npm run demo:community
 *   (PORT=3000 SITE_PORT=3001 to choose the ports; 0 picks free ones)
 *
 * - the display server on http://127.0.0.1:<PORT>: the package's own server (`user-badges/server`,
 *   in memory), with the demo services and the forum's service `community` (seed.json, awarded at
 *   their dates, images made absolute URLs on the display server);
 * - the forum on http://localhost:<SITE_PORT> (a different host, so another origin): /forum (the
 *   thread) and /profile/<member> (a profile), each in English or Arabic (`?lang=ar`, right to left)
 *   and light, dark or the system's (`?scheme=`), under a strict Content-Security-Policy that allows
 *   the display server and nothing else.
 *
 * `startCommunity` does the same for bench/widget.mjs, which measures the layout shift there.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { forumPage, policy, profilePage } from './site.mjs';

const here = (f) => fileURLToPath(new URL(f, import.meta.url));

/**
 * Starts both servers with the display server's library (`{ createApp, openStore, Domain }`, as
 * `user-badges/server` exports them) and returns their origins and a `close()`.
 */
export async function startCommunity({ createApp, openStore, Domain }, { port = 0, sitePort = 0, log = () => {} } = {}) {
  const seed = JSON.parse(readFileSync(here('./seed.json'), 'utf8'));
  const store = await openStore({ seed: true });
  const app = createApp({ store, config: { publicRoot: here('../../'), log } });
  const display = createServer(app.callback());
  await new Promise((r) => display.listen(port, '127.0.0.1', r));
  const badges = `http://127.0.0.1:${display.address().port}`;
  const domain = new Domain(store);
  await domain.createService(seed.service, 'community-demo-' + crypto.randomUUID());
  await domain.putBadges(
    seed.service,
    seed.badges.map(({ name, image, ...fields }) => ({ name, fields: image ? { ...fields, image: badges + image } : fields })),
  );
  for (const { user, badges: names, at } of seed.awards) await domain.award(seed.service, user, names, new Date(at));
  for (const [user, made] of Object.entries(seed.progress)) await domain.setProgress(seed.service, user, made);

  const FILES = { '/community.css': 'text/css', '/community.js': 'text/javascript' };
  const site = createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const send = (status, type, body, headers = {}) => {
      res.writeHead(status, { 'content-type': type + '; charset=utf-8', 'x-content-type-options': 'nosniff', ...headers });
      res.end(body);
    };
    if (FILES[url.pathname]) return send(200, FILES[url.pathname], readFileSync(here('.' + url.pathname)));
    if (url.pathname == '/favicon.svg') return send(200, 'image/svg+xml', readFileSync(here('../favicon.svg')));
    const q = (k) => url.searchParams.get(k) || undefined;
    const o = { badges, lang: q('lang') == 'ar' ? 'ar' : 'en', scheme: q('scheme') || 'auto', theme: q('theme') || 'auto', posts: Number(q('posts') || 0) };
    const html = { 'content-security-policy': policy(badges) };
    if (url.pathname == '/' || url.pathname == '/forum') return send(200, 'text/html', forumPage(o), html);
    const m = /^\/profile\/([\w-]+)$/.exec(url.pathname);
    if (m) return send(200, 'text/html', profilePage(o, m[1]), html);
    send(404, 'text/plain', 'Not found');
  });
  await new Promise((r) => site.listen(sitePort, 'localhost', r));
  const forum = `http://localhost:${site.address().port}`;
  return { badges, forum, close: () => (display.close(), site.close(), store.close?.()) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  let lib;
  try {
    lib = await import('user-badges/server');
  } catch (e) {
    console.error(`The display server is not built (${e.message.split('\n')[0]}): run "npm run build" first.`);
    process.exit(1);
  }
  const { badges, forum } = await startCommunity(lib, { port: Number(process.env.PORT ?? 3000), sitePort: Number(process.env.SITE_PORT ?? 3001) });
  console.log(`display server  ${badges}
the forum       ${forum}/forum   (?lang=ar, ?scheme=dark, ?theme=stackoverflow)
a profile       ${forum}/profile/kenji   (or mira, layla, femi, ...)`);
}

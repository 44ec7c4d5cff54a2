/**
 * The pages of "Crumb & Crust", the community of the cross-origin demo: a forum thread and a member's
 * profile, in English or Arabic (right to left), light, dark or following the system. Each page
 * embeds the widget from the display server, another origin, under a strict Content-Security-Policy
 * (see {@link policy}): `<user-badges max="3">` beside every author, `variant="summary"` in the topic
 * map, and on the profile the featured badges and a grid of every badge, grouped by tag.
 *
 * Used by demo/community/serve.mjs (the demo) and by the widget tests' config (the forum page of the
 * layout-shift figure, with `posts` to make it longer).
 */
import { MEMBERS, THREADS, UI } from './content.mjs';

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The Content-Security-Policy of the pages: scripts, styles, images and requests from this site and the badge server only. */
export const policy = (badges) =>
  `default-src 'none'; script-src 'self' ${badges}; style-src 'self' ${badges}; img-src 'self' ${badges}; connect-src ${badges}; base-uri 'none'; form-action 'none'; frame-ancestors 'self'`;

/**
 * @typedef {{ lang?: 'en' | 'ar', scheme?: 'auto' | 'light' | 'dark', badges: string, service?: string, theme?: string, posts?: number }} Options
 */

const initials = (id) => (MEMBERS[id]?.name ?? id).split(/\s+/).map((w) => w[0]).join('').slice(0, 2).toUpperCase();
const nameOf = (id, lang) => (lang == 'ar' ? MEMBERS[id]?.ar : MEMBERS[id]?.name) ?? id;
const avatar = (id, size = '') => `<span class="avatar c${MEMBERS[id]?.colour ?? 1} ${size}" aria-hidden="true">${esc(initials(id))}</span>`;

function dateText(iso, lang) {
  return new Intl.DateTimeFormat(lang == 'ar' ? 'ar' : 'en', { month: 'short', day: 'numeric' }).format(new Date(iso));
}
const num = (n, lang) => new Intl.NumberFormat(lang).format(n);

/** Query string for a link to the same page in another language or scheme. */
function href(path, o, change) {
  const q = { lang: o.lang, scheme: o.scheme, theme: o.theme, ...change };
  const s = new URLSearchParams(Object.entries(q).filter(([k, v]) => v && !(k == 'lang' && v == 'en') && !(k == 'scheme' && v == 'auto') && !(k == 'theme' && v == 'auto')));
  return esc(path + (String(s) ? '?' + s : ''));
}

function page(o, title, main, path) {
  const lang = o.lang ?? 'en';
  const t = UI[lang];
  const scheme = o.scheme ?? 'auto';
  const badge = `${o.badges}/user-badges.js`;
  const switcher = (key, values) =>
    values.map(([v, label, hreflang]) => (o[key] == v || (!o[key] && ['en', 'auto'].includes(v)) ? `<b aria-current="true">${label}</b>` : `<a href="${href(path, o, { [key]: v })}"${hreflang ? ` hreflang="${hreflang}" lang="${hreflang}"` : ''}>${label}</a>`)).join('');
  return `<!doctype html>
<html lang="${lang}" dir="${lang == 'ar' ? 'rtl' : 'ltr'}" class="scheme-${scheme}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="${scheme == 'auto' ? 'light dark' : scheme}">
<title>${esc(title)} · ${esc(t.site)}</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/community.css">
<link rel="stylesheet" href="${esc(o.badges)}/themes/${esc(o.theme ?? 'auto')}.css">
<script src="${esc(badge)}" defer></script>
<script src="/community.js" defer></script>
</head>
<body>
<header class="site">
  <div class="bar">
    <a class="logo" href="${href('/forum', o, {})}"><span class="mark" aria-hidden="true"></span>${esc(t.site)}</a>
    <nav aria-label="${esc(t.site)}"><a href="${href('/forum', o, {})}"${path == '/forum' ? ' aria-current="page"' : ''}>${t.latest}</a><a href="${href('/forum', o, {})}">${t.categories}</a><a href="${href('/profile/kenji', o, {})}"${path.startsWith('/profile') ? ' aria-current="page"' : ''}>${t.badges}</a></nav>
    <div class="prefs">
      <span class="switch" role="group" aria-label="${t.language}">${switcher('lang', [['en', 'English', 'en'], ['ar', 'العربية', 'ar']])}</span>
      <span class="switch" role="group" aria-label="${t.scheme}">${switcher('scheme', [['auto', t.auto], ['light', t.light], ['dark', t.dark]])}</span>
    </div>
  </div>
</header>
${main}
</body>
</html>
`;
}

const embed = (o, user, attrs = '') =>
  `<user-badges service="${esc(o.service ?? 'community')}" user="${esc(user)}"${o.theme && o.theme != 'auto' ? ` theme="${esc(o.theme)}"` : ''}${attrs}></user-badges>`;

/** The thread page. With `posts`, its posts are repeated (or cut) to that many. */
export function forumPage(o) {
  const lang = o.lang ?? 'en';
  const t = UI[lang];
  const thread = THREADS[lang];
  let posts = thread.posts;
  if (o.posts) posts = Array.from({ length: o.posts }, (_, i) => posts[i % posts.length]);
  const who = new Map();
  for (const [id, , likes] of posts) who.set(id, (who.get(id) ?? 0) + 1 + likes / 100);
  const active = [...who].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([id]) => id);
  const likes = posts.reduce((n, p) => n + p[2], 0);
  const solution = lang == 'ar' ? 4 : 1;
  const post = ([id, at, likes, paragraphs], i) => {
    const m = MEMBERS[id] ?? {};
    return `<article class="post${i == solution ? ' solution' : ''}" id="post-${i + 1}" aria-labelledby="author-${i + 1}">
  ${avatar(id)}
  <div class="body">
    <header class="meta">
      <a class="author" id="author-${i + 1}" href="${href(`/profile/${id}`, o, {})}">${esc(nameOf(id, lang))}</a>
      ${m.title ? `<span class="title">${esc(m.title[lang])}</span>` : ''}
      ${embed(o, id, ' max="3"')}
      <a class="when" href="#post-${i + 1}"><time datetime="${at}">${dateText(at, lang)}</time></a>
    </header>
    <div class="cooked">${paragraphs.map((p) => `<p>${esc(p)}</p>`).join('')}</div>
    <footer class="actions">${i == solution ? `<span class="solved">${t.solution}</span>` : ''}<span class="likes">♥ ${num(likes, lang)}</span><button type="button">${t.share}</button><button type="button">${t.reply}</button></footer>
  </div>
</article>
${i == 0 ? topicMap(o, posts, active, likes) : ''}`;
  };
  const main = `<main class="thread">
  <div class="crumbs"><a href="${href('/forum', o, {})}">${t.categories}</a> › <span class="category">${t.category}</span></div>
  <h1>${esc(thread.title)}</h1>
  ${posts.map(post).join('\n')}
</main>`;
  return page(o, thread.title, main, '/forum');
}

function topicMap(o, posts, active, likes) {
  const lang = o.lang ?? 'en';
  const t = UI[lang];
  const views = 1200 + posts.length * 57;
  return `<aside class="topic-map" aria-label="${t.participants}">
  <dl class="stats">
    <div><dt>${t.created}</dt><dd>${dateText(posts[0][1], lang)}</dd></div>
    <div><dt>${t.lastReply}</dt><dd>${dateText(posts.at(-1)[1], lang)}</dd></div>
    <div><dt>${t.replies}</dt><dd>${num(posts.length - 1, lang)}</dd></div>
    <div><dt>${t.views}</dt><dd>${num(views, lang)}</dd></div>
    <div><dt>${t.likes}</dt><dd>${num(likes, lang)}</dd></div>
  </dl>
  <h2>${t.participants}</h2>
  <ul class="people">${active.map((id) => `<li>${avatar(id, 'small')}<a href="${href(`/profile/${id}`, o, {})}">${esc(nameOf(id, lang))}</a>${embed(o, id, ' variant="summary"')}</li>`).join('')}</ul>
</aside>`;
}

/** A member's profile page. */
export function profilePage(o, id) {
  const lang = o.lang ?? 'en';
  const t = UI[lang];
  const m = MEMBERS[id] ?? { colour: 1 };
  const seed = [...id].reduce((n, c) => n + c.charCodeAt(0), 0);
  const main = `<main class="profile">
  <section class="card user" aria-labelledby="who">
    ${avatar(id, 'large')}
    <div class="about">
      <h1 id="who">${esc(nameOf(id, lang))}</h1>
      <p class="handle">@${esc(id)}${m.title ? ` · ${esc(m.title[lang])}` : ''}</p>
      <p>${esc(t.about)}</p>
      <div class="featured"><span class="label">${t.featured}</span>${embed(o, id, ' max="3"')}</div>
    </div>
    <dl class="stats">
      <div><dt>${t.joined}</dt><dd>${new Intl.DateTimeFormat(lang, { year: 'numeric', month: 'short' }).format(new Date(2025, seed % 12, 1))}</dd></div>
      <div><dt>${t.posts}</dt><dd>${num(40 + (seed % 300), lang)}</dd></div>
      <div><dt>${t.likesReceived}</dt><dd>${num(120 + ((seed * 7) % 900), lang)}</dd></div>
      <div><dt>${t.daysVisited}</dt><dd>${num(30 + ((seed * 3) % 330), lang)}</dd></div>
    </dl>
  </section>
  <section class="badges" aria-labelledby="badges">
    <div class="heading"><h2 id="badges">${t.allBadges}</h2>${embed(o, id, ' variant="summary"')}</div>
    <p class="note">${t.allBadgesNote}</p>
    ${embed(o, id, ' layout="grid" show="all" group="tags"')}
  </section>
</main>`;
  return page(o, nameOf(id, lang), main, `/profile/${id}`);
}

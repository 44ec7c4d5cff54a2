/**
 * The classic bundle as shipped, loaded with a plain <script src> from the display server's origin
 * (not this page's): the old embed markup, the old global hook, and the default server.
 */
import { $, assert, equal, mount, names, server, settled, usersRequestsDuring, waitFor } from './helpers.js';

type Global = { UserBadges?: { renderBadge?: (b: Record<string, unknown>) => string; html?: unknown; version?: string } };
const w = window as unknown as Global & { jQuery?: unknown; $?: unknown };

// The old markup, plus the type as data-type and spaces that keep it readable without a stylesheet.
const DANIEL =
  '<span class="userbadge donated" data-type="gold"><a href="/badges/donated"><span class="name" title="Donated at least $5">donated</span></a> <span class="count">x2</span></span> ' +
  '<span class="userbadge popular" data-type="silver"><a href="/badges/popular"><span class="name" title="Post has at least 100 views">popular</span></a></span> ' +
  '<span class="userbadge test1" title="">test1</span>';

function loadScript(src: string) {
  return new Promise<void>((resolve, reject) => {
    const s = document.createElement('script');
    s.src = src;
    s.onload = () => resolve();
    s.onerror = reject;
    document.head.append(s);
  });
}

const filled = (el: Element) => waitFor(() => el.children.length > 0, 'filled ' + el.outerHTML);

let containers: HTMLElement;
const errors: CustomEvent[] = [];
document.addEventListener('user-badges-error', (e) => errors.push(e));

before(async () => {
  // Markup written for the old jQuery script, present before the script loads.
  containers = mount(`
    <span class="userbadges" data-service="test" data-user="daniel">fallback</span>
    <ul class="userbadges" data-service="test" data-user="bob"></ul>
    <div class="userbadges" data-service="test" data-user="daniel"></div>
    <span class="userbadges" data-service="test" data-user="nobody-at-all">fallback</span>
    <span class="userbadges" data-service="nosuchservice" data-user="daniel">fallback</span>
    <user-badges service="test" user="bob"></user-badges>`);
  await loadScript(server + '/user-badges.js');
});

describe('classic script and the old embed', () => {
  it('fills the old span markup byte for byte, from the script origin by default', async () => {
    const span = containers.querySelector('span.userbadges')!;
    await filled(span);
    equal(span.innerHTML, DANIEL);
    equal(containers.querySelector('div.userbadges')!.innerHTML, DANIEL);
  });

  it('fills ul containers with list items around the old markup', async () => {
    const ul = containers.querySelector('ul')!;
    await filled(ul);
    equal(
      ul.innerHTML,
      '<li><span class="userbadge popular" data-type="silver"><a href="/badges/popular"><span class="name" title="Post has at least 100 views">popular</span></a></span></li> ' +
        '<li><span class="userbadge helper" data-type="bronze" title="Answered 10 questions &amp; more">helper</span></li>',
    );
  });

  it('empties containers of unknown users, and leaves the fallback on error', async () => {
    const [, , , unknown, broken] = containers.querySelectorAll<HTMLElement>('.userbadges');
    await waitFor(() => unknown!.textContent === '', 'unknown user emptied');
    const error = await waitFor(() => errors.find((e) => e.target === broken), 'error event');
    equal(error.detail.error.code, 'service_not_found');
    assert(error.bubbles && error.composed);
    equal(broken!.textContent, 'fallback');
  });

  it('defines <user-badges>, talking to the script origin without a server attribute', async () => {
    const el = containers.querySelector('user-badges')!;
    equal(await settled(el), 'ready');
    equal(names(el), ['popular', 'helper']);
    assert(!el.hasAttribute('server'));
  });

  it('uses a UserBadges.renderBadge set after the script, for containers added later', async () => {
    w.UserBadges!.renderBadge = (b) => '<li><span class="userbadge">' + b.name + '</span></li>';
    const later = mount('<ul class="userbadges" data-service="test" data-user="mallory"></ul>').firstElementChild!;
    await filled(later);
    equal(later.innerHTML, '<li><span class="userbadge">&lt;img src=x onerror=alert(1)&gt;</span></li> <li><span class="userbadge">escaper</span></li>');
    assert(!later.querySelector('img'));
  });

  it('hands the old hook the badge with its global figures and custom fields', async () => {
    const seen: Record<string, unknown>[] = [];
    w.UserBadges!.renderBadge = (b) => (seen.push(b), '<span>' + b.name + '</span>');
    const el = mount('<span class="userbadges" data-service="test" data-user="daniel"></span>').firstElementChild!;
    await filled(el);
    const donated = seen.find((b) => b.name === 'donated')!;
    equal([donated.count, donated.type, donated.tier, donated.description], [2, 'gold', 3, 'Donated at least $5']);
    assert((donated.globalCount as number) > 2 && typeof donated.globalLatest === 'string' && typeof donated.latest === 'string');
    equal(el.innerHTML, '<span>donated</span> <span>popular</span> <span>test1</span>');
  });

  it('needs no jQuery, exposes UserBadges.html for hooks, and loads twice harmlessly', async () => {
    assert(w.jQuery === undefined && w.$ === undefined);
    assert(typeof w.UserBadges!.html === 'function');
    const version = w.UserBadges!.version;
    const requests = await usersRequestsDuring(async () => {
      await loadScript(server + '/userbadges.js');
      await new Promise((r) => setTimeout(r, 100));
    });
    equal(requests.length, 0, 'the second copy fills nothing again');
    equal(w.UserBadges!.version, version);
  });

  it('serves the same script at /userbadges.js', async () => {
    const [a, b] = await Promise.all([fetch(server + '/user-badges.js'), fetch(server + '/userbadges.js')]);
    equal(await a.text(), await b.text());
  });

  it('draws <user-badges> with a hook that uses UserBadges.html', async () => {
    const el = mount('<user-badges service="test" user="daniel"></user-badges>').firstElementChild as HTMLElement & { renderBadge: unknown };
    const html = w.UserBadges!.html as (s: TemplateStringsArray, ...v: unknown[]) => unknown;
    el.renderBadge = (b: { name: string }) => html`<kbd>${b.name}</kbd>`;
    await settled(el);
    equal(el.shadowRoot!.querySelectorAll('kbd').length, 3);
    assert($(el, 'kbd'));
  });

  it('reads right without any stylesheet: spaces between badges and before counts', async () => {
    w.UserBadges!.renderBadge = undefined; // the old markup again, after the hooks above
    const span = mount('<span class="userbadges" data-service="test" data-user="daniel"></span>').firstElementChild as HTMLElement;
    await filled(span);
    equal(document.querySelectorAll('link[rel=stylesheet]').length, 0, 'no stylesheet on this page');
    equal(span.innerText, 'donated x2 popular test1');
  });

  it('with a theme linked, the tiers get icons of their own shape and colour', async () => {
    w.UserBadges!.renderBadge = undefined;
    const link = Object.assign(document.createElement('link'), { rel: 'stylesheet', href: server + '/themes/stackoverflow.css' });
    document.head.append(link);
    await new Promise((r) => (link.onload = r));
    const span = mount('<span class="userbadges" data-service="test" data-user="bob"></span>').firstElementChild as HTMLElement;
    await filled(span);
    const [silver, bronze] = [...span.querySelectorAll('.userbadge')].map((b) => getComputedStyle(b, '::before'));
    assert(silver!.clipPath !== bronze!.clipPath || silver!.borderRadius !== bronze!.borderRadius, 'different shapes');
    equal([silver!.backgroundColor, bronze!.backgroundColor], ['rgb(180, 184, 188)', 'rgb(209, 166, 132)']);
    link.remove();
  });

  it('links its theme with the content version, which the server lets the browser keep for a year', async () => {
    const el = mount('<user-badges service="test" user="daniel" theme="github"></user-badges>').firstElementChild!;
    await settled(el);
    const href = el.shadowRoot!.querySelector('link')!.href;
    assert(new RegExp(`^${server}/themes/github\\.css\\?v=[0-9a-f]{12}$`).test(href), href);
    const res = await fetch(href);
    equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  });
});

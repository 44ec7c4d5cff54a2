import fc from 'fast-check';
import { sanitizeHTML, setDefaultServer, type UserBadgesElement } from '../../widget/index.js';
import { $, $$, assert, equal, mount, server, serverLog, settled, waitFor } from './helpers.js';

setDefaultServer(server);

const EVIL = '<img src=x onerror=alert(1)>';
let alerts = 0;
window.alert = () => void alerts++;
const one = () => mount('<user-badges service="test" user="mallory"></user-badges>').firstElementChild as UserBadgesElement;
const globals = window as unknown as { UserBadges?: { renderBadge?: (b: { name: string }) => string } };

/** Waits long enough for an injected image to fail and its handler to run. */
const idle = () => new Promise((r) => setTimeout(r, 150));

describe('badge data never runs as HTML', () => {
  beforeEach(() => (alerts = 0));
  afterEach(() => delete globals.UserBadges);

  it('default markup: a badge named like an <img> tag shows as text', async () => {
    const el = one();
    await settled(el);
    const name = $$(el, '.name').find((n) => n.textContent === EVIL);
    assert(name, 'the name shows as text');
    equal(name.closest('.userbadge')!.querySelector('.details')!.children[1]!.textContent, '<script>alert(2)</script>', 'the description too');
    assert(!$(el, 'img') && !$(el, 'script'), 'no element made from data');
    assert(!name.closest('a'), 'a javascript: link is not a link');
    equal($$(el, 'a').map((a) => a.getAttribute('href')), ['/badges/esc?a=1&b=2']);
    await idle();
    equal(alerts, 0);
  });

  it('a string hook concatenating fields: sanitised, the name shows as text', async () => {
    const el = one();
    el.renderBadge = (b) => `<a href="${b.link}" title="${b.description}">${b.name}</a>`;
    await settled(el);
    const links = $$(el, 'li > a');
    equal(links[0]!.textContent, EVIL);
    assert(!links[0]!.hasAttribute('href'), 'javascript: href dropped');
    equal(links[0]!.title, '<script>alert(2)</script>');
    equal(links[1]!.getAttribute('href'), '/badges/esc?a=1&b=2');
    equal(links[1]!.title, '"quoted" <b>bold</b>');
    assert(!$(el, 'img') && !$(el, 'script') && !$(el, 'li b'));
    await idle();
    equal(alerts, 0);
  });

  it('the global hook of the old script: the name shows as text', async () => {
    globals.UserBadges = { renderBadge: (b) => '<li><span class="userbadge">' + b.name + '</span></li>' };
    const el = one();
    await settled(el);
    equal($(el, 'li > span.userbadge')!.textContent, EVIL);
    assert(!$(el, 'img'));
    await idle();
    equal(alerts, 0);
  });
});

describe('sanitizeHTML', () => {
  // Read in an inert document, as the output is built: the images below (src=x ...) never load.
  const inert = document.implementation.createHTMLDocument('');
  const html = (s: string) => {
    const div = inert.createElement('div');
    div.append(sanitizeHTML(s));
    return div.innerHTML;
  };

  it('loads nothing until the fragment is put on the page', async () => {
    const probe = `${server}/sanitize-probe-${Date.now()}.png`;
    const f = sanitizeHTML(`<img src="${probe}" alt="">`);
    assert(f.ownerDocument !== document, 'built in an inert document');
    await idle();
    assert(!(await serverLog()).some((l) => l.includes(new URL(probe).pathname)), 'not requested before it is placed');
    const host = mount('');
    host.append(f);
    await waitFor(async () => (await serverLog()).some((l) => l.includes(new URL(probe).pathname)), 'requested once placed');
    host.remove();
  });

  it('keeps plain formatting and safe links', () => {
    equal(html('<b class="x">a</b> <a href="/p?q=1" title="t">b</a><img src="https://e.example/i.png" alt="i">'), '<b class="x">a</b> <a href="/p?q=1" title="t">b</a><img src="https://e.example/i.png" alt="i">');
  });

  it('drops scripts, handlers, dangerous URLs, styles and foreign content', () => {
    equal(html('<script>alert(1)</script>ok'), 'ok');
    equal(html('<img src=x onerror=alert(1)>'), '<img src="x">');
    equal(html('<a href="javascript:alert(1)">x</a>'), '<a>x</a>');
    equal(html('<a href=" JaVa\tScRiPt:alert(1)">x</a>'), '<a>x</a>');
    equal(html('<a href="data:text/html,<script>alert(1)</script>">x</a>'), '<a>x</a>');
    equal(html('<svg><script>alert(1)</script></svg><math><mi>x</mi></math>'), '');
    equal(html('<span style="color:red" id="x" onmouseover="1">s</span>'), '<span>s</span>');
    equal(html('<iframe src="/"></iframe><object data="/"></object><style>*{}</style>'), '');
    equal(html('<form action="/"><button formaction="javascript:1">go</button></form>'), 'go');
    equal(html('<template><img src=x onerror=alert(1)></template>t'), 't');
  });

  it('property: no output ever holds an element or attribute outside the allow-list', () => {
    const tags = ['a', 'b', 'img', 'script', 'svg', 'iframe', 'span', 'li', 'style', 'math', 'form', 'noscript', 'textarea', 'object'];
    const attrs = ['href', 'src', 'onerror', 'onclick', 'style', 'class', 'srcdoc', 'xlink:href', 'formaction', 'title'];
    const values = ['javascript:alert(1)', ' java\nscript:x', 'data:text/html,x', '/ok', 'https://e.example', 'x" onerror="alert(1)', '<script>'];
    const node: fc.Arbitrary<string> = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.constantFrom('text', '<', '>', '"', '&', '<!--', '-->', '<![CDATA['),
        fc
          .tuple(fc.constantFrom(...tags), fc.array(fc.tuple(fc.constantFrom(...attrs), fc.constantFrom(...values)), { maxLength: 3 }), fc.array(tie('node'), { maxLength: 3 }))
          .map(([t, as, kids]) => `<${t} ${as.map(([a, v]) => `${a}="${v.replace(/"/g, '&quot;')}"`).join(' ')}>${kids.join('')}</${t}>`),
        fc.tuple(fc.constantFrom(...tags), fc.constantFrom(...attrs), fc.constantFrom(...values)).map(([t, a, v]) => `<${t} ${a}=${v}>`),
      ),
    })).node as fc.Arbitrary<string>;
    fc.assert(
      fc.property(fc.array(node, { maxLength: 4 }), (parts) => {
        const div = inert.createElement('div');
        div.append(sanitizeHTML(parts.join('')));
        for (const el of div.querySelectorAll('*')) {
          assert(/^(a|b|img|span|li)$/.test(el.localName), 'element ' + el.localName);
          for (const { name, value } of el.attributes) {
            assert(/^(href|src|class|title)$/.test(name), 'attribute ' + name);
            if (name === 'href' || name === 'src') assert(/^(https?|mailto):$/.test(new URL(value, document.baseURI).protocol), 'url ' + value);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});

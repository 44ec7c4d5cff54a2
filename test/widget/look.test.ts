/**
 * The default look: the tier told by an icon's shape as well as its colour, in every theme; the
 * badge's own image when it has one; details on hover or focus, closed by Escape, kept in view.
 */
import { resetMouse, sendKeys, sendMouse } from '@web/test-runner-commands';
import { setDefaultServer, type UserBadgesElement } from '../../widget/index.js';
import { $, $$, assert, equal, mount, server, settled, waitFor } from './helpers.js';

setDefaultServer(server);

const THEMES = ['auto', 'light', 'dark', 'stackoverflow', 'github', 'minimal'];
const one = (attrs: string) => mount(`<user-badges ${attrs}></user-badges>`).firstElementChild as UserBadgesElement;
const icon = (badge: Element) => {
  const s = getComputedStyle(badge, '::before');
  return { shape: `${s.clipPath} ${s.borderRadius} ${s.width}`, color: s.backgroundColor, content: s.content };
};
const shown = (card: Element) => card.getBoundingClientRect().width > 1;
const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));

describe('the tier', () => {
  for (const theme of THEMES) {
    it(`${theme}: gold, silver and bronze differ in shape, not only colour`, async () => {
      const daniel = one(`theme="${theme}" service="test" user="daniel"`); // gold, silver, none
      const bob = one(`theme="${theme}" service="test" user="bob"`); // silver, bronze
      await Promise.all([settled(daniel), settled(bob)]);
      const gold = icon($(daniel, '[data-type=gold]')!);
      const silver = icon($(daniel, '[data-type=silver]')!);
      const bronze = icon($(bob, '[data-type=bronze]')!);
      for (const i of [gold, silver, bronze]) assert(i.content !== 'none', 'an icon');
      equal(new Set([gold.shape, silver.shape, bronze.shape]).size, 3, 'three shapes: ' + [gold.shape, silver.shape, bronze.shape].join(' | '));
      equal(new Set([gold.color, silver.color, bronze.color]).size, 3, 'three colours');
    });
  }

  it("a badge's image replaces the tier icon", async () => {
    const el = one('service="test" user="imaged"');
    await settled(el);
    const badge = $$(el, '.userbadge').find((b) => b.textContent!.startsWith('pictured'))!;
    const img = badge.querySelector('img')!;
    // Alt text from the title, else the name (this badge has no title); lazy, and sized before it loads.
    equal([img.getAttribute('part'), img.getAttribute('src'), img.alt, img.loading, img.getAttribute('width'), img.getAttribute('height')], ['image', server + '/demo/favicon.svg', 'pictured', 'lazy', '16', '16']);
    await waitFor(() => img.complete && img.naturalWidth > 0, 'the image loaded');
    equal(icon(badge).content, 'none');
    assert(img.getBoundingClientRect().height <= badge.getBoundingClientRect().height, 'the image fits in the badge');
  });
});

describe('details on hover and focus', () => {
  afterEach(() => resetMouse());

  it('focus shows the card; Escape closes it until focus moves to another badge', async () => {
    const el = one('service="test" user="daniel"');
    await settled(el);
    const [donated, popular] = $$(el, '.userbadge');
    const card = donated!.querySelector('.details')!;
    assert(!shown(card), 'hidden at rest');
    donated!.querySelector('a')!.focus();
    // The card's styles are a chunk, loaded when a card is first used on the page.
    await waitFor(() => shown(card), 'the card shown on focus');
    assert(card.textContent!.includes('Donated at least $5'));
    await sendKeys({ press: 'Escape' });
    assert(!shown(card), 'closed by Escape');
    await sendKeys({ press: 'Tab' });
    equal(el.shadowRoot!.activeElement, popular!.querySelector('a'));
    assert(shown(popular!.querySelector('.details')!), 'the next badge shows its card');
  });

  it('a badge without a link is reachable with the keyboard', async () => {
    const el = one('service="test" user="daniel"');
    await settled(el);
    const test1 = $$(el, '.userbadge')[2]!;
    test1.focus();
    equal(el.shadowRoot!.activeElement, test1);
    assert(shown(test1.querySelector('.details')!));
  });

  it('hover shows the card, and the card stays hoverable', async () => {
    const el = one('service="test" user="bob"');
    await settled(el);
    const badge = $(el, '.userbadge')!;
    const r = badge.getBoundingClientRect();
    await sendMouse({ type: 'move', position: [Math.round(r.x + r.width / 2), Math.round(r.y + r.height / 2)] });
    const card = badge.querySelector('.details')!;
    assert(shown(card), 'shown on hover');
    const c = card.getBoundingClientRect();
    await sendMouse({ type: 'move', position: [Math.round(c.x + 10), Math.round(c.y + c.height / 2)] });
    assert(shown(card), 'still shown with the pointer on it');
  });

  it('a card near the right edge is moved back into view', async () => {
    const host = mount('<div style="display: flex; justify-content: flex-end"><user-badges service="test" user="longname"></user-badges></div>');
    const el = host.querySelector('user-badges')!;
    await settled(el);
    const last = $$(el, '.userbadge').at(-1)!;
    last.focus();
    await frame();
    const c = last.querySelector('.details')!.getBoundingClientRect();
    assert(c.width > 1 && c.right <= document.documentElement.clientWidth, `card ${c.left}-${c.right} in a ${document.documentElement.clientWidth}px view`);
    host.remove();
  });
});

/**
 * Layout on real pages: a 100-character badge name on a 375 px wide page scrolls nothing sideways,
 * and the element does not move the page when its badges replace the loading skeleton.
 */
import { setDefaultServer, type UserBadgesElement } from '../../widget/index.js';
import { $, $$, assert, equal, mount, server, settled, slowServer, waitFor } from './helpers.js';

setDefaultServer(server);

const THEMES = ['auto', 'light', 'dark', 'stackoverflow', 'github', 'minimal'];

/** Opens a page of its own (/__ub/page.html: the classic script from the display server) in a sized frame. */
async function page(body: string, width: number, css = 'body { margin: 16px; font: 16px/1.5 sans-serif }') {
  const iframe = document.createElement('iframe');
  iframe.src = '/__ub/page.html?' + new URLSearchParams({ body, css });
  iframe.style.cssText = `width: ${width}px; height: 700px; border: 0`;
  document.body.append(iframe);
  await new Promise((r) => (iframe.onload = r));
  return iframe;
}

describe('a 100-character badge name at 375 px', () => {
  it('neither the element in any theme nor the old markup scrolls the page sideways', async () => {
    const elements = THEMES.map((t) => `<p>${t}: <user-badges service="test" user="longname" theme="${t}"></user-badges></p>`).join('');
    const iframe = await page(
      `${elements}<p>old markup: <span class="userbadges" data-service="test" data-user="longname"></span></p><link rel="stylesheet" href="${server}/themes/auto.css">`,
      375,
    );
    const doc = iframe.contentDocument!;
    const els = [...doc.querySelectorAll('user-badges')];
    await waitFor(() => els.every((el) => el.getAttribute('state') === 'ready') && doc.querySelector('.userbadges')!.children.length === 3, 'all drawn');
    await new Promise((r) => setTimeout(r, 100));
    const view = doc.documentElement.clientWidth;
    equal(doc.documentElement.scrollWidth, view, 'no horizontal scroll');
    for (const el of els) {
      const long = [...el.shadowRoot!.querySelectorAll('.userbadge')][0]!;
      const cut = long.querySelector('a') ?? long.querySelector('.name')!; // the link, which holds the name
      assert(long.getBoundingClientRect().right <= view, `${el.getAttribute('theme')}: the badge fits`);
      assert(cut.scrollWidth > cut.clientWidth, `${el.getAttribute('theme')}: the name is cut`);
      equal(getComputedStyle(cut).textOverflow, 'ellipsis');
    }
    for (const b of doc.querySelectorAll('.userbadges .userbadge')) assert(b.getBoundingClientRect().right <= view, 'old markup fits');
    // Its details card, open, stays in view too.
    const a = els[0]!.shadowRoot!.querySelector('a')!;
    a.focus();
    await new Promise((r) => setTimeout(r, 100));
    assert(els[0]!.shadowRoot!.querySelector('.details')!.getBoundingClientRect().width > 1, 'the card is open');
    equal(doc.documentElement.scrollWidth, view, 'no horizontal scroll with the card open');
    iframe.remove();
  });
});

describe('no layout shift when the badges arrive', () => {
  for (const theme of THEMES) {
    it(`${theme}: the skeleton is as tall as the badges, before and after its theme loads`, async () => {
      type Shift = { value: number; sources: { node?: Node; previousRect: DOMRectReadOnly; currentRect: DOMRectReadOnly }[] };
      const shifts: string[] = [];
      const observer = new PerformanceObserver((list) =>
        (list.getEntries() as unknown as Shift[]).forEach((e) =>
          shifts.push(`${e.value}: ` + e.sources.map((s) => `${(s.node as Element)?.outerHTML?.slice(0, 60) ?? s.node?.nodeName} ${JSON.stringify(s.previousRect)} -> ${JSON.stringify(s.currentRect)}`).join('; ')),
        ),
      );
      observer.observe({ type: 'layout-shift' });
      // The theme answers late (so the skeleton is seen unstyled first), the badges later still.
      const late = `/__ub/theme.css?delay=300&import=${encodeURIComponent(`${server}/themes/${theme}.css?late`)}`;
      // flow-root: the first paragraph's margin must not collapse through the test page's body, which
      // would move the body when this is mounted (a shift of the page, not of the widget: CI saw it once).
      const host = mount(`<div style="display: flow-root; width: 600px; font: 16px/1.5 sans-serif">
        <p>Above</p>
        <div>Badges of daniel: <user-badges theme="${late}" service="test" user="daniel" server="${slowServer(800)}"></user-badges></div>
        <div><user-badges theme="${late}" service="test" user="bob" server="${slowServer(800)}"></user-badges></div>
        <p>Below</p></div>`);
      const els = [...host.querySelectorAll('user-badges')] as UserBadgesElement[];
      const height = () => els.map((el) => el.getBoundingClientRect().height);
      const below = () => host.querySelector('p:last-child')!.getBoundingClientRect().top;
      await waitFor(() => $(els[0]!, '.skeleton'), 'skeleton');
      await new Promise((r) => requestAnimationFrame(r));
      const loading = { height: height(), below: below() };
      await Promise.all(els.map((el) => settled(el)));
      await new Promise((r) => setTimeout(r, 100));
      observer.disconnect();
      assert($$(els[0]!, 'li').length === 3);
      equal(height(), loading.height, 'same height loading and loaded');
      equal(below(), loading.below, 'the text below stays put');
      equal(shifts, [], 'no layout-shift entries');
      host.remove();
    });
  }
});

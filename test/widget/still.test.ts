/**
 * Still: nothing on the page moves when the badges arrive. The forum thread of the cross-origin demo
 * (/__ub/forum.html: this origin, the script and the badges from the display server's) with 50
 * elements has a cumulative layout shift of at most 0.005 in Chromium, at 1280 px and at 375 px; and
 * for every variant and layout, in every theme, the loading placeholder has the loaded height, as
 * has the room the theme (linked in the page) reserves before the script has run.
 */
import { setDefaultServer, type UserBadgesElement } from '../../widget/index.js';
import { $, assert, equal, mount, server, settled, slowServer, waitFor } from './helpers.js';

setDefaultServer(server);

const THEMES = ['auto', 'light', 'dark', 'stackoverflow', 'github', 'minimal'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Opens `src` in a frame of its own `width` × `height`, at the top of the page. */
async function frame(src: string, width: number, height: number) {
  const iframe = document.createElement('iframe');
  iframe.src = src;
  iframe.style.cssText = `position: absolute; top: 0; left: 0; width: ${width}px; height: ${height}px; border: 0`;
  document.body.prepend(iframe);
  await new Promise((r) => (iframe.onload = r));
  return iframe;
}

/** The layout shifts of a frame since it started loading (not caused by input), summed. */
function shifts(win: Window): Promise<{ total: number; entries: string[] }> {
  type Shift = PerformanceEntry & { value: number; hadRecentInput: boolean; sources: { node?: Node; previousRect: DOMRectReadOnly; currentRect: DOMRectReadOnly }[] };
  return new Promise((resolve) => {
    const seen: Shift[] = [];
    const W = win as unknown as typeof globalThis;
    new W.PerformanceObserver((list) => seen.push(...(list.getEntries() as Shift[]))).observe({ type: 'layout-shift', buffered: true });
    // Buffered entries come in a task of their own; none at all means no callback.
    setTimeout(() => {
      const counted = seen.filter((e) => !e.hadRecentInput);
      resolve({
        total: counted.reduce((n, e) => n + e.value, 0),
        entries: counted.map((e) => `${e.value.toFixed(5)}: ` + e.sources.map((s) => `${(s.node as Element)?.outerHTML?.slice(0, 80) ?? s.node?.nodeName} ${JSON.stringify(s.previousRect)} -> ${JSON.stringify(s.currentRect)}`).join('; ')),
      });
    }, 200);
  });
}

describe('layout shift of a forum page of another origin, 50 elements', () => {
  for (const [width, height] of [
    [1280, 900],
    [375, 800],
  ] as const) {
    it(`at ${width} px: at most 0.005`, async () => {
      // 45 posts, each author with max="3", and 5 members with variant="summary" in the topic map.
      const iframe = await frame('/__ub/forum.html?posts=45', width, height);
      const doc = iframe.contentDocument!;
      const els = [...doc.querySelectorAll('user-badges')];
      equal(els.length, 50);
      await waitFor(() => els.every((el) => !['idle', 'loading', null].includes(el.getAttribute('state'))), 'the 50 elements of the forum page drawn', 15_000);
      await sleep(500); // the rows that measure their line, images, chunks' styles
      const { total, entries } = await shifts(iframe.contentWindow!);
      assert(total <= 0.005, `cumulative layout shift ${total.toFixed(5)} > 0.005:\n${entries.join('\n')}`);
      // The page really drew badges, compact rows with "+N", summaries, and hid the unknown member.
      const shadow = (el: Element) => el.shadowRoot!;
      assert(els.some((el) => shadow(el).querySelector('.more:not(.summary)')), 'a "+N"');
      assert(els.some((el) => shadow(el).querySelector('.summary .tally')), 'a summary');
      assert(els.some((el) => el.getAttribute('state') == 'unknown' && getComputedStyle(el).display == 'none'), 'an unknown member hidden');
      iframe.remove();
    });
  }
});

describe('the placeholder has the loaded height', () => {
  const VARIANTS: [string, string][] = [
    ['a row', 'user="daniel"'],
    ['max="3"', 'user="mira" max="3"'],
    ['summary', 'user="mira" variant="summary"'],
    ['a grid of one row', 'user="kenji" layout="grid" show="all" tags="trust"'],
    ['a grid of one row, 96px images', 'user="kenji" layout="grid" show="all" tags="trust" style="--user-badges-image-size: 96px"'],
  ];
  const STYLE = 'width: 1000px; font: 16px/1.5 sans-serif';
  const rows = (theme: string, extra = '') =>
    VARIANTS.map(([, attrs]) => `<div class="row">Name <user-badges theme="${theme}" service="test" ${extra} ${attrs}></user-badges> text</div>`).join('');
  /** The heights of each element and of the line (or block) holding it. */
  const heights = (root: ParentNode) => [...root.querySelectorAll('.row')].flatMap((row) => [row.getBoundingClientRect().height, row.querySelector('user-badges')!.getBoundingClientRect().height]);

  for (const theme of THEMES)
    it(`${theme}: before the script (the theme linked in the page), loading and loaded`, async () => {
      // Before: a page that links the theme and has not run the script (nothing defines the element there).
      const before = document.createElement('iframe');
      before.style.cssText = 'width: 1100px; height: 900px; border: 0';
      before.srcdoc = `<!doctype html><link rel="stylesheet" href="${server}/themes/${theme}.css"><body style="margin: 0"><div style="${STYLE}">${rows(theme)}</div>`;
      document.body.append(before);
      await new Promise((r) => (before.onload = r));
      await waitFor(() => before.contentDocument!.querySelector('link')!.sheet, 'the theme in the page');
      await sleep(100); // and its @import of base.css
      const reserved = heights(before.contentDocument!);
      before.remove();

      const host = mount(`<div style="${STYLE}">${rows(theme, `server="${slowServer(600)}"`)}</div>`);
      const els = [...host.querySelectorAll('user-badges')] as UserBadgesElement[];
      await waitFor(() => els.every((el) => $(el, '.skeleton')), 'the placeholders');
      await sleep(50);
      const loading = heights(host);
      await Promise.all(els.map((el) => settled(el)));
      await sleep(100);
      const loaded = heights(host);
      assert(els.slice(3).every((el) => el.shadowRoot!.querySelectorAll('.card').length >= 2), 'cards drawn');
      const names = VARIANTS.flatMap(([name]) => [name + ' (line)', name]);
      equal(loading, loaded, `${theme}, loading and loaded: ${names.join(', ')}`);
      equal(reserved, loaded, `${theme}, before the script and loaded: ${names.join(', ')}`);
      host.remove();
    });
});

/**
 * WCAG AA contrast, measured in Chromium: every text the element draws (names, counts, status
 * texts, the details card, badges not earned yet, "+N" and its open popover, the summary, the
 * grid's cards) at least 4.5:1 against what is really behind it, and the tier icons (of badges,
 * of the summary's tallies, of cards, large and small) at least 3:1 against their background, and
 * the filled part of progress bars 3:1 against their track, for every theme on light and on dark
 * pages.
 */
import { emulateMedia } from '@web/test-runner-commands';
import { setDefaultServer } from '../../widget/index.js';
import { assert, learningServer, mount, server, settled, waitFor } from './helpers.js';

setDefaultServer(server);

type RGBA = [number, number, number, number];
const parse = (c: string): RGBA => {
  // rgb()/rgba(), or color(srgb ...) with channels from 0 to 1 (what color-mix() computes to).
  const m = /rgba?\(([^)]+)\)|color\(srgb ([^)]+)\)/.exec(c);
  if (!m) throw new Error('colour ' + c);
  const [r, g, b, a = 1] = (m[1] ?? m[2])!.split(/[ ,/]+/).filter(Boolean).map(Number);
  return m[1] ? [r!, g!, b!, a] : [r! * 255, g! * 255, b! * 255, a];
};
const over = ([r, g, b, a]: RGBA, [R, G, B]: RGBA): RGBA => [r * a + R * (1 - a), g * a + G * (1 - a), b * a + B * (1 - a), 1];
const luminance = (c: RGBA) =>
  c.slice(0, 3).reduce((sum, v, i) => {
    const s = v / 255;
    return sum + [0.2126, 0.7152, 0.0722][i]! * (s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4);
  }, 0);
const ratio = (a: RGBA, b: RGBA) => {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x! + 0.05) / (y! + 0.05);
};
/** The parent across a shadow boundary. */
const up = (el: Element) => el.parentElement ?? ((el.getRootNode() as ShadowRoot).host || null);
/** The colour behind `el`: its backgrounds and its ancestors', composited down to the first opaque one. */
function behind(el: Element): RGBA {
  const layers: RGBA[] = [];
  for (let e: Element | null = el; e; e = up(e)) {
    const bg = parse(getComputedStyle(e).backgroundColor);
    if (bg[3] > 0) layers.push(bg);
    if (bg[3] === 1) break;
  }
  return layers.reduceRight<RGBA>((under, layer) => over(layer, under), [255, 255, 255, 1]);
}
const opacity = (el: Element) => {
  let o = 1;
  for (let e: Element | null = el; e; e = up(e)) o *= Number(getComputedStyle(e).opacity);
  return o;
};
const visible = (el: Element) => el.getClientRects().length > 0 && (!el.closest('.vh, .details') || el.closest('.vh, .details')!.getBoundingClientRect().width > 1);

/** Every drawn text in the element's shadow root with its contrast, and every tier icon's. */
function measure(el: Element) {
  const found: { what: string; ratio: number; min: number }[] = [];
  const walker = document.createTreeWalker(el.shadowRoot!, NodeFilter.SHOW_TEXT);
  for (let t = walker.nextNode(); t; t = walker.nextNode()) {
    const parent = t.parentElement!;
    if (!t.nodeValue!.trim() || !visible(parent)) continue;
    const bg = behind(parent);
    const [r, g, b, a] = parse(getComputedStyle(parent).color);
    found.push({ what: `${parent.className || parent.localName} "${t.nodeValue!.trim().slice(0, 24)}"`, ratio: ratio(over([r, g, b, a * opacity(parent)], bg), bg), min: 4.5 });
  }
  const icon = (what: string, fill: RGBA, bg: RGBA) => found.push({ what, ratio: ratio(over(fill, bg), bg), min: 3 });
  for (const badge of el.shadowRoot!.querySelectorAll('.userbadge[data-type]:not([data-image]), .tally, .card .tier:not(:empty)')) {
    if (!visible(badge)) continue;
    icon(`${badge.closest('[data-type]')?.getAttribute('data-type') ?? 'other'} icon of ${badge.className}`, parse(getComputedStyle(badge, '::before').backgroundColor), behind(badge));
  }
  // A card's art without an image: the tier's shape on a disc tinted with it.
  for (const shape of el.shadowRoot!.querySelectorAll('.card .icon'))
    icon(`large ${shape.closest('[data-type]')?.getAttribute('data-type') ?? 'other'} icon of a ${shape.closest('.card')!.getAttribute('data-state')} card`, parse(getComputedStyle(shape).backgroundColor), behind(shape.parentElement!));
  for (const bar of el.shadowRoot!.querySelectorAll('.progress')) {
    if (!visible(bar)) continue;
    const track = behind(bar);
    const fill = parse(getComputedStyle(bar.firstElementChild!).backgroundColor);
    found.push({ what: `progress of ${bar.closest('.userbadge, .card')!.querySelector('.name, .title')!.textContent}`, ratio: ratio(over(fill, track), track), min: 3 });
  }
  return found;
}

const LIGHT_PAGE = 'background: #ffffff; color: #1f2328';
const DARK_PAGE = 'background: #0d1117; color: #f0f6fc';
/** [theme, system scheme, page style] */
const CASES: [string, 'light' | 'dark', string][] = [
  ...['auto', 'github', 'stackoverflow', 'minimal'].flatMap((t): [string, 'light' | 'dark', string][] => [
    [t, 'light', `color-scheme: light dark; ${LIGHT_PAGE}`],
    [t, 'dark', `color-scheme: light dark; ${DARK_PAGE}`],
    [t, 'dark', LIGHT_PAGE], // a light-only page seen in dark mode
  ]),
  ['light', 'light', LIGHT_PAGE],
  ['light', 'dark', LIGHT_PAGE],
  ['dark', 'light', `color-scheme: dark; ${DARK_PAGE}`],
  ['dark', 'dark', `color-scheme: dark; ${DARK_PAGE}`],
];

describe('contrast (WCAG AA)', () => {
  after(() => emulateMedia({ colorScheme: 'light' }));

  for (const [theme, scheme, style] of CASES) {
    it(`${theme} theme, system ${scheme}, page "${style}"`, async () => {
      await emulateMedia({ colorScheme: scheme });
      const host = mount(
        `<div style="${style}; padding: 8px">` +
          ['daniel', 'bob', 'longname', 'emptyhanded'].map((u) => `<p><user-badges theme="${theme}" service="test" user="${u}"></user-badges></p>`).join('') +
          `<p><user-badges theme="${theme}" service="nosuchservice" user="daniel"></user-badges></p>` +
          // Every state: theo has earned, in-progress and unearned badges.
          `<p><user-badges theme="${theme}" server="${learningServer}" service="learning" user="theo" show="all"></user-badges></p>` +
          // The compact row with its popover, the summary, and a grid of every state.
          `<p><user-badges theme="${theme}" service="test" user="mira" max="2"></user-badges> <user-badges theme="${theme}" service="test" user="mira" variant="summary"></user-badges></p>` +
          `<user-badges theme="${theme}" service="test" user="kenji" layout="grid" show="all" tags="community,dedication,trust"></user-badges></div>`,
      );
      const els = [...host.querySelectorAll('user-badges')];
      await Promise.all(els.map((el) => settled(el)));
      const [row, summary, grid] = els.slice(-3);
      const results = els.flatMap((el) => measure(el));
      // The popover, open.
      const pop = row!.shadowRoot!.querySelector<HTMLElement>('[popover]')!;
      pop.showPopover();
      results.push(...measure(row!).filter((r) => !results.some((s) => s.what === r.what)));
      pop.hidePopover();
      assert(results.some((r) => r.what.startsWith('gold icon of tally')) && results.some((r) => r.what.startsWith('other icon of tally')), 'the summary measured');
      assert(results.some((r) => r.what.includes('of a unearned card')) && results.some((r) => r.what.includes('of a earned card')), 'the cards measured');
      assert(results.some((r) => r.what.startsWith('progress of Problem Solver')), 'a card\'s progress bar measured');
      assert(results.some((r) => r.what.startsWith('span "+')), '"+N" measured');
      assert(summary && grid);
      // And the details card, open.
      els[0]!.shadowRoot!.querySelector('a')!.focus();
      await waitFor(() => els[0]!.shadowRoot!.querySelector('.details')!.getBoundingClientRect().width > 1, 'the card open');
      results.push(...measure(els[0]!).filter((r) => !results.some((s) => s.what === r.what)));
      assert(results.some((r) => r.what.includes('No badges yet')) && results.some((r) => r.what.includes('Badges unavailable')), 'status texts measured');
      assert(results.some((r) => r.what.includes('Donated at least')), 'the card measured');
      assert(results.some((r) => r.what.startsWith('progress of')) && results.some((r) => r.what.includes('Graduate')), 'progress bars and unearned badges measured');
      const failing = results.filter((r) => r.ratio < r.min).map((r) => `${r.what} ${r.ratio.toFixed(2)}:1 < ${r.min}`);
      assert(failing.length === 0, failing.join('\n'));
      host.remove();
    });
  }

  it('a page that sets only the badge colours keeps the count readable (the tuning example)', async () => {
    await emulateMedia({ colorScheme: 'dark' });
    const host = mount(`<div style="color-scheme: light dark; ${DARK_PAGE}; --user-badges-bg: #fff8c5; --user-badges-border: #d4a72c; --user-badges-color: #4d2d00">
      <user-badges service="test" user="daniel"></user-badges></div>`);
    const el = host.querySelector('user-badges')!;
    await settled(el);
    const count = measure(el).find((r) => r.what === 'count "2"')!;
    assert(count.ratio >= 4.5, `count ${count.ratio.toFixed(2)}:1`);
    host.remove();
  });
});

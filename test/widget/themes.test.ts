import { emulateMedia } from '@web/test-runner-commands';
import { setDefaultServer, type UserBadgesElement } from '../../widget/index.js';
import { $, assert, equal, learningServer, mount, server, settled, waitFor } from './helpers.js';

setDefaultServer(server);

const one = (attrs = '') => mount(`<user-badges service="test" user="daniel" ${attrs}></user-badges>`).firstElementChild as UserBadgesElement;
const badge = (el: Element) => getComputedStyle($(el, '.userbadge')!);
const bg = (el: Element) => badge(el).backgroundColor;
const links = (el: Element) => [...el.shadowRoot!.querySelectorAll('link')].map((l) => l.getAttribute('href'));

const LIGHT = 'rgb(246, 248, 250)';
const DARK = 'rgb(33, 40, 48)';
const THEMES: Record<string, string> = {
  auto: LIGHT,
  light: LIGHT,
  dark: DARK,
  stackoverflow: 'rgb(59, 64, 69)',
  github: 'rgb(221, 244, 255)',
  minimal: 'rgba(0, 0, 0, 0)',
};

describe('themes', () => {
  after(() => emulateMedia({ colorScheme: 'light' }));

  it('links the theme from the display server; auto is the default', async () => {
    const el = one();
    await settled(el);
    equal(links(el), [server + '/themes/auto.css']);
    equal(bg(el), LIGHT);
  });

  for (const [name, color] of Object.entries(THEMES)) {
    it(`draws the ${name} theme`, async () => {
      const el = one(`theme="${name}"`);
      await settled(el);
      equal(bg(el), color);
    });
  }

  it('stackoverflow: gold, silver and bronze from the badge type', async () => {
    const el = one('theme="stackoverflow"');
    await settled(el);
    const dot = (type: string) => getComputedStyle($(el, `.userbadge[data-type=${type}]`)!, '::before').backgroundColor;
    equal(dot('gold'), 'rgb(255, 204, 1)');
    equal(dot('silver'), 'rgb(180, 184, 188)');
  });

  for (const name of Object.keys(THEMES)) {
    it(`${name} draws the states: unearned dimmed, a progress bar for in-progress`, async () => {
      const el = mount(`<user-badges theme="${name}" server="${learningServer}" service="learning" user="theo" show="all"></user-badges>`).firstElementChild!;
      await settled(el);
      const earned = getComputedStyle($(el, '[data-state=earned]')!);
      const unearned = getComputedStyle($(el, '[data-state=unearned]')!);
      // Not by colour alone: a dashed border, or (minimal, which has none) italics.
      assert(unearned.borderTopStyle === 'dashed' || unearned.fontStyle === 'italic', `${unearned.borderTopStyle} ${unearned.fontStyle}`);
      assert(earned.borderTopStyle !== 'dashed' && earned.fontStyle !== 'italic');
      equal(getComputedStyle($(el, '[data-state=unearned] img')!).filter, 'grayscale(1)');
      const bar = $(el, '[data-state=in_progress] .progress')!;
      const { width, height } = bar.getBoundingClientRect();
      assert(width >= 20 && height >= 3, `a visible bar: ${width}x${height}`);
      assert(getComputedStyle(bar).backgroundColor !== getComputedStyle(bar.firstElementChild!).backgroundColor, 'fill and track differ');
    });
  }

  it('switches theme live, keeping the old one until the new one has loaded', async () => {
    const el = one('theme="dark"');
    await settled(el);
    equal(bg(el), DARK);
    el.theme = `/__ub/theme.css?delay=400&color=rgb(1,2,3)`;
    await el.updateComplete;
    equal(bg(el), DARK, 'no unstyled moment while the new theme loads');
    await waitFor(() => badge(el).color === 'rgb(1, 2, 3)', 'custom theme');
    // The old sheet goes at the new one's load event, which may come a moment after its styles apply.
    await waitFor(() => links(el).length === 1, 'the old theme removed');
    equal(links(el), [location.origin + '/__ub/theme.css?delay=400&color=rgb(1,2,3)']);
    el.theme = 'stackoverflow';
    await waitFor(() => bg(el) === THEMES.stackoverflow, 'stackoverflow');
    await waitFor(() => links(el).length === 1, 'one theme linked');
  });

  it("auto follows the page's colour scheme: light where the page declares none", async () => {
    // This test page declares no color-scheme: a light-only site.
    const plain = one();
    const both = mount('<div style="color-scheme: light dark"><user-badges service="test" user="daniel"></user-badges></div>').firstElementChild!.firstElementChild!;
    const dark = mount('<div style="color-scheme: dark"><user-badges service="test" user="daniel"></user-badges></div>').firstElementChild!.firstElementChild!;
    await Promise.all([plain, both, dark].map((el) => settled(el)));
    equal([bg(plain), bg(both), bg(dark)], [LIGHT, LIGHT, DARK], 'system light');
    await emulateMedia({ colorScheme: 'dark' });
    equal([bg(plain), bg(both), bg(dark)], [LIGHT, DARK, DARK], 'system dark: only pages that can be dark turn dark, live');
    equal(getComputedStyle($(plain, '.name')!).color, 'rgb(31, 35, 40)', 'dark text on the light pill');
    await emulateMedia({ colorScheme: 'light' });
    equal([bg(plain), bg(both), bg(dark)], [LIGHT, LIGHT, DARK]);
  });

  it('github follows the page the same way', async () => {
    const plain = one('theme="github"');
    const both = mount('<div style="color-scheme: light dark"><user-badges theme="github" service="test" user="daniel"></user-badges></div>').firstElementChild!.firstElementChild!;
    await Promise.all([plain, both].map((el) => settled(el)));
    await emulateMedia({ colorScheme: 'dark' });
    equal([bg(plain), bg(both)], [THEMES.github, 'rgb(18, 29, 47)']);
    await emulateMedia({ colorScheme: 'light' });
  });

  it('shows no unstyled badges: it stays loading until its theme has loaded', async () => {
    const el = one('theme="/__ub/theme.css?delay=500&color=rgb(4,5,6)"');
    const shots: string[] = [];
    for (let i = 0; i < 30 && el.state !== 'ready'; i++) {
      await new Promise((r) => setTimeout(r, 20));
      const b = $(el, 'li .userbadge'); // a badge, not the skeleton's pills
      if (b) shots.push(getComputedStyle(b).color);
    }
    await settled(el);
    assert(shots.every((c) => c === 'rgb(4, 5, 6)'), 'never drawn without its theme: ' + shots.join());
    equal(badge(el).color, 'rgb(4, 5, 6)');
  });

  it('can be tuned with custom properties and ::part()', async () => {
    const style = document.createElement('style');
    style.textContent = `
      .tuned user-badges { --user-badges-bg: rgb(10, 20, 30); --user-badges-radius: 0px; }
      .tuned user-badges::part(count) { color: rgb(200, 0, 0); }
      .tuned user-badges::part(badge-gold) { outline: 3px solid rgb(0, 200, 0); }`;
    document.head.append(style);
    const host = mount('<div class="tuned"><user-badges service="test" user="daniel"></user-badges></div>');
    const el = host.querySelector('user-badges')!;
    await settled(el);
    equal(bg(el), 'rgb(10, 20, 30)');
    equal(badge(el).borderTopLeftRadius, '0px');
    equal(getComputedStyle($(el, '.count')!).color, 'rgb(200, 0, 0)');
    equal(badge(el).outlineColor, 'rgb(0, 200, 0)');
  });

  it('states and progress can be tuned with custom properties and ::part()', async () => {
    const style = document.createElement('style');
    style.textContent = `
      .states user-badges { --user-badges-progress: rgb(1, 100, 1); --user-badges-track: rgb(200, 200, 200); }
      .states user-badges::part(badge-unearned) { outline: 2px solid rgb(0, 0, 200); }
      .states user-badges::part(progress) { height: 10px; }`;
    document.head.append(style);
    const host = mount(`<div class="states"><user-badges server="${learningServer}" service="learning" user="theo" show="all"></user-badges></div>`);
    const el = host.querySelector('user-badges')!;
    await settled(el);
    const bar = $(el, '.progress')!;
    equal([getComputedStyle(bar).backgroundColor, getComputedStyle(bar.firstElementChild!).backgroundColor, bar.getBoundingClientRect().height], ['rgb(200, 200, 200)', 'rgb(1, 100, 1)', 10]);
    equal(getComputedStyle($(el, '[data-state=unearned]')!).outlineColor, 'rgb(0, 0, 200)');
    style.remove();
  });

  it('theme="none" links nothing', async () => {
    const el = one('theme="none"');
    await settled(el);
    equal(links(el), []);
    equal(bg(el), 'rgba(0, 0, 0, 0)');
  });

  it('the same theme files style the old embed markup when linked in the page', async () => {
    const link = Object.assign(document.createElement('link'), { rel: 'stylesheet', href: server + '/themes/stackoverflow.css' });
    const loaded = new Promise((r) => (link.onload = r));
    document.head.append(link);
    await loaded;
    const host = mount(
      '<span class="userbadges"><span class="userbadge donated"><a href="/badges/donated"><span class="name" title="Donated at least $5">donated</span></a><span class="count">x2</span></span></span>',
    );
    const b = getComputedStyle(host.querySelector('.userbadge')!);
    equal(b.backgroundColor, THEMES.stackoverflow);
    equal(b.color, 'rgb(255, 255, 255)');
    equal(getComputedStyle(host.querySelector('.count')!).color, 'rgb(214, 217, 220)');
    link.remove();
  });
});

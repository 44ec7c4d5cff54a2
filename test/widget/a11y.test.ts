import { emulateMedia, executeServerCommand } from '@web/test-runner-commands';
import { setDefaultServer } from '../../widget/index.js';
import { assert, axe, equal, learningServer, mount, server, settled, slowServer } from './helpers.js';

setDefaultServer(server);

type A11yNode = { role: string; name: string; children?: A11yNode[] };
/** What a screen reader reads inside a node: the text of its leaves. */
const texts = (n: A11yNode): string[] => (n.children?.length ? n.children.flatMap(texts) : [n.name]);

async function noViolations(root: Element) {
  // No preload: axe would re-fetch the themes' text and resolve their @import against this page.
  const result = await (await axe()).run(root, { resultTypes: ['violations'], preload: false });
  const summary = result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`);
  equal(summary, [], 'axe violations');
}

describe('accessibility', () => {
  it('the badges are a list whose items read out name, count and description', async () => {
    const host = mount('<p>Badges of daniel: <user-badges service="test" user="daniel"></user-badges></p>');
    await settled(host.querySelector('user-badges')!);
    const tree = (await executeServerCommand('ax-tree')) as A11yNode;
    const find = (n: A11yNode): A11yNode | undefined => (n.role === 'list' && n.name === 'Badges' ? n : n.children?.map(find).find(Boolean));
    const list = find(tree);
    assert(list, 'a list named Badges');
    const items = list.children!.filter((c) => c.role === 'listitem');
    equal(items.length, 3);
    const first = texts(items[0]!).join('');
    for (const part of ['donated', 'Gold badge', 'Donated at least $5', 'Awarded 2 times, last on ', 'awarded in all'])
      assert(first.includes(part), `"${part}" in "${first}"`);
    assert(!first.includes('×2'), 'the visual count is not read twice');
    const link = (n: A11yNode): A11yNode | undefined => (n.role === 'link' ? n : n.children?.map(link).find(Boolean));
    equal(link(items[0]!)?.name, 'donated', 'the badge link is named by the badge');
  });

  for (const theme of ['auto', 'light', 'stackoverflow', 'github', 'minimal']) {
    it(`no axe violations: ${theme} theme, every state`, async () => {
      const host = mount(`
        <user-badges theme="${theme}" service="test" user="daniel"></user-badges>
        <user-badges theme="${theme}" service="test" user="mallory"></user-badges>
        <user-badges theme="${theme}" service="test" user="emptyhanded"></user-badges>
        <user-badges theme="${theme}" service="test" user="nobody-at-all"></user-badges>
        <user-badges theme="${theme}" service="nosuchservice" user="daniel"></user-badges>`);
      await Promise.all([...host.children].map((el) => settled(el)));
      await noViolations(host);
    });
  }

  it('no axe violations: dark theme on a dark page, and the loading state', async () => {
    const host = mount(`<div style="background:#0d1117;color:#f0f6fc;padding:8px">
      <user-badges theme="dark" service="test" user="daniel"></user-badges>
      <user-badges theme="dark" service="test" user="emptyhanded"></user-badges></div>
      <user-badges service="test" user="many-249" server="${slowServer(1500)}"></user-badges>`);
    const els = [...host.querySelectorAll('user-badges')];
    await Promise.all(els.slice(0, 2).map((el) => settled(el)));
    equal(els[2]!.getAttribute('state'), 'loading');
    await noViolations(host);
    await settled(els[2]!); // its late request must not land in another test's count
  });

  it('no axe violations: the old embed markup in a stackoverflow page', async () => {
    const link = Object.assign(document.createElement('link'), { rel: 'stylesheet', href: server + '/themes/stackoverflow.css' });
    document.head.append(link);
    await new Promise((r) => (link.onload = r));
    const host = mount(
      '<span class="userbadges"><span class="userbadge donated"><a href="/badges/donated"><span class="name" title="Donated at least $5">donated</span></a> <span class="count">x2</span></span> <span class="userbadge test1" title="">test1</span></span>',
    );
    await noViolations(host);
    link.remove();
  });
});

describe('accessibility of badge states (show="all")', () => {
  after(() => emulateMedia({ colorScheme: 'light' }));

  for (const theme of ['auto', 'light', 'dark', 'stackoverflow', 'github', 'minimal'])
    for (const scheme of ['light', 'dark'] as const) {
      it(`no axe violations: ${theme} theme, system ${scheme}: images, progress bars, unearned badges`, async () => {
        await emulateMedia({ colorScheme: scheme });
        // `light` and `dark` are for light and dark pages; the others follow a page that can be both.
        const dark = theme == 'dark' || (theme != 'light' && scheme == 'dark');
        const page = `color-scheme: ${theme == 'light' || theme == 'dark' ? theme : 'light dark'}; ` + (dark ? 'background: #0d1117; color: #f0f6fc' : 'background: #fff; color: #1f2328');
        const host = mount(
          `<div style="${page}; padding: 8px">` +
            ['maya', 'theo', 'sam']
              .map((u) => `<p><user-badges theme="${theme}" server="${learningServer}" service="learning" user="${u}" show="all"></user-badges></p>`)
              .join('') +
            '</div>',
        );
        const els = [...host.querySelectorAll('user-badges')];
        await Promise.all(els.map((el) => settled(el)));
        assert(els.every((el) => el.getAttribute('state') === 'ready'));
        assert(els[1]!.shadowRoot!.querySelector('[role=progressbar]') && els[2]!.shadowRoot!.querySelector('[data-state=unearned] img'), 'every state drawn');
        await noViolations(host);
        host.remove();
      });
    }
});

describe('accessibility of the compact variants and the grid, in every theme, light and dark', () => {
  after(() => emulateMedia({ colorScheme: 'light' }));

  for (const theme of ['auto', 'light', 'dark', 'stackoverflow', 'github', 'minimal'])
    for (const scheme of ['light', 'dark'] as const) {
      it(`no axe violations: ${theme} theme, system ${scheme}: max="2" with its popover open, summary, grid of every state by tag`, async () => {
        await emulateMedia({ colorScheme: scheme });
        const dark = theme == 'dark' || (theme != 'light' && scheme == 'dark');
        const page = `color-scheme: ${theme == 'light' || theme == 'dark' ? theme : 'light dark'}; ` + (dark ? 'background: #0d1117; color: #f0f6fc' : 'background: #fff; color: #1f2328');
        const host = mount(`<div style="${page}; padding: 8px; width: 760px">
          <p>mira <user-badges theme="${theme}" service="test" user="mira" max="2"></user-badges>
          <user-badges theme="${theme}" service="test" user="mira" variant="summary"></user-badges>
          <user-badges theme="${theme}" service="test" user="pat" max="2"></user-badges></p>
          <h2>Badges</h2>
          <user-badges theme="${theme}" service="test" user="kenji" layout="grid" show="all" group="tags" tags="community,dedication,trust"></user-badges></div>`);
        const els = [...host.querySelectorAll('user-badges')];
        await Promise.all(els.map((el) => settled(el)));
        const pop = els[0]!.shadowRoot!.querySelector<HTMLElement>('[popover]')!;
        pop.showPopover();
        assert(els[3]!.shadowRoot!.querySelector('[data-state=unearned]') && els[3]!.shadowRoot!.querySelector('[role=progressbar]'), 'every state drawn');
        await noViolations(host);
        pop.hidePopover();
        host.remove();
      });
    }
});

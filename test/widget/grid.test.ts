/**
 * `layout="grid"`, for profiles: a card per badge with its image (48 to 96 px,
 * `--user-badges-image-size`), title, tier, description, date earned and count; badges not earned
 * and in progress in their states, with progress bars; `group="tags"` under a heading per tag;
 * reachable and readable with the keyboard and screen readers.
 */
import { executeServerCommand, sendKeys } from '@web/test-runner-commands';
import { messages, setDefaultServer, type UserBadgesElement } from '../../widget/index.js';
import { $, $$, assert, equal, learningServer, mount, server, settled } from './helpers.js';

setDefaultServer(server);

type A11yNode = { role: string; name?: string; children?: A11yNode[] };
const one = (attrs: string, style = 'width: 900px') =>
  mount(`<div style="${style}"><user-badges service="test" layout="grid" ${attrs}></user-badges></div>`).querySelector('user-badges') as UserBadgesElement;
const card = (el: Element, title: string) => $$(el, '.card').find((c) => c.querySelector('.title')!.textContent == title)!;
const text = (c: Element, part: string) => c.querySelector(`[part~="${part}"]`)?.textContent ?? null;

describe('layout="grid"', () => {
  it('a card per badge: art, title, tier, description, date earned, count', async () => {
    const el = one('user="kenji"');
    await settled(el);
    equal($$(el, 'ul.grid > li > .card').length, el.badges.length);
    const nice = card(el, 'Nice Reply');
    equal(nice.getAttribute('part'), 'card card-earned card-bronze');
    equal(text(nice, 'tier'), 'Bronze badge');
    equal(text(nice, 'description'), 'Wrote a reply that got 10 likes');
    assert(/^Last earned \w{3} \d{1,2}, \d{4}$/.test(text(nice, 'date')!), text(nice, 'date')!);
    equal(nice.querySelector('time')!.getAttribute('datetime'), el.badges.find((b) => b.name == 'nice-reply')!.latest);
    equal(text(nice, 'count'), '×2');
    // A badge with an image shows it (decorative: the title says what it is); the others their tier, large.
    const bug = card(el, 'Bug Hunter');
    const img = bug.querySelector('img')!;
    equal([img.getAttribute('src'), img.alt], [server + '/demo/img/community/bug-hunter.svg', '']);
    assert(!bug.querySelector('.icon'));
    const shape = getComputedStyle(nice.querySelector('.icon')!).clipPath;
    assert(shape.startsWith('circle'), 'a bronze disc: ' + shape);
    equal(getComputedStyle(card(el, 'Good Reply').querySelector('.icon')!).clipPath.startsWith('polygon'), true);
  });

  it('the image is 64 px, or --user-badges-image-size kept between 48 and 96 px', async () => {
    const sizes: number[] = [];
    for (const size of ['', '80px', '20px', '200px']) {
      const el = one('user="kenji"', `width: 900px; ${size ? `--user-badges-image-size: ${size}` : ''}`);
      await settled(el);
      sizes.push(card(el, 'Bug Hunter').querySelector('.art')!.getBoundingClientRect().width);
    }
    equal(sizes, [64, 80, 48, 96]);
  });

  it('badges not earned yet and in progress, with progress bars (show="all")', async () => {
    const el = one('user="kenji" show="all"');
    await settled(el);
    const great = card(el, 'Great Reply');
    equal(great.dataset.state, 'unearned');
    equal(text(great, 'date'), 'Not earned yet');
    equal(getComputedStyle(great).borderTopStyle, 'dashed');
    const solver = card(el, 'Problem Solver');
    equal(solver.dataset.state, 'in_progress');
    const bar = solver.querySelector('[role=progressbar]')!;
    equal([bar.getAttribute('aria-valuenow'), bar.getAttribute('aria-valuemax'), bar.getAttribute('aria-valuetext')], ['6', '10', '6 of 10']);
    equal(text(solver, 'date'), '6 of 10');
    const fill = bar.firstElementChild!.getBoundingClientRect().width / bar.getBoundingClientRect().width;
    assert(Math.abs(fill - 0.6) < 0.02, 'filled to 60%: ' + fill);
    // A badge_states description for the state wins over the badge's.
    const el2 = one('user="amara" show="all" tags="community"');
    await settled(el2);
    equal(text(card(el2, 'Problem Solver'), 'description'), 'Have a reply accepted as a solution to get started');
  });

  it('group="tags": a heading per tag, named by the site, badges without a tag last', async () => {
    messages('en', { '#getting-started': 'Getting started', '#community': 'Community' });
    const el = one('user="kenji" show="all" group="tags"');
    await settled(el);
    const groups = $$(el, 'section.group');
    const headings = groups.map((g) => g.querySelector('h3')!.textContent);
    equal(headings.slice(0, 2), ['Getting started', 'Community']);
    assert(headings.includes('posting') && headings.includes('trust'), 'tags without a name show as they are: ' + headings.join());
    // The test service also has badges without a tag: they come last, under "Other".
    equal(headings.at(-1), 'Other');
    const first = groups[0]!;
    equal(first.querySelector('ul')!.getAttribute('aria-label'), 'Getting started');
    assert([...first.querySelectorAll('.title')].some((t) => t.textContent == 'Certified'));
  });

  it('group="tags" with tags=: each badge under the first of those it has', async () => {
    const el = mount(`<user-badges server="${learningServer}" service="learning" user="theo" show="all" layout="grid" group="tags" tags="css,basics"></user-badges>`).firstElementChild as UserBadgesElement;
    await settled(el);
    const headings = $$(el, 'h3').map((h) => h.textContent);
    equal([...headings].sort(), ['basics', 'css']);
  });

  it('cards with a link are links, reached with Tab, with a focus ring round the card', async () => {
    // Only the linked badges (the test service's `donated`, `popular`) are in the tab order.
    const host = mount('<div style="width: 900px"><button id="before">before</button><user-badges service="test" user="daniel" layout="grid"></user-badges></div>');
    const el = host.querySelector('user-badges') as UserBadgesElement;
    await settled(el);
    (host.querySelector('#before') as HTMLElement).focus();
    await sendKeys({ press: 'Tab' });
    const a = el.shadowRoot!.activeElement as HTMLAnchorElement;
    equal(a?.localName, 'a');
    equal(a.getAttribute('href'), '/badges/donated');
    const c = a.closest('.card')!;
    assert(getComputedStyle(c).outlineStyle == 'solid', 'a focus ring on the card');
    // The link covers the card.
    const r = c.getBoundingClientRect();
    equal(el.shadowRoot!.elementFromPoint(r.x + 8, r.bottom - 8)?.closest('a'), a);
    await sendKeys({ press: 'Tab' });
    equal((el.shadowRoot!.activeElement as HTMLAnchorElement).getAttribute('href'), '/badges/popular');
    host.remove();
  });

  it('screen readers read a list of cards, each with its title, tier, description and date', async () => {
    const host = mount('<div style="width: 900px"><user-badges service="test" user="kenji" layout="grid"></user-badges></div>');
    const el = host.querySelector('user-badges') as UserBadgesElement;
    await settled(el);
    const tree = (await executeServerCommand('ax-tree')) as A11yNode;
    const find = (n: A11yNode): A11yNode | undefined => (n.role === 'list' && n.name === 'Badges' ? n : n.children?.map(find).find(Boolean));
    const list = find(tree)!;
    assert(list, 'a list named Badges');
    const texts = (n: A11yNode): string[] => [...(n.role == 'StaticText' && n.name ? [n.name] : []), ...(n.children ?? []).flatMap(texts)];
    const items = list.children!.filter((c) => c.role === 'listitem');
    equal(items.length, el.badges.length);
    const nice = items.map((i) => texts(i).join(' ')).find((t) => t.startsWith('Nice Reply'))!;
    assert(/^Nice Reply × ?2 Bronze badge Wrote a reply that got 10 likes Last earned .+$/.test(nice), nice);
    host.remove();
  });
});

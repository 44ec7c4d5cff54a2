/**
 * The compact variant for posts, `max="3"`: at most that many badges, featured first, then by
 * tier, then by count; a "+N" button that opens the rest in the details popover, with the keyboard;
 * one line whatever the width; nothing at all for a member without badges. And `sort="tier"`.
 */
import { sendKeys } from '@web/test-runner-commands';
import { setDefaultServer, type UserBadgesElement } from '../../widget/index.js';
import { $, $$, assert, equal, learningServer, mount, server, settled, usersRequestsDuring, waitFor } from './helpers.js';

setDefaultServer(server);

const one = (attrs: string) => mount(`<user-badges service="test" ${attrs}></user-badges>`).firstElementChild as UserBadgesElement;
/** The row's list (the first; the popover's comes after it), its items and the names of its badges. */
const list = (el: Element) => $(el, 'ul')!;
const items = (el: Element) => [...list(el).querySelectorAll<HTMLElement>(':scope > li')];
const row = (el: Element) => [...list(el).querySelectorAll(':scope > li > .userbadge .name')].map((n) => n.textContent);
const popover = (el: Element) => $(el, '[popover]')!;
const open = (el: Element) => popover(el).matches(':popover-open');

describe('max="3"', () => {
  it('shows three badges by tier (gold, silver, bronze, other), then by count, then by name, and "+N"', async () => {
    // mira: 2 gold, 2 silver (good-reply twice), bronze nice-reply 4 times, and more.
    const el = one('user="mira" max="3"');
    await settled(el);
    equal(row(el), ['Great Reply', 'Leader', 'Good Reply']);
    const all = el.badges.map((b) => b.type);
    const rank = (t: unknown) => (['gold', 'silver', 'bronze'].indexOf(t as string) + 4) % 4;
    equal(all.map(rank), [...all.map(rank)].sort((a, b) => a - b), 'by tier');
    const silver = el.badges.filter((b) => b.type == 'silver');
    equal(silver[0]!.name, 'good-reply', 'the silver awarded twice first');
    const more = $(el, 'button.more')!;
    equal(more.getAttribute('part'), 'more');
    equal(more.querySelector('[aria-hidden]')!.textContent, `+${el.badges.length - 3}`);
    equal(more.querySelector('.vh')!.textContent, `${el.badges.length - 3} more badges`);
    // The rest are in the popover, in order, each with its details.
    equal(
      [...popover(el).querySelectorAll('.name')].map((n) => n.textContent),
      el.badges.slice(3).map((b) => (b.title as string) ?? b.name),
    );
    assert(!open(el), 'closed at first');
  });

  it('the featured badges first, in their order (the user object\'s `featured`)', async () => {
    // The mock serves the community with `featured`: mira features moderator, then great-reply.
    const el = mount(`<user-badges server="${learningServer}" service="community" user="mira" max="3"></user-badges>`).firstElementChild as UserBadgesElement;
    await settled(el);
    equal(row(el), ['Moderator', 'Great Reply', 'Leader']);
    equal(el.badges[0]!.type, 'staff', 'featured before any tier');
  });

  it('no "+N" when the user has no more badges than that', async () => {
    const el = one('user="hana" max="3"');
    await settled(el);
    equal(row(el).length, 3);
    assert(!$(el, 'button.more'), 'no +N');
  });

  it('sort="tier" orders the badges of a row without max; the server is not asked to sort', async () => {
    let el!: UserBadgesElement;
    const requests = await usersRequestsDuring(async () => {
      el = one('user="femi" sort="tier"');
      await settled(el);
    });
    assert(requests.every((r) => !r.includes('sort=')), requests.join());
    equal(el.badges.slice(0, 3).map((b) => b.type), ['gold', 'gold', 'gold']);
    equal(row(el).length, el.badges.length, 'all of them');
  });

  it('an explicit server sort wins over the tier order', async () => {
    const el = one('user="mira" max="3" sort="name"');
    await settled(el);
    equal(
      el.badges.map((b) => b.name),
      [...el.badges.map((b) => b.name)].sort(),
    );
  });
});

describe('the "+N" button and the popover, with the keyboard', () => {
  it('Tab reaches it, Enter opens the rest, Tab goes into them, Escape closes and gives focus back', async () => {
    const host = mount('<p><a href="#before">before</a> <user-badges service="test" user="kenji" max="2"></user-badges></p>');
    const el = host.querySelector('user-badges') as UserBadgesElement;
    await settled(el);
    const more = $(el, 'button.more')!;
    (host.querySelector('a') as HTMLElement).focus();
    // Tab through the two badges (the first is a link or focusable itself) to the button.
    for (let i = 0; i < 5 && el.shadowRoot!.activeElement != more; i++) await sendKeys({ press: 'Tab' });
    equal(el.shadowRoot!.activeElement, more, 'the button is reached with Tab');
    await sendKeys({ press: 'Enter' });
    await waitFor(() => open(el), 'the popover open after Enter');
    equal(popover(el).querySelectorAll('li').length, el.badges.length - 2);
    // Its badges show their details in it.
    const details = popover(el).querySelector('.details')!;
    assert(details.getBoundingClientRect().width > 1, 'details shown in the popover');
    await sendKeys({ press: 'Tab' });
    assert(popover(el).contains(el.shadowRoot!.activeElement), 'focus moves into the popover');
    await sendKeys({ press: 'Escape' });
    await waitFor(() => !open(el), 'the popover closed by Escape');
    await new Promise((r) => setTimeout(r, 50));
    equal([document.activeElement?.localName, el.shadowRoot!.activeElement?.localName], ['user-badges', 'button'], 'focus back on the button');
    await sendKeys({ press: ' ' });
    await waitFor(() => open(el), 'Space opens it too');
    more.click();
    await waitFor(() => !open(el), 'a second click closes it');
    host.remove();
  });

  it('the popover is placed by the button, inside the window', async () => {
    const host = mount('<div style="display: flex; justify-content: flex-end; width: 100%"><user-badges service="test" user="mira" max="1"></user-badges></div>');
    const el = host.querySelector('user-badges') as UserBadgesElement;
    await settled(el);
    const more = $(el, 'button.more')!;
    more.click();
    await waitFor(() => open(el), 'the popover open');
    const b = more.getBoundingClientRect();
    const p = popover(el).getBoundingClientRect();
    assert(p.left >= 0 && p.right <= document.documentElement.clientWidth + 1, `inside the window: ${p.left}-${p.right}`);
    assert(Math.abs(p.top - b.bottom) < 12 || Math.abs(p.bottom - b.top) < 12, `next to the button: ${JSON.stringify([b.top, b.bottom, p.top, p.bottom])}`);
    popover(el).hidePopover();
    host.remove();
  });
});

describe('one line', () => {
  it('never wraps: on a narrow line it shows fewer whole badges and a larger "+N"', async () => {
    const host = mount('<div style="width: 230px; display: flex; gap: 6px; font: 16px/1.5 sans-serif"><b>mira</b><user-badges service="test" user="mira" max="3" style="min-width: 0"></user-badges><span style="margin-left: auto">Nov 28</span></div>');
    const el = host.querySelector('user-badges') as UserBadgesElement;
    await settled(el);
    await waitFor(() => row(el).length < 3, 'fewer badges on a narrow line');
    await new Promise((r) => setTimeout(r, 50));
    const ul = list(el);
    const top = items(el)[0]!.getBoundingClientRect().top;
    assert(items(el).every((li) => li.getBoundingClientRect().top == top), 'one line');
    assert(ul.scrollWidth <= ul.clientWidth + 1, 'nothing overflows');
    const shown = row(el).length;
    equal($(el, 'button.more [aria-hidden]')!.textContent, `+${el.badges.length - shown}`);
    // Room again: all three.
    (host.firstElementChild as HTMLElement).style.width = '900px';
    await waitFor(() => row(el).length == 3, 'three badges once the line is wide');
    host.remove();
  });

  it('wraps when the page lets it (--user-badges-wrap: wrap)', async () => {
    const host = mount('<div style="width: 200px; --user-badges-wrap: wrap"><user-badges service="test" user="mira" max="3"></user-badges></div>');
    const el = host.querySelector('user-badges') as UserBadgesElement;
    await settled(el);
    await new Promise((r) => setTimeout(r, 50));
    equal(row(el).length, 3);
    const tops = new Set(items(el).map((li) => li.getBoundingClientRect().top));
    assert(tops.size > 1, 'on more than one line');
    host.remove();
  });
});

describe('empty="hide"', () => {
  it('is the default of max and summary: nothing for a member without badges or unknown', async () => {
    const host = mount(`<p>
      <user-badges service="test" user="emptyhanded" max="3"></user-badges>
      <user-badges service="test" user="nobody-at-all" max="3"></user-badges>
      <user-badges service="test" user="nobody-at-all" variant="summary"></user-badges>
      <user-badges service="test" user="nobody-at-all" max="3" empty="show"></user-badges>
      <user-badges service="test" user="nobody-at-all" empty="hide"></user-badges>
      <user-badges service="test" user="nobody-at-all"></user-badges></p>`);
    const els = [...host.querySelectorAll('user-badges')];
    await Promise.all(els.map((el) => settled(el)));
    await waitFor(() => getComputedStyle(els[0]!).display == 'none', 'hidden');
    equal(
      els.map((el) => getComputedStyle(el).display == 'none'),
      [true, true, true, false, true, false],
    );
    equal(els[3]!.shadowRoot!.textContent, 'No badges yet');
    host.remove();
  });
});

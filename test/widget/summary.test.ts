/**
 * `variant="summary"`: how many badges of each tier the user earned (each award counts), each count
 * with its tier's shape and colour (a gold star, a silver diamond, a bronze disc) and a name for
 * screen readers ("3 gold badges"); one button that opens every badge in the details popover.
 */
import { executeServerCommand, sendKeys } from '@web/test-runner-commands';
import { setDefaultServer, type UserBadgesElement } from '../../widget/index.js';
import { $, $$, assert, equal, mount, server, settled, waitFor } from './helpers.js';

setDefaultServer(server);

type A11yNode = { role: string; name?: string; children?: A11yNode[] };
const one = (attrs: string) => mount(`<user-badges service="test" ${attrs}></user-badges>`).firstElementChild as UserBadgesElement;

describe('variant="summary"', () => {
  it('counts the awards of each tier, gold, silver, bronze, then others', async () => {
    const el = one('user="mira" variant="summary"');
    await settled(el);
    const tallies = $$(el, '.tally');
    const count = (tier: string) => el.badges.filter((b) => (tier == 'other' ? !['gold', 'silver', 'bronze'].includes(b.type as string) : b.type == tier)).reduce((n, b) => n + b.count, 0);
    equal(
      tallies.map((t) => [t.getAttribute('part'), t.querySelector('[aria-hidden]')!.textContent]),
      ['gold', 'silver', 'bronze', 'other'].map((t) => [`tally tally-${t}`, String(count(t))]),
    );
    equal(
      tallies.map((t) => t.querySelector('.vh')!.textContent),
      [`${count('gold')} gold badges`, `${count('silver')} silver badges`, `${count('bronze')} bronze badges`, `${count('other')} other badge`],
    );
  });

  it('leaves out the tiers with none; one badge is "1 silver badge"', async () => {
    const el = one('user="tomasz" variant="summary"'); // one bronze
    await settled(el);
    equal($$(el, '.tally .vh').map((t) => t.textContent), ['1 bronze badge']);
  });

  it('shapes and colours tell the tiers apart', async () => {
    const el = one('user="mira" variant="summary"');
    await settled(el);
    const icon = (tier: string) => {
      const s = getComputedStyle($(el, `[part~="tally-${tier}"]`)!, "::before");
      return { shape: s.clipPath, colour: s.backgroundColor, content: s.content };
    };
    const [gold, silver, bronze] = ['gold', 'silver', 'bronze'].map(icon);
    for (const i of [gold!, silver!, bronze!]) assert(i.content !== 'none', 'an icon');
    assert(gold!.shape.startsWith('polygon') && silver!.shape.startsWith('polygon') && bronze!.shape.startsWith('circle'), `${gold!.shape} | ${silver!.shape} | ${bronze!.shape}`);
    equal(new Set([gold!.shape, silver!.shape, bronze!.shape]).size, 3, 'three shapes');
    equal(new Set([gold!.colour, silver!.colour, bronze!.colour]).size, 3, 'three colours');
  });

  it('is one button, named by its counts, that opens every badge', async () => {
    const host = mount('<p>mira <user-badges service="test" user="mira" variant="summary"></user-badges></p>');
    const el = host.querySelector('user-badges') as UserBadgesElement;
    await settled(el);
    const tree = (await executeServerCommand('ax-tree')) as A11yNode;
    const buttons: A11yNode[] = [];
    const walk = (n: A11yNode) => (n.role == 'button' && buttons.push(n), n.children?.forEach(walk));
    walk(tree);
    const button = buttons.find((b) => /gold badges/.test(b.name ?? ''));
    assert(button, 'a button named by the counts: ' + buttons.map((b) => b.name).join(' | '));
    assert(/^\d+ gold badges \d+ silver badges \d+ bronze badges 1 other badge$/.test(button.name!), button.name);
    const summary = $(el, 'button.summary')!;
    equal(summary.getAttribute('part'), 'summary');
    summary.focus();
    await sendKeys({ press: 'Enter' });
    const pop = $(el, '[popover]')!;
    await waitFor(() => pop.matches(':popover-open'), 'the popover open');
    equal(pop.querySelectorAll('li').length, el.badges.length);
    await sendKeys({ press: 'Escape' });
    await waitFor(() => !pop.matches(':popover-open'), 'closed by Escape');
    host.remove();
  });

  it('is one line, as tall as a badge', async () => {
    const host = mount('<p style="font: 16px/1.5 sans-serif">mira <user-badges service="test" user="mira" variant="summary"></user-badges></p>');
    const el = host.querySelector('user-badges') as UserBadgesElement;
    await settled(el);
    const h = el.getBoundingClientRect().height;
    assert(h >= 23 && h <= 25, `height ${h}`);
    host.remove();
  });
});

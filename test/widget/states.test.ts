/**
 * The richer badges of issue 10: titles, images, states (earned, in progress, unearned) with
 * progress, `show="all"` and `tags=`, against the mock learning server (demo/learning-seed.json).
 * In that seed maya earned first-lesson, five-lessons, css-course and mentor (twice) and is on her
 * way to a11y-course (4 of 6) and week-streak (5 of 7); theo earned first-lesson and is on his way
 * to five-lessons (3 of 5) and css-course (2 of 8); sam has only week-streak progress (2 of 7).
 */
import { executeServerCommand } from '@web/test-runner-commands';
import { html } from 'lit';
import { clearCache, type BadgeData, type UserBadgesElement } from '../../widget/index.js';
import { $$, assert, equal, learningRequestsDuring, learningServer, mount, settled } from './helpers.js';

const one = (attrs: string) =>
  mount(`<user-badges server="${learningServer}" service="learning" ${attrs}></user-badges>`).firstElementChild as UserBadgesElement;
const badgeOf = (el: Element, name: string) => $$(el, '.userbadge').find((b) => b.querySelector('.details b')!.textContent === name)!;
const globals = window as unknown as { UserBadges?: { renderBadge?: (b: BadgeData) => string } };

describe('richer badges', () => {
  beforeEach(() => clearCache());
  afterEach(() => delete globals.UserBadges);

  it('shows titles over names, and the name where a badge has no title', async () => {
    const el = one('user="maya"');
    equal(await settled(el), 'ready');
    equal(
      $$(el, '.name').map((n) => n.textContent),
      ['First lesson', 'Five lessons', 'CSS course', 'mentor'],
    );
    equal(
      el.badges.map((b) => b.state),
      ['earned', 'earned', 'earned', 'earned'],
      'without show="all", every badge listed is earned',
    );
  });

  it('draws badge images lazily, sized, with alt text from the title (else the name)', async () => {
    const el = one('user="maya"');
    await settled(el);
    const img = badgeOf(el, 'CSS course').querySelector('img')!;
    equal(
      [img.getAttribute('part'), img.getAttribute('src'), img.alt, img.loading, img.getAttribute('width'), img.getAttribute('height')],
      ['image', '/demo/img/css.svg', 'CSS course', 'lazy', '16', '16'],
    );
    assert(badgeOf(el, 'CSS course').hasAttribute('data-image'));
    // mentor has no image: its tier icon shows instead.
    const mentor = badgeOf(el, 'mentor');
    assert(!mentor.querySelector('img') && !mentor.hasAttribute('data-image'));
  });

  it('show="all" asks for every state; the default asks as before', async () => {
    const requests = await learningRequestsDuring(async () => {
      await Promise.all([settled(one('user="theo" show="all"')), settled(one('user="sam"'))]);
    });
    equal(requests.sort(), ['/v1/learning/users.json?names=sam', '/v1/learning/users.json?names=theo&states=all']);
  });

  it('tags="..." is passed to the server, trimmed and in one order', async () => {
    let el!: UserBadgesElement;
    const requests = await learningRequestsDuring(async () => {
      el = one('user="lin" tags=" css, basics,"');
      await settled(el);
    });
    equal(requests, ['/v1/learning/users.json?names=lin&tags=basics,css']);
    equal(
      el.badges.map((b) => b.name),
      ['first-lesson', 'five-lessons', 'css-course'],
    );
  });

  it('draws each state as data-state and parts; unearned badges say so, with their state description and image', async () => {
    const el = one('user="theo" show="all" tags="basics,css,a11y"');
    await settled(el);
    const states = $$(el, '.userbadge').map((b) => [b.querySelector('.name')!.textContent, b.dataset.state, b.getAttribute('part')]);
    equal(states, [
      ['First lesson', 'earned', 'badge badge-earned badge-bronze'],
      ['Five lessons', 'in_progress', 'badge badge-in_progress badge-silver'],
      ['CSS course', 'in_progress', 'badge badge-in_progress badge-gold'],
      ['Accessibility course', 'unearned', 'badge badge-unearned badge-gold'],
    ]);
    const a11y = badgeOf(el, 'Accessibility course');
    const details = a11y.querySelector('.details')!.textContent!;
    assert(details.includes('Finish the six accessibility lessons'), "the unearned state's description: " + details);
    assert(details.includes('Not earned yet') && !details.includes('Awarded'), details);
    equal(a11y.querySelector('img')!.getAttribute('src'), '/demo/img/locked.svg', "the state's image_url wins");
    equal(a11y.querySelector('img')!.alt, 'Accessibility course');
    assert(!a11y.querySelector('.count, [role=progressbar]'), 'no count, no bar');
    // The earned badge keeps its own image and description.
    const first = badgeOf(el, 'First lesson');
    equal(first.querySelector('img')!.getAttribute('src'), '/demo/img/first-lesson.svg');
    assert(first.querySelector('.details')!.textContent!.includes('Finished a first lesson'));
  });

  it('an in-progress badge has an accessible progress bar', async () => {
    const el = one('user="theo" show="all" tags="basics"');
    await settled(el);
    const five = badgeOf(el, 'Five lessons');
    const bar = five.querySelector<HTMLElement>('[role=progressbar]')!;
    assert(bar, 'a progress bar');
    equal(
      ['part', 'aria-valuemin', 'aria-valuemax', 'aria-valuenow', 'aria-valuetext', 'aria-label'].map((a) => bar.getAttribute(a)),
      ['progress', '0', '5', '3', '3 of 5', 'Progress'],
    );
    const fill = bar.firstElementChild as HTMLElement;
    equal(fill.style.width, '60%');
    assert(five.querySelector('.details')!.textContent!.includes('In progress: 3 of 5'));
    // And so the accessibility tree has it: a named progress bar with its value.
    type Node = { role: string; name: string; value?: number; valuemin?: number; valuemax?: number; children?: Node[] };
    const find = (n: Node): Node | undefined => (n.role === 'progressbar' ? n : n.children?.map(find).find(Boolean));
    const ax = find((await executeServerCommand('ax-tree')) as Node);
    assert(ax, 'a progressbar in the accessibility tree');
    equal([ax.name, ax.value, ax.valuemin, ax.valuemax], ['Progress', 3, 0, 5], JSON.stringify(ax));
  });

  it('render hooks get the state and progress', async () => {
    const el = one('user="theo" show="all" tags="basics"');
    const seen: [string, string, unknown][] = [];
    el.renderBadge = (b) => (seen.push([b.name, b.state, b.progress]), html`<i part="mine" data-state=${b.state}>${b.title}</i>`);
    await settled(el);
    equal(seen.slice(-2), [
      ['first-lesson', 'earned', null],
      ['five-lessons', 'in_progress', { current: 3, goal: 5 }],
    ]);
    equal(
      $$(el, 'i[part=mine]').map((i) => i.dataset.state),
      ['earned', 'in_progress'],
    );
  });

  it('the global UserBadges.renderBadge gets them too (as strings, escaped)', async () => {
    globals.UserBadges = { renderBadge: (b) => `<span class="userbadge" data-state="${b.state}">${b.title} ${b.count}</span>` };
    const el = one('user="sam" show="all" tags="basics"');
    await settled(el);
    equal(
      $$(el, '.userbadge').map((s) => [s.dataset.state, s.textContent]),
      [
        ['unearned', 'First lesson 0'],
        ['unearned', 'Five lessons 0'],
      ],
    );
  });

  it('batches elements with the same show and tags together, and apart from the others', async () => {
    const attrs = ['', '', 'show="all"', 'show="all"', 'tags="css"', 'show="all" tags="basics, css"', 'show="all" tags="css,basics"', 'show="earned"'];
    const requests = await learningRequestsDuring(async () => {
      const els = attrs.map((a, i) => one(`user="${['maya', 'theo'][i % 2]}" ${a}`));
      await Promise.all(els.map((el) => settled(el)));
    });
    equal(requests.sort(), [
      '/v1/learning/users.json?names=maya&tags=css',
      '/v1/learning/users.json?names=maya,theo', // show="earned" is the default
      '/v1/learning/users.json?names=maya,theo&states=all',
      '/v1/learning/users.json?names=theo,maya&states=all&tags=basics,css', // the same tags, written two ways
    ]);
  });

  it('changing show or tags re-renders with a new request', async () => {
    const el = one('user="sam" tags="learning"');
    equal(await settled(el), 'empty', 'sam earned nothing yet');
    const requests = await learningRequestsDuring(async () => {
      el.show = 'all';
      await el.updateComplete;
      await settled(el);
    });
    equal(requests, ['/v1/learning/users.json?names=sam&states=all&tags=learning']);
    equal(el.getAttribute('show'), 'all');
    equal(el.badges.length, 7);
    equal($$(el, '[data-state=in_progress]').length, 1);
  });

  it('new fields are text and checked URLs: markup in titles and descriptions shows as text, bad images are dropped', async () => {
    const el = mount(`<user-badges server="${learningServer}" service="hostile" user="eve" show="all"></user-badges>`).firstElementChild as UserBadgesElement;
    equal(await settled(el), 'ready');
    const trap = $$(el, '.userbadge')[0]!;
    equal(trap.querySelector('.name')!.textContent, '<img src=x onerror="window.pwned=1">Trap');
    assert(!trap.querySelector('img, b[onclick]'), 'no image from javascript: URLs, no markup from fields');
    assert(trap.querySelector('.details')!.textContent!.includes('<b onclick="window.pwned=2">half</b>'));
    equal(trap.querySelector('[role=progressbar]')!.getAttribute('aria-valuenow'), '2');
    // A malformed badge_states and a goal of 0: drawn as a plain earned badge, no bar.
    const odd = $$(el, '.userbadge')[1]!;
    equal([odd.dataset.state, odd.querySelector('.name')!.textContent, !!odd.querySelector('.progress')], ['earned', 'odd', false]);
    await new Promise((r) => setTimeout(r, 50));
    assert(!(window as unknown as { pwned?: number }).pwned, 'nothing ran');
  });

  it('the old embed markup keeps working beside them', async () => {
    const host = mount(`<span class="userbadges" data-server="${learningServer}" data-service="learning" data-user="maya"></span>`);
    const { startLegacy } = await import('../../widget/index.js');
    startLegacy();
    const span = host.firstElementChild!;
    await new Promise((r) => span.addEventListener('user-badges-load', r, { once: true }));
    equal(span.querySelector('.userbadge.mentor .count')?.textContent, 'x2');
    assert(!span.querySelector('[data-state]'), 'the old markup, unchanged');
  });
});

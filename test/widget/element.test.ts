import { setDefaultServer, UserBadgesElement, type BadgeData } from '../../widget/index.js';
import { $, $$, assert, equal, mount, names, server, settled, slowServer, waitFor } from './helpers.js';

setDefaultServer(server);

const one = (html: string) => mount(html).firstElementChild as UserBadgesElement;

describe('<user-badges> rendering', () => {
  it('is defined once, and a second definition is ignored', async () => {
    const { defineUserBadges } = await import('../../widget/index.js');
    defineUserBadges();
    assert(customElements.get('user-badges') === UserBadgesElement);
  });

  it('shows each badge: name, count when more than 1, details, link', async () => {
    const el = one('<user-badges service="test" user="daniel"></user-badges>');
    equal(await settled(el), 'ready');
    equal(names(el), ['donated', 'popular', 'test1']);
    const [donated, popular, test1] = $$(el, '.userbadge');
    equal(donated!.querySelector('.count')!.textContent, '×2');
    assert(!popular!.querySelector('.count'), 'no count for a badge awarded once');
    const details = [...donated!.querySelectorAll('.details > *')].map((d) => d.textContent);
    equal(details.slice(0, 3), ['donated', 'Gold badge', 'Donated at least $5'], 'headed by the whole name');
    assert(/^Awarded 2 times, last on \w/.test(details[3]!), details[3]);
    assert(/^\d+ awarded in all$/.test(details[4]!), details[4]);
    equal(donated!.querySelector('time')!.getAttribute('datetime'), el.badges[0]!.latest);
    equal(donated!.querySelector('a')!.getAttribute('href'), '/badges/donated');
    equal(donated!.dataset.type, 'gold');
    equal(popular!.dataset.type, 'silver');
    assert(!test1!.querySelector('a'), 'no link without a link field');
    equal(test1!.getAttribute('tabindex'), '0', 'a badge without a link is focusable, for its details');
    assert(!donated!.hasAttribute('tabindex'), 'a badge with a link is focused through it');
    equal(
      [...test1!.querySelectorAll('.details > *')].map((d) => d.textContent!.replace(/ on .*/, '')),
      ['test1', 'Awarded', test1!.querySelector('.details')!.lastElementChild!.textContent],
      'no tier and no description when the badge has none',
    );
    // A list of items, one per badge.
    const list = $(el, 'ul')!;
    equal($$(el, 'ul > li').length, 3);
    assert(list.getAttribute('part') === 'list');
  });

  it('reflects its properties to attributes and back', async () => {
    const el = one('<user-badges></user-badges>');
    equal(el.theme, 'auto', 'theme defaults to auto');
    el.service = 'test';
    el.user = 'bob';
    el.sort = 'name';
    el.theme = 'dark';
    el.server = server;
    for (const a of ['service', 'user', 'sort', 'theme', 'server'] as const) equal(el.getAttribute(a), el[a], a);
    el.setAttribute('user', 'daniel');
    equal(el.user, 'daniel');
    el.user = undefined;
    assert(!el.hasAttribute('user'), 'undefined removes the attribute');
    await el.updateComplete;
    equal(el.state, 'idle');
  });

  it('re-renders when an attribute changes', async () => {
    const el = one('<user-badges service="test" user="daniel"></user-badges>');
    await settled(el);
    el.setAttribute('user', 'bob');
    await waitFor(() => names(el).join() === 'popular,helper', 'bob');
    el.sort = '-name';
    await waitFor(() => names(el).join() === 'popular,helper' && el.getAttribute('state') === 'ready');
    el.sort = 'name';
    await waitFor(() => names(el).join() === 'helper,popular', 'sorted by name');
  });

  it('ignores a response that arrives for an old attribute value', async () => {
    const el = one(`<user-badges service="test" user="many-200" server="${slowServer(400)}"></user-badges>`);
    const loads: string[] = [];
    el.addEventListener('user-badges-load', (e) => loads.push(e.detail.user));
    await waitFor(() => el.state === 'loading');
    await new Promise((r) => setTimeout(r, 50)); // the slow request is on its way
    el.server = server;
    el.user = 'bob';
    await waitFor(() => names(el).join() === 'popular,helper', 'bob');
    await new Promise((r) => setTimeout(r, 600)); // the old answer has arrived by now
    equal(names(el), ['popular', 'helper']);
    equal(loads, ['bob']);
  });

  it('renders properties set before the element was defined', async () => {
    const el = document.createElement('user-badges-late') as HTMLElement & { renderBadge?: unknown };
    el.setAttribute('service', 'test');
    el.setAttribute('user', 'bob');
    el.renderBadge = (b: BadgeData) => `<em>${b.name}</em>`;
    document.body.append(el);
    const { defineUserBadges } = await import('../../widget/index.js');
    defineUserBadges('user-badges-late');
    await settled(el);
    equal($$(el, 'em').map((e) => e.textContent), ['popular', 'helper']);
  });
});

describe('<user-badges> states', () => {
  it('shows a skeleton while loading, then the badges', async () => {
    const el = one(`<user-badges service="test" user="many-201" server="${slowServer(300)}"></user-badges>`);
    await waitFor(() => el.state === 'loading');
    await el.updateComplete;
    assert($(el, '[part=skeleton]'), 'skeleton');
    assert($(el, '.vh')!.textContent === 'Loading badges');
    await settled(el);
    assert(!$(el, '[part=skeleton]'));
  });

  it('keeps the fallback text while loading and on error', async () => {
    const el = one(`<user-badges service="test" user="many-202" server="${slowServer(200)}">daniel's badges</user-badges>`);
    await waitFor(() => el.state === 'loading');
    await el.updateComplete;
    assert($(el, 'slot:not([name])'), 'default slot shows the fallback');
    assert(!$(el, '[part=skeleton]'));
    const bad = one(`<user-badges service="nosuchservice" user="daniel"><a href="/u/daniel">daniel's badges</a></user-badges>`);
    equal(await settled(bad), 'error');
    assert($(bad, 'slot:not([name])'), 'fallback on error');
  });

  it('says so when the user has no badge, or does not exist', async () => {
    const empty = one('<user-badges service="test" user="emptyhanded"></user-badges>');
    const unknown = one('<user-badges service="test" user="nobody-at-all"></user-badges>');
    equal(await settled(empty), 'empty');
    equal(await settled(unknown), 'unknown');
    equal($(empty, '[part=status]')!.textContent, 'No badges yet');
    equal($(unknown, '[part=status]')!.textContent, 'No badges yet');
    const custom = one('<user-badges service="test" user="nobody-at-all"><span slot="empty">Aucun badge</span></user-badges>');
    await settled(custom);
    equal(($(custom, 'slot[name=empty]') as HTMLSlotElement).assignedElements()[0]!.textContent, 'Aucun badge');
  });

  it('shows an error for an unknown service, with the server error code', async () => {
    const el = one('<user-badges service="nosuchservice" user="daniel"></user-badges>');
    const event = new Promise<CustomEvent>((r) => document.addEventListener('user-badges-error', r as never, { once: true }));
    equal(await settled(el), 'error');
    equal($(el, '[part=status]')!.textContent, 'Badges unavailable');
    equal(el.error!.code, 'service_not_found');
    equal(el.error!.status, 404);
    const e = await event;
    assert(e.target === el && e.bubbles && e.composed, 'bubbling, composed event from the element');
    equal(e.detail.error.code, 'service_not_found');
    equal(e.detail.user, 'daniel');
  });

  it('shows an error when the server cannot be reached, and for an invalid sort', async () => {
    const down = one('<user-badges service="test" user="daniel" server="http://127.0.0.1:9"></user-badges>');
    const sorted = one('<user-badges service="test" user="daniel" sort="sideways"></user-badges>');
    equal(await settled(down), 'error');
    equal(down.error!.code, 'network_error');
    equal(await settled(sorted), 'error');
    equal(sorted.error!.status, 400);
  });

  it('is idle, showing its content, without service or user', async () => {
    const el = one('<user-badges service="test">Badges</user-badges>');
    await el.updateComplete;
    equal(el.state, 'idle');
    assert($(el, 'slot'));
  });
});

describe('<user-badges> events and badge data', () => {
  it('fires a bubbling, composed load event with the badges', async () => {
    const host = mount('');
    const got = new Promise<CustomEvent>((r) => host.addEventListener('user-badges-load', r as never, { once: true }));
    host.innerHTML = '<user-badges service="test" user="daniel"></user-badges>';
    const e = await got;
    assert(e.bubbles && e.composed);
    equal(e.detail.found, true);
    equal(e.detail.service, 'test');
    equal(
      e.detail.badges.map((b: BadgeData) => b.name),
      ['donated', 'popular', 'test1'],
    );
    assert($(e.target as Element, 'ul'), 'the badges are drawn when the event fires');
  });

  it('gives hooks the user count/latest, the global ones and every custom field', async () => {
    const seen: BadgeData[] = [];
    const el = one('<user-badges service="test" user="daniel"></user-badges>');
    el.renderBadge = (b) => (seen.push(b), undefined);
    await settled(el);
    await waitFor(() => seen.length >= 3);
    const donated = seen.find((b) => b.name === 'donated')!;
    equal(donated.count, 2);
    assert(typeof donated.latest === 'string' && !isNaN(Date.parse(donated.latest)), 'latest is a date');
    assert(donated.globalCount >= 2 + 125, 'globalCount counts every user: ' + donated.globalCount);
    assert(typeof donated.globalLatest === 'string' && donated.globalLatest >= donated.latest);
    equal(donated.description, 'Donated at least $5');
    equal(donated.link, '/badges/donated');
    equal(donated.type, 'gold');
    equal(donated.tier, 3);
    equal(donated.perks, ['hat']);
    // Hook returning undefined keeps the default markup.
    equal(names(el), ['donated', 'popular', 'test1']);
  });

  it('reads out names, tier, counts and descriptions', async () => {
    const el = one('<user-badges service="test" user="daniel"></user-badges>');
    await settled(el);
    const donated = $(el, '.userbadge')!;
    const text = donated.textContent!.replace(/\s+/g, ' ');
    assert(/^donated×2donatedGold badgeDonated at least \$5Awarded 2 times, last on .+\d+ awarded in all$/.test(text), text);
    equal(donated.querySelector('.details b')!.getAttribute('aria-hidden'), 'true', 'the name is not read twice');
    equal(donated.querySelector('.count')!.getAttribute('aria-hidden'), 'true');
  });
});

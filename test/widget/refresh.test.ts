/**
 * Fresh: `element.refresh()` and `UserBadges.refresh(service, user?)` ask the display server again,
 * batched as loads are, keep the badges shown until the answer is drawn, and fire
 * `user-badges-load` again.
 */
import { refresh, setDefaultServer, type UserBadgesElement } from '../../widget/index.js';
import { $, assert, equal, mount, names, server, settled, usersRequestsDuring } from './helpers.js';

setDefaultServer(server);

/** Awards `badges` to `user` of the open test service, as a site would. */
async function award(user: string, badges: string[]) {
  const res = await fetch(`${server}/v1/test/users/${encodeURIComponent(user)}.json`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ badges }),
  });
  assert(res.ok, 'award ' + res.status);
}

const user = (i: number) => `fresh-${Date.now().toString(36)}-${i}`;

describe('refresh()', () => {
  it('element.refresh() fetches again and draws the new award, the old badges shown meanwhile', async () => {
    const who = user(1);
    await award(who, ['popular']);
    const el = mount(`<user-badges service="test" user="${who}"></user-badges>`).firstElementChild as UserBadgesElement;
    await settled(el);
    equal(names(el), ['popular']);
    await award(who, ['helper']);
    const loads: unknown[] = [];
    el.addEventListener('user-badges-load', (e) => loads.push(e.detail));
    const states: string[] = [];
    const watch = new MutationObserver(() => states.push(el.getAttribute('state')!));
    watch.observe(el, { attributes: true, attributeFilter: ['state'] });
    let done!: Promise<void>;
    const requests = await usersRequestsDuring(async () => {
      done = el.refresh();
      await el.updateComplete;
      // Still the old list, not a placeholder, while the server answers.
      equal(names(el), ['popular']);
      assert(!$(el, '.skeleton'), 'no placeholder');
      await done;
    });
    watch.disconnect();
    equal(requests.length, 1);
    equal(names(el).sort(), ['helper', 'popular']);
    assert(!states.includes('loading'), 'it never went back to loading: ' + states.join());
    equal(loads.length, 1, 'user-badges-load again');
  });

  it('UserBadges.refresh(service, user) refreshes every element of that user, in one request', async () => {
    const who = user(2);
    await award(who, ['popular']);
    const host = mount(`
      <user-badges service="test" user="${who}"></user-badges>
      <user-badges service="test" user="${who}" max="3"></user-badges>
      <user-badges service="test" user="${who}" variant="summary"></user-badges>
      <user-badges service="test" user="daniel"></user-badges>`);
    const els = [...host.querySelectorAll('user-badges')] as UserBadgesElement[];
    await Promise.all(els.map((el) => settled(el)));
    await award(who, ['donated']);
    const requests = await usersRequestsDuring(() => refresh('test', who));
    equal(requests.length, 1, requests.join('\n'));
    assert(requests[0]!.includes(`names=${who}`) && !requests[0]!.includes('daniel'), requests[0]);
    equal(names(els[0]!).sort(), ['donated', 'popular']);
    equal(els[1]!.badges.map((b) => b.name), ['donated', 'popular'], 'gold first, in the compact row');
    assert($(els[2]!, '[part~=tally-gold]'), 'the summary counts the new gold badge');
    host.remove();
  });

  it('UserBadges.refresh(service) refreshes all its users together, batched as loads are', async () => {
    const [a, b] = [user(3), user(4)];
    await award(a, ['popular']);
    await award(b, ['helper']);
    const host = mount(`<user-badges service="test" user="${a}"></user-badges><user-badges service="test" user="${b}"></user-badges><user-badges service="nosuchservice" user="${a}"></user-badges>`);
    const els = [...host.querySelectorAll('user-badges')] as UserBadgesElement[];
    await Promise.all(els.map((el) => settled(el)));
    await award(a, ['test1']);
    await award(b, ['test1']);
    const requests = await usersRequestsDuring(() => refresh('test'));
    equal(requests.length, 1, 'one request for both: ' + requests.join('\n'));
    assert(requests[0]!.includes(a) && requests[0]!.includes(b));
    equal(names(els[0]!).sort(), ['popular', 'test1']);
    equal(names(els[1]!).sort(), ['helper', 'test1']);
    host.remove();
  });

  it('a refresh that fails keeps the badges shown and says why', async () => {
    const who = user(5);
    await award(who, ['popular']);
    const el = mount(`<user-badges service="test" user="${who}"></user-badges>`).firstElementChild as UserBadgesElement;
    await settled(el);
    const errors: Event[] = [];
    el.addEventListener('user-badges-error', (e) => errors.push(e));
    // The network fails for the refresh only: the element keeps its list.
    const original = window.fetch;
    window.fetch = () => Promise.reject(new TypeError('offline'));
    try {
      await el.refresh();
    } finally {
      window.fetch = original;
    }
    equal(el.getAttribute('state'), 'ready');
    equal(names(el), ['popular']);
    equal(errors.length, 1, 'user-badges-error');
    equal(el.error?.code, 'network_error');
  });
});

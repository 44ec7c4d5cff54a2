/**
 * Live (issue 21): `<user-badges live>` (or `live` on an ancestor) keeps one stream per server and
 * service for every live element of the page; a badge won reaches the page without a reload,
 * animated unless the reader prefers reduced motion, and announced politely to screen readers.
 */
import { emulateMedia } from '@web/test-runner-commands';
import { setDefaultServer, type UserBadgesElement } from '../../widget/index.js';
import { $, assert, equal, mount, names, server, serverLog, settled, waitFor } from './helpers.js';

setDefaultServer(server);

async function award(user: string, badges: string[]) {
  const res = await fetch(`${server}/v1/test/users/${encodeURIComponent(user)}.json`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ badges }) });
  assert(res.ok, 'award ' + res.status);
}

const who = (i: number) => `live-${Date.now().toString(36)}-${i}`;
const liveRequests = async () => (await serverLog()).filter((l) => l.includes('/v1/test/live'));
/** The drawn item of a badge, in the element's order. */
const itemOf = (el: UserBadgesElement, badge: string) => el.shadowRoot!.querySelectorAll<HTMLElement>('[part~="item"]')[el.badges.findIndex((b) => b.name == badge)];

describe('live', () => {
  afterEach(() => emulateMedia({ reducedMotion: 'no-preference' }));

  it('a badge won arrives without a reload: animated, and announced politely', async () => {
    const [a, b] = [who(1), who(2)];
    await award(a, ['popular']);
    await award(b, ['popular']);
    const before = (await liveRequests()).length;
    const host = mount(`<div live><user-badges service="test" user="${a}"></user-badges><user-badges service="test" user="${b}"></user-badges></div>`);
    const [el, other] = [...host.querySelectorAll('user-badges')] as UserBadgesElement[];
    await settled(el!);
    await settled(other!);
    const streams = await waitFor(async () => (await liveRequests()).slice(before).filter(Boolean).length && (await liveRequests()).slice(before), 'the live stream');
    equal(streams.length, 1, 'one stream for both elements');
    assert(streams[0]!.includes(encodeURIComponent(a)) && streams[0]!.includes(encodeURIComponent(b)), streams[0]);
    await new Promise((r) => setTimeout(r, 300));
    await award(a, ['helper']);
    await waitFor(() => names(el!).includes('helper'), 'helper to arrive live', 10_000);
    const item = itemOf(el!, 'helper')!;
    assert(item.hasAttribute('data-new'), 'marked new');
    assert(item.getAnimations().length > 0, 'animated');
    const status = $(el!, '[role="status"]')!;
    equal(status.getAttribute('aria-live'), 'polite');
    assert(/earned helper/.test(status.textContent!), status.textContent!);
    equal(names(other!), ['popular'], "the other user's element is not redrawn with it");
  });

  it('under prefers-reduced-motion the badge arrives without animation, still announced', async () => {
    await emulateMedia({ reducedMotion: 'reduce' });
    const a = who(3);
    await award(a, ['popular']);
    const el = mount(`<user-badges service="test" user="${a}" live></user-badges>`).firstElementChild as UserBadgesElement;
    await settled(el);
    await waitFor(async () => (await liveRequests()).some((l) => l.includes(encodeURIComponent(a))), 'its stream');
    await new Promise((r) => setTimeout(r, 300));
    await award(a, ['helper']);
    await waitFor(() => names(el).includes('helper'), 'helper to arrive live', 10_000);
    const item = itemOf(el, 'helper')!;
    assert(item.hasAttribute('data-new'));
    equal(item.getAnimations().length, 0, 'not animated');
    assert(/earned helper/.test($(el, '[role="status"]')!.textContent!));
  });

  it('elements without live open no stream and load no live code', async () => {
    const before = (await liveRequests()).length;
    const el = mount(`<user-badges service="test" user="daniel"></user-badges>`).firstElementChild as UserBadgesElement;
    await settled(el);
    await new Promise((r) => setTimeout(r, 100));
    equal((await liveRequests()).length, before);
  });
});

/**
 * `live`, a chunk: badges that appear as they are won. One Server-Sent Events stream per server and
 * service for every live element of the page (browsers allow 6 connections per origin over
 * HTTP/1.1), carrying the users they show; opened again, resuming where it was (`last_event_id`),
 * when an element shows a user it did not carry. An award, a revocation or a change of what a user
 * features refreshes their elements (batched, as every load is); a badge's change refreshes them
 * all, and so does `reload`. A badge just won is animated (not under `prefers-reduced-motion`)
 * and announced politely to screen readers.
 *
 * The element only asks for this chunk (`live` on it or an ancestor); the chunk finds its elements
 * by the `user-badges-load` event each of them fires once drawn.
 */
import type { Kit } from '../kit.js';
import type { UserBadgesElement } from '../user-badges.js';

interface Stream {
  url: string;
  users: Set<string>;
  source?: EventSource;
  last?: string;
  timer?: number;
}

const streams = new Map<string, Stream>();
const live = new Set<UserBadgesElement>();

export default ({ serverOf }: Kit) => {
  const isLive = (el: UserBadgesElement) => el.isConnected && !!el.closest('[live]');
  const norm = (name: string) => name.trim().normalize('NFC');
  const elements = (key: string, user?: string) => [...live].filter((el) => isLive(el) && keyOf(el) == key && (user == null || norm(el.user || '') == user));
  const keyOf = (el: UserBadgesElement) => serverOf(el.server) + '/v1/' + encodeURIComponent(el.service || '');

  /** The element's shadow root's polite live region, made once. */
  const region = (el: UserBadgesElement) => {
    const root = el.shadowRoot!;
    let status = root.querySelector<HTMLElement>('.ub-live');
    if (!status) {
      status = document.createElement('span');
      status.className = 'ub-live vh';
      status.setAttribute('role', 'status');
      status.setAttribute('aria-live', 'polite');
      root.append(status);
    }
    return status;
  };

  /** Draws the user's badges again; a badge just won is shown arriving, and said. */
  const refresh = (el: UserBadgesElement, won?: string) =>
    el.refresh().then(() => {
      if (!won) return;
      const at = el.badges.findIndex((b) => b.name == won && b.state == 'earned');
      const item = at < 0 ? null : el.shadowRoot!.querySelectorAll<HTMLElement>('[part~="item"],[part~="card"]')[at];
      const badge = el.badges[at];
      if (!item || !badge) return;
      item.setAttribute('data-new', '');
      if (!matchMedia('(prefers-reduced-motion: reduce)').matches) {
        item.animate([{ transform: 'scale(1.5)', opacity: 0 }, { transform: 'scale(1)', opacity: 1 }], { duration: 700, easing: 'cubic-bezier(.2,1.4,.4,1)' });
      }
      region(el).textContent = `${el.user} earned ${badge.title || badge.name}`;
    });

  const open = (key: string, stream: Stream) => {
    stream.source?.close();
    const q = new URLSearchParams({ users: [...stream.users].join(',') });
    if (stream.last) q.set('last_event_id', stream.last);
    const source = (stream.source = new EventSource(`${stream.url}/live?${q}`));
    const on = (type: string, act: (d: { user?: string; badge?: string }) => void) =>
      source.addEventListener(type, (e) => {
        const m = e as MessageEvent;
        stream.last = m.lastEventId || stream.last;
        act(m.data ? JSON.parse(m.data) : {});
      });
    on('award', (d) => elements(key, d.user).forEach((el) => refresh(el, d.badge)));
    on('revoke', (d) => elements(key, d.user).forEach((el) => refresh(el)));
    on('display', (d) => elements(key, d.user).forEach((el) => refresh(el)));
    on('badge', () => elements(key).forEach((el) => refresh(el)));
    on('reload', () => elements(key).forEach((el) => refresh(el)));
  };

  /** Adds the element's user to its stream; a stream whose users changed is opened again, once per task. */
  const watch = (el: UserBadgesElement) => {
    if (!isLive(el) || !el.service || !el.user) return;
    live.add(el);
    const key = keyOf(el);
    let stream = streams.get(key);
    if (!stream) streams.set(key, (stream = { url: key, users: new Set() }));
    const user = norm(el.user);
    if (stream.users.has(user)) return;
    stream.users.add(user);
    clearTimeout(stream.timer);
    stream.timer = setTimeout(() => open(key, stream!)) as unknown as number;
  };

  document.addEventListener('user-badges-load', (e) => watch(e.target as UserBadgesElement));
  return {};
};

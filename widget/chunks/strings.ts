/**
 * HTML strings, a chunk: the sanitiser that turns what string hooks return (an element's
 * `renderBadge`, the old global `UserBadges.renderBadge`) into markup, the escaping of the badge
 * such hooks receive, and the filling of the old embed's containers. Pages that use none of them,
 * as pages of `<user-badges>` with the default markup do, never load it.
 */
import type { UserBadgesError } from '../api.js';
import type { BadgeData } from '../badge.js';
import type { Kit } from '../kit.js';
import type { RenderBadge, UserBadgesElement } from '../user-badges.js';
import { sanitizeHTML } from '../sanitize.js';

export interface Strings {
  /**
   * Calls the render hook of a badge of `el`: its own `renderBadge`, else a page's global
   * `UserBadges.renderBadge` (else undefined). A hook seen returning a string is called again, and
   * from now on, with the badge's string fields escaped; the string comes back sanitised.
   */
  hook(b: BadgeData, el: UserBadgesElement, own?: RenderBadge): unknown;
  fill(el: HTMLElement): Promise<void>;
}

const esc = (v: string) => v.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The badge as string hooks receive it: every string field HTML-escaped, so that a hook which
 * concatenates fields into markup (`'<li>' + b.name + '</li>'`) shows them as text.
 */
const escaped = (b: BadgeData): BadgeData =>
  Object.fromEntries(Object.entries(b).map(([k, v]) => [k, typeof v == 'string' ? esc(v) : v])) as BadgeData;

export default ({ loadUser, serverOf, usersQuery, badgesOf, emit, warn, globalRenderBadge, legacyRenderBadge }: Kit): Strings => {
  const filled = new WeakSet<Element>();
  const stringHooks = new WeakSet<RenderBadge>();
  return {
    hook(b, el, own) {
      const g = globalRenderBadge();
      let v: unknown = own ? own(stringHooks.has(own) ? escaped(b) : b, el) : g != legacyRenderBadge ? g(escaped(b)) : undefined;
      if (own && typeof v == 'string' && !stringHooks.has(own)) stringHooks.add(own), (v = own(escaped(b), el));
      return typeof v == 'string' && v ? sanitizeHTML(v) : v;
    },
    /**
     * Fills one container of the old embed (`<span|ul|div class="userbadges" data-service data-user>`)
     * with the sanitised output of `UserBadges.renderBadge`, a space between badges. In a `ul`/`ol`, a
     * badge that is not already an `<li>` is wrapped in one, so the list stays valid. On error the
     * content is left as it was (the page's fallback) and not retried, and the console says why once.
     * Fires the same events as `<user-badges>`.
     */
    async fill(el) {
      const { service, user, server, sort } = el.dataset;
      const desc = `<${el.localName} class="userbadges" data-service="${service}">`;
      if (!user) return warn(desc + ': set the data-user attribute to show badges');
      if (!service || filled.has(el)) return;
      filled.add(el);
      try {
        const r = await loadUser(serverOf(server), service, user, usersQuery(sort));
        const render = globalRenderBadge();
        const badges = badgesOf(r);
        el.replaceChildren(
          ...badges.flatMap((b, i) => {
            const f = sanitizeHTML(String(render(escaped(b)) ?? ''));
            let node: Node = f;
            if (/^[ou]l$/.test(el.localName) && f.firstElementChild?.localName != 'li') (node = document.createElement('li')).appendChild(f);
            return i ? [' ', node] : [node];
          }),
        );
        emit(el, 'user-badges-load', { service, user, found: !!r.user, badges });
      } catch (error) {
        warn(`${desc}: ${(error as Error).message} (${(error as UserBadgesError).code})`);
        emit(el, 'user-badges-error', { service, user, error: error as never });
      }
    },
  };
};

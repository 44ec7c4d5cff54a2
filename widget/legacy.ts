import { badgesOf, text, type BadgeData } from './badge.js';
import { serverOf } from './config.js';
import { usersQuery, type UserBadgesError } from './api.js';
import { emit, warn } from './events.js';
import { loadUser } from './loader.js';
import { sanitizeHTML } from './sanitize.js';

/** The old global `UserBadges.renderBadge`: a badge (string fields HTML-escaped) in, HTML out. */
export type LegacyRenderBadge = (badge: BadgeData) => string;

const esc = (v: string) => v.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The badge as string hooks receive it: every string field HTML-escaped, so that a hook which
 * concatenates fields into markup (`'<li>' + b.name + '</li>'`) shows them as text.
 */
export const escaped = (b: BadgeData): BadgeData =>
  Object.fromEntries(Object.entries(b).map(([k, v]) => [k, typeof v == 'string' ? esc(v) : v])) as BadgeData;

/**
 * The markup of the old jQuery embed, so that old theme stylesheets still apply, with two additions
 * no old stylesheet notices: the badge's type as `data-type` (so the themes draw its tier), and a
 * space before the count (so that without any stylesheet it reads "donated x2", not "donatedx2"):
 * `<span class="userbadge donated" data-type="gold"><a href="/badges/donated"><span class="name" title="...">donated</span></a> <span class="count">x2</span></span>`,
 * or `<span class="userbadge test1" title="">test1</span>` for a badge without a link or type. Like
 * any `UserBadges.renderBadge`, it is given an {@link escaped} badge.
 */
export const legacyRenderBadge: LegacyRenderBadge = (b) => {
  const title = ` title="${text(b.description)}"`;
  return (
    `<span class="userbadge ${b.name}"` +
    (/^[\w-]+$/.test(text(b.type)) ? ` data-type="${b.type}"` : '') +
    (b.link ? `><a href="${b.link}"><span class="name"${title}>${b.name}</span></a>` : `${title}>${b.name}`) +
    (b.count > 1 ? ` <span class="count">x${b.count}</span>` : '') +
    '</span>'
  );
};

/** The global hook: the page's `UserBadges.renderBadge`, else the old markup. */
export const globalRenderBadge = (): LegacyRenderBadge =>
  (globalThis as { UserBadges?: { renderBadge?: LegacyRenderBadge } }).UserBadges?.renderBadge || legacyRenderBadge;

const filled = new WeakSet<Element>();

/**
 * Fills one container of the old embed (`<span|ul|div class="userbadges" data-service data-user>`)
 * with the sanitised output of `UserBadges.renderBadge`, a space between badges. In a `ul`/`ol`, a
 * badge that is not already an `<li>` is wrapped in one, so the list stays valid. On error the
 * content is left as it was (the page's fallback) and not retried, and the console says why once.
 * Fires the same events as `<user-badges>`.
 */
export async function fillLegacy(el: HTMLElement): Promise<void> {
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
}

/**
 * Fills every old-style container once the page is parsed (so a `UserBadges.renderBadge` set by a
 * later script is used, as with the old script), then every container added later.
 */
export function startLegacy(): void {
  const scan = () => document.querySelectorAll<HTMLElement>('.userbadges[data-service]').forEach(fillLegacy);
  const start = () => {
    scan();
    new MutationObserver(scan).observe(document, { childList: true, subtree: true });
  };
  if (document.readyState == 'loading') document.addEventListener('DOMContentLoaded', start, { once: true });
  else start();
}

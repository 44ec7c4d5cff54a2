import { text, type BadgeData } from './badge.js';
import { chunk } from './chunks.js';
import type { Strings } from './chunks/strings.js';

/** The old global `UserBadges.renderBadge`: a badge (string fields HTML-escaped) in, HTML out. */
export type LegacyRenderBadge = (badge: BadgeData) => string;

/**
 * The markup of the old jQuery embed, so that old theme stylesheets still apply, with two additions
 * no old stylesheet notices: the badge's type as `data-type` (so the themes draw its tier), and a
 * space before the count (so that without any stylesheet it reads "donated x2", not "donatedx2"):
 * `<span class="userbadge donated" data-type="gold"><a href="/badges/donated"><span class="name" title="...">donated</span></a> <span class="count">x2</span></span>`,
 * or `<span class="userbadge test1" title="">test1</span>` for a badge without a link or type. Like
 * any `UserBadges.renderBadge`, it is given a badge with its string fields HTML-escaped.
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

/**
 * Fills one container of the old embed (`<span|ul|div class="userbadges" data-service data-user>`)
 * with the sanitised output of `UserBadges.renderBadge`, a space between badges; see `fill` in
 * chunks/strings.ts, the chunk that does it (with the sanitiser), loaded by the first container.
 */
export const fillLegacy = (el: HTMLElement): Promise<void> => chunk<Strings>('strings').then((s) => s?.fill(el));

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

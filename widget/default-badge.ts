import { html, nothing } from 'lit/html.js';
import { safeUrl, text, type BadgeData } from './badge.js';
import { loaded } from './chunks.js';
import type { States } from './chunks/states.js';
import type { Locale } from './i18n.js';
import type { BadgeStateInfo } from './wire.js';

/** The badge's `badge_states` entry for the state the user is in, if the service gave one. */
const stateInfo = (b: BadgeData): Partial<BadgeStateInfo> =>
  (Array.isArray(b.badge_states) && (b.badge_states as unknown as BadgeStateInfo[]).find((s) => s?.state == b.state)) || {};

/**
 * What the default markup and the grid show of a badge: its `type` when it is a plain word (a CSS
 * value), its title (else its name), the description and image of the user's state (else the
 * badge's), its link when safe, and its progress when in progress towards a goal.
 */
export function facts(b: BadgeData) {
  const own = stateInfo(b);
  const p = b.progress;
  return {
    type: /^[\w-]+$/.test(text(b.type)) ? (b.type as string) : '',
    title: text(b.title) || b.name,
    desc: text(own.description) || text(b.description),
    link: safeUrl(b.link),
    image: safeUrl(own.image_url) || safeUrl(b.image),
    p: b.state == 'in_progress' && p && p.goal > 0 ? p : null,
  };
}

/** "gold badge": the tier in the locale (`gold`, `silver`, `bronze`, else `tier` with the type). */
export const tierName = (type: string, loc: Locale): string =>
  /^(gold|silver|bronze)$/.test(type) ? loc.t(type as 'gold') : loc.t('tier', { tier: type });

/** "Awarded 2 times, last on <time>6 Dec 2026</time>": the date inside a `<time>` element. */
export const awarded = (b: BadgeData, loc: Locale, key: 'awarded' | 'earned' = 'awarded') => {
  const [before, after] = loc.t(key, { n: b.count }).split('{date}');
  return html`${before}<time datetime=${b.latest}>${loc.day(b.latest)}</time>${after}`;
};

/**
 * The default markup: the old embed's classes (so one theme styles both) plus parts. The tier is
 * drawn by the theme as an icon of its own shape (`data-type`), unless the badge has an image (the
 * state's `image_url`, else its `image`). The user's state is `data-state` and a part
 * (`badge-earned`, `badge-in_progress`, `badge-unearned`), so that themes dim what is not earned.
 * What the details and the progress bar say of a badge not earned is the `states` chunk's. The
 * details (tier, description, when or how far, how many in all) are read with the badge by
 * screen readers, and shown as a card on hover or focus (a badge without a link is focusable for
 * that), headed by the whole title, which the badge itself may have cut short.
 */
export function defaultBadge(b: BadgeData, loc: Locale) {
  const { type, title, desc, link, image, p } = facts(b);
  const s = b.state;
  // Loaded with `show="all"`, the only way to badges not earned (see UserBadgesElement._chunks).
  const states = loaded<States>('states');
  const name = html`<span class="name" part="name">${title}</span>`;
  // Line breaks go inside ${...}, where the minifier drops them, not in the markup, where they would ship.
  return html`<span class="userbadge" part="badge badge-${s}${type ? ' badge-' + type : ''}" data-state=${s} data-type=${type || nothing} ?data-image=${!!image} tabindex=${link ? nothing : 0}>${
    image ? html`<img class="image" part="image" src=${image} alt=${title} loading="lazy" width="16" height="16" />` : nothing
  }${link ? html`<a href=${link} part="link">${name}</a>` : name}${p && states ? states.bar(p, loc) : nothing}${
    b.count > 1 ? html`<span class="count" part="count" aria-hidden="true">×${loc.num(b.count)}</span>` : nothing
  }<span class="details" part="details"><b aria-hidden="true">${title}</b>${type ? html`<span class="tier">${tierName(type, loc)}</span>` : nothing}${
    desc ? html`<span>${desc}</span>` : nothing
  }<span>${
    s == 'earned' ? awarded(b, loc) : states?.text(b, p, loc)
  }</span><span>${loc.t('inAll', { n: b.globalCount })}</span></span></span>`;
}

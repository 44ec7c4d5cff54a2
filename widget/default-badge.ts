import { html, nothing } from 'lit/html.js';
import { text, type BadgeData } from './badge.js';
import { safeUrl } from './sanitize.js';
import type { BadgeProgress, BadgeStateInfo } from './wire.js';

const day = (iso: string | null) => (iso ? new Date(iso).toLocaleDateString(undefined, { dateStyle: 'medium' }) : '');

/** The badge's `badge_states` entry for the state the user is in, if the service gave one. */
const stateInfo = (b: BadgeData): Partial<BadgeStateInfo> =>
  (Array.isArray(b.badge_states) && (b.badge_states as unknown as BadgeStateInfo[]).find((s) => s?.state == b.state)) || {};

/**
 * A progress bar with its value for assistive technology. The fill's width is set through the
 * CSSOM, not a `style` attribute, which a strict Content-Security-Policy would refuse.
 */
function progress({ current, goal }: BadgeProgress) {
  const fill = document.createElement('i');
  fill.style.width = Math.min(100, (100 * current) / goal) + '%';
  return html`<span class="progress" part="progress" role="progressbar" aria-label="Progress" aria-valuemin="0" aria-valuemax=${goal} aria-valuenow=${current} aria-valuetext="${current} of ${goal}">${fill}</span>`;
}

/**
 * The default markup: the old embed's classes (so one theme styles both) plus parts. The tier is
 * drawn by the theme as an icon of its own shape (`data-type`), unless the badge has an image (the
 * state's `image_url`, else its `image`). The user's state is `data-state` and a part
 * (`badge-earned`, `badge-in_progress`, `badge-unearned`), so that themes dim what is not earned.
 * The details (tier, description, when or how far, how many in all) are read with the badge by
 * screen readers, and shown as a card on hover or focus (a badge without a link is focusable for
 * that), headed by the whole title, which the badge itself may have cut short.
 */
export function defaultBadge(b: BadgeData) {
  const type = /^[\w-]+$/.test(text(b.type)) ? (b.type as string) : '';
  const s = b.state;
  const own = stateInfo(b);
  const title = text(b.title) || b.name;
  const desc = text(own.description) || text(b.description);
  const link = safeUrl(b.link);
  const image = safeUrl(own.image_url) || safeUrl(b.image);
  const p = s == 'in_progress' && b.progress && b.progress.goal > 0 ? b.progress : null;
  const name = html`<span class="name" part="name">${title}</span>`;
  // Line breaks go inside ${...}, where the minifier drops them, not in the markup, where they would ship.
  return html`<span class="userbadge" part="badge badge-${s}${type ? ' badge-' + type : ''}" data-state=${s} data-type=${type || nothing} ?data-image=${!!image} tabindex=${link ? nothing : 0}>${
    image ? html`<img class="image" part="image" src=${image} alt=${title} loading="lazy" width="16" height="16" />` : nothing
  }${link ? html`<a href=${link} part="link">${name}</a>` : name}${p ? progress(p) : nothing}${
    b.count > 1 ? html`<span class="count" part="count" aria-hidden="true">×${b.count}</span>` : nothing
  }<span class="details" part="details"><b aria-hidden="true">${title}</b>${type ? html`<span class="tier">${type} badge</span>` : nothing}${
    desc ? html`<span>${desc}</span>` : nothing
  }<span>${
    s == 'unearned'
      ? 'Not earned yet'
      : s != 'earned'
        ? 'In progress' + (p ? `: ${p.current} of ${p.goal}` : '')
        : html`${b.count > 1 ? `Awarded ${b.count} times, last on ` : 'Awarded on '}<time datetime=${b.latest}>${day(b.latest)}</time>`
  }</span><span>${b.globalCount} awarded in all</span></span></span>`;
}

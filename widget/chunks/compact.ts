/**
 * The compact variants, a chunk (for `max`, `variant="summary"` and `sort="tier"`): the order by
 * tier, hiding the element of a user without badges, the row of `max` badges on one line, and the
 * details popover: a button ("+N", or the summary's face) that opens a list of badges, each with
 * its details shown.
 *
 * The row shows whole badges: at most `max`, and fewer when the line is too narrow for them (a post
 * read on a phone), the others going to "+N"; it measures again when its container is resized. A
 * page that lets it wrap (`--user-badges-wrap: wrap`) gets all `max` of them. The popover is a native `popover`:
 * the keyboard opens it (Enter, Space), Escape and a click outside close it, focus goes from the
 * button into it and back. It is anchored below the button (CSS anchor positioning, turned
 * to whichever side has room, on right-to-left pages too), or, in a browser without anchor
 * positioning, in the middle of the window.
 */
import type { BadgeData } from '../badge.js';
import type { Locale } from '../i18n.js';
import type { Kit } from '../kit.js';
import type { UserBadgesElement } from '../user-badges.js';
import type { ViewContext } from '../view.js';

export interface Compact {
  css: string;
  /**
   * The order of `sort="tier"`: the featured badges first, in their order (the user's `featured`,
   * when the server sends it); then gold, silver, bronze, then any other type; then the most
   * awarded; then by name. Sorts `badges` in place.
   */
  byTier(badges: BadgeData[], featured: unknown): BadgeData[];
  messages: { plus: string; more: { one: string; other: string } };
  render(list: BadgeData[], loc: Locale, item: (b: BadgeData) => unknown, face?: unknown): unknown;
  /** The row of `max="N"`: the first badges that fit on the line, at most N, then "+N" for the rest. */
  row(c: ViewContext): unknown;
}

export default ({ html, nothing }: Kit): Compact => {
  /** How many badges fit on the line, by element, once measured smaller than `max`. */
  const fits = new WeakMap<UserBadgesElement, number>();
  /** The width of each element's container when last measured. */
  const widths = new WeakMap<Element, number>();
  const resized = new ResizeObserver((entries) => {
    for (const { target, contentRect } of entries) {
      if (widths.get(target) == contentRect.width) continue;
      widths.set(target, contentRect.width);
      for (const el of target.children) if (fits.has(el as UserBadgesElement)) fits.delete(el as UserBadgesElement), (el as UserBadgesElement).requestUpdate();
    }
  });
  /** After a render: one badge less while the row overflows its line (each pass a render, all before the next paint). */
  const measure = (el: UserBadgesElement) => {
    const ul = el.shadowRoot!.querySelector('ul');
    if (!ul || getComputedStyle(ul).flexWrap != 'nowrap') return;
    const shown = ul.querySelectorAll(':scope > li:not(.plus)').length;
    if (ul.scrollWidth > ul.clientWidth + 1 && shown > 1) fits.set(el, shown - 1), el.requestUpdate();
  };
  const self: Compact = {
  byTier(badges, featured) {
    const f = Array.isArray(featured) ? featured : [];
    const first = (b: BadgeData) => (f.indexOf(b.name) + f.length + 1) % (f.length + 1);
    const tier = (b: BadgeData) => (['gold', 'silver', 'bronze'].indexOf(b.type as string) + 4) % 4;
    return badges.sort((a, b) => first(a) - first(b) || tier(a) - tier(b) || b.count - a.count || (a.name < b.name ? -1 : 1));
  },
  messages: { plus: '+{n}', more: { one: '{n} more badge', other: '{n} more badges' } },
  css: /* css */ `
    @layer user-badges {
      :host(:is([state='empty'], [state='unknown']):is([max], [variant='summary']):not([empty='show'])) {
        display: none;
      }
      :host([max]) li {
        flex-shrink: 0;
      }
      .one > li:first-child {
        flex-shrink: 1;
      }
      .more {
        flex: none;
        white-space: nowrap;
        font: inherit;
        cursor: pointer;
        anchor-name: --more;
      }
      .popover {
        position-anchor: --more;
        position-area: block-end span-inline-end;
        position-try: most-height flip-block, flip-inline, flip-block flip-inline;
        inset: auto;
        box-sizing: border-box;
        width: max-content;
        max-width: min(20rem, 100vw - 16px);
        max-height: min(28rem, 100%);
        margin: 4px 0;
        padding: 0.6rem 0.75rem;
        overflow: auto;
        font: 400 0.8125rem/1.45 var(--user-badges-font, system-ui, sans-serif);
        color: CanvasText;
        background: Canvas;
        border: 1px solid GrayText;
        border-radius: 6px;
        box-shadow: 0 4px 12px #0003;
      }
      .popover ul {
        flex-direction: column;
        align-items: stretch;
        gap: 0.6rem;
      }
      .popover li {
        flex-direction: column;
        align-items: flex-start;
      }
      .popover .userbadge {
        flex-wrap: wrap;
      }
      .popover .details {
        position: static;
        display: flex;
        flex-direction: column;
        flex-basis: 100%;
        width: auto;
        height: auto;
        padding: 0.1rem 0 0;
        clip-path: none;
        white-space: normal;
        font-size: 0.75rem;
        color: inherit;
        background: none;
        border: 0;
        box-shadow: none;
      }
      .popover .details b {
        display: none;
      }
      .tier::first-letter {
        text-transform: uppercase;
      }
    }
  `,
  row({ el, badges, item, loc }) {
    const max = +el.max! | 0 || badges.length;
    const rest = badges.splice(Math.min(max, fits.get(el) ?? max));
    // Down to one badge, it may shrink (its name cut short) rather than overflow.
    if (el.parentElement && !widths.has(el.parentElement)) widths.set(el.parentElement, -1), resized.observe(el.parentElement);
    if (!fits.has(el)) fits.set(el, max);
    queueMicrotask(() => measure(el));
    return html`<ul class=${badges.length > 1 ? 'userbadges' : 'userbadges one'} part="list" aria-label=${loc.t('badges')}>${badges.map((b) => item(b))}${
      rest[0] ? html`<li class="plus" part="item">${self.render(rest, loc, item)}</li>` : nothing
    }</ul>`;
  },
  render(list, loc, item, face) {
    const n = list.length;
    // Closed with the focus inside (Escape), the focus goes back to the button, unless it went
    // somewhere else meanwhile (a click outside).
    let inside = false;
    const toggle = (e: ToggleEvent) => {
      const pop = e.target as HTMLElement;
      const root = pop.getRootNode() as ShadowRoot;
      if (e.type == 'beforetoggle') inside = e.newState == 'closed' && pop.contains(root.activeElement);
      else if (inside && (pop.contains(root.activeElement) || document.activeElement == document.body)) (pop.previousElementSibling as HTMLElement).focus();
    };
    return html`<button class=${face ? 'userbadge more summary' : 'userbadge more'} part=${face ? 'summary' : 'more'} popovertarget="more">${
      face ?? html`<span aria-hidden="true">${loc.t('plus', { n })}</span><span class="vh">${loc.t('more', { n })}</span>`
    }</button><div class="popover" part="popover" id="more" popover @beforetoggle=${toggle} @toggle=${toggle}><ul class="userbadges" part="list" aria-label=${loc.t(
      'badges',
    )}>${list.map((b) => item(b))}</ul></div>`;
  },
};
  return self;
};

/**
 * `layout="grid"`, a chunk: a card per badge, as on an achievements page (Discourse's badge grid,
 * Credly): the image first (48 to 96 px, `--user-badges-image-size`; the tier drawn large when the
 * badge has none), the title (a link when the badge has one, which makes the whole card one), the
 * tier, the description, and the date earned, how far the user is (a progress bar), or "Not earned
 * yet"; the count, when more than one, on the image (read after the title). Every card has the same height whatever its
 * text (titles are cut at two lines, descriptions at three, the whole shown on hover as a tooltip),
 * the image size plus 12.125rem and 2px (for a border of 1px), set by the script's own styles, so that
 * the loading placeholder (a card) and the room the themes reserve before the script runs are as
 * tall as the first row of the grid.
 *
 * `group="tags"`: the cards under a heading per tag: each badge under the rarest of its tags in the
 * list (a tag every badge has says nothing), or, with `tags`, the first of those it has; badges
 * without a tag last, under "Other".
 */
import type { BadgeData } from '../badge.js';
import type { Locale } from '../i18n.js';
import type { Kit } from '../kit.js';
import type { States } from './states.js';
import type { View } from '../view.js';

export default ({ html, nothing, text, facts, tierName, awarded, loaded }: Kit): View => {
  function card(b: BadgeData, loc: Locale) {
    const { type, title, desc, link, image, p } = facts(b);
    const s = b.state;
    const states = loaded<States>('states');
    return html`<div class="card" part="card card-${s}${type ? ' card-' + type : ''}" data-state=${s} data-type=${type || nothing} title=${desc || nothing}><span class="art" part="art">${
      image ? html`<img src=${image} alt="" loading="lazy" width="96" height="96" />` : html`<i class="icon"></i>`
    }</span><b class="title" part="title">${link ? html`<a href=${link} part="link">${title}</a>` : title}</b>${
      b.count > 1 ? html`<span class="count" part="count">×${loc.num(b.count)}</span>` : nothing
    }<span class="tier" part="tier">${type ? tierName(type, loc) : nothing}</span><span class="desc" part="description">${desc}</span><span class="date" part="date">${
      s == 'earned' ? awarded(b, loc, 'earned') : p ? html`${states?.bar(p, loc)}${loc.t('of', p)}` : states?.text(b, p, loc)
    }</span></div>`;
  }

  return {
    messages: {
      earned: { one: 'Earned {date}', other: 'Last earned {date}' },
      untagged: 'Other',
    },
    css: /* css */ `
      @layer user-badges {
        .grid {
          display: grid;
          grid-template-columns: repeat(auto-fill, minmax(min(var(--user-badges-card-width, 9.5rem), 100%), 1fr));
          gap: var(--user-badges-gap, 0.75rem);
          margin: 0;
          padding: 0;
          list-style: none;
        }
        .grid > li {
          display: block;
        }
        .group + .group {
          margin-block-start: 1.5rem;
        }
        .group-title {
          margin: 0 0 0.75rem;
          font-size: 1rem;
          font-weight: 600;
          line-height: 1.4;
        }
        .card {
          --s: clamp(48px, var(--user-badges-image-size, 64px), 96px);
          position: relative;
          display: grid;
          grid-template-rows: var(--s) 2.5rem 1rem 3.375rem 2rem;
          row-gap: 0.375rem;
          align-items: center;
          justify-items: center;
          padding: 0.875rem 0.75rem;
          overflow: hidden;
          text-align: center;
          font-size: 0.8125rem;
          line-height: 1.125rem;
        }
        .art {
          position: relative;
          display: grid;
          place-items: center;
          width: var(--s);
          height: var(--s);
        }
        .art img {
          width: 100%;
          height: 100%;
          object-fit: contain;
        }
        .icon {
          width: 50%;
          height: 50%;
        }
        .card > .count {
          position: absolute;
          top: calc(0.875rem + var(--s) - 1.1rem);
          inset-inline-start: calc(50% + var(--s) / 2 - 1rem);
          padding: 0 0.45em;
          font-size: 0.75rem;
          font-weight: 700;
          line-height: 1.25rem;
          border-radius: 1em;
        }
        .title,
        .desc,
        .date {
          display: -webkit-box;
          -webkit-box-orient: vertical;
          -webkit-line-clamp: 2;
          max-width: 100%;
          overflow: hidden;
          overflow-wrap: anywhere;
        }
        .title {
          font-size: 0.9375rem;
          font-weight: 600;
          line-height: 1.25rem;
        }
        .title a {
          color: inherit;
          text-decoration: none;
        }
        .title a::after {
          content: '';
          position: absolute;
          inset: 0;
        }
        .tier {
          display: inline-flex;
          align-items: center;
          gap: 0.35em;
          max-width: 100%;
          font-size: 0.75rem;
          font-weight: 500;
          line-height: 1rem;
          white-space: nowrap;
        }
        .desc {
          -webkit-line-clamp: 3;
          align-self: start;
        }
        .date {
          align-self: end;
          font-size: 0.75rem;
          line-height: 1rem;
        }
        .date .progress {
          display: flex;
          width: 4rem;
          height: 0.375rem;
          margin: 0.3rem auto 0.2rem;
          overflow: hidden;
          border-radius: 1em;
        }
      }
    `,
    render({ el, badges, loc, item }) {
      const list = (bs: BadgeData[], label: string) =>
        html`<ul class="grid" part="grid" aria-label=${label}>${bs.map((b) => item(b, card))}</ul>`;
      if (el.group != 'tags') return list(badges, loc.t('badges'));
      const tagsOf = (b: BadgeData) => (Array.isArray(b.tags) ? b.tags.map(text).filter(Boolean) : []);
      const wanted = (el.tags || '').split(',').map((t) => t.trim());
      const held = new Map<string, number>();
      for (const b of badges) for (const t of tagsOf(b)) held.set(t, (held.get(t) || 0) + 1);
      const groups = new Map<string, BadgeData[]>();
      for (const b of badges) {
        const tags = tagsOf(b);
        const tag = tags.find((t) => wanted.includes(t)) ?? tags.sort((x, y) => held.get(x)! - held.get(y)!)[0] ?? '';
        groups.set(tag, [...(groups.get(tag) || []), b]);
      }
      const other = groups.get('');
      groups.delete('');
      if (other) groups.set('', other);
      // A tag's heading: the message `#<tag>` when the site gives one (UserBadges.messages), else the tag.
      const heading = (tag: string) => {
        const key = ('#' + tag) as 'untagged';
        const m = loc.t(key);
        return tag ? (m == key ? tag : m) : loc.t('untagged');
      };
      return [...groups].map(
        ([tag, bs]) => html`<section class="group" part="group"><h3 class="group-title" part="group-title">${heading(tag)}</h3>${list(bs, heading(tag))}</section>`,
      );
    },
  };
};

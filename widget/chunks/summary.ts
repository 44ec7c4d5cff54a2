/**
 * `variant="summary"`, a chunk: how many badges the user earned of each tier, as Stack Overflow
 * shows it beside a name ("★ 3 ◆ 5 ● 12"), each count with its tier's icon (the theme draws a star,
 * a diamond, a disc; a neutral dot for badges of no tier) and a name for screen readers ("3 gold
 * badges"). Each award counts, as there. The whole is one button that opens every badge in the
 * details popover.
 */
import type { Kit } from '../kit.js';
import type { View } from '../view.js';

export default ({ html, nothing }: Kit): View => ({
  messages: {
    golds: { one: '{n} gold badge', other: '{n} gold badges' },
    silvers: { one: '{n} silver badge', other: '{n} silver badges' },
    bronzes: { one: '{n} bronze badge', other: '{n} bronze badges' },
    others: { one: '{n} other badge', other: '{n} other badges' },
  },
  css: /* css */ `
    @layer user-badges {
      .summary {
        gap: 0.7em;
        white-space: nowrap;
      }
      .tally {
        display: inline-flex;
        align-items: center;
        gap: 0.3em;
        font-variant-numeric: tabular-nums;
      }
    }
  `,
  render({ badges, loc, more }) {
    const count: Record<string, number> = { gold: 0, silver: 0, bronze: 0, other: 0 };
    for (const b of badges) if (b.state == 'earned') count[['gold', 'silver', 'bronze'].includes(b.type as string) ? (b.type as string) : 'other'] += b.count;
    const face = Object.entries(count)
      .filter(([, n]) => n)
      .map(
        ([tier, n]) =>
          html`<span class="tally" part="tally tally-${tier}" data-type=${tier == 'other' ? nothing : tier}><span aria-hidden="true">${loc.num(n)}</span><span class="vh">${loc.t(
            (tier + 's') as 'golds',
            { n },
          )}</span></span>`,
      );
    return face[0] ? more(badges, face) : nothing;
  },
});

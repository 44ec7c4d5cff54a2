/**
 * Badge states, a chunk (for `show="all"`): what the details say of a badge not earned yet or in
 * progress, and the progress bar, with their messages.
 */
import type { BadgeData } from '../badge.js';
import type { Locale } from '../i18n.js';
import type { Kit } from '../kit.js';
import type { BadgeProgress } from '../wire.js';

export interface States {
  messages: Record<'unearned' | 'inProgress' | 'progressOf' | 'progress' | 'of', string>;
  /** "Not earned yet", "In progress", or "In progress: 3 of 5". */
  text(b: BadgeData, p: BadgeProgress | null, loc: Locale): string;
  /**
   * A progress bar with its value for assistive technology. The fill's width is set through the
   * CSSOM, not a `style` attribute, which a strict Content-Security-Policy would refuse.
   */
  bar(p: BadgeProgress, loc: Locale): unknown;
}

export default ({ html }: Kit): States => ({
  messages: {
    unearned: 'Not earned yet',
    inProgress: 'In progress',
    progressOf: 'In progress: {current} of {goal}',
    /** The progress bar's accessible name, and its value. */
    progress: 'Progress',
    of: '{current} of {goal}',
  },
  text: (b, p, loc) => loc.t(b.state == 'unearned' ? 'unearned' : p ? 'progressOf' : 'inProgress', p as never),
  bar({ current, goal }, loc) {
    const fill = document.createElement('i');
    fill.style.width = Math.min(100, (100 * current) / goal) + '%';
    return html`<span class="progress" part="progress" role="progressbar" aria-label=${loc.t('progress')} aria-valuemin="0" aria-valuemax=${goal} aria-valuenow=${current} aria-valuetext=${loc.t('of', { current, goal })}>${fill}</span>`;
  },
});

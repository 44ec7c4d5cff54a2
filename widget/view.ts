/**
 * A way of drawing a user's badges that is loaded as a chunk (`layout="grid"`,
 * `variant="summary"`). Types only: nothing here reaches the bundle.
 */
import type { BadgeData } from './badge.js';
import type { Locale, Messages } from './i18n.js';
import type { UserBadgesElement } from './user-badges.js';

/** What the element hands a view to draw. */
export interface ViewContext {
  el: UserBadgesElement;
  /** The badges to draw, in order (featured first, by tier, when the element sorts by tier). */
  badges: BadgeData[];
  loc: Locale;
  /** One `<li part="item">`, drawn by the element's render hooks, else by `fallback` (default: the default markup). */
  item(b: BadgeData, fallback?: (b: BadgeData, loc: Locale) => unknown): unknown;
  /** A button (showing `face`, else "+N") that opens `list` in the details popover. */
  more(list: BadgeData[], face?: unknown): unknown;
}

export interface View {
  /** Structural styles (in the `user-badges` layer), adopted by the elements that use the view. */
  css: string;
  /** English defaults of the view's own messages. */
  messages: Partial<Messages>;
  render(c: ViewContext): unknown;
}

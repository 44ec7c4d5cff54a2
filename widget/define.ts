import { UserBadgesElement } from './user-badges.js';

declare global {
  interface HTMLElementTagNameMap {
    'user-badges': UserBadgesElement;
  }
}

/**
 * Registers the element, once: a second copy of the script (or a bundle and the script tag on the
 * same page) leaves the first definition in place instead of throwing. Outside a browser it does
 * nothing, so importing the module on a server does not crash.
 */
export function defineUserBadges(tag = 'user-badges'): void {
  if (typeof customElements == 'undefined' || customElements.get(tag)) return;
  customElements.define(tag, tag == 'user-badges' ? UserBadgesElement : class extends UserBadgesElement {});
}

/**
 * The details card, a chunk loaded when first used (the first pointer or focus on a badge of the
 * page): the card of a badge under the pointer or focus opens below it, kept inside the viewport
 * (on either side, for right-to-left pages), and closes on Escape until the pointer or focus moves
 * to another badge. Its text is in every badge from the start (`.details`, read by screen
 * readers with the badge); this chunk only shows it.
 */
import type { Kit } from '../kit.js';
import type { Portable } from './portable.js';

export interface Details {
  css: string;
  messages: object;
  /** Handles a `pointerover`, `focusin` or `keydown` (of `key`) on `target` in an element's shadow root. */
  on(root: ShadowRoot, type: string, target: Element, key?: string): void;
}

export default ({ sheetOf, chunk }: Kit): Details => {
  const last = new WeakMap<ShadowRoot, Element | null>();
  const css = /* css */ `
    @layer user-badges {
      :host > ul:not(.closed) > li:is(:hover, :focus-within) .details:not(.popover *) {
        font: 400 0.8125rem/1.45 var(--user-badges-font, system-ui, sans-serif);
        color: CanvasText;
        background: Canvas;
        border: 1px solid GrayText;
        border-radius: 6px;
        box-shadow: 0 4px 12px #0003;
        z-index: 9;
        top: 100%;
        inset-inline-start: 0;
        display: flex;
        flex-direction: column;
        width: max-content;
        max-width: min(18rem, 100vw - 16px);
        height: auto;
        padding: 0.4em 0.7em;
        overflow: visible;
        clip-path: none;
        white-space: normal;
      }
      .details b {
        font-weight: 600;
        overflow-wrap: anywhere;
      }
      .tier::first-letter {
        text-transform: uppercase;
      }
    }
  `;
  return {
    css,
    messages: {},
    on(root, type, target, key) {
      // The first use in this element: its card styles (kept by its renders from now on).
      const sheet = sheetOf(css);
      if (!root.adoptedStyleSheets.includes(sheet)) root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
      const ul = root.querySelector('ul');
      if (type == 'keydown') return void (key == 'Escape' && ul?.classList.add('closed'));
      const li = target.closest('li');
      if (li != last.get(root)) last.set(root, li), ul?.classList.remove('closed');
      const card = li?.querySelector<HTMLElement>('.details:not(.popover *)');
      // A badge that travels (Open Badges) offers its credential in the card: the `portable` chunk.
      if (card) chunk<Portable>('portable').then((p) => p?.card(root, li!, card));
      if (card)
        requestAnimationFrame(() => {
          card.style.translate = '';
          const r = card.getBoundingClientRect();
          card.style.translate = Math.max(8 - r.left, Math.min(0, document.documentElement.clientWidth - 8 - r.right)) + 'px';
        });
    },
  };
};

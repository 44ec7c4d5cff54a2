/**
 * Structural styles only, in a cascade layer so that any theme (linked in the shadow root,
 * unlayered) wins whatever its specificity. Colours and shapes come from the theme stylesheets.
 * The build minifies this text.
 *
 * Geometry the themes rely on: the host is a flex box (so its height is exactly that of its
 * badges, never a line box's), a badge is at least 1.5rem tall and the skeleton's pills are badges
 * too, so loading and loaded look the same height and nothing moves when the badges arrive. Names
 * too long for the line end in an ellipsis instead of widening the page, at the end of their own
 * text's direction (an English name on an Arabic page keeps its start).
 */
export const styles = /* css */ `
  @layer user-badges {
    :host {
      display: inline-flex;
      vertical-align: middle;
      max-width: 100%;
    }
    :host([hidden]),
    :host([empty='hide']:is([state='empty'], [state='unknown'])) {
      display: none;
    }
    :host([layout='grid']) {
      display: block;
    }
    ul,
    .skeleton {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: var(--user-badges-gap, 0.25em);
      min-width: 0;
      margin: 0;
      padding: 0;
      list-style: none;
    }
    :host(:is([max], [variant='summary'])) :is(ul, .skeleton) {
      flex-wrap: var(--user-badges-wrap, nowrap);
    }
    li {
      position: relative;
      display: flex;
    }
    li,
    .userbadge {
      min-width: 0;
      max-width: 100%;
    }
    .userbadge {
      display: inline-flex;
      align-items: center;
      gap: 0.3em;
      box-sizing: border-box;
      min-height: 1.5rem;
    }
    .userbadge > a,
    .name {
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
      unicode-bidi: plaintext;
    }
    .image {
      flex: none;
      width: 1.25em;
      height: 1.25em;
      object-fit: contain;
    }
    .vh,
    .details {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip-path: inset(50%);
      white-space: nowrap;
    }
    .skeleton i {
      width: 3.75rem;
      background: var(--user-badges-skeleton, #8884);
      animation: pulse 1s ease-in-out infinite alternate;
    }
    .card {
      flex: auto;
      box-sizing: border-box;
      height: calc(clamp(48px, var(--user-badges-image-size, 64px), 96px) + 12.125rem + 2px);
      border-radius: 8px;
    }
    .status {
      font-size: 0.875em;
      font-style: italic;
    }
    @keyframes pulse {
      to {
        opacity: 0.4;
      }
    }
    @media (prefers-reduced-motion: reduce) {
      .skeleton i {
        animation: none;
      }
    }
  }
`;

let sheet: CSSStyleSheet | undefined;

/** One constructed stylesheet shared by every element: no `<style>`, so no CSP `unsafe-inline`. */
export const sharedSheet = (): CSSStyleSheet => (sheet ||= sheetOf(styles));

const sheets = new Map<string, CSSStyleSheet>();

/** A constructed stylesheet of `css`, one per text (a view's styles, shared by its elements). */
export const sheetOf = (css: string): CSSStyleSheet => {
  let s = sheets.get(css);
  if (!s) sheets.set(css, (s = new CSSStyleSheet())), s.replaceSync(css);
  return s;
};

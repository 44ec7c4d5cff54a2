/**
 * Structural styles only, in a cascade layer so that any theme (linked in the shadow root,
 * unlayered) wins whatever its specificity. Colours and shapes come from the theme stylesheets.
 * The build minifies this text.
 */
export const styles = /* css */ `
  @layer user-badges {
    :host {
      display: inline-block;
      vertical-align: middle;
    }
    :host([hidden]) {
      display: none;
    }
    ul,
    .skeleton {
      display: inline-flex;
      flex-wrap: wrap;
      align-items: center;
      gap: var(--user-badges-gap, 0.25em);
      margin: 0;
      padding: 0;
      list-style: none;
    }
    li,
    .userbadge {
      display: inline-flex;
      align-items: center;
      gap: 0.3em;
    }
    .vh {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip-path: inset(50%);
      white-space: nowrap;
    }
    .skeleton i {
      width: 4em;
      height: 1.5em;
      border-radius: 0.75em;
      background: var(--user-badges-skeleton, #8884);
      animation: pulse 1s ease-in-out infinite alternate;
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
export const sharedSheet = (): CSSStyleSheet => {
  if (!sheet) (sheet = new CSSStyleSheet()).replaceSync(styles);
  return sheet;
};

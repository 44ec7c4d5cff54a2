/**
 * The stylesheet URL of a theme: a bare name (`dark`, `github`) is a theme of the display server
 * (`<server>/themes/<name>.css`); anything else is the URL of a custom stylesheet, relative to the
 * page. `none` means no theme at all: only the structural styles, for sites that style through
 * `::part()` and custom properties.
 */
export function themeUrl(theme: string | undefined, server: string): string {
  theme = (theme || 'auto').trim();
  if (theme == 'none') return '';
  return /^[\w-]+$/.test(theme) ? `${server}/themes/${theme}.css` : new URL(theme, document.baseURI).href;
}

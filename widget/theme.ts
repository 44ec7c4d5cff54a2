/** Content versions of the built-in themes, by name; set by the build (vite.config.ts). */
declare const __UB_THEMES__: Record<string, string> | undefined;

/**
 * The stylesheet URL of a theme: a bare name (`dark`, `github`) is a theme of the display server
 * (`<server>/themes/<name>.css`, with `?v=` and the content version this build saw, so that the
 * browser may keep it for a year while the server still serves that content); anything else is the
 * URL of a custom stylesheet, relative to the page. `none` means no theme at all: only the
 * structural styles, for sites that style through `::part()` and custom properties.
 */
export function themeUrl(theme: string | undefined, server: string): string {
  theme = (theme || 'auto').trim();
  if (theme == 'none') return '';
  if (!/^[\w-]+$/.test(theme)) return new URL(theme, document.baseURI).href;
  const v = typeof __UB_THEMES__ == 'object' && __UB_THEMES__[theme];
  return `${server}/themes/${theme}.css` + (v ? '?v=' + v : '');
}
